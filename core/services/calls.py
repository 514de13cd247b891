"""The call protocol of the procedure (CORE-07, 2.1 step 3, 2.6 step 2) and case closure."""

import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseStatus,
    ContactAttempt,
    EvidenceKind,
    InitialCause,
    User,
)
from core.personal_data import email_normalize, mobile_normalize
from core.services.closing import case_closing_check
from core.services.evidence import evidence_attach
from core.signals import case_closed

MAX_ATTEMPTS = 3
WORKABLE = (CaseStatus.ASIGNADO, CaseStatus.EN_ATENCION)

log = logging.getLogger(__name__)


def _ensure_assignee(case: Case, user: User) -> None:
    if case.assigned_to_id != user.pk:
        raise ProtocolConflict("Solo el tecnólogo asignado puede trabajar este caso.")
    if case.status not in WORKABLE:
        raise ProtocolConflict(f"El caso está {case.get_status_display()}; no admite cambios.")


def attempts_state(case: Case, attempts: list[ContactAttempt] | None = None) -> dict:
    """What the workbench may offer next, from the attempts made so far."""
    attempts = list(case.attempts.all()) if attempts is None else attempts
    unanswered = sum(1 for a in attempts if a.outcome in ContactAttempt.UNANSWERED)
    answered = any(a.outcome == ContactAttempt.Outcome.CONTESTO for a in attempts)
    return {
        "count": len(attempts),
        "unanswered": unanswered,
        "answered": answered,
        "can_attempt": not answered and len(attempts) < MAX_ATTEMPTS and case.status in WORKABLE,
        "needs_voicemail": not answered and unanswered >= MAX_ATTEMPTS and not case.is_closed,
    }


@transaction.atomic
def attempt_log(*, case: Case, by: User, outcome: str, number_dialled: str) -> ContactAttempt:
    """Record one call. After 3 unanswered calls the voicemail script is due; no 4th call."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_assignee(case, by)
    if outcome not in ContactAttempt.Outcome.values:
        raise ValidationError({"outcome": "Resultado de la llamada no válido."})
    number = "".join(ch for ch in (number_dialled or "") if ch.isdigit())
    if not 7 <= len(number) <= 15:
        raise ValidationError({"number_dialled": "Indique el número marcado (7 a 15 dígitos)."})
    state = attempts_state(case)
    if state["answered"]:
        raise ProtocolConflict("El cliente ya contestó: registre la atención y cierre el caso.")
    if state["count"] >= MAX_ATTEMPTS:
        raise ProtocolConflict(
            "Ya se registraron los tres intentos de llamada; deje el mensaje de voz y cargue "
            "la grabación para cerrar el caso."
        )
    attempt = ContactAttempt(
        case=case,
        made_by=by,
        made_at=timezone.now(),
        number_dialled=number,
        outcome=outcome,
        sequence=state["count"] + 1,
    )
    attempt.full_clean()
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError as exc:  # a concurrent request took this sequence number
        raise ProtocolConflict("Otro registro de intento llegó al mismo tiempo; recargue.") from exc
    if outcome == ContactAttempt.Outcome.CONTESTO:
        case.status = CaseStatus.EN_ATENCION
    case._change_reason = f"intento {attempt.sequence}: {attempt.get_outcome_display()}"
    case._history_user = by
    case.save(update_fields=["status", "updated_at"])
    return attempt


@transaction.atomic
def case_close_without_contact(*, case: Case, by: User, voicemail: UploadedFile) -> Case:
    """After 3 unanswered calls: the voicemail recording goes to the expediente and the case is
    closed "cerrado sin contacto" with causa inicial "información general" (2.1 step 3)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_assignee(case, by)
    if not attempts_state(case)["needs_voicemail"]:
        raise ProtocolConflict(
            "Solo se cierra sin contacto después de tres intentos de llamada sin respuesta."
        )
    case_closing_check(case=case, by=by)
    evidence_attach(
        case=case, kind=EvidenceKind.VOICEMAIL_RECORDING, upload=voicemail, uploaded_by=by
    )
    case.status = CaseStatus.CERRADO_SIN_CONTACTO
    case.initial_cause = InitialCause.objects.get(code="informacion-general")
    case.closed_at = timezone.now()
    case._change_reason = "cerrado sin contacto: mensaje de voz publicado en el expediente"
    case._history_user = by
    case.save(update_fields=["status", "initial_cause", "closed_at", "updated_at"])
    _send_case_closed_on_commit(case, by)
    return case


def case_evidence_add(*, case: Case, by: User, kind: str, upload: UploadedFile):
    """Evidence from the workbench: the voicemail recording after three unanswered calls also
    closes the case (CORE-07); anything else is just attached (CORE-08)."""
    if kind == EvidenceKind.VOICEMAIL_RECORDING and attempts_state(case)["needs_voicemail"]:
        return case_close_without_contact(case=case, by=by, voicemail=upload)
    return evidence_attach(case=case, kind=kind, upload=upload, uploaded_by=by)


CRM_FIELDS = (
    "turn_number",
    "attention_medium",
    "channel",
    "office",
    "supported_office",
    "initial_cause",
    "motive",
    "notification_medium",
    "notification_email",
    "notification_email_consent",
    "notification_mobile",
    "notification_address",
)
CLOSE_OUTCOME_CHOICES = [
    ("primer_contacto", "cerrar con solución en primer contacto"),
    ("tarea_generada", "generar tarea"),
]
CLOSE_OUTCOMES = {
    "primer_contacto": CaseStatus.CERRADO_PRIMER_CONTACTO,
    "tarea_generada": CaseStatus.TAREA_GENERADA,
}


@transaction.atomic
def case_close(*, case: Case, by: User, outcome: str, **crm) -> Case:
    """The customer answered: fill the CRM fields, then close (solución en primer contacto) or
    generate a task. Refused without an answered call, the required fields, or the call
    recording in the expediente."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_assignee(case, by)
    if outcome not in CLOSE_OUTCOMES:
        raise ValidationError(
            {"outcome": "Indique si se cierra con solución en primer contacto o con tarea."}
        )
    if not attempts_state(case)["answered"]:
        raise ProtocolConflict("Registre primero la llamada en la que el cliente contestó.")
    unknown = set(crm) - set(CRM_FIELDS)
    if unknown:
        raise ValidationError(f"Campos no permitidos: {', '.join(sorted(unknown))}.")
    errors = {}
    for field, rule in (
        ("notification_email", email_normalize),
        ("notification_mobile", mobile_normalize),
    ):
        if crm.get(field):
            try:
                crm[field] = rule(crm[field], field=field)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for field, value in crm.items():
        setattr(case, field, value)
    if case.office_id is None and by.home_office_id:
        case.office_id = by.home_office_id  # "aparece automáticamente" (2.1 step 3)
    errors = {}
    required = {  # field → (attribute holding its value, message)
        "turn_number": ("turn_number", "Indique el número de turno."),
        "attention_medium": ("attention_medium", "Indique el medio de atención."),
        "channel": ("channel_id", "Indique el canal de atención."),
        "office": ("office_id", "Indique la oficina."),
        "initial_cause": ("initial_cause_id", "Indique la causa inicial."),
    }
    for field, (attribute, message) in required.items():
        if not getattr(case, attribute):
            errors[field] = message
    if case.kind == "PQR" and not case.motive.strip():
        errors["motive"] = "Indique el motivo PQR (detalle)."
    if errors:
        raise ValidationError(errors)
    if not case.evidence.filter(kind=EvidenceKind.CALL_RECORDING).exists():
        raise ValidationError(
            {"evidence": "Cargue la grabación de la llamada en el expediente antes de cerrar."}
        )
    case_closing_check(case=case, by=by)
    case.status = CLOSE_OUTCOMES[outcome]
    case.closed_at = timezone.now()
    case.full_clean()
    case._change_reason = case.get_status_display()
    case._history_user = by
    case.save()
    _send_case_closed_on_commit(case, by)
    return case


def _send_case_closed_on_commit(case: Case, by: User) -> None:
    transaction.on_commit(lambda: _send_case_closed(case, by))


def _send_case_closed(case: Case, by: User) -> None:
    """Tell the modality apps the case is closed, once the closure is committed.

    The closure already stands, so a receiver that raises must not turn the request into an
    error (nor stop the other receivers): each failure is logged and dropped here. Work that
    must not be lost is retried by its app's periodic sweep (DF-04: ``desborde.pqr_report_sweep``).
    """
    for receiver, result in case_closed.send_robust(sender=Case, case=case, by=by):
        if isinstance(result, Exception):
            log.exception(
                "El caso %s quedó cerrado, pero falló %s al recibir case_closed: %s",
                case.number,
                getattr(receiver, "__qualname__", repr(receiver)),
                result,
                exc_info=result,
            )
