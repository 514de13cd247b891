"""Browser: asesor en línea (2.4), end to end in Chromium on the ASGI server (pages, API and the
live websocket), with a fake camera and microphone.

Oficina Itagüí's kiosk "Módulo 1" has its page open (paired: it is "Conectado" through its live
socket). The encargado asked the customer of turn ITA-001 and they accepted virtual attention
(AL-03). The technologist rostered today to support Itagüí by asesor en línea (AL-01) opens
"Asesor en línea", does the start-of-shift check with video (AL-02), sees the accepted turn and
the connected kiosk, announces the turn to it: the kiosk shows the turn and the video call
connects on both screens. On the attention page the technologist registers a PQR: the case has
canal "asesor en línea" and Oficina Itagüí as the supported office (AL-04). The documents go to
the kiosk's printer; "Terminar" frees the kiosk.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.live.auth import KIOSK_COOKIE
from core.models import (
    Case,
    Kiosk,
    PrintJob,
    RemoteModality,
    ShiftCheck,
    StaffAvailability,
    TransactionType,
    TurnStatus,
    VideoSession,
    WorkMode,
)
from core.roles import Role
from core.services.roster import roster_entry_add
from core.services.turns import turn_create, turn_virtual_consent
from tests.factories import OfficeFactory
from tests.helpers import CONNECT_MS, CONNECTED, PDF, make_user, office_printer, paired, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_al01_al04_check_announce_to_the_kiosk_and_register_a_pqr(
    new_page, asgi_live_server, asgi_login, screenshot, settings, tmp_path
):
    settings.VIDEO_ICE_TRANSPORT_POLICY = "all"
    itagui = OfficeFactory(name="Oficina Itagüí", code="ITA", zone="Sur", has_orientador=True)
    office_printer(itagui, "Impresora Itagüí")
    kiosk_printer = office_printer(itagui, "Impresora Módulo 1")
    kiosk = Kiosk.objects.create(office=itagui, label="Módulo 1", printer=kiosk_printer)
    centro = OfficeFactory(name="Oficina Centro Medellín", code="MED")
    encargado = make_user(
        Role.ENCARGADO, itagui, username="encargado", first_name="Andrés", last_name="Montoya"
    )
    tech = make_user(
        Role.TECNOLOGO,
        centro,
        username="tecnologo",
        first_name="Daniela",
        last_name="Vélez",
        work_mode=WorkMode.HOME,
    )
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    roster_entry_add(
        day=timezone.localdate(),
        technologist=tech,
        office=itagui,
        modality=RemoteModality.ASESOR_EN_LINEA,
        by=None,
    )
    turn = turn_create(
        office=itagui,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        accepts_remote=False,
        by=encargado,
    )
    turn_virtual_consent(turn=turn, accepts=True, by=encargado)
    document = tmp_path / "constancia.pdf"
    document.write_bytes(PDF)

    # The kiosk PC has its page open: it comes on through its live socket.
    kiosk_page = new_page(cookies=[(KIOSK_COOKIE, paired(kiosk, encargado))])
    kiosk_page.goto(f"{asgi_live_server.url}/kiosco/")
    expect(kiosk_page.locator("#kiosk-connection")).to_have_text("Conectado", timeout=15_000)

    # AL-02: the page asks for the start-of-shift check first, video included.
    page = new_page()
    asgi_login(page, "tecnologo")
    page.get_by_role("link", name="Asesor en línea").click()
    expect(page.locator("h1")).to_have_text("Asesor en línea")
    expect(page.locator("#shift-check-form")).to_be_visible()
    row = page.locator(f'[data-turn="{turn.number}"]')
    expect(row).to_be_visible()
    expect(row.get_by_role("button", name=f"Anunciar el turno {turn.number}")).to_be_disabled()
    page.get_by_label("Verifiqué que el audio de mi equipo funciona").check()
    page.get_by_label("Verifiqué que la cámara (video) de mi equipo funciona").check()
    page.get_by_label("Verifiqué que la impresora de cada oficina").check()
    screenshot(page, "asesor-linea-verificacion")
    page.get_by_role("button", name="Registrar la verificación").click()
    expect(page.get_by_text("Verificación de inicio de turno registrada")).to_be_visible()
    check = ShiftCheck.objects.get(technologist=tech)
    assert (check.audio_ok, check.video_ok, check.printer_ok) == (True, True, True)

    # AL-01 / AL-03: the office, its connected kiosk and the accepted turn.
    office = page.locator('[data-office="Oficina Itagüí"]')
    expect(office.locator('[data-kiosk="Módulo 1"] .kiosk-state')).to_have_text("Conectado")
    row = office.locator(f'[data-turn="{turn.number}"]')
    expect(row).to_contain_text("Duplicado de factura")
    screenshot(page, "asesor-linea-turnos")
    row.get_by_label(f"Módulo para el turno {turn.number}").select_option(label="Módulo 1")
    row.get_by_role("button", name=f"Anunciar el turno {turn.number}").click()

    # The attention page; the kiosk announces the turn and the call connects by itself.
    expect(page.locator("h1")).to_have_text(f"Turno {turn.number} — Oficina Itagüí")
    expect(page.get_by_text(f"Turno {turn.number} anunciado en Módulo 1")).to_be_visible()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO and turn.kiosk == kiosk and turn.called_by == tech
    session = VideoSession.objects.get(turn=turn)
    assert session.kiosk == kiosk and session.modality == "asesor_linea"
    expect(kiosk_page.locator("#kiosk-live")).to_contain_text(turn.number, timeout=10_000)
    page.wait_for_function(CONNECTED, timeout=CONNECT_MS)
    kiosk_page.wait_for_function(CONNECTED, timeout=CONNECT_MS)
    screenshot(page, "asesor-linea-atencion")
    screenshot(kiosk_page, "asesor-linea-modulo")

    # AL-04: the customer's PQR.
    expect(page.get_by_label("PQR (petición, queja o reclamo)")).to_be_checked()
    page.get_by_label("Tipo de PQR").select_option(label="petición")
    page.get_by_label("Número de documento").fill("43512876")
    page.get_by_label("Nombre completo del cliente").fill("María Elena Restrepo")
    page.get_by_label("Motivo PQR (detalle)").fill("Solicita duplicado de la factura de octubre.")
    page.evaluate("window.sameAttentionPage = true")  # the forms must not reload the page
    page.get_by_role("button", name="Registrar el caso").click()

    case = wait_until(lambda: Case.objects.first(), message="no se registró el caso")
    expect(page.get_by_text(f"Caso CRM {case.number} registrado desde el turno")).to_be_visible()
    expect(page.locator("#case-channel")).to_have_text("asesor en línea")
    expect(page.locator("#case-supported-office")).to_have_text("Oficina Itagüí")
    assert case.channel.name == "asesor en línea"
    assert case.supported_office == itagui and case.office == centro
    assert case.turn_number == turn.number and case.assigned_to == tech
    # Registering the case did not hang up: same page, call still connected.
    assert page.evaluate("window.sameAttentionPage === true")
    page.wait_for_function(CONNECTED, timeout=5_000)

    # The documents go to the kiosk's printer.
    page.get_by_label("Documento", exact=True).fill("Constancia de atención")
    page.get_by_label("Archivo a imprimir (PDF o imagen)").set_input_files(str(document))
    page.get_by_role("button", name="Enviar a imprimir").click()
    expect(page.get_by_text("enviado a Impresora Módulo 1 (Oficina Itagüí)")).to_be_visible()
    assert PrintJob.objects.get().printer == kiosk_printer
    screenshot(page, "asesor-linea-caso")

    # "Terminar": atendido; the call ends and the kiosk is free.
    page.get_by_role("button", name="Terminar: cliente atendido").click()
    expect(page.get_by_text(f"Turno {turn.number} terminado")).to_be_visible()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO
    session.refresh_from_db()
    assert not session.is_open
    expect(page.locator('[data-kiosk="Módulo 1"] .kiosk-busy')).to_have_count(0)
