"""BAL-02 / BAL-03 on PostgreSQL, concurrently: matcher rounds from several threads at once,
technologists attending and finishing (each "Terminar" runs its own round after commit),
pausing and coming back, and new customers arriving and accepting — each thread with its own
database connection. Afterwards: every customer was attended (none starves), each turn was
matched exactly once and to one technologist, no technologist and no kiosk ever had two calls
at the same time, and no office ever had more simultaneous calls than its capacity."""

import random
import threading
import time
from collections import defaultdict

import pytest
from django.db import connection
from django.utils import timezone

from balanceo.models import BalanceSeat
from balanceo.selectors import balance_current_turn
from balanceo.services import (
    balance_availability_set,
    balance_case_open,
    balance_match_round,
    balance_turn_finish,
)
from core.models import Turn, TurnEvent, TurnStatus, User, VideoSession

pytestmark = pytest.mark.django_db(transaction=True)

N_OFFICES = 4
N_TECHS = 6
INITIAL_TURNS = 24
ARRIVALS = 16
DEADLINE_SECONDS = 120


def _overlaps(intervals) -> bool:
    intervals = sorted(intervals)
    return any(b[0] < a[1] for a, b in zip(intervals, intervals[1:], strict=False))


def _max_simultaneous(intervals) -> int:
    points = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    current = peak = 0
    for _, step in points:  # an end and a start at the same instant: the end first (-1 < 1)
        current += step
        peak = max(peak, current)
    return peak


def test_bal03_concurrent_rounds_finishes_and_arrivals_never_double_match_nor_starve(
    postgres, world, published, settings
):
    settings.KIOSK_OFFLINE_SECONDS = 3600  # the kiosks stay "conectado" for the whole run
    # The first office has one technologist of its own and three kiosks on: only the matcher's
    # serialisation keeps it at two simultaneous calls (no database constraint does).
    offices = [world.office(kiosks_on=3, technologist_count=1)]
    offices += [world.office(kiosks_on=2, technologist_count=2) for _ in range(N_OFFICES - 1)]
    home = world.office(kiosks_on=0)  # where the technologists work from (the case's "oficina")
    techs = [
        world.tech(
            [offices[i % N_OFFICES], offices[(i + 1) % N_OFFICES]], available=False, home=home
        )
        for i in range(N_TECHS)
    ]
    for i in range(INITIAL_TURNS):
        world.turn(offices[i % N_OFFICES], minutes_ago=INITIAL_TURNS - i)
    assert not Turn.objects.filter(status=TurnStatus.LLAMADO).exists()
    BalanceSeat.objects.update(available=True)

    stop = threading.Event()
    errors: list[str] = []

    def guarded(work):
        def run(*args):
            try:
                work(*args)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(f"{work.__name__}: {exc!r}")
            finally:
                connection.close()

        return run

    @guarded
    def matcher():
        while not stop.is_set():
            balance_match_round()
            time.sleep(random.uniform(0, 0.02))

    @guarded
    def technologist(tech_id, seed):
        rng = random.Random(seed)
        tech = User.objects.get(pk=tech_id)
        while not stop.is_set():
            turn = balance_current_turn(technologist=tech)
            if turn is None:
                if rng.random() < 0.05:  # a short pause, then available again
                    balance_availability_set(technologist=tech, available=False)
                    time.sleep(rng.uniform(0, 0.02))
                    balance_availability_set(technologist=tech, available=True)
                time.sleep(0.005)
                continue
            time.sleep(rng.uniform(0, 0.01))  # the customer walks to the kiosk
            if turn.status == TurnStatus.LLAMADO:
                customer = {
                    "document_type": "CC",
                    "document_number": f"71{turn.pk:06d}",  # one customer per turn
                    "full_name": f"Cliente {turn.number}",
                }
                balance_case_open(turn=turn, by=tech, customer=customer, kind="PED")
            balance_turn_finish(turn=turn, by=tech, outcome="atendido")

    @guarded
    def arrivals():
        for i in range(ARRIVALS):
            world.turn(
                offices[i % N_OFFICES]
            )  # turn_create + consent "acepta": a round after commit
            time.sleep(0.01)

    threads = [threading.Thread(target=matcher) for _ in range(3)]
    threads += [threading.Thread(target=technologist, args=(t.pk, i)) for i, t in enumerate(techs)]
    threads.append(threading.Thread(target=arrivals))
    for thread in threads:
        thread.start()
    total = INITIAL_TURNS + ARRIVALS
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and not errors:
        if Turn.objects.filter(status=TurnStatus.ATENDIDO).count() == total:
            break
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == [], "\n".join(errors)
    turns = list(Turn.objects.all())
    assert len(turns) == total
    assert {t.status for t in turns} == {TurnStatus.ATENDIDO}, "a customer starved"
    # Each turn matched once, to one technologist, with one video call with that technologist.
    for turn in turns:
        assert turn.events.filter(kind=TurnEvent.Kind.BALANCEO).count() == 1
        (session,) = VideoSession.objects.filter(turn=turn)
        assert session.technologist_id == turn.called_by_id
        assert session.kiosk_id == turn.kiosk_id
        assert session.ended_at is not None
    by_tech, by_kiosk, by_office = defaultdict(list), defaultdict(list), defaultdict(list)
    for session in VideoSession.objects.select_related("kiosk"):
        interval = (session.created_at, session.ended_at or timezone.now())
        by_tech[session.technologist_id].append(interval)
        by_kiosk[session.kiosk_id].append(interval)
        by_office[session.kiosk.office_id].append(interval)
    assert not any(_overlaps(i) for i in by_tech.values()), "a technologist had two customers"
    assert not any(_overlaps(i) for i in by_kiosk.values()), "a kiosk had two customers"
    assert all(_max_simultaneous(i) <= 2 for i in by_office.values())
    assert len(by_tech) == N_TECHS  # everyone worked


def _waiting_for_the_matcher(n: int) -> None:
    """Until ``n`` sessions wait for the matcher's advisory lock (pg_locks), with a deadline."""
    from balanceo.services.matcher import LOCK_KEY

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND ((classid::bigint << 32) | objid::bigint) = %s",
                [LOCK_KEY],
            )
            if cursor.fetchone()[0] >= n:
                return
        time.sleep(0.01)
    raise AssertionError(f"{n} sesiones no llegaron a esperar el candado del emparejador")


def test_bal03_triggers_during_a_pass_wait_for_it_and_one_pass_serves_them(
    postgres, world, published, monkeypatch
):
    """A trigger that comes while a pass runs waits for it (it is never left behind); of two
    triggers that waited, the first runs a pass that serves both, and the second returns
    without a pass of its own: the pass began after its change committed."""
    from balanceo.services import matcher
    from core.models import VirtualConsent

    office = world.office(kiosks_on=2)
    world.tech(office, idle_minutes=20)
    world.tech(office, idle_minutes=10)
    first = world.turn(office, minutes_ago=5, accept=False)
    second = world.turn(office, minutes_ago=1, accept=False)
    Turn.objects.filter(pk=first.pk).update(virtual_consent=VirtualConsent.ACEPTA)

    in_pass, go = threading.Event(), threading.Event()
    real_pairs = matcher._pairs
    passes: dict[str, int] = defaultdict(int)
    results: dict[str, list] = {}

    def counted_pairs(**kwargs):
        name = threading.current_thread().name
        passes[name] += 1
        made = real_pairs(**kwargs)
        if name == "A":  # the first pass is over, the lock still held
            in_pass.set()
            assert go.wait(30)
        return made

    monkeypatch.setattr(matcher, "_pairs", counted_pairs)

    def round_in(name):
        def run():
            try:
                results[name] = balance_match_round()
            finally:
                connection.close()

        return threading.Thread(target=run, name=name)

    a = round_in("A")
    a.start()
    assert in_pass.wait(30)
    # The second customer accepts while A's pass runs: two triggers come and wait.
    Turn.objects.filter(pk=second.pk).update(virtual_consent=VirtualConsent.ACEPTA)
    b = round_in("B")
    b.start()
    _waiting_for_the_matcher(1)
    c = round_in("C")
    c.start()
    _waiting_for_the_matcher(2)
    assert Turn.objects.get(pk=second.pk).status == TurnStatus.EN_ESPERA
    go.set()
    for thread in (a, b, c):
        thread.join(30)

    assert [m.turn_id for m in results["A"]] == [first.pk]
    assert [m.turn_id for m in results["B"] + results["C"]] == [second.pk]
    assert sorted(passes.values()) == [1, 1]  # A and whichever of B, C got the lock first
    assert Turn.objects.get(pk=second.pk).status == TurnStatus.LLAMADO
    assert VideoSession.objects.filter(turn=second).count() == 1
