"""Kiosk turns left over from a past day (AL, BAL): released by the per-minute sweep, so a turn
nobody finished does not hold its kiosk (one active turn per kiosk) into the next day."""

from django.db import transaction
from django.utils import timezone

from core.models import Turn, TurnEvent, TurnStatus
from core.services.turns.common import change_record, locked_for_change
from core.services.turns.office import turn_finish, turn_video_sessions_end

STALE_NOTE = "turno de un día anterior sin terminar: se libera el módulo"


def kiosk_turns_stale_release(now=None) -> int:
    """Kiosk turns of days before today still "llamado" or "en atención": in attention (the case
    was opened) → "atendido"; only called → "cancelado" with a "liberado" event. Their open video
    calls end. Returns how many were released."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    released = 0
    stale = Turn.objects.filter(
        kiosk__isnull=False, status__in=TurnStatus.active(), day__lt=today
    ).values_list("pk", flat=True)
    for turn_id in list(stale):
        with transaction.atomic():
            turn = Turn.objects.get(pk=turn_id)
            if turn.status == TurnStatus.EN_ATENCION:
                turn_finish(turn=turn, by=None)
            else:
                current = locked_for_change(turn, today=today, past_allowed=True)
                if current.status != TurnStatus.LLAMADO:
                    continue
                change_record(
                    turn,
                    current,
                    TurnEvent.Kind.LIBERADO,
                    by=None,
                    at=now,
                    note=STALE_NOTE,
                    status=TurnStatus.CANCELADO,
                    finished_at=now,
                )
                turn_video_sessions_end(turn=current, reason=STALE_NOTE)
            released += 1
    return released
