"""Issue 16 (LEG-02 dashboard figures, NFR-01 Bogotá days): the nightly rollup of the period's
figures (``core.services.dashboard_rollup``) — the dashboard's performance figures are the same
with the rollup as without it (unit view, office view, a period half rolled), rolling is
idempotent, days without closures get their marker, today is never rolled, the query count
stays fixed and the job is scheduled.

The rollup rolls up to yesterday of the real clock, so the cases here are dated from today.
"""

import datetime as dt
import itertools
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.business_days import BOGOTA, bogota_day_bounds, local_date
from core.models import (
    Case,
    CaseDailyStats,
    CaseStatus,
    Channel,
    DashboardRollupDay,
    Modality,
    Unit,
)
from core.selectors.dashboard import DASHBOARD_QUERIES, dashboard_figures
from core.services.dashboard_rollup import dashboard_rollup
from core.tasks import dashboard_rollup_task
from tests.factories import CustomerFactory, OfficeFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
S = CaseStatus
M = Modality


def _at(day: dt.date, hour: int, minute: int = 0, second: int = 0, micro: int = 0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=BOGOTA)


@pytest.fixture
def world(db):
    """Two offices of the Unidad Canales Metropolitano (A1, A2), one of the Regional (B1), and
    closures over the last eight days: at Bogotá's midnight edges (23:50 Bogotá is 04:50 UTC of
    the next day; 19:30 Bogotá is 00:30 UTC of the next day), without assignment, handled over
    more than a day, with microseconds, supported by an office of the other unit, digital PQR
    without office (Regional), some open cases, and closures of today."""
    now = timezone.now()
    today = local_date(now)
    day = {n: today - dt.timedelta(days=n) for n in range(0, 10)}
    a1 = OfficeFactory(name="Oficina Centro", unit=Unit.METROPOLITANO)
    a2 = OfficeFactory(name="Oficina Norte", unit=Unit.METROPOLITANO)
    b1 = OfficeFactory(name="Oficina Rionegro", unit=Unit.REGIONAL)
    customer = CustomerFactory(full_name="Cliente del Resumen")
    channel = Channel.objects.get(code="desborde-formulario-web")

    def case(status, modality, closed_at=None, assigned_at=None, **kw):
        return Case(
            number=f"RU-{next(_numbers):06d}",
            kind="PED",
            status=status,
            modality=modality,
            customer=customer,
            channel=channel,
            filed_at=_at(day[9], 8),
            assigned_at=assigned_at,
            closed_at=closed_at,
            **kw,
        )

    rows = [
        # 7 days ago: the first closures, one at 00:05 Bogotá (05:05 UTC).
        case(S.CERRADO_PRIMER_CONTACTO, M.DESBORDE, _at(day[7], 0, 5), _at(day[8], 23, 40),
             office=a1),
        case(S.CERRADO_SIN_CONTACTO, M.DESBORDE, _at(day[7], 10, 0, 7, 123456),
             _at(day[7], 9, 13, 2, 999), office=a1),
        case(S.TAREA_GENERADA, M.ASESOR_LINEA, _at(day[7], 19, 30), _at(day[7], 19, 1),
             office=a2),
        # 6 days ago: 23:50 Bogotá (04:50 UTC of 5 days ago), handled over three days.
        case(S.CERRADO_PRIMER_CONTACTO, M.DESBORDE, _at(day[6], 23, 50), _at(day[9], 8, 17),
             office=a2),
        case(S.REDIRIGIDO_ESCRITO, M.DESBORDE, _at(day[6], 11), None, office=a1),
        case(S.CERRADO_PRIMER_CONTACTO, M.BALANCEO, _at(day[6], 12, 0, 0, 1),
             _at(day[6], 11, 59, 59, 2), supported_office=a2),
        # 5 days ago: nothing closed (its marker must still be written).
        # 4 days ago: a case of B1 supported by A1 (counts in both units), digital PQR.
        case(S.CERRADO_PRIMER_CONTACTO, M.ASESOR_LINEA, _at(day[4], 8, 30), _at(day[4], 8, 1),
             office=b1, supported_office=a1),
        case(S.CERRADO_SIN_CONTACTO, M.PQR_DIGITAL, _at(day[4], 15), _at(day[4], 9, 7, 11)),
        case(S.CERRADO_PRIMER_CONTACTO, M.PQR_DIGITAL, _at(day[4], 16), None),
        case(S.TAREA_GENERADA, M.DESBORDE, _at(day[4], 17, 3), _at(day[4], 16, 58),
             office=b1),
        # 3 days ago and 2 days ago.
        case(S.CERRADO_PRIMER_CONTACTO, M.DESBORDE, _at(day[3], 9, 1, 1, 1),
             _at(day[3], 8, 0, 0, 7), office=a1),
        case(S.CERRADO_SIN_CONTACTO, M.ASESOR_LINEA, _at(day[3], 23, 59, 59, 999999),
             _at(day[3], 22, 0), office=a2),
        case(S.CERRADO_PRIMER_CONTACTO, M.DESBORDE, _at(day[2], 0, 0), _at(day[3], 23, 0),
             office=a2, supported_office=a1),
        case(S.TAREA_GENERADA, M.BALANCEO, _at(day[2], 14), None, supported_office=b1),
        # Yesterday.
        case(S.CERRADO_PRIMER_CONTACTO, M.DESBORDE, _at(day[1], 7, 7), _at(day[1], 7, 0),
             office=a1),
        case(S.CERRADO_SIN_CONTACTO, M.ASESOR_LINEA, _at(day[1], 21), _at(day[1], 20, 33),
             office=a2),
        # Today (never rolled).
        case(S.CERRADO_PRIMER_CONTACTO, M.DESBORDE, _at(day[0], 0, 1), _at(day[1], 23, 58),
             office=a1),
        case(S.CERRADO_SIN_CONTACTO, M.PQR_DIGITAL, _at(day[0], 0, 2), None),
        # Open: never in the period's figures.
        case(S.ASIGNADO, M.DESBORDE, None, _at(day[2], 10), office=a1),
        case(S.ABIERTO, M.ASESOR_LINEA, office=a2),
    ]  # fmt: skip
    Case.objects.bulk_create(rows)
    return SimpleNamespace(now=now, today=today, day=day, a1=a1, a2=a2, b1=b1)


def _views(w, period):
    """The performance figures of every view the dashboard offers, for ``period``."""
    date_from, date_to = period
    views = [
        {"unit": Unit.METROPOLITANO},
        {"unit": Unit.REGIONAL},
        {"unit": Unit.METROPOLITANO, "office": w.a1},
        {"unit": Unit.METROPOLITANO, "office": w.a2},
        {"unit": Unit.REGIONAL, "office": w.b1},
    ]
    return [
        dashboard_figures(**view, date_from=date_from, date_to=date_to, now=w.now)["performance"]
        for view in views
    ]


def _periods(w):
    d = w.day
    return [
        (d[9], d[0]),  # everything, today included
        (d[7], d[1]),  # only past days
        (d[6], d[3]),  # inside the range
        (d[2], d[0]),  # the end of the range and today
        (d[0], d[0]),  # today only
    ]


def _stats_rows():
    return sorted(
        CaseDailyStats.objects.values_list(
            "day",
            "office_id",
            "supported_office_id",
            "modality",
            "closed",
            "first_contact",
            "handled",
            "handling",
        ),
        key=lambda r: (r[0], r[1] or 0, r[2] or 0, r[3]),
    )


def test_leg02_nfr01_rollup_gives_the_same_figures_as_the_cases(world):
    """Issue 16: the performance figures (closed, first contact, rate, average handling) read
    from the rollup equal those read from the cases — for both units, each office, periods
    fully rolled, half rolled and of today — to the tenth of a minute."""
    w = world
    before = {period: _views(w, period) for period in _periods(w)}
    # The figures are not empty: the unit view over everything counts the cases by hand.
    metro_all = before[(w.day[9], w.day[0])][0]
    assert [(p["modality"], p["closed"], p["first_contact"]) for p in metro_all] == [
        ("desborde", 8, 6),
        ("asesor_linea", 4, 1),
        ("balanceo", 1, 1),
    ]
    regional_all = before[(w.day[9], w.day[0])][1]
    assert [(p["modality"], p["closed"]) for p in regional_all] == [
        ("desborde", 1),
        ("asesor_linea", 1),
        ("balanceo", 1),
        ("pqr_digital", 3),
    ]

    # Half rolled: up to 4 days ago only; the periods straddle rolled and not-rolled days.
    assert dashboard_rollup(until=w.day[4]) == 4
    assert {p: _views(w, p) for p in _periods(w)} == before

    # Everything before today rolled.
    assert dashboard_rollup() == 3
    assert {p: _views(w, p) for p in _periods(w)} == before

    # The rolled days come from the rollup, not from the cases: with those cases' closures
    # wiped (as no service ever does), the figures do not move; today's still come live.
    wiped = Case.objects.filter(closed_at__lt=bogota_day_bounds(w.today)[0]).update(closed_at=None)
    assert wiped == 16
    after_wipe = {p: _views(w, p) for p in _periods(w)}
    assert after_wipe == before


def test_leg02_rolled_figures_follow_the_unit_and_office_scope(world):
    """NFR-01, issue 16: a case of B1 supported by A1 counts in both units; a digital PQR
    without office only in the Regional; the office view counts office or supported office —
    from the rollup as from the cases."""
    w = world
    dashboard_rollup()
    period = (w.day[4], w.day[4])
    metro, regional, a1, a2, b1 = _views(w, period)
    assert [(p["modality"], p["closed"]) for p in metro] == [("asesor_linea", 1)]
    assert [(p["modality"], p["closed"]) for p in a1] == [("asesor_linea", 1)]
    assert a2 == []
    assert [(p["modality"], p["closed"]) for p in regional] == [
        ("desborde", 1),
        ("asesor_linea", 1),
        ("pqr_digital", 2),
    ]
    assert [(p["modality"], p["closed"]) for p in b1] == [("desborde", 1), ("asesor_linea", 1)]
    # The digital PQR: one without assignment, one of 5 h 52 min 49 s → 352.8 minutes.
    digital = regional[2]
    assert (digital["first_contact"], digital["fcr_rate"], digital["avg_handling_minutes"]) == (
        1,
        0.5,
        352.8,
    )


def test_leg02_rollup_is_idempotent_marks_empty_days_and_never_today(world):
    """Issue 16: rolling again changes nothing; days without closures get their marker; today
    is never rolled, even when asked for."""
    w = world
    assert dashboard_rollup(until=w.today) == 7  # 7 days ago (the first closure) … yesterday
    rows = _stats_rows()
    marked = list(DashboardRollupDay.objects.values_list("day", flat=True))
    assert marked == [w.day[n] for n in range(7, 0, -1)]
    assert w.today not in marked
    assert not CaseDailyStats.objects.filter(day__gte=w.today).exists()
    # 5 days ago: no closure, a marker and no rows.
    assert not CaseDailyStats.objects.filter(day=w.day[5]).exists()
    # The edges of Bogotá's day: 23:50 of 6 days ago is 6 days ago, not 5 (UTC's date).
    assert CaseDailyStats.objects.get(day=w.day[6], office=w.a2).closed == 1

    assert dashboard_rollup() == 0
    assert dashboard_rollup(until=w.today + dt.timedelta(days=3)) == 0
    assert _stats_rows() == rows

    # The last two days' markers lost: they are rolled again, replaced and not doubled.
    DashboardRollupDay.objects.filter(day__gte=w.day[2]).delete()
    assert dashboard_rollup() == 2
    assert _stats_rows() == rows
    assert list(DashboardRollupDay.objects.values_list("day", flat=True)) == marked


def test_leg02_nothing_to_roll_without_closures(db):
    """Issue 16: with no case ever closed there is nothing to roll (no marker either)."""
    assert dashboard_rollup() == 0
    assert not DashboardRollupDay.objects.exists()


def test_nfr01_leg02_queries_stay_fixed_with_the_rollup(world, django_assert_num_queries):
    """Issue 16: ``DASHBOARD_QUERIES`` queries with nothing rolled, with part of the period
    rolled, and with all of it rolled (unit and office view)."""
    w = world
    period = {"date_from": w.day[9], "date_to": w.today, "now": w.now}
    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard_figures(unit=Unit.METROPOLITANO, **period)
    dashboard_rollup(until=w.day[4])
    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard_figures(unit=Unit.METROPOLITANO, **period)
    dashboard_rollup()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard_figures(unit=Unit.METROPOLITANO, **period)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard_figures(unit=Unit.METROPOLITANO, office=w.a2, **period)


def test_leg02_rollup_job_is_scheduled_daily_and_runs(world):
    """Issue 16: the nightly job is in django-celery-beat at 00:20 Bogotá (once, also when the
    reference data is loaded again), registered in Celery, and rolls the days."""
    from django.apps import apps

    from config.celery import app
    from core import reference_data

    reference_data.load_periodic_tasks(apps)
    assert PeriodicTask.objects.filter(task="core.dashboard_rollup").count() == 1
    assert "core.dashboard_rollup" in app.tasks
    job = PeriodicTask.objects.select_related("crontab").get(task="core.dashboard_rollup")
    assert job.enabled
    assert (job.crontab.hour, job.crontab.minute) == ("0", "20")
    assert str(job.crontab.timezone) == "America/Bogota"
    assert dashboard_rollup_task() == 7
    assert DashboardRollupDay.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_leg02_two_rollups_at_once_roll_each_day_once(world, postgres):
    """Issue 16: a second run started while the first holds its transaction waits for it (the
    advisory lock), then finds the days rolled: every day once, no error, no double rows."""
    results, errors = {}, []
    rolled, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                results["first"] = dashboard_rollup()
                rolled.set()
                release.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    def second():
        try:
            results["second"] = dashboard_rollup()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert rolled.wait(timeout=30)
    two = threading.Thread(target=second)
    two.start()
    deadline = time.monotonic() + 30
    waiting = 0
    while not waiting and time.monotonic() < deadline:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' "
                "AND datname = current_database()"
            )
            (waiting,) = cur.fetchone()
    release.set()
    one.join(timeout=30)
    two.join(timeout=30)
    assert waiting == 1, "la segunda ejecución no esperó a la primera"
    assert not errors, errors
    assert results == {"first": 7, "second": 0}
    assert DashboardRollupDay.objects.count() == 7
    key = ("day", "office", "supported_office", "modality")
    assert CaseDailyStats.objects.values(*key).distinct().count() == (
        CaseDailyStats.objects.count()
    )
    assert sum(CaseDailyStats.objects.values_list("closed", flat=True)) == 16
