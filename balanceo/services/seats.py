"""The technologist's seat in today's balancing pool (BAL-01, BAL-03): the start-of-shift check
(2.5 step 2), "Disponible para balanceo" / "Pausar", and "free again" when a call or a turn
ends, each followed by a matching round after commit."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from balanceo.models import BalanceSeat
from balanceo.selectors import balance_rostered, balance_today
from balanceo.services.matcher import balance_match_soon
from core.exceptions import ProtocolConflict
from core.models import ShiftCheck, Turn, TurnStatus, User
from core.selectors.roster import shift_check_done
from core.services.roster import shift_check_record
from core.services.turns.kiosk import turn_kiosk_requeue

NOT_ROSTERED = (
    "No está programado hoy en el balanceo: solo los tecnólogos incluidos por el gestor en la "
    "programación de balanceo del día quedan disponibles. Pida a su gestor que lo incluya."
)
SHIFT_CHECK_FIRST = (
    "Antes de quedar disponible registre hoy la verificación de inicio de turno (audio, video e "
    "impresora del módulo de la oficina que apoya)."
)
AVAILABLE_INVALID = "Indique si queda disponible (true) o en pausa (false)."
PAUSED_NO_VIDEO = (
    "Se pausó su disponibilidad porque la videollamada no se conectó; marque Disponible cuando "
    "esté listo."
)
REQUEUE_NOTE = (
    "devuelto a la fila: la videollamada de balanceo al módulo {kiosk} no se conectó ({reason}); "
    "conserva la aceptación de la atención virtual"
)


def balance_shift_check_record(
    *, technologist: User, audio: bool, video: bool, printer: bool
) -> ShiftCheck:
    """2.5 step 2: audio and video of the technologist's computer and the printer of the
    supported office's kiosk, confirmed before any customer is matched (core's check, with
    the camera)."""
    return shift_check_record(technologist=technologist, audio=audio, printer=printer, video=video)


def _seat_locked(*, technologist: User, day: dt.date) -> BalanceSeat:
    seat = BalanceSeat.objects.select_for_update().filter(technologist=technologist, day=day)
    found = seat.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return BalanceSeat.objects.create(technologist=technologist, day=day)
    except IntegrityError:  # created by a request at the same moment
        return seat.get()


@transaction.atomic
def balance_availability_set(*, technologist: User, available: bool) -> BalanceSeat:
    """ "Disponible para balanceo" (``available=True``): the technologist enters the matcher's
    queue, idle from now — only when rostered in balanceo today (BAL-01) and with today's check
    done (audio, video, printer), else 409 with the reason. "Pausar" (``False``): no new
    customer is matched to them; a call in progress goes on. Setting the state it already has
    changes nothing (its place in the queue is kept). The seat row is locked, so a pause and a
    match at the same moment are ordered: the matcher re-reads the seat under the same lock."""
    if not isinstance(available, bool):
        raise ValidationError({"available": AVAILABLE_INVALID})
    day = balance_today()
    if available:
        if not balance_rostered(technologist=technologist, day=day):
            raise ProtocolConflict(NOT_ROSTERED)
        if not shift_check_done(technologist=technologist, day=day, video=True):
            raise ProtocolConflict(SHIFT_CHECK_FIRST)
    seat = _seat_locked(technologist=technologist, day=day)
    if seat.available == available:
        return seat
    seat.available = available
    fields = ["available", "updated_at"]
    if seat.paused_reason:
        seat.paused_reason = ""
        fields.append("paused_reason")
    if available:
        seat.idle_since = timezone.now()
        fields.append("idle_since")
        balance_match_soon()
    seat.save(update_fields=fields)
    return seat


def balance_seat_free(
    *, technologist_id: int, at: dt.datetime | None = None, via_broker: bool = False
) -> int:
    """The technologist's call or turn ended: idle from ``at`` (now), so they are matched again
    at once — after those who have waited longer. Runs a round after commit (``via_broker``: see
    ``balance_match_soon``). Returns how many seats changed (0: not in today's pool)."""
    at = at or timezone.now()
    updated = BalanceSeat.objects.filter(
        technologist_id=technologist_id, day=balance_today()
    ).update(idle_since=at, updated_at=at)
    if updated:
        balance_match_soon(via_broker=via_broker)
    return updated


@transaction.atomic
def balance_call_unanswered(*, session) -> Turn | None:
    """BAL-03: a balancing video call ended without ever connecting (the technologist was not at
    their computer, the kiosk did not answer: "fallida" after the ring timeout). The customer
    must not be held by an absent technologist: the turn goes back to the waiting queue in its
    place keeping its consent (core's ``turn_kiosk_requeue``), the kiosk is free, and the
    technologist's seat is paused with a notice (``PAUSED_NO_VIDEO``) until they mark
    "Disponible" again; then a round (via the broker when there is one) matches the customer
    with someone else. A turn the technologist already finished, returned or opened a case for
    is left alone and the seat is simply free again. Returns the requeued turn, if any.

    Locks the seat row before the turn's, as the matcher does (no deadlock between them)."""
    day = balance_today()
    seat = (
        BalanceSeat.objects.select_for_update()
        .filter(technologist_id=session.technologist_id, day=day)
        .first()
    )
    turn = (
        Turn.objects.filter(
            pk=session.turn_id,
            status=TurnStatus.LLAMADO,
            called_by_id=session.technologist_id,
            kiosk_id=session.kiosk_id,
        ).first()
        if session.turn_id and session.kiosk_id
        else None
    )
    if turn is not None:
        try:
            turn = turn_kiosk_requeue(
                turn=turn,
                note=REQUEUE_NOTE.format(
                    kiosk=session.kiosk.label, reason=session.end_reason or "sin respuesta"
                ),
            )
        except ProtocolConflict:  # attended or returned meanwhile
            turn = None
    if turn is None:
        balance_seat_free(technologist_id=session.technologist_id, via_broker=True)
        return None
    if seat is not None and seat.available:
        seat.available = False
        seat.paused_reason = PAUSED_NO_VIDEO
        seat.save(update_fields=["available", "paused_reason", "updated_at"])
    balance_match_soon(via_broker=True)
    return turn
