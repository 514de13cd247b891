"""Issue 16 item 3 — ``GET /api/v1/dashboard/`` (LEG-02, NFR-02, NFR-03, NFR-04): the same
figures as the page, the caller's unit by default and the last 30 days, 400 with Spanish
messages for a bad period, 403 for another unit or role, documented in the OpenAPI schema."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from core.business_days import add_business_days
from core.models import (
    Case,
    CaseKind,
    CaseStatus,
    Channel,
    DashboardSnapshot,
    Modality,
    SapCase,
    Unit,
)
from core.roles import Role
from core.services.dashboard_snapshot import dashboard_figures_fresh
from core.tasks import dashboard_snapshots_task
from tests.factories import CustomerFactory, OfficeFactory
from tests.helpers import afternoon_clock, clock_advance, make_user

pytestmark = pytest.mark.django_db


URL = "/api/v1/dashboard/"
TOP_KEYS = {
    "unit",
    "unit_label",
    "office",
    "from",
    "to",
    "generated_at",
    "open_cases",
    "pqr_due",
    "waiting_turns",
    "technologists",
    "supporters",
    "performance",
}


def _case(number, **kw):
    kw.setdefault("kind", CaseKind.PQR)
    if kw["kind"] == CaseKind.PQR:
        kw.setdefault("pqr_type", "reclamo")
        kw.setdefault("due_date", timezone.localdate() + dt.timedelta(days=20))
    kw.setdefault("filed_at", timezone.now() - dt.timedelta(days=5))
    return Case.objects.create(
        number=number,
        customer=CustomerFactory(),
        channel=Channel.objects.get(code="desborde-formulario-web"),
        modality=kw.pop("modality", Modality.DESBORDE),
        **kw,
    )


@pytest.fixture
def scene(db, monkeypatch):
    """Unit A (Metropolitano) and unit B (Regional, its names say "Lejana"), with open PQR in
    every due state relative to today and a case closed today in each (on a 3 p.m. clock, so
    "closed 20 minutes ago" is today whenever the suite runs)."""
    afternoon_clock(monkeypatch)
    today = timezone.localdate()
    a1 = OfficeFactory(name="Oficina Sur", unit=Unit.METROPOLITANO)
    a2 = OfficeFactory(name="Oficina Oeste", unit=Unit.METROPOLITANO)
    b1 = OfficeFactory(name="Oficina Lejana", unit=Unit.REGIONAL)
    users = {
        "gestor": make_user(Role.GESTOR, a1, username="api_gestor"),
        "asignador": make_user(Role.ASIGNADOR, a1, username="api_asignador"),
        "geof": make_user(Role.GESTOR_OFICINA, a2, username="api_geof"),
        "tech": make_user(Role.TECNOLOGO, a1, username="api_tech", first_name="Iván"),
        "far_tech": make_user(Role.TECNOLOGO, b1, username="far", first_name="Lejano"),
    }
    horizon = add_business_days(today, 3)
    now = timezone.now()
    _case("A-PAST", office=a1, due_date=today - dt.timedelta(days=2))
    _case("A-NEAR", office=a2, due_date=horizon)
    _case("A-LATER", office=a1, due_date=horizon + dt.timedelta(days=10))
    sap = _case(
        "A-SAP",
        office=a1,
        status=CaseStatus.ASIGNADO,
        assigned_to=users["tech"],
        due_date=today - dt.timedelta(days=9),
    )
    SapCase.objects.create(
        case=sap,
        unit=Unit.METROPOLITANO,
        due_date=sap.due_date,
        began_at=now - dt.timedelta(days=8),
        deadline=now - dt.timedelta(days=5),
    )
    _case(
        "A-DONE",
        office=a1,
        status=CaseStatus.CERRADO_PRIMER_CONTACTO,
        assigned_to=users["tech"],
        assigned_at=now - dt.timedelta(minutes=20),
        closed_at=now - dt.timedelta(minutes=5),
    )
    _case("B-PAST", office=b1, due_date=today - dt.timedelta(days=2))
    _case(
        "B-DONE",
        office=b1,
        status=CaseStatus.CERRADO_SIN_CONTACTO,
        assigned_to=users["far_tech"],
        assigned_at=now - dt.timedelta(minutes=50),
        closed_at=now - dt.timedelta(minutes=10),
    )
    return {"users": users, "a1": a1, "a2": a2, "b1": b1, "today": today}


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_leg02_api_gives_every_figure_of_the_callers_unit(client, scene):
    """LEG-02: the gestor's unit and the last 30 days by default; every key of the contract."""
    response = _get(client, scene["users"]["gestor"])
    assert response.status_code == 200
    data = response.json()
    assert set(data) == TOP_KEYS
    today = scene["today"]
    assert data["unit"] == "metropolitano"
    assert data["unit_label"] == "Unidad Canales Metropolitano"
    assert data["office"] is None
    assert data["from"] == (today - dt.timedelta(days=30)).isoformat()
    assert data["to"] == today.isoformat()
    assert data["open_cases"]["total"] == 4
    assert {r["status"]: r["count"] for r in data["open_cases"]["by_status"]} == {
        "abierto": 3,
        "asignado": 1,
        "en_atencion": 0,
    }
    due = data["pqr_due"]
    assert (due["on_time"], due["near_due"], due["past_due"], due["in_sap"]) == (1, 1, 1, 1)
    assert [(r["number"], r["state"]) for r in due["oldest"]] == [
        ("A-SAP", "en_sap"),
        ("A-PAST", "vencida"),
        ("A-NEAR", "proxima"),
        ("A-LATER", "a_tiempo"),
    ]
    assert set(due["oldest"][0]) == {
        "case_id",
        "number",
        "due_date",
        "state",
        "state_label",
        "assigned_to",
    }
    tech = data["technologists"]
    assert [(t["name"], t["closed_today"], t["assigned_today"]) for t in tech] == [
        (scene["users"]["tech"].get_full_name(), 1, 1)
    ]
    assert tech[0]["idle_minutes"] in (5, 6)  # closed 5 minutes ago, nothing in attention
    assert data["performance"] == [
        {
            "modality": "desborde",
            "label": "Desborde (2.1–2.3)",
            "closed": 1,
            "first_contact": 1,
            "fcr_rate": 1.0,
            "avg_handling_minutes": 15.0,
        }
    ]
    assert "Lejan" not in response.content.decode()


def test_leg02_api_office_view_and_the_gestor_de_oficina(client, scene):
    response = _get(client, scene["users"]["gestor"], office=scene["a2"].pk)
    assert response.status_code == 200
    assert response.json()["office"] == {"id": scene["a2"].pk, "name": "Oficina Oeste"}
    assert response.json()["open_cases"]["total"] == 1
    geof = _get(client, scene["users"]["geof"]).json()
    assert geof["office"] == {"id": scene["a2"].pk, "name": "Oficina Oeste"}
    assert [r["number"] for r in geof["pqr_due"]["oldest"]] == ["A-NEAR"]


def test_nfr02_api_another_unit_or_office_is_refused_in_spanish(client, scene):
    users = scene["users"]
    response = _get(client, users["gestor"], unit="regional")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "No puede ver el tablero de otra unidad: solo el de la Unidad Canales "
        "Metropolitano."
    }
    response = _get(client, users["asignador"], office=scene["b1"].pk)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "La oficina Oficina Lejana no es de su unidad: no puede ver su tablero."
    }
    response = _get(client, users["geof"], office=scene["a1"].pk)
    assert response.status_code == 403
    assert response.json() == {"detail": "Solo puede ver el tablero de su oficina, Oficina Oeste."}
    for username in ("tech", "far_tech"):
        response = _get(client, users[username])
        assert response.status_code == 403
        assert response.json() == {"detail": "Su rol no tiene acceso a este recurso."}
    orientador = make_user(Role.ORIENTADOR, scene["a1"], username="api_ori")
    assert _get(client, orientador).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 401


def test_nfr02_api_superuser_picks_the_unit(client, scene):
    admin = make_user(None, None, username="api_root", is_superuser=True, is_staff=True)
    data = _get(client, admin, unit="regional").json()
    assert data["unit"] == "regional"
    assert [r["number"] for r in data["pqr_due"]["oldest"]] == ["B-PAST"]
    assert "Oficina Sur" not in json.dumps(data)


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"from": "2026-13-01"}, {"from": ["Indique la fecha con el formato AAAA-MM-DD."]}),
        ({"to": "mañana"}, {"to": ["Indique la fecha con el formato AAAA-MM-DD."]}),
        (
            {"from": "2026-03-02", "to": "2026-03-01"},
            {"from": ["La fecha inicial no puede ser posterior a la fecha final."]},
        ),
        (
            {"from": "2024-01-01", "to": "2025-01-01"},
            {"to": ["El periodo no puede pasar de 366 días."]},
        ),
        (
            {"from": "1999-12-31", "to": "2000-01-05"},
            {"from": ["La fecha debe estar entre el 01/01/2000 y el 31/12/2099."]},
        ),
        ({"unit": "central"}, {"unit": ["Unidad no válida: use «metropolitano» o «regional»."]}),
        ({"office": "x"}, {"office": ["Indique la oficina por su número de identificación."]}),
        ({"office": "99999999"}, {"office": ["La oficina indicada no existe."]}),
    ],
)
def test_nfr03_api_bad_input_answers_400_in_spanish(client, scene, params, body):
    response = _get(client, scene["users"]["gestor"], **params)
    assert response.status_code == 400
    assert response.json() == body


def test_nfr03_api_a_leap_year_of_366_days_is_accepted(client, scene):
    response = _get(client, scene["users"]["gestor"], **{"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200
    assert (response.json()["from"], response.json()["to"]) == ("2024-01-01", "2024-12-31")


def test_nfr04_dashboard_is_documented_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    operation = schema["paths"]["/api/v1/dashboard/"]["get"]
    assert operation["operationId"] == "v1_dashboard_retrieve"
    assert {p["name"] for p in operation["parameters"]} == {"unit", "office", "from", "to"}
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(component["properties"]) == TOP_KEYS
    assert set(component["required"]) == TOP_KEYS


# --- figures of the last minute (core.services.dashboard_snapshot) ----------------------------


def test_nfr01_api_serves_the_figures_of_the_last_minute_then_computes_them_again(
    client, scene, monkeypatch, django_assert_max_num_queries
):
    """NFR-01: a second request within the minute answers the kept figures without reading the
    cases (a case filed meanwhile is not counted yet, and ``generated_at`` says when they are
    of); after 75 s the figures are computed again and the case is there."""
    gestor = scene["users"]["gestor"]
    first = _get(client, gestor).json()
    assert first["open_cases"]["total"] == 4
    _case("A-NEW", office=scene["a1"])
    with django_assert_max_num_queries(7):  # session, user, token, roles, office, kept figures
        again = client.get(URL).json()
    assert again == first
    clock_advance(monkeypatch, 76)
    later = _get(client, gestor).json()
    assert later["open_cases"]["total"] == 5
    assert later["generated_at"] > first["generated_at"]


def test_nfr01_kept_figures_are_the_computed_ones(scene):
    """The kept figures read back with their dates and moment, equal to a fresh computation."""
    today = scene["today"]
    period = {"date_from": today - dt.timedelta(days=30), "date_to": today}
    computed = dashboard_figures_fresh(unit=Unit.METROPOLITANO, **period)
    kept = dashboard_figures_fresh(unit=Unit.METROPOLITANO, **period)
    assert DashboardSnapshot.objects.count() == 1
    assert kept == computed
    assert isinstance(kept["pqr_due"]["oldest"][0]["due_date"], dt.date)
    assert kept["generated_at"].utcoffset() == dt.timedelta(hours=-5)
    office = dashboard_figures_fresh(unit=Unit.METROPOLITANO, office=scene["a2"], **period)
    assert office["open_cases"]["total"] == 1  # another scope, another snapshot
    assert DashboardSnapshot.objects.count() == 2


def test_nfr01_figures_kept_under_another_shape_are_not_served(scene, monkeypatch):
    """A release that changes the figures' keys raises ``FIGURES_VERSION``: what the previous
    one kept is computed again, never served with missing keys."""
    today = scene["today"]
    period = {"date_from": today - dt.timedelta(days=30), "date_to": today}
    dashboard_figures_fresh(unit=Unit.METROPOLITANO, **period)
    DashboardSnapshot.objects.update(figures={"today": today.isoformat()})  # an older shape
    monkeypatch.setattr("core.selectors.dashboard.FIGURES_VERSION", 2)
    assert dashboard_figures_fresh(unit=Unit.METROPOLITANO, **period)["open_cases"]["total"] == 4
    assert DashboardSnapshot.objects.count() == 2
    clock_advance(monkeypatch, 40)
    assert dashboard_snapshots_task() == 1  # the current shape's only; the former one waits


def test_nfr02_kept_figures_of_a_unit_are_never_served_to_another(client, scene):
    """The scope is checked before any snapshot is read: the Regional gestor asking for the
    Metropolitano unit, whose figures are kept, is refused."""
    assert _get(client, scene["users"]["gestor"]).status_code == 200
    far = make_user(Role.GESTOR, scene["b1"], username="far_gestor")
    refused = _get(client, far, unit="metropolitano")
    assert refused.status_code == 403
    assert "Unidad Canales Regional" in refused.json()["detail"]
    own = _get(client, far).json()
    assert own["unit"] == "regional"
    assert [r["number"] for r in own["pqr_due"]["oldest"]] == ["B-PAST"]


def test_nfr01_the_minutes_job_keeps_watched_dashboards_fresh_and_drops_old_ones(
    client, scene, monkeypatch
):
    """``core.dashboard_snapshots``: a dashboard asked for in the last 10 minutes is recomputed
    when older than 30 s (the next request gets the new figures without computing them); one
    nobody asked for in 10 minutes is left as it is; one not asked for in a day is deleted."""
    gestor = scene["users"]["gestor"]
    _get(client, gestor)  # watched
    _get(client, scene["users"]["geof"])  # watched, then forgotten
    forgotten = DashboardSnapshot.objects.get(key__contains=f"|metropolitano|{scene['a2'].pk}|")
    DashboardSnapshot.objects.filter(pk=forgotten.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=11)
    )
    old = DashboardSnapshot.objects.create(
        key="v1|metropolitano|-|2026-01-01|2026-01-31|2026-01-31",
        figures={"today": "2026-01-31"},
        computed_at=timezone.now() - dt.timedelta(days=2),
        requested_at=timezone.now() - dt.timedelta(days=2),
    )
    _case("A-NEW", office=scene["a1"])
    assert dashboard_snapshots_task() == 0  # all computed less than 30 s ago
    clock_advance(monkeypatch, 40)
    assert dashboard_snapshots_task() == 1
    assert not DashboardSnapshot.objects.filter(pk=old.pk).exists()
    forgotten.refresh_from_db()
    assert forgotten.computed_at < timezone.now() - dt.timedelta(seconds=39)
    assert _get(client, gestor).json()["open_cases"]["total"] == 5


def test_nfr01_the_minutes_job_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="core.dashboard_snapshots")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
