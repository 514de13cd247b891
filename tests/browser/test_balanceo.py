"""Browser: the balancing journey (BAL-03, BAL-04) on the ASGI server (pages, API and the live
websocket) in Chromium with a fake camera and microphone.

A technologist of today's balancing pool opens /balanceo/ and marks "Disponible para balanceo";
a kiosk of office B is open on its PC (device cookie) and the office's waiting-room display on
its screen. A customer of office B accepts virtual attention (the encargado records it): nobody
clicks "call" — the system matches the customer with the technologist, both pages open the
video call by themselves and connect, the display announces "Turno … → Módulo 1" and the
technologist's page shows the matched turn. The technologist registers the case (pedido →
"Balanceo automático") and presses "Terminar": the call ends on both screens.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.test import APIClient

from balanceo.models import BalanceSeat
from core.live.auth import KIOSK_COOKIE
from core.models import (
    Case,
    Kiosk,
    Printer,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    StaffAvailability,
    TransactionType,
    TurnStatus,
    VideoSession,
    WorkMode,
)
from core.roles import Role
from core.services.turns import turn_create
from tests.factories import OfficeFactory
from tests.helpers import CONNECT_MS, CONNECTED, make_user, paired, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(db):
    """Office B with one kiosk and its printer, its encargada, and a technologist of another
    office in today's balancing pool for B with today's check (audio, video, printer)."""
    office = OfficeFactory(name="Oficina Bello", code="BEL")
    printer = Printer.objects.create(office=office, name="Impresora módulo 1")
    kiosk = Kiosk.objects.create(office=office, label="Módulo 1", printer=printer)
    encargada = make_user(
        Role.ENCARGADO, office, username="encargada_bal", first_name="Marta", last_name="Ríos"
    )
    tech = make_user(
        Role.TECNOLOGO,
        OfficeFactory(name="Oficina Centro", code="CEN"),
        username="tecnologa_bal",
        first_name="Ana",
        last_name="Gil",
        work_mode=WorkMode.HOME,
    )
    today = timezone.localdate()
    StaffAvailability.objects.create(
        user=tech, date=today, is_available=True, work_mode=WorkMode.HOME
    )
    RosterEntry.objects.create(
        day=today, technologist=tech, office=office, modality=RemoteModality.BALANCEO
    )
    ShiftCheck.objects.create(
        technologist=tech,
        day=today,
        audio_ok=True,
        video_ok=True,
        printer_ok=True,
        checked_at=timezone.now(),
    )
    return {"office": office, "kiosk": kiosk, "encargada": encargada, "tech": tech}


def test_bal03_bal04_a_waiting_customer_is_connected_by_video_without_anyone_calling(
    scene, new_page, asgi_live_server, asgi_login, screenshot
):
    office, kiosk = scene["office"], scene["kiosk"]

    # The technologist opens "Balanceo" and becomes available.
    tech = new_page()
    asgi_login(tech, "tecnologa_bal")
    tech.goto(f"{asgi_live_server.url}/balanceo/")
    expect(tech.locator("h1")).to_have_text("Balanceo")
    tech.get_by_role("button", name="Disponible para balanceo").click()
    expect(tech.locator("#seat-state")).to_contain_text("Disponible")
    expect(tech.locator("#attention-idle")).to_contain_text("Esperando cliente")
    tech.wait_for_function("() => window.liveConnected === true", timeout=15_000)
    assert BalanceSeat.objects.get(technologist=scene["tech"]).available

    # Office B's kiosk PC and the waiting-room display.
    kiosk_page = new_page(cookies=[(KIOSK_COOKIE, paired(kiosk, scene["encargada"]))])
    kiosk_page.goto(f"{asgi_live_server.url}/kiosco/")
    expect(kiosk_page.locator("#kiosk-name")).to_have_text("Módulo 1")
    expect(kiosk_page.locator("#kiosk-connection")).to_have_text("Conectado", timeout=15_000)
    display = new_page()
    asgi_login(display, "encargada_bal")
    display.goto(f"{asgi_live_server.url}/oficina/{office.pk}/sala/")
    expect(display.locator("#display-connection")).to_have_text("Conectado", timeout=15_000)

    # A customer takes a turn; the encargada records that they accept virtual attention.
    turn = turn_create(
        office=office,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        accepts_remote=False,
        by=scene["encargada"],
    )
    encargada = APIClient()
    encargada.force_authenticate(scene["encargada"])
    response = encargada.post(
        f"/api/v1/turns/{turn.pk}/virtual-consent/", {"accepts": True}, format="json"
    )
    assert response.status_code == 200, response.content

    # Nobody clicks: both pages connect the call, the display announces the turn.
    for page in (tech, kiosk_page):
        page.wait_for_function(CONNECTED, timeout=CONNECT_MS)
    expect(display.locator("#display-list li").first).to_contain_text(
        f"Turno {turn.number} → Módulo 1", timeout=10_000
    )
    expect(kiosk_page.locator("#kiosk-turn")).to_have_text(f"Turno {turn.number}")
    expect(tech.locator("#matched-turn-number")).to_have_text(turn.number, timeout=10_000)
    expect(tech.locator("#matched-turn")).to_contain_text("Oficina Bello")
    session = wait_until(
        lambda: VideoSession.objects.filter(turn=turn, status="conectada").first(),
        timeout=CONNECT_MS / 1000,
        message="la videollamada no quedó «conectada»",
    )
    assert session.technologist == scene["tech"] and session.kiosk == kiosk
    turn.refresh_from_db()
    assert (turn.status, turn.called_by, turn.kiosk) == (TurnStatus.LLAMADO, scene["tech"], kiosk)
    assert turn.events.filter(kind="balanceo").exists()
    screenshot(tech, "balanceo-tecnologo-conectado")
    screenshot(kiosk_page, "balanceo-modulo-conectado")
    screenshot(display, "balanceo-sala-de-espera")

    # BAL-04: the case (pedido → "Balanceo automático"), then "Terminar".
    tech.get_by_label("Pedido").check()
    tech.get_by_label("Número de documento").fill("43512876")
    tech.get_by_label("Nombre completo del cliente").fill("María Elena Restrepo")
    tech.get_by_role("button", name="Registrar el caso").click()
    expect(tech.locator("#attention-notice")).to_contain_text("Balanceo automático")
    case = Case.objects.get(turn_number=turn.number)
    assert case.channel.code == "balanceo-automatico" and case.supported_office == office
    assert tech.evaluate("window.videoCall.pc.connectionState") == "connected"  # still on

    tech.get_by_role("button", name="Terminar la atención").click()
    expect(tech.locator("#attention-idle")).to_contain_text("Esperando cliente")
    expect(kiosk_page.locator("#video-status")).to_have_text("La videollamada terminó.")
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO
    screenshot(tech, "balanceo-tecnologo-terminado")
