"""After the call (CEL-03): refusal, cannot connect and the office's decision, attention."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    Modality,
    Notification,
    TransactionType,
    Turn,
    TurnEvent,
    TurnStatus,
    User,
)
from core.privacy import mask_phone
from core.roles import PRINT_QUEUE_ROLES, user_has_role
from core.services.turns.common import (
    DECISION_INVALID,
    DECISIONS,
    NOT_FOUND,
    change_record,
    holder_check,
    locked_for_change,
)


@transaction.atomic
def turn_refuse(*, turn: Turn, by: User) -> Turn:
    """The customer refuses remote attention (2.3 step 4): the turn goes back to the waiting
    room with its arrival time (``created_at``) untouched, so its place in the office's queue
    holds, and leaves the booth's list for good."""
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now))
    holder_check(current, by)
    result = change_record(
        turn,
        current,
        TurnEvent.Kind.RECHAZA,
        by=by,
        at=now,
        status=TurnStatus.DEVUELTO_A_SALA,
        accepts_remote=False,
        mobile="",  # no longer attended remotely: the mobile is not kept
    )
    return result


@transaction.atomic
def turn_no_connect(*, turn: Turn, by: User) -> Turn:
    """The call cannot connect (2.3 step 4): the turn waits again, off the booth's list, until
    the office checks with the customer and decides cellphone or in person
    (``turn_office_decision``). The office's orientadores and encargados see it at once on their
    pages (live, ``turns.changed``) and get an e-mail each (after commit, through the worker)."""
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now))
    holder_check(current, by)
    result = change_record(
        turn,
        current,
        TurnEvent.Kind.NO_CONECTA,
        by=by,
        at=now,
        status=TurnStatus.EN_ESPERA,
        needs_office_check=True,
        called_by=None,
        called_at=None,
    )
    _office_staff_notify(turn=current, by=by)
    return result


def _office_staff_notify(*, turn: Turn, by: User) -> None:
    from core.services.messaging import notification_queue

    staff = (
        User.objects.filter(
            home_office_id=turn.office_id, is_active=True, groups__name__in=PRINT_QUEUE_ROLES
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    transaction_name = TransactionType.objects.filter(pk=turn.transaction_type_id).values_list(
        "name", flat=True
    )[0]
    subject = f"Turno {turn.number}: no se pudo comunicar con el cliente"
    body = (
        f"{by.get_full_name() or by.username} no pudo comunicarse con el cliente del turno "
        f"{turn.number} ({transaction_name}) al celular {mask_phone(turn.mobile)}.\n\n"
        "Valide con el cliente si tiene problemas con su dispositivo y registre en la página de "
        "turnos de la oficina (Mi oficina → Turnos) si será atendido por celular o de manera "
        "presencial."
    )
    for user in staff:
        notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.DESBORDE,
            recipient=user.email,
            subject=subject,
            body=body,
        )


def _office_staff_check(turn: Turn, by: User) -> None:
    """Only the turn's office's orientadores and encargados decide; others: 404."""
    if by.is_superuser:
        return
    if by.home_office_id != turn.office_id or not user_has_role(by, *PRINT_QUEUE_ROLES):
        raise Http404(NOT_FOUND)


@transaction.atomic
def turn_office_decision(*, turn: Turn, decision: str, by: User) -> Turn:
    """The office checked with the customer whose call could not connect (CEL-03):
    "celular" puts the turn back on the booth's list, "presencial" takes it off for good (it
    waits for a module in its place)."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": DECISION_INVALID})
    _office_staff_check(turn, by)
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now))
    if current.status != TurnStatus.EN_ESPERA or not current.needs_office_check:
        raise ProtocolConflict(
            f"El turno {current.number} no está pendiente de validar en la oficina."
        )
    if decision == "celular":
        return change_record(
            turn,
            current,
            TurnEvent.Kind.DECISION_CELULAR,
            by=by,
            at=now,
            needs_office_check=False,
            accepts_remote=True,
        )
    return change_record(
        turn,
        current,
        TurnEvent.Kind.DECISION_PRESENCIAL,
        by=by,
        at=now,
        needs_office_check=False,
        accepts_remote=False,
        mobile="",  # attended in person: the mobile is not kept
        status=TurnStatus.EN_ESPERA,
    )


@transaction.atomic
def turn_attention_start(*, turn: Turn, by: User, case: Case) -> Turn:
    """The customer accepts remote attention: the turn is in attention with its case."""
    if case is None:
        raise ValidationError({"case": "Falta el caso de la atención."})
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now))
    holder_check(current, by)
    result = change_record(
        turn,
        current,
        TurnEvent.Kind.ACEPTA,
        by=by,
        at=now,
        status=TurnStatus.EN_ATENCION,
        case=case,
        attention_started_at=now,
    )
    return result


@transaction.atomic
def turn_finish(*, turn: Turn, by: User | None = None) -> Turn:
    """The attention ended (its case closed): "atendido". Idempotent — a turn already attended
    is returned as it is. Allowed on a past day's turn in attention: a case closed after
    midnight must still free its technologist (one active turn each)."""
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now), past_allowed=True)
    if current.status == TurnStatus.ATENDIDO:
        return current
    if current.status != TurnStatus.EN_ATENCION:
        raise ProtocolConflict(
            f"El turno {current.number} no está en atención: {current.get_status_display()}."
        )
    result = change_record(
        turn,
        current,
        TurnEvent.Kind.ATENDIDO,
        by=by,
        at=now,
        status=TurnStatus.ATENDIDO,
        finished_at=now,
    )
    turn_video_sessions_end(turn=current, reason="atención terminada: turno atendido")
    return result


def turn_video_sessions_end(*, turn: Turn, reason: str) -> int:
    """End the turn's open video calls (AL, BAL): a turn that is over must not leave its kiosk
    and its technologist held by a call nobody will hang up (the case closed before
    "Terminar", say). Both parties are told; returns how many ended."""
    from core.live.auth import LiveParty
    from core.models import VideoSession, VideoSessionStatus
    from core.video.services import video_state_record

    ended = 0
    for session in VideoSession.objects.filter(
        turn_id=turn.pk, status__in=VideoSessionStatus.open()
    ).select_related("technologist"):
        video_state_record(
            session_id=session.pk,
            party=LiveParty(user=session.technologist),
            state=VideoSessionStatus.FINALIZADA,
            reason=reason,
        )
        ended += 1
    return ended
