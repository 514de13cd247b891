"""CORE-09: round-robin assignment of pending cases to the technologists of a pool.

Also NFR-03: a case opened while the broker is down is saved and picked up by the sweep.
"""

import datetime as dt
import logging
import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from core import tasks
from core.models import AssignmentPool, Case, CaseStatus, StaffAvailability
from core.roles import Role
from core.services import assignment
from core.services.assignment import assign_pending_cases, case_reassign
from core.tasks import assign_pending_cases_task, assignment_sweep_task
from tests.factories import CustomerFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

AUTO = "asignación automática"


def make_tech(
    first_name,
    last_name="Prueba",
    *,
    pools=(),
    available=True,
    availability_day=None,
    is_active=True,
    role=Role.TECNOLOGO,
):
    """A user in ``role`` (technologist by default), available today, member of ``pools``.

    ``availability_day=False`` creates no availability row at all."""
    user = UserFactory(first_name=first_name, last_name=last_name, is_active=is_active)
    if role:
        user.groups.add(Group.objects.get(name=str(role)))
    if availability_day is not False:
        StaffAvailability.objects.create(
            user=user,
            date=availability_day or timezone.localdate(),
            is_available=available,
            work_mode="trabajo_en_casa",
        )
    for pool in pools:
        pool.members.add(user)
    return user


def make_pool(code="desborde-metro", *, batch_size=1, **kwargs):
    return AssignmentPool.objects.create(
        code=code, name=f"Grupo {code}", batch_size=batch_size, **kwargs
    )


def pending_cases(pool, n, *, start=None, customer=None):
    """``n`` cases filed one minute apart, oldest first in the returned list.

    They are opened newest first, so their ids run against their filing order: the assignment
    has to order by ``filed_at``, not by id."""
    start = start or timezone.now() - dt.timedelta(hours=2)
    customer = customer or CustomerFactory()
    cases = [
        make_case(pool=pool, customer=customer, filed_at=start + dt.timedelta(minutes=i))
        for i in reversed(range(n))
    ]
    return list(reversed(cases))


def owners(cases):
    """The technologist each case is assigned to now, in the order of ``cases``."""
    by_id = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "assigned_to"))
    return [by_id[c.pk] for c in cases]


def assignment_reasons(case):
    return list(
        case.history.filter(history_change_reason__startswith=AUTO)
        .order_by("history_id")
        .values_list("history_change_reason", flat=True)
    )


def assigned_counts(pool):
    return dict(
        Case.objects.filter(pool=pool, assigned_to__isnull=False)
        .values_list("assigned_to")
        .annotate(n=Count("id"))
    )


def cases_assigned_more_than_once(case_ids):
    return list(
        Case.history.filter(id__in=case_ids, history_change_reason__startswith=AUTO)
        .values("id")
        .annotate(n=Count("history_id"))
        .filter(n__gt=1)
        .values_list("id", flat=True)
    )


def test_core09_alphabetical_order_ignores_accents_and_case():
    """CORE-09: technologists are served in alphabetical order of name, accents and case aside."""
    pool = make_pool(batch_size=1)
    oscar = make_tech("Óscar", pools=[pool])
    carlos = make_tech("carlos", pools=[pool])
    alvaro = make_tech("Álvaro", pools=[pool])
    beatriz = make_tech("Beatriz", pools=[pool])
    cases = pending_cases(pool, 4)

    assert assign_pending_cases(pool_id=pool.pk) == 4

    assert owners(cases) == [alvaro.pk, beatriz.pk, carlos.pk, oscar.pk]
    for case in cases:
        case.refresh_from_db()
        assert case.status == CaseStatus.ASIGNADO
        assert case.assigned_at is not None
        assert assignment_reasons(case) == ["asignación automática, ronda 1"]


def test_core09_batch_of_k_cases_per_technologist_per_round():
    """CORE-09: K cases each per round, oldest first, in alphabetical order; cursor = last one."""
    pool = make_pool(batch_size=2)
    carla = make_tech("Carla", pools=[pool])
    ana = make_tech("Ana", pools=[pool])
    bruno = make_tech("Bruno", pools=[pool])
    cases = pending_cases(pool, 5)

    assert assign_pending_cases(pool_id=pool.pk) == 5

    assert owners(cases) == [ana.pk, ana.pk, bruno.pk, bruno.pk, carla.pk]
    assert assigned_counts(pool) == {ana.pk: 2, bruno.pk: 2, carla.pk: 1}
    assert [assignment_reasons(c) for c in cases] == [["asignación automática, ronda 1"]] * 5
    pool.refresh_from_db()
    assert pool.round_number == 1
    assert pool.cursor_user == carla
    assert pool.cursor_key == "carla prueba"


def test_core09_cursor_carries_over_between_runs_and_task_runs():
    """CORE-09: the next run continues after the last technologist served, also via the task."""
    pool = make_pool(batch_size=1)
    ana = make_tech("Ana", pools=[pool])
    bruno = make_tech("Bruno", pools=[pool])
    carla = make_tech("Carla", pools=[pool])
    start = timezone.now() - dt.timedelta(hours=5)

    first = pending_cases(pool, 2, start=start)
    assert assign_pending_cases(pool_id=pool.pk) == 2
    assert owners(first) == [ana.pk, bruno.pk]
    pool.refresh_from_db()
    assert pool.cursor_user == bruno

    second = pending_cases(pool, 2, start=start + dt.timedelta(hours=1))
    assert assign_pending_cases(pool_id=pool.pk) == 2
    assert owners(second) == [carla.pk, ana.pk]
    pool.refresh_from_db()
    assert pool.cursor_user == ana

    third = pending_cases(pool, 2, start=start + dt.timedelta(hours=2))
    assert assign_pending_cases_task.delay(pool.pk).get() == 2
    assert owners(third) == [bruno.pk, carla.pk]

    fourth = pending_cases(pool, 1, start=start + dt.timedelta(hours=3))
    assert assign_pending_cases_task.apply(args=[pool.pk]).get() == 1
    assert owners(fourth) == [ana.pk]
    pool.refresh_from_db()
    assert pool.cursor_user == ana
    assert assigned_counts(pool) == {ana.pk: 3, bruno.pk: 2, carla.pk: 2}


def test_core09_several_rounds_in_one_run_record_their_round_number():
    """CORE-09: when cases outnumber one round, rounds repeat in one run, each one numbered."""
    pool = make_pool(batch_size=1)
    bruno = make_tech("Bruno", pools=[pool])
    ana = make_tech("Ana", pools=[pool])
    cases = pending_cases(pool, 5)

    assert assign_pending_cases(pool_id=pool.pk) == 5

    assert owners(cases) == [ana.pk, bruno.pk, ana.pk, bruno.pk, ana.pk]
    assert [assignment_reasons(c) for c in cases] == [
        ["asignación automática, ronda 1"],
        ["asignación automática, ronda 1"],
        ["asignación automática, ronda 2"],
        ["asignación automática, ronda 2"],
        ["asignación automática, ronda 3"],
    ]
    pool.refresh_from_db()
    assert pool.round_number == 3
    assert pool.cursor_user == ana


def test_core09_unavailable_people_receive_nothing():
    """CORE-09: only active technologists of the pool available today get cases."""
    pool = make_pool(batch_size=1)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Each of these would come before "Zoe" alphabetically.
    not_available = make_tech("Adela", pools=[pool], available=False)
    only_yesterday = make_tech("Bernardo", pools=[pool], availability_day=yesterday)
    no_row = make_tech("Camila", pools=[pool], availability_day=False)
    inactive = make_tech("Dario", pools=[pool], is_active=False)
    orientador = make_tech("Elena", pools=[pool], role=Role.ORIENTADOR)
    no_role = make_tech("Fabio", pools=[pool], role=None)
    outside_pool = make_tech("Gloria")
    zoe = make_tech("Zoe", pools=[pool])
    cases = pending_cases(pool, 3)

    assert assign_pending_cases(pool_id=pool.pk) == 3

    assert owners(cases) == [zoe.pk] * 3
    for user in (
        not_available,
        only_yesterday,
        no_row,
        inactive,
        orientador,
        no_role,
        outside_pool,
    ):
        assert not Case.objects.filter(assigned_to=user).exists(), user


def test_core09_nobody_available_leaves_cases_pending():
    """CORE-09: with no available technologist the cases wait, unassigned, for a later run."""
    pool = make_pool(batch_size=1)
    make_tech("Ana", pools=[pool], available=False)
    cases = pending_cases(pool, 2)

    assert assign_pending_cases(pool_id=pool.pk) == 0

    assert owners(cases) == [None, None]
    assert set(Case.objects.filter(pool=pool).values_list("status", flat=True)) == {
        CaseStatus.ABIERTO
    }
    beatriz = make_tech("Beatriz", pools=[pool])
    assert assign_pending_cases(pool_id=pool.pk) == 2
    assert owners(cases) == [beatriz.pk, beatriz.pk]


def test_core09_open_case_cap_skips_full_technologists():
    """CORE-09: a technologist at the pool's open-case cap is skipped; if all are, cases wait."""
    pool = make_pool(batch_size=1, max_open_cases=2)
    ana = make_tech("Ana", pools=[pool])
    bruno = make_tech("Bruno", pools=[pool])
    carla = make_tech("Carla", pools=[pool])
    # Ana is at the cap: one assigned, one being worked (a closed one does not count).
    make_case(assigned_to=ana, status=CaseStatus.ASIGNADO)
    make_case(assigned_to=ana, status=CaseStatus.EN_ATENCION)
    make_case(assigned_to=ana, status=CaseStatus.CERRADO_PRIMER_CONTACTO)
    start = timezone.now() - dt.timedelta(hours=3)
    cases = pending_cases(pool, 4, start=start)

    assert assign_pending_cases(pool_id=pool.pk) == 4

    assert owners(cases) == [bruno.pk, carla.pk, bruno.pk, carla.pk]
    assert Case.objects.filter(assigned_to=ana).count() == 3

    # Now everyone is at the cap: a new case stays pending.
    pool.refresh_from_db()
    rounds_before = pool.round_number
    late = pending_cases(pool, 1, start=start + dt.timedelta(hours=1))[0]
    assert assign_pending_cases(pool_id=pool.pk) == 0
    late.refresh_from_db()
    assert late.status == CaseStatus.ABIERTO
    assert late.assigned_to is None
    assert assignment_reasons(late) == []
    pool.refresh_from_db()
    assert pool.round_number == rounds_before

    # Bruno closes a case: the sweep gives him the pending one.
    closed = Case.objects.get(pk=cases[0].pk)
    closed.status = CaseStatus.CERRADO_SIN_CONTACTO
    closed.save(update_fields=["status"])
    assert assignment_sweep_task() == 1
    late.refresh_from_db()
    assert late.assigned_to == bruno
    assert late.status == CaseStatus.ASIGNADO


def test_core09_running_twice_changes_nothing_the_second_time():
    """CORE-09: the assignment is idempotent: a second run assigns nothing and writes no history."""
    pool = make_pool(batch_size=2)
    ana = make_tech("Ana", pools=[pool])
    bruno = make_tech("Bruno", pools=[pool])
    cases = pending_cases(pool, 3)
    assert assign_pending_cases(pool_id=pool.pk) == 3
    pool.refresh_from_db()
    state = (pool.round_number, pool.cursor_user_id, pool.cursor_key)
    history_rows = (Case.history.count(), AssignmentPool.history.count())

    assert assign_pending_cases(pool_id=pool.pk) == 0
    assert assign_pending_cases_task.delay(pool.pk).get() == 0
    assert assignment_sweep_task() == 0

    assert (Case.history.count(), AssignmentPool.history.count()) == history_rows
    assert owners(cases) == [ana.pk, ana.pk, bruno.pk]
    pool.refresh_from_db()
    assert (pool.round_number, pool.cursor_user_id, pool.cursor_key) == state


def test_core09_case_opened_into_pool_is_assigned_on_commit(django_capture_on_commit_callbacks):
    """CORE-09: the real path: case_open(pool=…) → on commit → task → round-robin service."""
    pool = make_pool(batch_size=1)
    ana = make_tech("Ana", pools=[pool])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = make_case(pool=pool)

    # The assignment request; what follows it are the live announcements of the assignment.
    assert len([c for c in callbacks if not getattr(c, "live_key", None)]) == 1
    case.refresh_from_db()
    assert case.assigned_to == ana
    assert case.status == CaseStatus.ASIGNADO
    assert assignment_reasons(case) == ["asignación automática, ronda 1"]
    latest = case.history.first()
    assert latest.history_change_reason == "asignación automática, ronda 1"
    assert latest.assigned_to_id == ana.pk


def test_nfr03_broker_down_case_saved_then_assigned_by_sweep(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """NFR-03: with the broker down the case is still saved (pending); the sweep assigns it."""
    pool = make_pool(batch_size=1)
    ana = make_tech("Ana", pools=[pool])

    def broker_down(*args, **kwargs):
        raise OSError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.assign_pending_cases_task, "apply_async", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        case = make_case(pool=pool)

    assert len(callbacks) == 1
    assert "Broker no disponible" in caplog.text
    case.refresh_from_db()
    assert case.status == CaseStatus.ABIERTO
    assert case.assigned_to is None

    assert assignment_sweep_task() == 1

    case.refresh_from_db()
    assert case.assigned_to == ana
    assert case.status == CaseStatus.ASIGNADO
    assert assignment_reasons(case) == ["asignación automática, ronda 1"]


def test_core09_manual_reassignment_is_recorded():
    """CORE-09: the asignador moves a case by hand; history says who, from whom, to whom, why."""
    pool = make_pool(batch_size=1)
    ana = make_tech("Ana", "Arango", pools=[pool])
    bruno = make_tech("Bruno", "Betancur", pools=[pool])
    asignador = make_tech("Sara", "Salazar", role=Role.ASIGNADOR)
    case = make_case(pool=pool, assigned_to=ana, status=CaseStatus.ASIGNADO)

    result = case_reassign(
        case=case, to_user=bruno, by_user=asignador, reason="Ana está incapacitada"
    )

    assert result.assigned_to == bruno
    case.refresh_from_db()
    assert case.assigned_to == bruno
    assert case.status == CaseStatus.ASIGNADO
    latest = case.history.first()
    assert latest.history_change_reason == (
        "reasignación manual de Ana Arango a Bruno Betancur: Ana está incapacitada"
    )
    assert latest.history_user == asignador
    assert latest.assigned_to_id == bruno.pk

    pending = make_case(pool=pool)
    case_reassign(case=pending, to_user=ana, by_user=asignador)
    pending.refresh_from_db()
    assert pending.assigned_to == ana
    assert pending.status == CaseStatus.ASIGNADO
    latest = pending.history.first()
    assert latest.history_change_reason == "reasignación manual de sin asignar a Ana Arango"
    assert latest.history_user == asignador


def test_core09_manual_reassignment_refused_for_closed_case_or_non_technologist():
    """CORE-09: no reassignment of a closed case, nor to anyone but an active technologist."""
    ana = make_tech("Ana")
    bruno = make_tech("Bruno")
    retired = make_tech("Ciro", is_active=False)
    orientador = make_tech("Olga", role=Role.ORIENTADOR)
    asignador = make_tech("Sara", role=Role.ASIGNADOR)
    closed = make_case(assigned_to=ana, status=CaseStatus.CERRADO_PRIMER_CONTACTO)
    open_case = make_case(assigned_to=ana, status=CaseStatus.ASIGNADO)
    history_rows = Case.history.count()

    with pytest.raises(ValidationError) as exc:
        case_reassign(case=closed, to_user=bruno, by_user=asignador, reason="x")
    assert exc.value.messages == ["El caso está cerrado; no se puede reasignar."]

    for target in (orientador, retired):
        with pytest.raises(ValidationError) as exc:
            case_reassign(case=open_case, to_user=target, by_user=asignador)
        assert exc.value.message_dict == {
            "to_user": ["El destinatario debe ser un tecnólogo activo."]
        }

    assert Case.history.count() == history_rows
    assert owners([closed, open_case]) == [ana.pk, ana.pk]


def _run_at_once(targets):
    """Start one thread per callable, released together by a barrier; return their results."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)
    errors: list[BaseException] = []

    def work(i, target):
        try:
            barrier.wait(timeout=30)
            results[i] = target()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "un hilo no terminó"
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_core09_concurrent_workers_assign_each_case_exactly_once(postgres):
    """CORE-09 on PostgreSQL: 4 workers on one pool at once; every case once, balanced by K."""
    k, n_cases, n_techs = 5, 300, 10
    pool = make_pool(batch_size=k)
    # Opened before anyone is available: the on-commit task runs and finds nobody.
    cases = pending_cases(pool, n_cases)
    assert Case.objects.filter(pool=pool, assigned_to__isnull=True).count() == n_cases
    techs = [make_tech(f"Tecnologo {i:02d}", pools=[pool]) for i in range(n_techs)]

    results = _run_at_once([lambda: assign_pending_cases(pool_id=pool.pk)] * 4)

    assert sum(results) == n_cases
    ids = [c.pk for c in cases]
    assert Case.objects.filter(pk__in=ids, assigned_to__isnull=True).count() == 0
    assert Case.objects.filter(pk__in=ids, status=CaseStatus.ASIGNADO).count() == n_cases
    assert cases_assigned_more_than_once(ids) == []
    assert Case.history.filter(id__in=ids, history_change_reason__startswith=AUTO).count() == (
        n_cases
    )
    counts = assigned_counts(pool)
    assert set(counts) == {t.pk for t in techs}
    assert sum(counts.values()) == n_cases
    assert max(counts.values()) - min(counts.values()) <= k
    # The oldest K cases went to the first technologist alphabetically.
    assert owners(cases[:k]) == [techs[0].pk] * k
    pool.refresh_from_db()
    assert pool.round_number == n_cases // (k * n_techs)
    assert pool.cursor_user == techs[-1]


@pytest.mark.django_db(transaction=True)
def test_core09_two_pools_assigned_concurrently(postgres):
    """CORE-09 on PostgreSQL: workers on two pools at once; each pool correct on its own."""
    k, per_pool = 5, 150
    east = make_pool("oriente", batch_size=k)
    west = make_pool("occidente", batch_size=k)
    east_cases = pending_cases(east, per_pool)
    west_cases = pending_cases(west, per_pool)
    east_techs = [make_tech(f"Este {i}", pools=[east]) for i in range(5)]
    west_techs = [make_tech(f"Oeste {i}", pools=[west]) for i in range(3)]
    shared = make_tech("Compartido", pools=[east, west])

    results = _run_at_once(
        [
            lambda: assign_pending_cases(pool_id=east.pk),
            lambda: assign_pending_cases(pool_id=west.pk),
            lambda: assign_pending_cases(pool_id=east.pk),
            lambda: assign_pending_cases(pool_id=west.pk),
        ]
    )

    assert sum(results) == 2 * per_pool
    for pool, cases, techs in (
        (east, east_cases, east_techs + [shared]),
        (west, west_cases, west_techs + [shared]),
    ):
        ids = [c.pk for c in cases]
        assert Case.objects.filter(pk__in=ids, assigned_to__isnull=True).count() == 0
        assert cases_assigned_more_than_once(ids) == []
        counts = assigned_counts(pool)
        assert set(counts) == {t.pk for t in techs}, pool.code
        assert sum(counts.values()) == per_pool
        assert max(counts.values()) - min(counts.values()) <= k
        # "Compartido" sorts first in both pools.
        assert owners(cases[:k]) == [shared.pk] * k


@pytest.mark.django_db(transaction=True)
def test_core09_cases_opened_concurrently_are_assigned_once(postgres):
    """CORE-09 on PostgreSQL: cases opened from several threads, each commit running the task
    (eager) in its thread, so runs overlap with inserts: every case assigned once, none lost."""
    k, per_thread, n_threads = 5, 15, 4
    pool = make_pool(batch_size=k)
    techs = [make_tech(f"Tecnologo {i}", pools=[pool]) for i in range(4)]
    customer = CustomerFactory()

    def open_cases():
        return [make_case(pool=pool, customer=customer).pk for _ in range(per_thread)]

    results = _run_at_once([open_cases] * n_threads)

    ids = [pk for chunk in results for pk in chunk]
    assert len(set(ids)) == n_threads * per_thread
    assert Case.objects.filter(pk__in=ids, assigned_to__isnull=True).count() == 0
    assert Case.objects.filter(pk__in=ids, status=CaseStatus.ASIGNADO).count() == len(ids)
    assert cases_assigned_more_than_once(ids) == []
    assert set(assigned_counts(pool)) <= {t.pk for t in techs}


@pytest.mark.django_db(transaction=True)
def test_core09_cap_holds_with_concurrent_workers_on_one_pool(postgres):
    """CORE-09 on PostgreSQL: 4 workers on one capped pool never push anyone past the cap."""
    pool = make_pool(batch_size=5, max_open_cases=2)
    cases = pending_cases(pool, 20)
    techs = [make_tech(name, pools=[pool]) for name in ("Ana", "Bruno", "Carla")]

    results = _run_at_once([lambda: assign_pending_cases(pool_id=pool.pk)] * 4)

    assert sorted(results) == [0, 0, 0, 6]
    assert assigned_counts(pool) == {t.pk: 2 for t in techs}
    assert owners(cases[:6]) == [t.pk for t in techs for _ in range(2)]
    assert owners(cases[6:]) == [None] * 14


@pytest.mark.django_db(transaction=True)
def test_core09_cap_holds_across_pools_run_concurrently(postgres, monkeypatch):
    """CORE-09 on PostgreSQL: a technologist in two capped pools whose runs overlap still ends at
    the cap (both runs are held together right after choosing their technologists)."""
    east = make_pool("oriente", batch_size=5, max_open_cases=2)
    west = make_pool("occidente", batch_size=5, max_open_cases=2)
    east_cases = pending_cases(east, 5)
    west_cases = pending_cases(west, 5)
    shared = make_tech("Compartido", pools=[east, west])
    este = make_tech("Este", pools=[east])
    oeste = make_tech("Oeste", pools=[west])
    both_chose = threading.Barrier(2)
    choose = assignment.pool_available_technologists

    def choose_then_wait(**kwargs):
        techs = choose(**kwargs)
        both_chose.wait(timeout=30)
        return techs

    monkeypatch.setattr(assignment, "pool_available_technologists", choose_then_wait)

    results = _run_at_once(
        [
            lambda: assign_pending_cases(pool_id=east.pk),
            lambda: assign_pending_cases(pool_id=west.pk),
        ]
    )

    assert sorted(results) == [2, 4]
    assert Case.objects.filter(assigned_to=shared).count() == 2
    assert Case.objects.filter(assigned_to=este).count() == 2
    assert Case.objects.filter(assigned_to=oeste).count() == 2
    assert owners(east_cases + west_cases).count(None) == 4


def test_core09_burst_of_cases_queues_one_run_per_pool(
    redis_url, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """CORE-09 with a broker: while a run of the pool waits in the queue, new cases of that pool
    queue no run of their own (that run reads them when it starts); once it has started, the
    next case queues a new one. Another pool is not held back."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    pool, other_pool = make_pool(batch_size=5), make_pool(code="otro-grupo", batch_size=5)
    ana = make_tech("Ana", pools=[pool, other_pool])
    settings.ASSIGNMENT_DELAY_SECONDS = 1.5
    sent, countdowns = [], []

    def queued(args=(), countdown=None, **kwargs):  # queued, never run here
        sent.append(tuple(args))
        countdowns.append(countdown)

    monkeypatch.setattr(tasks.assign_pending_cases_task, "apply_async", queued)

    with django_capture_on_commit_callbacks(execute=True):
        burst = [make_case(pool=pool) for _ in range(3)]
    assert sent == [(pool.pk,)]
    assert countdowns == [1.5]  # the run waits for the rest of the burst

    with django_capture_on_commit_callbacks(execute=True):
        make_case(pool=other_pool)
    assert sent == [(pool.pk,), (other_pool.pk,)]

    # The worker takes the queued run: it assigns the whole burst.
    assert tasks.assign_pending_cases_task(pool.pk) == 3
    assert {c.assigned_to_id for c in Case.objects.filter(pk__in=[c.pk for c in burst])} == {ana.pk}

    with django_capture_on_commit_callbacks(execute=True):
        later = make_case(pool=pool)
    assert sent[-1] == (pool.pk,) and len(sent) == 3
    assert tasks.assign_pending_cases_task(pool.pk) == 1
    later.refresh_from_db()
    assert later.assigned_to == ana
    tasks.assign_pending_cases_task(other_pool.pk)  # leaves no mark for later tests


def test_nfr03_broker_down_does_not_hold_back_the_next_case(
    redis_url, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """NFR-03: a run that could not be queued leaves no 'already queued' mark behind."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    pool = make_pool(batch_size=1)
    make_tech("Ana", pools=[pool])
    sent = []

    def broker_down(*args, **kwargs):
        raise OSError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.assign_pending_cases_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(pool=pool)
    monkeypatch.setattr(
        tasks.assign_pending_cases_task,
        "apply_async",
        lambda args=(), **kwargs: sent.append(tuple(args)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_case(pool=pool)

    assert sent == [(pool.pk,)]
    tasks.assign_pending_cases_task(pool.pk)  # clears the mark for the next test
