"""The call protocol of the procedure (CORE-07, 2.1 step 3, 2.6 step 2): who works a case and
the calls made; closing is in ``core.services.closing``."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseStatus,
    ContactAttempt,
    User,
)

MAX_ATTEMPTS = 3
WORKABLE = (CaseStatus.ASIGNADO, CaseStatus.EN_ATENCION)


def ensure_assignee(case: Case, user: User) -> None:
    if case.assigned_to_id != user.pk:
        raise ProtocolConflict("Solo el tecnólogo asignado puede trabajar este caso.")
    if case.status not in WORKABLE:
        raise ProtocolConflict(f"El caso está {case.get_status_display()}; no admite cambios.")


def case_attended_by_video(case: Case) -> bool:
    """The customer was attended face to face by video at a kiosk (asesor en línea, balanceo):
    a video call of the case's turn connected. Then there is no phone call to log or record:
    the attention itself is the contact (one query)."""
    from core.models import Modality, VideoSession

    if case.modality not in (Modality.ASESOR_LINEA, Modality.BALANCEO):  # no query for others
        return False
    return VideoSession.objects.filter(turn__case=case, connected_at__isnull=False).exists()


def attempts_state(
    case: Case, attempts: list[ContactAttempt] | None = None, *, by_video: bool = False
) -> dict:
    """What the workbench may offer next, from the attempts made so far (``by_video``: the case
    was attended by video at a kiosk — answered, no calls to make)."""
    attempts = list(case.attempts.all()) if attempts is None else attempts
    unanswered = sum(1 for a in attempts if a.outcome in ContactAttempt.UNANSWERED)
    answered = by_video or any(a.outcome == ContactAttempt.Outcome.CONTESTO for a in attempts)
    return {
        "count": len(attempts),
        "unanswered": unanswered,
        "answered": answered,
        "by_video": by_video,
        "can_attempt": not answered and len(attempts) < MAX_ATTEMPTS and case.status in WORKABLE,
        "needs_voicemail": not answered and unanswered >= MAX_ATTEMPTS and not case.is_closed,
    }


@transaction.atomic
def attempt_log(*, case: Case, by: User, outcome: str, number_dialled: str) -> ContactAttempt:
    """Record one call. After 3 unanswered calls the voicemail script is due; no 4th call."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_assignee(case, by)
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
        from core.services.assignment import cases_changed

        case.status = CaseStatus.EN_ATENCION
        cases_changed(user_ids=[case.assigned_to_id], office_ids=[case.supported_office_id])
    case._change_reason = f"intento {attempt.sequence}: {attempt.get_outcome_display()}"
    case._history_user = by
    case.save(update_fields=["status", "updated_at"])
    return attempt
