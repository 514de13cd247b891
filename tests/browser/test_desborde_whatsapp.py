"""Browser: overflow by WhatsApp (2.2) and the office print queue, end to end at tablet size.

The orientador registers a WhatsApp customer with a photo of the invoice; the technologist (a
second browser) calls, sends a final document to the office printer and the proposed outcome;
closing before the customer agreed is refused; the orientador records the agreement; the
technologist closes. The orientador then prints the document, verifies it with the customer
(signature), uploads the signed scan to the case's evidence and hands it over.
"""

import struct
import zlib

import pytest
from playwright.sync_api import expect

from core.models import CaseStatus, EvidenceKind, PrintJob
from core.roles import Role
from desborde.models import Intake, OutcomeProposal
from tests.factories import OfficeFactory
from tests.helpers import TABLET, make_user, office_printer, pool_technologist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 413
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
AGREEMENT_REQUIRED = (
    "Antes de cerrar, el orientador debe registrar que el cliente está de acuerdo con la "
    "propuesta de cierre."
)
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def png_bytes(width: int = 24, height: int = 16) -> bytes:
    """A real RGB PNG (a green and white stripe pattern), like a small phone photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00"
        + b"".join(
            b"\x19\x87\x54" if (x // 4 + y // 4) % 2 else b"\xff\xff\xff" for x in range(width)
        )
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _fill_crm_and_close(tech_page):
    tech_page.locator("#id_initial_cause").select_option(label="información general")
    tech_page.locator("#id_motive").fill("Consulta del estado de cuenta; se envía la constancia.")
    tech_page.get_by_role("button", name="Registrar y cerrar").click()


def test_wa01_wa02_wa03_wa04_whatsapp_intake_agreement_and_print_queue(
    page, browser, live_server, login, screenshot, settings, tmp_path
):
    settings.WORKBENCH_REFRESH_SECONDS = 1
    settings.LIVE_FALLBACK_POLL_SECONDS = 1  # the WSGI live server has no websocket
    office = OfficeFactory(name="Oficina Rionegro", zone="Oriente")
    office_printer(office, "Impresora Rionegro")  # WA-04: where the office's documents print
    tech_office = OfficeFactory(name="Oficina Itagüí", zone="Sur")
    make_user(
        Role.ORIENTADOR, office, username="orientador", first_name="Pablo", last_name="Arango"
    )
    pool_technologist(tech_office, username="tecnologo", first_name="Beatriz", last_name="Gómez")
    photo = tmp_path / "factura.png"
    photo.write_bytes(png_bytes())
    recording = tmp_path / "llamada.mp3"
    recording.write_bytes(MP3)
    document = tmp_path / "constancia.pdf"
    document.write_bytes(PDF)
    scan = tmp_path / "constancia-firmada.png"
    scan.write_bytes(png_bytes(32, 24))

    # WA-01: WhatsApp registration with a photo of the invoice.
    page.set_viewport_size(TABLET)
    login(page, "orientador")
    expect(page.locator("h1")).to_have_text("Desborde de fila — Oficina Rionegro")
    page.get_by_role("link", name="Nuevo registro — WhatsApp").click()
    expect(page.locator("h1")).to_have_text("Nuevo registro — WhatsApp")
    page.get_by_label("¿Qué transacción necesita el cliente?").select_option(
        label="Consulta estado de cuenta"
    )
    page.get_by_role("button", name="Continuar").click()
    invoice = page.get_by_label("Foto de la factura")
    expect(invoice).to_have_attribute("accept", "image/*")
    expect(invoice).to_have_attribute("capture", "environment")
    page.get_by_label("Nombre completo del cliente").fill("Jorge Iván Cano")
    page.get_by_label("Número de documento").fill("71.234.567")
    page.get_by_label("Teléfono (celular o fijo)").fill("3207654321")
    page.get_by_label("Contrato EPM").fill("987654")
    invoice.set_input_files(str(photo))
    page.get_by_label("El cliente autoriza el tratamiento de sus datos personales").check()
    screenshot(page, "desborde-whatsapp-paso-2")
    page.get_by_role("button", name="Registrar cliente").click()

    intake = Intake.objects.select_related("case").get()
    case = intake.case
    expect(page.locator("#case-number")).to_have_text(f"Caso CRM {case.number}")
    expect(page.locator("#assigned-to")).to_contain_text("Beatriz Gómez")
    screenshot(page, "desborde-whatsapp-caso-crm")
    photos = case.evidence.filter(kind=EvidenceKind.INVOICE_PHOTO)
    assert [e.original_name for e in photos] == ["factura.png"]
    assert photos.get().file.read() == png_bytes()
    assert case.channel.name == "desborde WhatsApp"
    assert case.turn_number == "DFILA"

    # The orientador waits on the home page.
    page.get_by_role("link", name="Volver al inicio").click()
    expect(page.locator("#no-pending-proposals")).to_be_visible()

    tech_context = browser.new_context(
        viewport=TABLET, locale="es-CO", timezone_id="America/Bogota"
    )
    try:
        tech_page = tech_context.new_page()
        login(tech_page, "tecnologo")
        tech_page.get_by_role("link", name=case.number).click()
        expect(tech_page.locator("#desborde-panel")).to_contain_text("Desborde WhatsApp")
        expect(tech_page.locator("#desborde-panel")).to_contain_text("Pablo Arango")
        expect(tech_page.get_by_role("link", name="factura.png")).to_be_visible()
        tech_page.get_by_role("button", name="Contestó").click()
        expect(tech_page.get_by_text("Intento 1 registrado: contestó.")).to_be_visible()
        tech_page.locator("#id_kind").select_option("grabacion_llamada")
        tech_page.locator("#id_file").set_input_files(str(recording))
        tech_page.get_by_role("button", name="Cargar evidencia").click()
        expect(tech_page.get_by_text("Evidencia cargada en el expediente.")).to_be_visible()

        # WA-04: a final document to the office's printer.
        tech_page.get_by_label("Documento", exact=True).fill("Constancia de atención")
        tech_page.get_by_label("Archivo a imprimir (PDF o imagen)").set_input_files(str(document))
        tech_page.get_by_role("button", name="Enviar a imprimir").click()
        expect(
            tech_page.get_by_text("enviado a la cola de impresión de Oficina Rionegro")
        ).to_be_visible()
        expect(tech_page.locator("#print-jobs")).to_contain_text("en cola de impresión")

        # WA-03: closing before the customer agreed is refused.
        _fill_crm_and_close(tech_page)
        expect(tech_page.get_by_text(AGREEMENT_REQUIRED)).to_be_visible()
        case.refresh_from_db()
        assert not case.is_closed

        tech_page.get_by_label("Propuesta de cierre para socializar con el cliente").fill(
            "Se le envía al cliente la constancia con el estado de cuenta al día."
        )
        tech_page.get_by_role("button", name="Enviar propuesta al orientador").click()
        expect(tech_page.locator("#proposal-pending")).to_be_visible()
        screenshot(tech_page, "desborde-whatsapp-tecnologo-propuesta")

        # The proposal appears on the orientador's home page by itself.
        respond = page.get_by_role("link", name=f"Responder propuesta del caso {case.number}")
        expect(respond).to_be_visible(timeout=10_000)
        screenshot(page, "desborde-inicio-propuesta-pendiente")
        respond.click()
        expect(page.locator("#proposal-text")).to_contain_text("estado de cuenta al día")
        expect(page.locator("h1")).to_contain_text(case.number)
        expect(page.get_by_text("Jorge Iván Cano")).to_be_visible()
        screenshot(page, "desborde-propuesta-respuesta-cliente")
        page.get_by_role("button", name="El cliente está de acuerdo").click()
        expect(page.get_by_text("el cliente está de acuerdo")).to_be_visible()
        proposal = OutcomeProposal.objects.get()
        assert proposal.response == OutcomeProposal.Response.AGREED

        # Now the technologist may close.
        tech_page.reload()
        expect(tech_page.locator("#customer-agreed")).to_be_visible()
        _fill_crm_and_close(tech_page)
        expect(tech_page.get_by_text("Caso registrado y cerrado.")).to_be_visible()
    finally:
        tech_context.close()

    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.office == tech_office
    assert case.supported_office == office

    # WA-04: the orientador works the print queue.
    job = PrintJob.objects.get()
    page.get_by_role("link", name="Abrir la cola de impresión").click()
    card = page.locator(f"#job-{job.pk}")
    expect(card).to_contain_text(f"Constancia de atención — caso {case.number}")
    expect(card).to_contain_text("Jorge Iván Cano")
    link = card.get_by_role("link", name="Abrir documento para imprimir")
    downloaded = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert downloaded.status == 200
    assert downloaded.body() == PDF
    expect(card.get_by_role("button", name="Entregado al cliente")).to_be_disabled()
    screenshot(page, "desborde-cola-impresion")

    card.get_by_role("button", name="Marcar impreso").click()
    expect(page.get_by_text("marcado como impreso")).to_be_visible()
    card.get_by_label("Firmas capturadas").check()
    card.get_by_role("button", name="Verificar que corresponde al caso").click()
    expect(page.get_by_text("verificado que corresponde al caso").first).to_be_visible()
    card.get_by_label("Documento escaneado (imagen o PDF)").set_input_files(str(scan))
    card.get_by_role("button", name="Cargar documento escaneado").click()
    expect(page.get_by_text("Documento escaneado cargado en el expediente")).to_be_visible()
    expect(card).to_contain_text("constancia-firmada.png")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    screenshot(page, "desborde-cola-impresion-verificado")
    card.get_by_role("button", name="Entregado al cliente").click()
    expect(page.locator("#print-queue-empty")).to_be_visible()

    job.refresh_from_db()
    assert job.printed_at and job.belongs_confirmed and job.handed_at
    assert job.signatures_taken and not job.fingerprints_taken
    scans = case.evidence.filter(kind=EvidenceKind.SIGNED_SCAN)
    assert [e.original_name for e in scans] == ["constancia-firmada.png"]
    assert scans.get().uploaded_by.username == "orientador"
