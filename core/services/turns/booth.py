"""The virtual booth's "Llamar" (CEL-03): one compare-and-set under concurrency."""

import datetime as dt
from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    RemoteModality,
    RosterEntry,
    Turn,
    TurnEvent,
    TurnStatus,
    User,
)
from core.services.turns.common import NOT_FOUND, PAST_DAY, TAKEN, rostered_today, turns_changed

#: How the database names the constraint that keeps one called / in-attention turn per
#: technologist (core.models.turns) in its error: PostgreSQL by name, SQLite by column.
ONE_ACTIVE = ("turn_one_active_per_technologist", "core_turn.called_by_id")


#: "Llamar" as one statement: the compare-and-set and its event (PostgreSQL).
TAKE_SQL = f"""
WITH taken AS (
    UPDATE {Turn._meta.db_table} AS t
       SET status = %(called)s, called_by_id = %(by)s, called_at = %(now)s
     WHERE t.id = %(turn)s AND t.day = %(day)s AND t.status = %(waiting)s
       AND t.accepts_remote AND NOT t.needs_office_check
       AND EXISTS (
           SELECT 1 FROM {RosterEntry._meta.db_table} AS r
            WHERE r.office_id = t.office_id AND r.technologist_id = %(by)s
              AND r.day = %(day)s AND r.modality = %(modality)s)
    RETURNING t.id
)
INSERT INTO {TurnEvent._meta.db_table} (turn_id, kind, at, by_id, note)
SELECT id, %(kind)s, %(now)s, %(by)s, '' FROM taken
RETURNING turn_id
"""


def _take_statement(*, turn_id: int, by: User, now: dt.datetime, today: dt.date) -> bool:
    """The compare-and-set of "Llamar" and its "llamado" event, atomically: True if taken.

    On PostgreSQL one statement does both (a data-modifying CTE): in autocommit it is its own
    transaction, one round trip; inside a caller's transaction it runs in a savepoint, so the
    constraint's IntegrityError leaves that transaction usable. Elsewhere (the SQLite demo) the
    ORM does the same in a transaction."""
    if connection.vendor == "postgresql":
        params = {
            "turn": turn_id,
            "by": by.pk,
            "now": now,
            "day": today,
            "called": TurnStatus.LLAMADO,
            "waiting": TurnStatus.EN_ESPERA,
            "modality": RemoteModality.CELULAR,
            "kind": TurnEvent.Kind.LLAMADO,
        }
        scope = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with scope, connection.cursor() as cursor:
            cursor.execute(TAKE_SQL, params)
            return cursor.fetchone() is not None
    with transaction.atomic():
        taken = (
            Turn.objects.filter(
                pk=turn_id,
                day=today,
                status=TurnStatus.EN_ESPERA,
                accepts_remote=True,
                needs_office_check=False,
            )
            .filter(
                Exists(rostered_today(office_id=OuterRef("office_id"), technologist=by, day=today))
            )
            .update(status=TurnStatus.LLAMADO, called_by=by, called_at=now)
        )
        if taken:
            TurnEvent.objects.create(turn_id=turn_id, kind=TurnEvent.Kind.LLAMADO, at=now, by=by)
    return bool(taken)


def turn_take(*, turn: Turn, by: User) -> Turn:
    """ "Llamar" in the virtual booth (CEL-03): a compare-and-set of a waiting remote turn of an
    office ``by`` supports by cellphone today.

    One conditional UPDATE decides (with its event, in one statement on PostgreSQL): two
    technologists pressing at once, one row changes, the other gets 409 "Otro tecnólogo ya tomó
    este turno." The database's partial unique constraint keeps one called / in-attention turn
    per technologist; its IntegrityError becomes a 409 that names the turn they still hold. A
    call of a past day that never got its outcome would block the technologist for good: it is
    cancelled (event with the reason) and the take retried once. Pressing twice on one's own
    turn returns it unchanged. The benchmark (``make bench BENCH=turns``) holds the take to at
    least a quarter of a bare conditional UPDATE's rate."""
    now = timezone.now()
    today = timezone.localdate(now)
    for attempt in (1, 2):
        try:
            taken = _take_statement(turn_id=turn.pk, by=by, now=now, today=today)
        except IntegrityError as exc:
            if not any(name in str(exc) for name in ONE_ACTIVE):
                raise
            if attempt == 1 and _stale_calls_release(technologist=by, today=today):
                continue
            raise ProtocolConflict(_holding_message(technologist=by)) from None
        break
    if not taken:
        return _take_refused(turn=turn, by=by, today=today)
    # The statement wrote the turn and its event without the ORM: announce it here (after the
    # caller's commit, or at once in autocommit). The 409 path announces nothing.
    turns_changed(turn.office_id)
    turn.status, turn.called_by, turn.called_at = TurnStatus.LLAMADO, by, now
    turn.accepts_remote, turn.needs_office_check = True, False
    return turn


#: What the take's diagnosis needs of a turn, in one cheap query (no ORM on this path: a
#: 409 is as frequent as a take when colleagues press together).
STATE_SQL = f"""
SELECT t.status, t.called_by_id, t.day < %s, t.accepts_remote, t.needs_office_check, t.number,
       EXISTS (
           SELECT 1 FROM {RosterEntry._meta.db_table} AS r
            WHERE r.office_id = t.office_id AND r.technologist_id = %s AND r.day = %s
              AND r.modality = %s)
  FROM {Turn._meta.db_table} AS t
 WHERE t.id = %s
"""


def _take_refused(*, turn: Turn, by: User, today: dt.date) -> Turn:
    """Why the compare-and-set changed nothing: the Spanish answer for each case."""
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL, [today, by.pk, today, RemoteModality.CELULAR, turn.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404(NOT_FOUND)
    status, called_by_id, past, accepts_remote, needs_office_check, number, rostered = row
    if called_by_id == by.pk and status == TurnStatus.LLAMADO:
        return Turn.objects.get(pk=turn.pk)  # a double tap on one's own call
    if not rostered:
        raise Http404(NOT_FOUND)
    if past:
        raise ProtocolConflict(PAST_DAY)
    if status in (TurnStatus.LLAMADO, TurnStatus.EN_ATENCION, TurnStatus.ATENDIDO):
        raise ProtocolConflict(TAKEN)
    if status == TurnStatus.EN_ESPERA and needs_office_check:
        raise ProtocolConflict(
            f"La oficina está validando con el cliente del turno {number} si lo atienden "
            "por celular o de manera presencial."
        )
    if status == TurnStatus.EN_ESPERA and not accepts_remote:
        raise ProtocolConflict(f"El cliente del turno {number} será atendido de manera presencial.")
    raise ProtocolConflict(f"El turno {number} ya no está en espera: {TurnStatus(status).label}.")


def _holding_message(*, technologist: User) -> str:
    held = (
        Turn.objects.filter(called_by=technologist, status__in=TurnStatus.active())
        .select_related("office")
        .first()
    )
    if held is None:  # released meanwhile
        return "Ya tiene un turno llamado o en atención: termínelo antes de llamar otro."
    return (
        f"Ya tiene el turno {held.number} ({held.office.name}) {held.get_status_display()}: "
        "termínelo antes de llamar otro."
    )


def _stale_calls_release(*, technologist: User, today: dt.date) -> int:
    """Free the technologist from turns that can no longer be theirs to work: a turn "en
    atención" whose case is already closed (the ``case_closed`` receiver that finishes it failed)
    is finished, and calls of past days still "llamado" (no outcome was recorded) are cancelled,
    the only change to a past day's turn besides finishing its case. Web and API alike."""
    from core.models import CaseStatus
    from core.services.turns.office import turn_finish

    released = 0
    for held in Turn.objects.filter(
        called_by=technologist,
        status=TurnStatus.EN_ATENCION,
        case__status__in=CaseStatus.closed(),
    ):
        turn_finish(turn=held, by=technologist)
        released += 1
    with transaction.atomic():
        stale = Turn.objects.select_for_update().filter(
            called_by=technologist, status=TurnStatus.LLAMADO, day__lt=today
        )
        now = timezone.now()
        for turn in stale:
            turn.status = TurnStatus.CANCELADO
            turn.finished_at = now
            turn.save(update_fields=["status", "finished_at"])
            TurnEvent.objects.create(
                turn=turn,
                kind=TurnEvent.Kind.CANCELADO,
                at=now,
                by=None,
                note="llamado de un día anterior sin resultado registrado",
            )
            turns_changed(turn.office_id)
            released += 1
    return released
