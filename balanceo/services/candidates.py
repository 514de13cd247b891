"""The matcher's candidate search (BAL-02, BAL-03): the next pair a round can make now — the
oldest waiting turn of an office that can take one more supporter, the technologist idle longest
among those ready for that office, and the office's first free kiosk that is on.

Two implementations of one rule:

- ``next_candidate_orm``: the rule written with the project's selectors (``balanceo.selectors``,
  ``core.services.kiosks``), six queries. It runs on SQLite (the zero-setup demo) and is the
  reference the other is tested against;
- ``next_candidate_sql``: the same rule as one PostgreSQL statement, its constants taken from
  the same Python definitions (``TurnStatus.active()``, ``VideoSessionStatus.open()``,
  ``KIOSK_OFFLINE_SECONDS``, the BAL-02 cap). A round runs the search after every pair and once
  more to find there is nothing left, inside the latency a technologist and a kiosk wait for
  ("Terminar" → ``video.connect``): building the six ORM queries cost more than running them.
  ``tests/balanceo/test_candidates.py`` compares both on generated scenes.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F
from django.utils import timezone

from balanceo.selectors import (
    MODALITY,
    SINGLE_TECHNOLOGIST_CAP,
    active_turns,
    balance_capacity,
    balance_entries,
    balance_shift_check_q,
    balance_waiting_turns,
    kiosk_attentions_by_office,
    kiosks_busy_q,
    open_sessions,
)
from core.models import Kiosk, Turn, TurnStatus, VideoSessionStatus, VirtualConsent
from core.services.kiosks import kiosk_online_q


@dataclass
class Skip:
    """What failed in this round (a race lost to another writer): left out until it ends."""

    turns: set[int] = field(default_factory=set)
    technologists: set[int] = field(default_factory=set)
    kiosks: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Candidate:
    turn: Turn
    seat_id: int
    technologist_id: int
    kiosk: Kiosk


def next_candidate(*, day: dt.date, skip: Skip) -> Candidate | None:
    """The next pair (see the module docstring), or None when no pair can be made now."""
    if connection.vendor == "postgresql":
        return next_candidate_sql(day=day, skip=skip)
    return next_candidate_orm(day=day, skip=skip)


# --- the rule with the selectors (SQLite, and the reference) -----------------------------------


def _ready_rows(*, day, skip: Skip) -> list[tuple[int, int, int]]:
    """(seat id, technologist id, office id) for every balanceo entry of today of a technologist
    who can take a customer now — seat "disponible", today's check with audio, video and
    printer, in no open video call, holding no active turn — idle longest first (one query)."""
    seat = "technologist__balance_seats__"  # one a day (``balance_seat_once_a_day``): a join
    return list(
        balance_entries(day=day)
        .filter(**{f"{seat}day": day, f"{seat}available": True}, technologist__is_active=True)
        .filter(balance_shift_check_q(day=day))
        .exclude(technologist_id__in=open_sessions().values("technologist_id"))
        .exclude(
            technologist_id__in=active_turns()
            .filter(called_by__isnull=False)
            .values("called_by_id")
        )
        .exclude(technologist_id__in=skip.technologists)
        .order_by(F(f"{seat}idle_since").asc(nulls_first=True), f"{seat}id", "office_id")
        .values_list(f"{seat}id", "technologist_id", "office_id")
    )


def _free_kiosks_by_office(*, office_ids, day, now, skip: Skip) -> dict[int, list[int]]:
    """The kiosks a match may use now (ids), by office, for the offices under their cap
    (BAL-02): on and free, as many as the office can still take (two queries, plain rows)."""
    kiosks = (
        Kiosk.objects.filter(kiosk_online_q(now), office_id__in=office_ids, office__active=True)
        .annotate(busy=ExpressionWrapper(kiosks_busy_q(), output_field=BooleanField()))
        .order_by("office_id", "label", "id")
        .values_list("id", "office_id", "office__technologist_count", "busy")
    )
    in_progress = kiosk_attentions_by_office(office_ids=office_ids, day=day)
    on: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for kiosk_id, office_id, technologists, busy in kiosks:
        on[office_id].append((kiosk_id, technologists, busy))
    usable = {}
    for office_id, office_kiosks in on.items():
        capacity = balance_capacity(
            technologist_count=office_kiosks[0][1], kiosks_on=len(office_kiosks)
        )
        free = [k for k, _, busy in office_kiosks if not busy and k not in skip.kiosks]
        if free and in_progress.get(office_id, 0) < capacity:
            usable[office_id] = free
    return usable


def next_candidate_orm(*, day: dt.date, skip: Skip) -> Candidate | None:
    """The rule with the selectors (six queries)."""
    rows = _ready_rows(day=day, skip=skip)
    if not rows:
        return None
    kiosks = _free_kiosks_by_office(
        office_ids={office for _, _, office in rows}, day=day, now=timezone.now(), skip=skip
    )
    if not kiosks:
        return None
    turn = (
        balance_waiting_turns(day=day)
        .filter(office_id__in=list(kiosks))
        .exclude(pk__in=skip.turns)
        .first()
    )
    if turn is None:
        return None
    seat_id, technologist_id = next(
        (seat, tech) for seat, tech, office in rows if office == turn.office_id
    )
    return Candidate(
        turn=turn,
        seat_id=seat_id,
        technologist_id=technologist_id,
        kiosk=Kiosk.objects.select_related("office").get(pk=kiosks[turn.office_id][0]),
    )


# --- the same rule in one statement (PostgreSQL) -----------------------------------------------

#: ``ready``: ``_ready_rows``; ``kiosk``: the kiosks on (``kiosk_online_q``) of those offices,
#: with the office's kiosks on and whether each is busy (``kiosks_busy_q``); ``usable``: per
#: office, its first free kiosk not left out, when its kiosk attentions
#: (``kiosk_attentions_by_office``) are under its cap (BAL-02, ``balance_capacity``); then the
#: oldest waiting accepted turn of a usable office (``balance_waiting_turns``) with the first
#: ready technologist of that office.
CANDIDATE_SQL = """
WITH ready AS (
    SELECT seat.id AS seat_id, entry.technologist_id, entry.office_id,
           row_number() OVER (
               ORDER BY seat.idle_since ASC NULLS FIRST, seat.id, entry.office_id
           ) AS place
    FROM core_rosterentry entry
    JOIN balanceo_balanceseat seat
      ON seat.technologist_id = entry.technologist_id AND seat.day = %(day)s AND seat.available
    JOIN core_user person ON person.id = entry.technologist_id AND person.is_active
    WHERE entry.day = %(day)s AND entry.modality = %(modality)s
      AND entry.technologist_id <> ALL(%(skip_technologists)s::bigint[])
      AND EXISTS (
          SELECT 1 FROM core_shiftcheck shift_check
          WHERE shift_check.technologist_id = entry.technologist_id
            AND shift_check.day = %(day)s
            AND shift_check.audio_ok AND shift_check.video_ok AND shift_check.printer_ok)
      AND NOT EXISTS (
          SELECT 1 FROM core_videosession call
          WHERE call.technologist_id = entry.technologist_id
            AND call.status = ANY(%(open_calls)s::text[]))
      AND NOT EXISTS (
          SELECT 1 FROM core_turn held
          WHERE held.called_by_id = entry.technologist_id
            AND held.status = ANY(%(active_turns)s::text[]))
),
kiosk AS (
    SELECT k.id, k.office_id, k.label, office.technologist_count,
           count(*) OVER (PARTITION BY k.office_id) AS kiosks_on,
           EXISTS (
               SELECT 1 FROM core_turn held
               WHERE held.kiosk_id = k.id AND held.status = ANY(%(active_turns)s::text[])
           ) OR EXISTS (
               SELECT 1 FROM core_videosession call
               WHERE call.kiosk_id = k.id AND call.status = ANY(%(open_calls)s::text[])
           ) AS busy
    FROM core_kiosk k
    JOIN core_office office ON office.id = k.office_id AND office.active
    WHERE k.active AND k.is_on AND k.last_seen_at >= %(fresh)s
      AND k.office_id IN (SELECT office_id FROM ready)
),
usable AS (
    SELECT DISTINCT ON (kiosk.office_id) kiosk.office_id, kiosk.id AS kiosk_id
    FROM kiosk
    WHERE NOT kiosk.busy
      AND kiosk.id <> ALL(%(skip_kiosks)s::bigint[])
      AND (
          SELECT count(*) FROM core_turn attention
          WHERE attention.day = %(day)s AND attention.office_id = kiosk.office_id
            AND attention.kiosk_id IS NOT NULL
            AND attention.status = ANY(%(active_turns)s::text[])
      ) < CASE WHEN kiosk.technologist_count <= 1 THEN %(single_cap)s ELSE kiosk.kiosks_on END
    ORDER BY kiosk.office_id, kiosk.label, kiosk.id
)
SELECT waiting.id, technologist.seat_id, technologist.technologist_id, usable.kiosk_id
FROM core_turn waiting
JOIN usable ON usable.office_id = waiting.office_id
CROSS JOIN LATERAL (
    SELECT ready.seat_id, ready.technologist_id FROM ready
    WHERE ready.office_id = waiting.office_id
    ORDER BY ready.place
    LIMIT 1
) technologist
WHERE waiting.day = %(day)s AND waiting.status = %(waiting)s
  AND waiting.virtual_consent = %(accepted)s
  AND waiting.id <> ALL(%(skip_turns)s::bigint[])
ORDER BY waiting.created_at, waiting.id
LIMIT 1
"""


def next_candidate_sql(*, day: dt.date, skip: Skip) -> Candidate | None:
    """The rule in one statement, then the turn and the kiosk (with its office) by id: three
    queries with a pair, one without."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            CANDIDATE_SQL,
            {
                "day": day,
                "modality": MODALITY,
                "fresh": now - dt.timedelta(seconds=settings.KIOSK_OFFLINE_SECONDS),
                "open_calls": list(VideoSessionStatus.open()),
                "active_turns": list(TurnStatus.active()),
                "waiting": TurnStatus.EN_ESPERA,
                "accepted": VirtualConsent.ACEPTA,
                "single_cap": SINGLE_TECHNOLOGIST_CAP,
                "skip_technologists": sorted(skip.technologists),
                "skip_kiosks": sorted(skip.kiosks),
                "skip_turns": sorted(skip.turns),
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    turn_id, seat_id, technologist_id, kiosk_id = row
    return Candidate(
        turn=Turn.objects.get(pk=turn_id),
        seat_id=seat_id,
        technologist_id=technologist_id,
        kiosk=Kiosk.objects.select_related("office").get(pk=kiosk_id),
    )
