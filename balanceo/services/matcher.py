"""The balancing matcher (BAL-03, 2.5 step 3): "Un funcionario disponible es seleccionado
automáticamente para realizar atención de clientes en espera en otra oficina".

A round pairs, one pair at a time and each pair in its own transaction:

- the **oldest** waiting turn (today, "en espera", the customer accepted virtual attention,
  AL-03) of an office that can take one more supporter now (BAL-02: a free kiosk that is on,
  and under the office's cap — ``balanceo.selectors.balance_capacity``), with
- the available technologist **idle longest** (``BalanceSeat.idle_since``, oldest first) among
  those rostered in balanceo today into that office, with today's shift check (audio, video,
  printer), seat "disponible", not in an open video call and holding no active turn, and
- the office's first free kiosk that is on (the search: ``balanceo.services.candidates``, one
  statement on PostgreSQL);

then calls the turn to the kiosk (``turn_kiosk_call`` with event "asignado por balanceo": the
waiting-room display and the kiosk announce it) and opens the video session
(``video_session_open``: both the technologist's page and the kiosk get ``video.connect`` and
start the call by themselves). Both messages go out right after that pair's commit.

Why this is safe with many requests and workers at once (PostgreSQL): one pass at a time holds
the matcher's session-level advisory lock, so pairs are made one after another and each reads the
state the previous one committed. Triggers do not each run a pass behind it: every trigger draws a
number from the sequence ``balanceo_match_requests`` (after its own change committed) and waits
for the lock; the pass that holds it records, when it ends, the last number it had seen when it
began (``balanceo_match_served``). A trigger whose number is already served returns at once: a
pass that began after its change committed has looked. So under load a handful of passes serve
every trigger that came meanwhile, each trigger waits at most for the pass in progress and its
own, and none is left behind (measured: ``make bench BENCH=balancing``). The technologist's seat row
is locked and re-read (a "Pausar" in between wins); and the database's partial unique
constraints (one active turn and one open video session per technologist and per kiosk) refuse
whatever slips past — a pair that fails rolls back whole (turn call and video session) and its
cause is left out for the rest of the round. Fairness: turns strictly oldest first among those
that can be served now, technologists idle-longest first, so nobody starves while others are
served. On SQLite (the zero-setup demo) a process lock stands in for the advisory lock.

Rounds are cheap when there is nothing to do (a handful of reads), so every trigger simply runs
one: after commit of a consent "acepta", a video call ending, a turn finishing, a kiosk coming
on, a technologist turning available, and the periodic sweep (``balanceo.match_sweep``) that
catches anything a trigger missed (NFR-03).
"""

import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.http import Http404

from balanceo.models import BalanceSeat
from balanceo.selectors import (
    MODALITY,
    active_turns,
    balance_entries,
    balance_today,
    open_sessions,
)
from balanceo.services.candidates import Candidate, Skip, next_candidate
from core.db_errors import is_deadlock
from core.models import Kiosk, Modality, Turn, TurnEvent, TurnStatus, VirtualConsent
from core.services.kiosks import kiosk_online_q
from core.services.turns import turn_kiosk_call
from core.video.services import video_session_open

log = logging.getLogger(__name__)

#: Advisory lock key of the matcher ("BALANCE" in ASCII): one round at a time.
LOCK_KEY = 0x42414C414E4345
#: The sequence every trigger draws from (migration ``balanceo.0004``), and the last number a
#: finished pass had seen when it began (``balanceo.0005``).
REQUESTS = "balanceo_match_requests"
SERVED = "balanceo_match_served"
#: A round stops after this many pairs (the next trigger or sweep goes on).
MAX_PAIRS = 1000

_local_lock = threading.RLock()


@dataclass(frozen=True)
class Match:
    turn_id: int
    technologist_id: int
    kiosk_id: int
    session_id: int


def balance_match_round(*, day=None, max_pairs: int = MAX_PAIRS) -> list[Match]:
    """Make every pair that can be made now (see the module docstring); returns the pairs this
    call made, in order. Safe to run at any time and from any number of processes at once: on
    PostgreSQL a call waits for the round in progress, then returns ``[]`` at once when a round
    that began after this call was made has already looked (it made the pairs this call would
    have made)."""
    day = day or balance_today()
    if connection.vendor != "postgresql":
        with _local_lock:  # the zero-setup demo (SQLite): one round at a time in this process
            return _pairs(day=day, max_pairs=max_pairs)
    (mine,) = _sql("SELECT nextval(%s)", REQUESTS)
    _sql("SELECT pg_advisory_lock(%s)", LOCK_KEY)  # waits for the round in progress, if any
    try:
        served, seen = _sql(
            f"SELECT (SELECT last_value FROM {SERVED}), (SELECT last_value FROM {REQUESTS})"
        )
        if served >= mine:
            return []  # a pass that began after this request was made has looked already
        matches = _pairs(day=day, max_pairs=max_pairs)
        # Every request drawn before this pass began was committed before it and seen by it.
        _sql("SELECT setval(%s, %s)", SERVED, seen)
    finally:
        _sql("SELECT pg_advisory_unlock(%s)", LOCK_KEY)
    if matches:
        log.debug("balanceo: %d emparejamientos", len(matches))
    return matches


def _sql(statement: str, *params) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def _pairs(*, day, max_pairs: int) -> list[Match]:
    """Pairs until none can be made, each in its own transaction (the caller holds the
    matcher's lock). A pair that loses a race rolls back whole and its cause is left out."""
    skip = Skip()
    matches: list[Match] = []
    while len(matches) < max_pairs:
        candidate = None
        try:
            with transaction.atomic():
                candidate = next_candidate(day=day, skip=skip)
                if candidate is None:
                    break
                match = _pair(candidate, skip=skip)
        except (ValidationError, Http404, OperationalError) as exc:  # a race lost: rolled back
            if candidate is None or (isinstance(exc, OperationalError) and not is_deadlock(exc)):
                raise
            _skip_cause(candidate, skip=skip)
            log.info(
                "balanceo: no se emparejó el turno %s con %s en %s: %s",
                candidate.turn.pk,
                candidate.technologist_id,
                candidate.kiosk.pk,
                getattr(exc, "messages", [str(exc)]),
            )
            continue
        if match is not None:
            matches.append(match)
    return matches


def _pair(candidate: Candidate, *, skip: Skip) -> Match | None:
    """Call the turn to the kiosk and open the video session, in the pair's transaction: a
    refusal of either (``ValidationError``/``Http404``, a race lost) rolls both back."""
    seat = (
        BalanceSeat.objects.select_for_update(of=("self",))
        .select_related("technologist")
        .filter(pk=candidate.seat_id, available=True)
        .first()
    )
    if seat is None:  # paused meanwhile
        skip.technologists.add(candidate.technologist_id)
        return None
    technologist = seat.technologist
    # One lock order for every kiosk call (NFR: no deadlock with "Anunciar" of asesor en línea
    # on the same turn or kiosk): the turn row first and the turn called to the kiosk (core's
    # ``turn_kiosk_call``, as ``al_turn_announce`` does), then the video session. Either refusal
    # rolls the other back with the pair's transaction.
    turn = turn_kiosk_call(
        turn=candidate.turn,
        by=technologist,
        kiosk=candidate.kiosk,
        modality=MODALITY,
        event=TurnEvent.Kind.BALANCEO,
    )
    session = video_session_open(
        technologist=technologist,
        modality=Modality.BALANCEO,
        kiosk=candidate.kiosk,
        turn=turn,
    )
    return Match(
        turn_id=turn.pk,
        technologist_id=technologist.pk,
        kiosk_id=candidate.kiosk.pk,
        session_id=session.pk,
    )


def _skip_cause(candidate: Candidate, *, skip: Skip) -> None:
    """A pair lost a race: find which of the three changed and leave it out of this round
    (all three when none looks changed, so the round always ends)."""
    found = False
    if not Turn.objects.filter(
        pk=candidate.turn.pk, status=TurnStatus.EN_ESPERA, virtual_consent=VirtualConsent.ACEPTA
    ).exists():
        skip.turns.add(candidate.turn.pk)
        found = True
    kiosk_id = candidate.kiosk.pk
    if (
        not Kiosk.objects.filter(pk=kiosk_id).filter(kiosk_online_q()).exists()
        or active_turns().filter(kiosk_id=kiosk_id).exists()
        or open_sessions().filter(kiosk_id=kiosk_id).exists()
    ):
        skip.kiosks.add(kiosk_id)
        found = True
    tech = candidate.technologist_id
    if (
        active_turns().filter(called_by_id=tech).exists()
        or open_sessions().filter(technologist_id=tech).exists()
        or not balance_entries(day=candidate.turn.day)
        .filter(technologist_id=tech, office_id=candidate.turn.office_id)
        .exists()
    ):
        skip.technologists.add(tech)
        found = True
    if not found:
        skip.turns.add(candidate.turn.pk)
        skip.kiosks.add(kiosk_id)
        skip.technologists.add(tech)


# --- triggers ----------------------------------------------------------------------------------


def balance_match_soon(*, via_broker: bool = False) -> None:
    """Run a round right after the current transaction commits (at once outside one). A
    failure is logged and swallowed: the change that triggered it is already committed, and the
    periodic sweep runs the round again within a minute.

    - ``via_broker=False`` (request-path triggers: consent, availability, Terminar, a closed
      case): inline, in the request that caused it — the lowest latency, no broker needed;
    - ``via_broker=True`` (triggers fired inside the live socket's database thread:
      ``kiosk_connected``, ``video_session_ended``): when a broker is configured
      (``CELERY_TASK_ALWAYS_EAGER`` off) the round is enqueued as ``balanceo.match_round`` so
      the socket worker is not stalled; if enqueueing fails (Redis down) it runs inline."""
    callback = _match_queued if via_broker else _match_robust
    connection = transaction.get_connection()
    current = set(connection.savepoint_ids)
    if connection.in_atomic_block and any(
        queued is callback and savepoints <= current
        for savepoints, queued, _robust in connection.run_on_commit
    ):
        return  # one round per transaction, however many triggers fired in it (one that a
        # rolled-back inner savepoint queued does not count: only same or outer levels)
    transaction.on_commit(callback)


def _match_queued() -> None:
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        from balanceo.tasks import match_round_task
        from core.tasks import enqueue

        if enqueue(match_round_task):
            return
    _match_robust()


def _match_robust() -> None:
    try:
        balance_match_round()
    except Exception:  # the trigger's own change stands; the sweep retries
        log.exception("balanceo: la ronda de emparejamiento falló")
