"""Browser (issue 16; LEG-02, NFR-01, NFR-02): a gestor de equipo logs in, opens the dashboard
on a tablet, sees the SVG charts and the figures of their unit (and nothing of the other unit),
watches the figures refresh by themselves a minute later, changes the period, downloads the
CSV and follows the most urgent PQR to its case page. Screenshot:
test-artifacts/dashboard-gestor.png.

The pages are mounted here as core/urls.py will mount them."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.business_days import add_business_days
from core.models import (
    Case,
    CaseKind,
    CaseStatus,
    Channel,
    Kiosk,
    Modality,
    RemoteModality,
    RosterEntry,
    TransactionType,
    Turn,
    TurnStatus,
    Unit,
)
from core.roles import Role
from tests.factories import CustomerFactory, OfficeFactory
from tests.helpers import TABLET, afternoon_clock, clock_advance, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _case(number, **kw):
    kw.setdefault("kind", CaseKind.PQR)
    if kw["kind"] == CaseKind.PQR:
        kw.setdefault("pqr_type", "queja")
        kw.setdefault("due_date", timezone.localdate() + dt.timedelta(days=20))
    kw.setdefault("filed_at", timezone.now() - dt.timedelta(days=3))
    return Case.objects.create(
        number=number,
        customer=CustomerFactory(),
        channel=Channel.objects.get(code="desborde-formulario-web"),
        modality=kw.pop("modality", Modality.DESBORDE),
        **kw,
    )


def _turn(office, seq, status, minutes_ago):
    now = timezone.now()
    Turn.objects.create(
        office=office,
        day=timezone.localdate(),
        sequence=seq,
        number=f"T{seq:03d}",
        transaction_type=TransactionType.objects.order_by("pk").first(),
        status=status,
        created_at=now - dt.timedelta(minutes=minutes_ago),
    )


def test_leg02_gestor_sees_the_live_dashboard_of_their_unit_and_downloads_the_csv(
    page, live_server, login, screenshot, monkeypatch
):
    afternoon_clock(monkeypatch)  # "closed 20 minutes ago" is today, also at midnight
    today = timezone.localdate()
    now = timezone.now()
    sur = OfficeFactory(name="Oficina Sur", unit=Unit.METROPOLITANO, technologist_count=1)
    oeste = OfficeFactory(name="Oficina Oeste", unit=Unit.METROPOLITANO, technologist_count=3)
    far = OfficeFactory(name="Oficina Lejana", unit=Unit.REGIONAL)
    Kiosk.objects.create(office=oeste, label="Módulo 1", active=True)
    make_user(Role.GESTOR, sur, username="gestora", first_name="Gloria", last_name="Gómez")
    ines = make_user(Role.TECNOLOGO, sur, username="t_ines", first_name="Inés", last_name="Mejía")
    raul = make_user(Role.TECNOLOGO, oeste, username="t_raul", first_name="Raúl", last_name="Peña")
    far_tech = make_user(Role.TECNOLOGO, far, username="t_far", first_name="Lejana")

    urgent = _case("PQR-VENCIDA", office=sur, due_date=today - dt.timedelta(days=2))
    _case("PQR-PROXIMA", office=oeste, due_date=add_business_days(today, 2))
    _case(
        "PQR-ATENCION",
        office=sur,
        status=CaseStatus.EN_ATENCION,
        assigned_to=ines,
        assigned_at=now - dt.timedelta(minutes=40),
    )
    _case(
        "PQR-HOY",
        office=oeste,
        status=CaseStatus.CERRADO_PRIMER_CONTACTO,
        assigned_to=raul,
        assigned_at=now - dt.timedelta(minutes=50),
        closed_at=now - dt.timedelta(minutes=20),
    )
    _case(
        "PED-ANTIGUO",
        kind=CaseKind.PEDIDO,
        office=oeste,
        status=CaseStatus.CERRADO_SIN_CONTACTO,
        assigned_to=raul,
        assigned_at=now - dt.timedelta(days=60, minutes=30),
        closed_at=now - dt.timedelta(days=60),
    )
    _case("LEJANA-1", office=far, due_date=today - dt.timedelta(days=9))
    _case(
        "LEJANA-2",
        office=far,
        status=CaseStatus.EN_ATENCION,
        assigned_to=far_tech,
        assigned_at=now - dt.timedelta(minutes=5),
    )
    _turn(sur, 1, TurnStatus.EN_ESPERA, 25)
    _turn(sur, 2, TurnStatus.EN_ESPERA, 5)
    _turn(far, 3, TurnStatus.EN_ESPERA, 90)
    RosterEntry.objects.create(
        day=today, technologist=ines, office=oeste, modality=RemoteModality.ASESOR_EN_LINEA
    )
    RosterEntry.objects.create(
        day=today, technologist=raul, office=sur, modality=RemoteModality.CELULAR
    )

    page.set_viewport_size(TABLET)
    page.clock.install()
    login(page, "gestora")
    page.goto(f"{live_server.url}/tablero/")
    expect(page.locator("h1")).to_have_text("Tablero — Unidad Canales Metropolitano")
    expect(page.locator("svg.chart")).to_have_count(8)
    expect(page.locator("svg.chart title").first).to_have_text("Casos abiertos por estado")
    expect(page.locator('[data-figure="open-total"]')).to_have_text("3")
    expect(page.locator('#table-pqr-due tr[data-due="past_due"]')).to_contain_text("1")
    expect(page.locator('#table-pqr-due tr[data-due="near_due"]')).to_contain_text("1")
    expect(page.locator("#table-turns")).to_contain_text("Oficina Sur")
    expect(page.locator(f'#table-turns tr[data-office="{sur.pk}"] td').nth(1)).to_have_text("2")
    expect(page.locator(f'#table-technologists tr[data-technologist="{ines.pk}"]')).to_contain_text(
        "Inés Mejía"
    )
    raul_row = page.locator(f'#table-technologists tr[data-technologist="{raul.pk}"] td')
    expect(raul_row.nth(3)).to_have_text("1")  # closed today
    expect(page.locator("#table-supporters")).to_contain_text("asesor en línea (2.4)")
    expect(page.locator('#table-performance tr[data-modality="desborde"] td').nth(1)).to_have_text(
        "1"
    )
    expect(page.locator("#link-sap")).to_have_attribute("href", "/silencio-positivo/")
    assert "Lejan" not in page.content()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    # Live: a new open case of the unit shows up at the next refresh once the figures of the
    # last minute are over (75 s on the server's clock), without reloading.
    _case("PQR-NUEVA", office=sur)
    clock_advance(monkeypatch, 76)
    page.clock.fast_forward("01:05")
    expect(page.locator('[data-figure="open-total"]')).to_have_text("4")
    expect(page.locator("#dashboard-figures svg.chart")).to_have_count(8)

    # Another period: 90 days back brings the pedido closed 60 days ago into the performance.
    start = today - dt.timedelta(days=90)
    page.get_by_label("Desde").fill(start.isoformat())
    page.get_by_label("Hasta").fill(today.isoformat())
    page.get_by_role("button", name="Ver periodo").click()
    expect(page.locator("#dash-perf-title")).to_have_text(
        f"Desempeño del {start:%d/%m/%Y} al {today:%d/%m/%Y}"
    )
    expect(page.locator('#table-performance tr[data-modality="desborde"] td').nth(1)).to_have_text(
        "2"
    )
    expect(page.locator('#table-performance tr[data-modality="desborde"] td').nth(3)).to_have_text(
        "50,0 %"
    )
    assert f"from={start.isoformat()}" in page.url
    screenshot(page, "dashboard-gestor")

    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar cifras (CSV)").click()
    download = info.value
    assert download.suggested_filename.startswith(
        f"tablero-metropolitano-{start:%Y%m%d}-{today:%Y%m%d}-"
    )
    with open(download.path(), "rb") as fh:
        body = fh.read()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == "sección;oficina/tecnólogo/modalidad;medida;valor"
    assert "casos abiertos;total;casos;4" in text
    assert "desempeño del periodo;Desborde (2.1–2.3);cerrados;2" in text
    assert "tecnólogos hoy;Inés Mejía;en atención;1" in text
    assert "Lejan" not in text

    # The most urgent PQR leads to its case page.
    page.locator("#table-pqr-oldest").get_by_role("link", name=urgent.number).click()
    expect(page.locator("h1")).to_contain_text(f"Caso {urgent.number}")
