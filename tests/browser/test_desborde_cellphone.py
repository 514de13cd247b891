"""Browser: overflow by cellphone (2.3), end to end in Chromium.

The encargado of Oficina Itagüí gives a turn with the customer's mobile on the turn desk; the
technologist rostered to support Itagüí by cellphone (start-of-shift check done) sees it appear in
the virtual booth without reloading, takes it, the ``tel:`` link dials 003…, the customer accepts
and the case is registered with canal "desborde celular" (a pedido). The documents go to
Itagüí's printer; the office's orientador prints, verifies and uploads the signed scan, which
appears in the case's evidence; closing the case finishes the turn.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import (
    Case,
    CaseStatus,
    EvidenceKind,
    PrintJob,
    RemoteModality,
    StaffAvailability,
    Turn,
    TurnStatus,
    WorkMode,
)
from core.roles import Role
from core.services.roster import roster_entry_add, shift_check_record
from tests.factories import OfficeFactory
from tests.helpers import MP3, PDF, TABLET, make_user, office_printer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _context(browser, **kwargs):
    return browser.new_context(locale="es-CO", timezone_id="America/Bogota", **kwargs)


def test_cel03_cel04_turn_with_mobile_to_case_print_and_scan(
    page, browser, live_server, login, screenshot, settings, tmp_path
):
    settings.WORKBENCH_REFRESH_SECONDS = 1
    settings.LIVE_FALLBACK_POLL_SECONDS = 1  # the WSGI live server has no websocket
    itagui = OfficeFactory(
        name="Oficina Itagüí", code="ITA", zone="Sur", technologist_count=1, has_orientador=True
    )
    office_printer(itagui, "Impresora Itagüí")
    centro = OfficeFactory(name="Oficina Centro Medellín", code="MED")
    make_user(
        Role.ENCARGADO, itagui, username="encargado", first_name="Andrés", last_name="Montoya"
    )
    make_user(
        Role.ORIENTADOR, itagui, username="orientador", first_name="Luisa", last_name="Ospina"
    )
    tech = make_user(
        Role.TECNOLOGO,
        centro,
        username="tecnologo",
        first_name="Óscar",
        last_name="Ramírez",
        work_mode=WorkMode.HOME,
    )
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    roster_entry_add(
        day=timezone.localdate(),
        technologist=tech,
        office=itagui,
        modality=RemoteModality.CELULAR,
        by=None,
    )
    shift_check_record(technologist=tech, audio=True, printer=True)
    document = tmp_path / "constancia.pdf"
    document.write_bytes(PDF)
    scan = tmp_path / "constancia-firmada.png"
    scan.write_bytes(PNG)
    recording = tmp_path / "llamada.mp3"
    recording.write_bytes(MP3)

    # The technologist opens the booth: nothing waiting yet in Itagüí.
    login(page, "tecnologo")
    page.get_by_role("link", name="Taquilla virtual").click()
    expect(page.locator("h1")).to_have_text("Taquilla virtual")
    office_section = page.locator('[data-office="Oficina Itagüí"]')
    expect(office_section.locator(".no-turns")).to_be_visible()

    # The encargado gives a turn on the turn desk, with the customer's mobile (CEL-02).
    desk_context = _context(browser, viewport=TABLET)
    try:
        desk = desk_context.new_page()
        login(desk, "encargado")
        desk.goto(f"{live_server.url}/oficina/turnos/")
        desk.locator("#id_transaction_type").select_option(label="Cambio de suscriptor")
        desk.get_by_label("¿Acepta atención a distancia por celular?").check()
        desk.get_by_label("Celular del cliente").fill("311 222 3344")
        screenshot(desk, "desborde-celular-mesa-de-turnos")
        desk.get_by_role("button", name="Entregar turno").click()
        expect(desk.get_by_text("Turno ITA-001 entregado.")).to_be_visible()
    finally:
        desk_context.close()
    turn = Turn.objects.get()
    assert turn.accepts_remote and turn.mobile == "3112223344"

    # CEL-03: it appears in the booth without reloading.
    row = page.locator(f'[data-turn="{turn.number}"]')
    expect(row).to_be_visible(timeout=10_000)
    expect(row.locator(".turn-mobile")).to_have_text("3112223344")
    screenshot(page, "desborde-celular-taquilla-virtual")
    row.get_by_role("button", name=f"Llamar el turno {turn.number}").click()

    dial = page.locator("#dial-link")
    expect(dial).to_have_attribute("href", "tel:0033112223344")
    expect(dial).to_contain_text("0033112223344")
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO and turn.called_by == tech
    screenshot(page, "desborde-celular-llamada")

    # The customer accepts: the technologist registers them and the pedido (CEL-04).
    expect(page.get_by_label("Pedido")).to_be_checked()  # the turn's transaction is a pedido
    page.get_by_label("Número de documento").fill("43512876")
    page.get_by_label("Nombre completo del cliente").fill("María Elena Restrepo")
    page.get_by_label("Contrato EPM").fill("1234567")
    page.get_by_role("button", name="Registrar el caso").click()

    case = Case.objects.get()
    expect(page.locator("h1")).to_contain_text(f"Caso {case.number}")
    expect(page.get_by_text(f"Caso CRM {case.number} registrado desde el turno")).to_be_visible()
    crm = page.locator(".card", has=page.get_by_role("heading", name="Registro CRM", exact=True))
    expect(crm).to_contain_text("desborde celular")
    expect(crm).to_contain_text(turn.number)
    expect(crm).to_contain_text("Oficina Centro Medellín")
    expect(crm).to_contain_text("Oficina Itagüí")
    panel = page.locator("#cellphone-panel")
    expect(panel).to_contain_text("Oficina de atención")
    expect(panel.locator("#panel-dial-link")).to_have_attribute("href", "tel:0033112223344")
    assert case.channel.name == "desborde celular"
    assert case.supported_office == itagui and case.office == centro
    assert case.turn_number == turn.number and case.attention_medium == "verbal"

    # Documents go to the supported office's printer.
    page.get_by_label("Documento", exact=True).fill("Constancia de atención")
    page.get_by_label("Archivo a imprimir (PDF o imagen)").set_input_files(str(document))
    page.get_by_role("button", name="Enviar a imprimir").click()
    expect(page.get_by_text("enviado a la cola de impresión de Oficina Itagüí")).to_be_visible()
    expect(page.locator("#print-jobs")).to_contain_text("Impresora Itagüí")
    screenshot(page, "desborde-celular-caso")
    job = PrintJob.objects.get()
    assert job.office == itagui and job.printer.name == "Impresora Itagüí"

    # The office prints, verifies with the customer and uploads the signed scan.
    office_context = _context(browser, viewport=TABLET)
    try:
        office_page = office_context.new_page()
        login(office_page, "orientador")
        office_page.goto(f"{live_server.url}/desborde/impresion/")
        card = office_page.locator(f"#job-{job.pk}")
        expect(card).to_contain_text(f"Constancia de atención — caso {case.number}")
        card.get_by_role("button", name="Marcar impreso").click()
        card = office_page.locator(f"#job-{job.pk}")
        card.get_by_label("Firmas capturadas").check()
        card.get_by_role("button", name="Verificar que corresponde al caso").click()
        card = office_page.locator(f"#job-{job.pk}")
        card.get_by_label("Documento escaneado (imagen o PDF)").set_input_files(str(scan))
        card.get_by_role("button", name="Cargar documento escaneado").click()
        expect(
            office_page.get_by_text("Documento escaneado cargado en el expediente")
        ).to_be_visible()
        screenshot(office_page, "desborde-celular-cola-impresion")
    finally:
        office_context.close()

    # The scan is in the case's evidence.
    page.reload()
    expect(page.get_by_role("link", name="constancia-firmada.png")).to_be_visible()
    signed = case.evidence.get(kind=EvidenceKind.SIGNED_SCAN)
    assert signed.uploaded_by.username == "orientador"

    # Core's protocol and closing apply; closing finishes the turn.
    page.locator("#id_kind").select_option("grabacion_llamada")
    page.locator("#id_file").set_input_files(str(recording))
    page.get_by_role("button", name="Cargar evidencia").click()
    expect(page.get_by_text("Evidencia cargada en el expediente.")).to_be_visible()
    page.locator("#id_initial_cause").select_option(label="información general")
    page.locator("#id_motive").fill("Cambio de suscriptor por compraventa; constancia firmada.")
    page.get_by_role("button", name="Registrar y cerrar").click()
    expect(page.get_by_text("Caso registrado y cerrado.")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO
    page.get_by_role("link", name="Taquilla virtual").click()
    expect(page.locator("#active-turn")).to_have_count(0)
    screenshot(page, "desborde-celular-taquilla-libre")
