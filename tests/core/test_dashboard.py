"""Issue 16 item 2 — the managers' dashboard (LEG-01, LEG-02, NFR-01, NFR-02): every figure of
``core.selectors.dashboard.dashboard_figures`` against data counted by hand below, a fixed number
of queries with 100 and with 10,000 cases, the scope of each role (a gestor of unit A never
sees unit B; the gestor de oficina, their office), the page, its live fragment, the CSV and the
SVG charts.
"""

import csv
import datetime as dt
import io
import itertools
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.template import Context, Template

from core.business_days import BOGOTA
from core.models import (
    Case,
    CaseKind,
    CaseStatus,
    Channel,
    Kiosk,
    Modality,
    RemoteModality,
    RosterEntry,
    SapCase,
    TransactionType,
    Turn,
    TurnStatus,
    Unit,
)
from core.roles import Role
from core.selectors.dashboard import (
    DASHBOARD_QUERIES,
    DENIED_OFFICE_UNIT,
    DENIED_OTHER_OFFICE,
    DENIED_UNIT,
    dashboard_figures,
    dashboard_period,
    dashboard_rows,
    dashboard_scope,
)
from tests.factories import CustomerFactory, OfficeFactory
from tests.helpers import ROLE_COLUMNS, make_user

pytestmark = pytest.mark.django_db


#: A Wednesday afternoon in Bogotá; the next 3 business days end on Monday 16/03/2026.
NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=BOGOTA)
TODAY = NOW.date()
HORIZON = dt.date(2026, 3, 16)
PERIOD = (dt.date(2026, 2, 20), dt.date(2026, 3, 11))
_numbers = itertools.count(1)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BOGOTA)


def _case(*, kind=CaseKind.PQR, status=CaseStatus.ABIERTO, modality=Modality.DESBORDE, **kw):
    """A case row as the figures read it (no service: the figures only read)."""
    kw.setdefault("filed_at", NOW - dt.timedelta(days=10))
    if kind == CaseKind.PQR:
        kw.setdefault("pqr_type", "peticion")
        kw.setdefault("due_date", TODAY + dt.timedelta(days=30))
    return Case(
        number=f"TB-{next(_numbers):06d}",
        kind=kind,
        status=status,
        modality=modality,
        customer=kw.pop("customer", None) or _customer(),
        channel=_channel(),
        **kw,
    )


_cache = {}


def _customer():
    if (
        "customer" not in _cache
        or not type(_cache["customer"]).objects.filter(pk=_cache["customer"].pk).exists()
    ):
        _cache["customer"] = CustomerFactory(full_name="Cliente del Tablero")
    return _cache["customer"]


def _channel():
    return Channel.objects.get(code="desborde-formulario-web")


def _turn(office, *, status, minutes_ago, day=TODAY, now=NOW):
    seq = next(_numbers)
    return Turn.objects.create(
        office=office,
        day=day,
        sequence=seq,
        number=f"T{seq:03d}",
        transaction_type=TransactionType.objects.order_by("pk").first(),
        status=status,
        created_at=now - dt.timedelta(minutes=minutes_ago),
    )


def _sap(case, *, unit, answered=False, recognised_by=None):
    return SapCase.objects.create(
        case=case,
        unit=unit,
        due_date=case.due_date,
        began_at=_at(case.due_date + dt.timedelta(days=1), 0),
        deadline=_at(case.due_date + dt.timedelta(days=4), 0),
        answered_at=NOW - dt.timedelta(days=1) if answered else None,
        recognised_at=NOW - dt.timedelta(hours=1) if recognised_by else None,
        recognised_by=recognised_by,
        act_reference="RES-1" if recognised_by else "",
    )


@pytest.fixture
def world(db):
    """Unit A (Metropolitano: Oficina Centro A1, Oficina Norte A2) with the cases, turns and
    roster counted in the tests; unit B (Regional: Oficina Rionegro B1) with its own, which A's
    managers must never see (its names carry "Lejana")."""
    a1 = OfficeFactory(name="Oficina Centro", unit=Unit.METROPOLITANO, technologist_count=1)
    a2 = OfficeFactory(name="Oficina Norte", unit=Unit.METROPOLITANO, technologist_count=3)
    b1 = OfficeFactory(name="Oficina Rionegro Lejana", unit=Unit.REGIONAL)
    for label, active in (("M1", True), ("M2", True), ("M3", False)):
        Kiosk.objects.create(office=a2, label=label, active=active)
    w = SimpleNamespace(a1=a1, a2=a2, b1=b1)
    w.gestor = make_user(Role.GESTOR, a1, username="gestor_a", first_name="Gema")
    w.asignador = make_user(Role.ASIGNADOR, a2, username="asignador_a")
    w.gestor_oficina = make_user(Role.GESTOR_OFICINA, a2, username="geof_a2")
    w.gestor_b = make_user(Role.GESTOR, b1, username="gestor_b")
    tech = Role.TECNOLOGO
    w.ana = make_user(tech, a1, username="t_ana", first_name="Ana", last_name="Arias")
    w.bruno = make_user(tech, a2, username="t_bruno", first_name="Bruno", last_name="Bedoya")
    w.carla = make_user(tech, a1, username="t_carla", first_name="Carla", last_name="Castro")
    w.diana = make_user(tech, a2, username="t_diana", first_name="Diana", last_name="Díaz")
    w.elena = make_user(tech, a1, username="t_elena", first_name="Elena", last_name="Estrada")
    w.inactive = make_user(tech, a1, username="t_old", first_name="Zoe", is_active=False)
    w.far_tech = make_user(tech, b1, username="t_far", first_name="Lejana", last_name="Tecnóloga")
    m = Modality
    cases = {
        # open, unit A
        "c1": _case(office=a1, due_date=TODAY - dt.timedelta(days=3)),
        "c2": _case(
            office=a1,
            status=CaseStatus.ASIGNADO,
            assigned_to=w.ana,
            assigned_at=NOW - dt.timedelta(days=1),
            due_date=TODAY - dt.timedelta(days=5),
        ),
        "c3": _case(
            office=a2,
            modality=m.ASESOR_LINEA,
            status=CaseStatus.EN_ATENCION,
            assigned_to=w.ana,
            assigned_at=NOW - dt.timedelta(hours=2),
            due_date=dt.date(2026, 3, 13),
        ),
        "c4": _case(
            supported_office=a2,
            modality=m.BALANCEO,
            status=CaseStatus.ASIGNADO,
            assigned_to=w.bruno,
            assigned_at=NOW - dt.timedelta(minutes=30),
            due_date=HORIZON,
        ),
        "c5": _case(office=a1, due_date=HORIZON + dt.timedelta(days=1)),
        "c6": _case(
            kind=CaseKind.PEDIDO,
            office=a2,
            status=CaseStatus.EN_ATENCION,
            assigned_to=w.carla,
            assigned_at=NOW - dt.timedelta(days=1),
        ),
        # closed, unit A
        "c8": _case(
            office=a1,
            status=CaseStatus.CERRADO_PRIMER_CONTACTO,
            assigned_to=w.ana,
            assigned_at=NOW - dt.timedelta(hours=3),
            closed_at=NOW - dt.timedelta(minutes=150),
        ),
        "c9": _case(
            office=a1,
            status=CaseStatus.CERRADO_SIN_CONTACTO,
            assigned_to=w.bruno,
            assigned_at=_at(dt.date(2026, 3, 1), 10),
            closed_at=_at(dt.date(2026, 3, 1), 11),
        ),
        "c10": _case(
            office=a2,
            modality=m.ASESOR_LINEA,
            status=CaseStatus.TAREA_GENERADA,
            assigned_to=w.bruno,
            assigned_at=_at(dt.date(2026, 3, 5), 9),
            closed_at=_at(dt.date(2026, 3, 5), 9, 45),
        ),
        "c11": _case(
            office=a1,
            status=CaseStatus.CERRADO_PRIMER_CONTACTO,
            assigned_at=_at(dt.date(2026, 1, 10), 9),
            closed_at=_at(dt.date(2026, 1, 10), 10),
        ),
        "c12": _case(
            office=a1,
            status=CaseStatus.REDIRIGIDO_ESCRITO,
            due_date=TODAY - dt.timedelta(days=4),
            closed_at=_at(dt.date(2026, 3, 10), 10),
        ),
        "c13": _case(
            office=a1,
            status=CaseStatus.TAREA_GENERADA,
            due_date=dt.date(2026, 1, 20),
            closed_at=_at(dt.date(2026, 2, 1), 10),
        ),
        "c14": _case(
            office=a1,
            status=CaseStatus.CERRADO_PRIMER_CONTACTO,
            assigned_at=_at(PERIOD[0], 0, 0),
            closed_at=_at(PERIOD[0], 0, 30),
        ),
        "c15": _case(
            office=a1,
            status=CaseStatus.CERRADO_PRIMER_CONTACTO,
            assigned_at=_at(PERIOD[0] - dt.timedelta(days=1), 23, 0),
            closed_at=_at(PERIOD[0] - dt.timedelta(days=1), 23, 30),
        ),
        "c16": _case(
            office=a1,
            status=CaseStatus.CERRADO_SIN_CONTACTO,
            assigned_to=w.elena,
            assigned_at=NOW - dt.timedelta(minutes=125),
            closed_at=NOW - dt.timedelta(minutes=75),
        ),
        # unit B: an open PQR past due, a digital PQR (no office: Regional), a closure today,
        # a SAP case
        "b1": _case(office=b1, due_date=TODAY - dt.timedelta(days=3)),
        "b2": _case(
            modality=m.PQR_DIGITAL,
            status=CaseStatus.EN_ATENCION,
            assigned_to=w.far_tech,
            assigned_at=NOW - dt.timedelta(hours=1),
            due_date=TODAY,
        ),
        "b3": _case(
            office=b1,
            status=CaseStatus.CERRADO_PRIMER_CONTACTO,
            assigned_to=w.far_tech,
            assigned_at=NOW - dt.timedelta(hours=4),
            closed_at=NOW - dt.timedelta(hours=3),
        ),
        "b4": _case(
            office=b1,
            status=CaseStatus.ASIGNADO,
            assigned_to=w.far_tech,
            due_date=TODAY - dt.timedelta(days=6),
        ),
    }
    Case.objects.bulk_create(cases.values())
    w.cases = {k: Case.objects.get(number=c.number) for k, c in cases.items()}
    c = w.cases
    _sap(c["c2"], unit=Unit.METROPOLITANO)
    _sap(c["c12"], unit=Unit.METROPOLITANO, answered=True)
    _sap(c["c13"], unit=Unit.METROPOLITANO, recognised_by=w.gestor)
    _sap(c["b4"], unit=Unit.REGIONAL)
    # Turns: A1 three waiting (one back in the room), one served; A2 served only;
    # yesterday's waiting turn; B1 waiting.
    _turn(a1, status=TurnStatus.EN_ESPERA, minutes_ago=40)
    _turn(a1, status=TurnStatus.EN_ESPERA, minutes_ago=10)
    _turn(a1, status=TurnStatus.DEVUELTO_A_SALA, minutes_ago=55)
    _turn(a1, status=TurnStatus.ATENDIDO, minutes_ago=90)
    _turn(a2, status=TurnStatus.ATENDIDO, minutes_ago=20)
    _turn(a1, status=TurnStatus.EN_ESPERA, minutes_ago=30, day=TODAY - dt.timedelta(days=1))
    _turn(b1, status=TurnStatus.EN_ESPERA, minutes_ago=200)
    # Roster of today: A1 celular 2 (cap 2: one technologist); A2 celular 1 (cap 3), asesor en
    # línea 1 (cap 2: two active kiosks); yesterday's and B1's do not count.
    r = RemoteModality
    for tech, office, modality, day in (
        (w.bruno, a1, r.CELULAR, TODAY),
        (w.diana, a1, r.CELULAR, TODAY),
        (w.carla, a2, r.CELULAR, TODAY),
        (w.ana, a2, r.ASESOR_EN_LINEA, TODAY),
        (w.ana, a1, r.CELULAR, TODAY - dt.timedelta(days=1)),
        (w.far_tech, b1, r.CELULAR, TODAY),
    ):
        RosterEntry.objects.create(day=day, technologist=tech, office=office, modality=modality)
    return w


def _unit_a(**kw):
    return dashboard_figures(
        unit=Unit.METROPOLITANO, date_from=PERIOD[0], date_to=PERIOD[1], now=NOW, **kw
    )


# --- the figures, against hand counts -------------------------------------------------------


def test_leg02_unit_figures_match_the_hand_counted_data(world):
    """LEG-01/LEG-02: every key of the unit's figures, counted by hand from ``world``."""
    c = world.cases
    figures = _unit_a()
    assert figures["unit"] == "metropolitano"
    assert figures["unit_label"] == "Unidad Canales Metropolitano"
    assert figures["office"] is None
    assert (figures["from"], figures["to"]) == PERIOD
    assert figures["generated_at"] == NOW

    assert figures["open_cases"] == {
        "by_status": [
            {"status": "abierto", "label": "abierto", "count": 2},
            {"status": "asignado", "label": "asignado", "count": 2},
            {"status": "en_atencion", "label": "en atención", "count": 2},
        ],
        "by_modality": [
            {"modality": "desborde", "label": "Desborde (2.1–2.3)", "count": 4},
            {"modality": "asesor_linea", "label": "Asesor en línea (2.4)", "count": 1},
            {"modality": "balanceo", "label": "Balanceo (2.5)", "count": 1},
        ],
        "total": 6,
    }

    due = figures["pqr_due"]
    assert (due["on_time"], due["near_due"], due["past_due"], due["in_sap"]) == (1, 2, 1, 2)
    assert due["near_due_until"] == HORIZON
    assert due["oldest"] == [
        {
            "case_id": c["c2"].pk,
            "number": c["c2"].number,
            "due_date": TODAY - dt.timedelta(days=5),
            "state": "en_sap",
            "state_label": "en silencio administrativo positivo",
            "assigned_to": "Ana Arias",
        },
        {
            "case_id": c["c1"].pk,
            "number": c["c1"].number,
            "due_date": TODAY - dt.timedelta(days=3),
            "state": "vencida",
            "state_label": "vencida",
            "assigned_to": None,
        },
        {
            "case_id": c["c3"].pk,
            "number": c["c3"].number,
            "due_date": dt.date(2026, 3, 13),
            "state": "proxima",
            "state_label": "vence en 3 días hábiles o menos",
            "assigned_to": "Ana Arias",
        },
        {
            "case_id": c["c4"].pk,
            "number": c["c4"].number,
            "due_date": HORIZON,
            "state": "proxima",
            "state_label": "vence en 3 días hábiles o menos",
            "assigned_to": "Bruno Bedoya",
        },
        {
            "case_id": c["c5"].pk,
            "number": c["c5"].number,
            "due_date": HORIZON + dt.timedelta(days=1),
            "state": "a_tiempo",
            "state_label": "a tiempo",
            "assigned_to": None,
        },
    ]

    a1, a2 = world.a1, world.a2
    assert figures["waiting_turns"] == [
        {"office_id": a1.pk, "office": "Oficina Centro", "waiting": 3, "longest_wait_minutes": 55},
        {"office_id": a2.pk, "office": "Oficina Norte", "waiting": 0, "longest_wait_minutes": None},
    ]

    w = world
    assert figures["technologists"] == [
        {"id": w.ana.pk, "name": "Ana Arias", "assigned_today": 2, "in_attention": 1,
         "closed_today": 1, "idle_minutes": 0},
        {"id": w.bruno.pk, "name": "Bruno Bedoya", "assigned_today": 1, "in_attention": 0,
         "closed_today": 0, "idle_minutes": 30},
        {"id": w.carla.pk, "name": "Carla Castro", "assigned_today": 0, "in_attention": 1,
         "closed_today": 0, "idle_minutes": 0},
        {"id": w.diana.pk, "name": "Diana Díaz", "assigned_today": 0, "in_attention": 0,
         "closed_today": 0, "idle_minutes": None},
        {"id": w.elena.pk, "name": "Elena Estrada", "assigned_today": 1, "in_attention": 0,
         "closed_today": 1, "idle_minutes": 75},
    ]  # fmt: skip

    assert figures["supporters"] == [
        {"office_id": a1.pk, "office": "Oficina Centro", "modality": "celular",
         "label": "desborde por celular (2.3)", "rostered": 2, "cap": 2},
        {"office_id": a2.pk, "office": "Oficina Norte", "modality": "celular",
         "label": "desborde por celular (2.3)", "rostered": 1, "cap": 3},
        {"office_id": a2.pk, "office": "Oficina Norte", "modality": "asesor_en_linea",
         "label": "asesor en línea (2.4)", "rostered": 1, "cap": 2},
    ]  # fmt: skip

    # desborde: c8 (primer contacto, 30 min), c9 (60 min), c12 (never assigned), c14 (primer
    # contacto, 30 min, closed 00:30 of the first day), c16 (50 min); c15 closed 23:30 the day
    # before (04:30 UTC of the first day: Bogotá dates count) and c11, c13 fall outside.
    assert figures["performance"] == [
        {"modality": "desborde", "label": "Desborde (2.1–2.3)", "closed": 5,
         "first_contact": 2, "fcr_rate": 0.4, "avg_handling_minutes": 42.5},
        {"modality": "asesor_linea", "label": "Asesor en línea (2.4)", "closed": 1,
         "first_contact": 0, "fcr_rate": 0.0, "avg_handling_minutes": 45.0},
    ]  # fmt: skip


def test_leg02_office_figures_count_only_that_office(world):
    """NFR-02: the office view (gestor de oficina) — cases whose office or supported office is
    Oficina Norte, its technologists, turns and roster only."""
    figures = _unit_a(office=world.a2)
    assert figures["office"] == {"id": world.a2.pk, "name": "Oficina Norte"}
    assert [(r["status"], r["count"]) for r in figures["open_cases"]["by_status"]] == [
        ("abierto", 0),
        ("asignado", 1),
        ("en_atencion", 2),
    ]
    assert figures["open_cases"]["total"] == 3
    due = figures["pqr_due"]
    assert (due["on_time"], due["near_due"], due["past_due"], due["in_sap"]) == (0, 2, 0, 0)
    assert [r["number"] for r in due["oldest"]] == [
        world.cases["c3"].number,
        world.cases["c4"].number,
    ]
    assert [t["name"] for t in figures["technologists"]] == ["Bruno Bedoya", "Diana Díaz"]
    assert [t["office"] for t in figures["waiting_turns"]] == ["Oficina Norte"]
    assert [(s["office"], s["modality"]) for s in figures["supporters"]] == [
        ("Oficina Norte", "celular"),
        ("Oficina Norte", "asesor_en_linea"),
    ]
    assert [(p["modality"], p["closed"]) for p in figures["performance"]] == [("asesor_linea", 1)]


def test_leg02_unit_b_figures_have_only_unit_b(world):
    """NFR-02: the other unit's figures hold its own cases (the digital PQR without office
    belongs to the Unidad Canales Regional) and nothing of unit A."""
    figures = dashboard_figures(unit=Unit.REGIONAL, date_from=PERIOD[0], date_to=PERIOD[1], now=NOW)
    assert figures["open_cases"]["total"] == 3  # b1, b2 (digital, no office), b4
    due = figures["pqr_due"]
    assert (due["on_time"], due["near_due"], due["past_due"], due["in_sap"]) == (0, 1, 1, 1)
    assert [t["name"] for t in figures["technologists"]] == ["Lejana Tecnóloga"]
    tech = figures["technologists"][0]
    assert (tech["assigned_today"], tech["in_attention"], tech["closed_today"]) == (2, 1, 1)
    assert [t["office"] for t in figures["waiting_turns"]] == ["Oficina Rionegro Lejana"]


# --- a fixed number of queries ----------------------------------------------------------------


def _bulk(n: int, world) -> None:
    """``n`` cases of unit A in every state and modality, some closed today and in the period."""
    statuses = list(CaseStatus.values)
    modalities = [Modality.DESBORDE, Modality.ASESOR_LINEA, Modality.BALANCEO, Modality.GENERAL]
    techs = [world.ana, world.bruno, world.carla]
    customer = _customer()
    channel = _channel()
    rows = []
    for i in range(n):
        status = statuses[i % len(statuses)]
        closed = status in CaseStatus.closed()
        kind = CaseKind.PQR if i % 3 else CaseKind.PEDIDO
        assigned = NOW - dt.timedelta(minutes=30 + i % 2000)
        rows.append(
            Case(
                number=f"NQ-{next(_numbers):07d}",
                kind=kind,
                pqr_type="queja" if kind == CaseKind.PQR else "",
                customer=customer,
                channel=channel,
                status=status,
                modality=modalities[i % len(modalities)],
                office=world.a1 if i % 2 else world.a2,
                assigned_to=techs[i % 3] if status != CaseStatus.ABIERTO else None,
                assigned_at=assigned if status != CaseStatus.ABIERTO else None,
                closed_at=assigned + dt.timedelta(minutes=20) if closed else None,
                filed_at=NOW - dt.timedelta(days=20),
                due_date=TODAY + dt.timedelta(days=i % 40 - 20) if kind == CaseKind.PQR else None,
            )
        )
    Case.objects.bulk_create(rows, batch_size=2000)


def test_nfr01_leg02_queries_are_the_same_with_100_and_10000_cases(
    world, django_assert_num_queries
):
    """Issue 16: every figure with ``DASHBOARD_QUERIES`` queries, with 100 cases or 10,000."""
    _bulk(100, world)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        small = _unit_a()
    _bulk(9_900, world)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        big = _unit_a()
    open_now = Case.objects.filter(
        Q(office__unit=Unit.METROPOLITANO) | Q(supported_office__unit=Unit.METROPOLITANO),
        status__in=[CaseStatus.ABIERTO, CaseStatus.ASIGNADO, CaseStatus.EN_ATENCION],
    ).count()
    assert big["open_cases"]["total"] == open_now > small["open_cases"]["total"]
    # The office view too (the gestor de oficina's).
    with django_assert_num_queries(DASHBOARD_QUERIES):
        _unit_a(office=world.a2)


# --- scope --------------------------------------------------------------------------------


def test_nfr02_scope_of_each_role(world):
    a = Unit.METROPOLITANO
    assert dashboard_scope(user=world.gestor).unit == a
    assert dashboard_scope(user=world.asignador).office is None
    assert dashboard_scope(user=world.gestor, office=str(world.a2.pk)).office == world.a2
    assert dashboard_scope(user=world.gestor_oficina).office == world.a2
    assert dashboard_scope(user=world.gestor_oficina, unit=a).office == world.a2
    with pytest.raises(PermissionDenied, match="otra unidad"):
        dashboard_scope(user=world.gestor, unit=Unit.REGIONAL)
    with pytest.raises(PermissionDenied) as refused:
        dashboard_scope(user=world.asignador, office=world.b1.pk)
    assert str(refused.value) == DENIED_OFFICE_UNIT.format(office=world.b1)
    with pytest.raises(PermissionDenied) as refused:
        dashboard_scope(user=world.gestor_oficina, office=world.a1.pk)
    assert str(refused.value) == DENIED_OTHER_OFFICE.format(office=world.a2)
    with pytest.raises(PermissionDenied) as refused:
        dashboard_scope(user=world.gestor_oficina, unit=Unit.REGIONAL)
    assert str(refused.value) == DENIED_UNIT.format(unit="Unidad Canales Metropolitano")
    for role in (Role.ORIENTADOR, Role.TECNOLOGO, Role.MESA, Role.ENCARGADO):
        with pytest.raises(PermissionDenied):
            dashboard_scope(user=make_user(role, world.a1))
    with pytest.raises(ValidationError) as bad:
        dashboard_scope(user=world.gestor, unit="marte")
    assert bad.value.message_dict == {
        "unit": ["Unidad no válida: use «metropolitano» o «regional»."]
    }
    with pytest.raises(ValidationError) as bad:
        dashboard_scope(user=world.gestor, office="abc")
    assert "office" in bad.value.message_dict


def test_nfr02_superuser_chooses_any_unit(client, world):
    admin = make_user(None, None, username="root", is_superuser=True, is_staff=True)
    assert dashboard_scope(user=admin, unit=Unit.REGIONAL).unit == Unit.REGIONAL
    assert dashboard_scope(user=admin, office=world.b1.pk).unit == Unit.REGIONAL
    assert dashboard_scope(user=admin).unit == Unit.METROPOLITANO
    client.force_login(admin)
    html = client.get("/tablero/", {"unit": "regional"}).content.decode()
    assert "Tablero — Unidad Canales Regional" in html
    assert '<option value="regional" selected>' in html  # the superuser's unit select
    assert "Oficina Rionegro Lejana" in html and "Oficina Centro" not in html


def test_nfr03_period_defaults_and_spanish_errors():
    today = dt.date(2026, 3, 11)
    assert dashboard_period(today=today) == (dt.date(2026, 2, 9), today)
    assert dashboard_period(date_from="2025-03-11", date_to="2026-03-11", today=today) == (
        dt.date(2025, 3, 11),
        today,
    )
    cases = [
        ({"date_from": "11/03/2026"}, {"from": ["Indique la fecha con el formato AAAA-MM-DD."]}),
        (
            {"date_from": "2026-03-12", "date_to": "2026-03-11"},
            {"from": ["La fecha inicial no puede ser posterior a la fecha final."]},
        ),
        (
            {"date_from": "2025-03-10", "date_to": "2026-03-11"},
            {"to": ["El periodo no puede pasar de 366 días."]},
        ),
        (
            {"date_to": "9999-12-31"},
            {"to": ["La fecha debe estar entre el 01/01/2000 y el 31/12/2099."]},
        ),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ValidationError) as bad:
            dashboard_period(today=today, **kwargs)
        assert bad.value.message_dict == expected


# --- pages ---------------------------------------------------------------------------------


LOG = "login"
#: (path, status per column of ROLE_COLUMNS) — every role on the three pages and the API.
ACCESS = [
    ("/tablero/", (LOG, 403, 403, 200, 200, 403, 403, 403, 200, 403)),
    ("/tablero/cifras/", (LOG, 403, 403, 200, 200, 403, 403, 403, 200, 403)),
    ("/tablero/cifras.csv", (LOG, 403, 403, 200, 200, 403, 403, 403, 200, 403)),
    ("/api/v1/dashboard/", (401, 403, 403, 200, 200, 403, 403, 403, 200, 403)),
]


def test_nfr02_every_role_on_the_dashboard_urls(client, world):
    """NFR-02: gestor, asignador and gestor de oficina only; anonymous → login (401 on the API)."""
    users = {role: make_user(role, world.a1, username=f"acc_{role}") for role in ROLE_COLUMNS[1:]}
    for url, expected in ACCESS:
        for column, status in zip(ROLE_COLUMNS, expected, strict=True):
            client.logout()
            if column in users:
                client.force_login(users[column])
            response = client.get(url)
            if status == LOG:
                assert response.status_code == 302, (url, column)
                assert response["Location"].startswith("/accounts/login/"), (url, column)
            else:
                assert response.status_code == status, (url, column, response.status_code)
            if response.status_code == 200:
                assert b"Lejana" not in response.content, (url, column)


def test_leg02_gestor_page_shows_every_figure_of_the_unit_only(client, world, monkeypatch):
    """A gestor of unit A opens /tablero/: SVG charts with their tables, the urgent PQR
    linking to their case pages and the SAP queue; nothing of unit B (no "Lejana")."""
    monkeypatch.setattr("core.selectors.dashboard.dashboard_now", lambda: NOW)
    client.force_login(world.gestor)
    response = client.get("/tablero/", {"from": "2026-02-20", "to": "2026-03-11"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tablero — Unidad Canales Metropolitano" in html
    assert html.count("<svg") == 8
    assert 'role="img"' in html and "<title" in html
    assert 'hx-trigger="every 60s"' in html
    assert "/tablero/cifras/?from=2026-02-20&amp;to=2026-03-11" in html
    assert "/tablero/cifras.csv?from=2026-02-20&amp;to=2026-03-11" in html
    assert f'href="/casos/{world.cases["c1"].pk}/"' in html
    assert 'href="/silencio-positivo/"' in html
    assert 'data-figure="open-total">6<' in html
    for text in ("Oficina Centro", "Ana Arias", "Elena Estrada", "75 min", "40,0 %", "42,5 min"):
        assert text in html, text
    assert "Lejana" not in html
    assert world.cases["b1"].number not in html
    assert "<option" in html and "Toda la unidad" in html  # the gestor may pick an office


def test_leg02_gestor_de_oficina_page_is_their_office(client, world):
    client.force_login(world.gestor_oficina)
    response = client.get("/tablero/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tablero — Oficina Norte" in html
    assert "Oficina Centro" not in html and "Ana Arias" not in html.split("Carga")[1]
    assert "Toda la unidad" not in html
    refused = client.get("/tablero/", {"office": world.a1.pk})
    assert refused.status_code == 403
    assert "Solo puede ver el tablero de su oficina, Oficina Norte." in refused.content.decode()


def test_nfr02_gestor_asking_for_another_unit_gets_403_in_spanish(client, world):
    client.force_login(world.gestor)
    for url in ("/tablero/", "/tablero/cifras/", "/tablero/cifras.csv"):
        response = client.get(url, {"unit": "regional"})
        assert response.status_code == 403, url
        assert "No puede ver el tablero de otra unidad" in response.content.decode()
        assert "Lejana" not in response.content.decode()


def test_nfr03_page_bad_period_says_why_in_spanish(client, world):
    client.force_login(world.gestor)
    response = client.get("/tablero/", {"from": "2026-03-12", "to": "2026-03-01"})
    assert response.status_code == 400
    assert "La fecha inicial no puede ser posterior a la fecha final." in response.content.decode()
    assert "<svg" not in response.content.decode()
    response = client.get("/tablero/cifras/", {"to": "ayer"})
    assert response.status_code == 400
    assert "Indique la fecha con el formato AAAA-MM-DD." in response.content.decode()


def test_leg02_live_fragment_holds_the_figures_without_the_page(client, world):
    client.force_login(world.asignador)
    response = client.get("/tablero/cifras/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<nav" not in html and "hx-trigger" not in html
    assert 'id="dash-open-cases"' in html


def test_leg02_csv_has_bom_header_and_the_figures_in_long_format(client, world, monkeypatch):
    monkeypatch.setattr("core.selectors.dashboard.dashboard_now", lambda: NOW)
    client.force_login(world.gestor)
    response = client.get("/tablero/cifras.csv", {"from": "2026-02-20", "to": "2026-03-11"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tablero-metropolitano-20260220-20260311-' in response["Content-Disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["sección", "oficina/tecnólogo/modalidad", "medida", "valor"]
    assert ["casos abiertos por estado", "en atención", "casos", "2"] in rows
    assert ["casos abiertos", "total", "casos", "6"] in rows
    assert ["PQR abiertas por vencimiento", "vencidas", "PQR", "1"] in rows
    assert [
        "PQR abiertas por vencimiento",
        "en silencio administrativo positivo",
        "PQR",
        "2",
    ] in rows
    assert ["turnos en espera", "Oficina Centro", "espera más larga (minutos)", "55"] in rows
    assert ["tecnólogos hoy", "Elena Estrada", "minutos sin actividad", "75"] in rows
    assert ["tecnólogos hoy", "Diana Díaz", "minutos sin actividad", ""] in rows
    assert [
        "apoyos programados hoy",
        "Oficina Norte — asesor en línea (2.4)",
        "máximo",
        "2",
    ] in rows
    assert ["desempeño del periodo", "Desborde (2.1–2.3)", "tasa de primer contacto", "0,4"] in rows
    assert [
        "desempeño del periodo",
        "Desborde (2.1–2.3)",
        "tiempo medio de atención (minutos)",
        "42,5",
    ] in rows
    assert "Lejana" not in body.decode("utf-8-sig")
    assert len(rows) == 1 + len(dashboard_rows(_unit_a()))


# --- the SVG charts --------------------------------------------------------------------------


def test_nfr01_charts_are_accessible_svg_with_values_beside_the_bars():
    rows = [{"label": "abierto", "count": 4}, {"label": "en atención", "count": 1}]
    html = Template(
        '{% load charts %}{% hbar_chart rows title="Casos por estado" value="count" %}'
        '{% stacked_bar_chart due title="PQR" segments=segs %}'
    ).render(
        Context(
            {
                "rows": rows,
                "due": [{"label": "PQR abiertas", "a": 3, "b": 0, "c": 2}],
                "segs": [("a", "a tiempo", "#198754"), ("b", "próximas", "#ffc107"),
                         ("c", "vencidas", "#dc3545")],
            }
        )
    )  # fmt: skip
    assert html.count("<svg") == 2 and html.count('role="img"') == 2
    assert '<title id="chart-casos-por-estado-t">Casos por estado</title>' in html
    assert '<desc id="chart-casos-por-estado-d">abierto: 4; en atención: 1.</desc>' in html
    assert (
        '<text x="576.0" y="21" font-size="13" fill="#212529" class="chart-value">4</text>' in html
    )
    assert "PQR abiertas: a tiempo 3, próximas 0, vencidas 2." in html
    assert "<title>PQR abiertas — vencidas: 2</title>" in html
    assert "<title>PQR abiertas — próximas" not in html  # an empty segment draws nothing
    assert "style=" not in html  # CSP: no inline styles
    empty = Template('{% load charts %}{% hbar_chart rows title="Nada" %}').render(
        Context({"rows": []})
    )
    assert "Sin datos." in empty


def test_nfr02_chart_texts_are_escaped():
    """A name typed in admin (an office, a technologist) is text in the SVG, never markup."""
    evil = '<script>alert("x")</script> & Ofi'
    html = Template(
        '{% load charts %}{% hbar_chart rows title=title value="n" %}'
        "{% stacked_bar_chart rows title=title segments=segs %}"
    ).render(
        Context(
            {
                "rows": [{"label": evil, "n": 2}],
                "title": evil,
                "segs": [("n", evil, "#198754")],
            }
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Ofi" in html
