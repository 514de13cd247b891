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
    """The customer was attended face to face by video — at a kiosk (asesor en línea, balanceo)
    or from their own browser (cliente interno): a video call of the case's turn connected. Then
    there is no phone call to log or record: the attention itself is the contact (one query)."""
    from core.models import Modality, VideoSession

    video_modalities = (Modality.ASESOR_LINEA, Modality.BALANCEO, Modality.CLIENTE_INTERNO)
    if case.modality not in video_modalities:  # no query for others
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


#: ``case_protocol``'s next steps (CORE-07): call again, leave the voicemail, close the case.
NEXT_CALL = "llamar"
NEXT_VOICEMAIL = "mensaje_de_voz"
NEXT_CLOSE = "cerrar"
NEXT_STEPS = (NEXT_CALL, NEXT_VOICEMAIL, NEXT_CLOSE)


def case_protocol(case: Case, attempts: list[ContactAttempt] | None = None) -> dict:
    """The call protocol of a case as its page and the API show it (CORE-07, issue 13 item 6):
    ``attempts_state`` plus

    - ``attempts_left``: calls that may still be made (0..3; 0 once answered or closed);
    - ``next_step``: ``cerrar`` once the customer answered or was attended by video,
      ``mensaje_de_voz`` after three unanswered calls, else ``llamar``; ``None`` for a closed
      case (nothing left to do);
    - ``voicemail_script``: the script to read when ``next_step`` is ``mensaje_de_voz`` (the
      template the case's modality registered; a condo case's names its appointment's day,
      month and hour), else "".

    Queries: the attempts (unless given), the video check for kiosk modalities, and the
    appointment and template only when the voicemail is due."""
    from core.selectors.agenda import case_appointment
    from core.services.messaging import voicemail_script

    attempts = list(case.attempts.all()) if attempts is None else attempts
    state = attempts_state(case, attempts, by_video=case_attended_by_video(case))
    if case.is_closed:
        next_step = None
    elif state["answered"]:
        next_step = NEXT_CLOSE
    elif state["unanswered"] >= MAX_ATTEMPTS:
        next_step = NEXT_VOICEMAIL
    else:
        next_step = NEXT_CALL
    script = ""
    if next_step == NEXT_VOICEMAIL:
        appointment = case_appointment(case)
        script = voicemail_script(
            case=case, appointment_at=appointment.start if appointment else None
        )
    return {
        **state,
        "attempts_left": max(0, MAX_ATTEMPTS - state["count"]) if next_step == NEXT_CALL else 0,
        "next_step": next_step,
        "voicemail_script": script,
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
