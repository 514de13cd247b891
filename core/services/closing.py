"""Closing a case (CORE-07, 2.1 step 3, 2.6 step 2): without contact after three unanswered
calls, or with the CRM fields after an answered call; the closing rules of the case's modality
(core.modalities) run first, and ``case_closed`` goes out after commit."""

import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core import modalities
from core.exceptions import ProtocolConflict
from core.models import Case, CaseStatus, Evidence, EvidenceKind, InitialCause, User
from core.personal_data import email_normalize, mobile_normalize
from core.services.calls import attempts_state, case_attended_by_video, ensure_assignee
from core.services.evidence import evidence_attach
from core.signals import case_closed

log = logging.getLogger(__name__)


def case_closing_check(*, case: Case, by: User) -> None:
    """Run the closing rules the case's modality registered; a rule refuses the closure by
    raising ValidationError / ProtocolConflict with a Spanish message (e.g. WA-03: a WhatsApp
    overflow case waits for the customer's agreement)."""
    for rule in modalities.closing_rules(case.modality):
        rule(case=case, by=by)


@transaction.atomic
def case_close_without_contact(*, case: Case, by: User, voicemail: UploadedFile) -> Evidence:
    """After 3 unanswered calls: the voicemail recording goes to the expediente and the case is
    closed "cerrado sin contacto" with causa inicial "información general" (2.1 step 3).
    Returns the stored recording; its ``case`` is the closed case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_assignee(case, by)
    if not attempts_state(case)["needs_voicemail"]:
        raise ProtocolConflict(
            "Solo se cierra sin contacto después de tres intentos de llamada sin respuesta."
        )
    case_closing_check(case=case, by=by)
    recording = evidence_attach(
        case=case, kind=EvidenceKind.VOICEMAIL_RECORDING, upload=voicemail, uploaded_by=by
    )
    case.status = CaseStatus.CERRADO_SIN_CONTACTO
    case.initial_cause = InitialCause.objects.get(code="informacion-general")
    case.closed_at = timezone.now()
    case._change_reason = "cerrado sin contacto: mensaje de voz publicado en el expediente"
    case._history_user = by
    case.save(update_fields=["status", "initial_cause", "closed_at", "updated_at"])
    case_closed_announce(case, by)
    return recording


def case_evidence_add(*, case: Case, by: User, kind: str, upload: UploadedFile) -> Evidence:
    """Evidence from the workbench (CORE-08). The voicemail recording after three unanswered
    calls also closes the case (CORE-07): the evidence returned then belongs to a closed case
    (``evidence.case.is_closed``)."""
    if kind == EvidenceKind.VOICEMAIL_RECORDING and attempts_state(case)["needs_voicemail"]:
        return case_close_without_contact(case=case, by=by, voicemail=upload)
    return evidence_attach(case=case, kind=kind, upload=upload, uploaded_by=by)


def closed_by_voicemail(evidence: Evidence) -> bool:
    """Whether this upload was the voicemail recording that closed its case without contact."""
    return evidence.kind == EvidenceKind.VOICEMAIL_RECORDING and evidence.case.is_closed


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
    ensure_assignee(case, by)
    if outcome not in CLOSE_OUTCOMES:
        raise ValidationError(
            {"outcome": "Indique si se cierra con solución en primer contacto o con tarea."}
        )
    by_video = case_attended_by_video(case)  # AL, BAL: face to face at a kiosk, no phone call
    if not attempts_state(case, by_video=by_video)["answered"]:
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
    if not by_video and not case.evidence.filter(kind=EvidenceKind.CALL_RECORDING).exists():
        raise ValidationError(
            {"evidence": "Cargue la grabación de la llamada en el expediente antes de cerrar."}
        )
    case_closing_check(case=case, by=by)
    case.status = CLOSE_OUTCOMES[outcome]
    case.closed_at = timezone.now()
    case.full_clean()
    case._change_reason = case.get_status_display()
    case._history_user = by
    case.save(update_fields=[*CRM_FIELDS, "status", "closed_at", "updated_at"])
    case_closed_announce(case, by)
    return case


def case_closed_announce(case: Case, by: User) -> None:
    """After a closure (call it inside its transaction): live pages of the assignee and the
    office refresh, and ``case_closed`` goes to the modality apps once it is committed. For a
    service that closes a case in its own way (condo administrators' phone solution)."""
    from core.services.assignment import cases_changed

    cases_changed(user_ids=[case.assigned_to_id], office_ids=[case.supported_office_id])
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
