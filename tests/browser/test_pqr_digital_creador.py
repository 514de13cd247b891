"""Browser: the creador de experiencia turns a Facebook mention into a PQR (2.7, PQR-01..06).

A mention arrives in the shared inbox without its contract. The creador opens it (laptop),
types the data the mention has, asks the user by inbox for the contract (a manual message:
copied into Facebook's console and marked as sent). The user answers (the webhook, simulated
with ``interaction_receive``): the page says so by itself. The creador types the contract, files
the PQR, marks the message with the number as sent and attaches the screenshot of the chat. The
inbox is then empty; on a tablet it has no horizontal scroll.
"""

import struct
import zlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import CaseStatus, EvidenceKind, OutboundMessage, PqrType
from core.roles import Role
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services.interactions import interaction_receive
from tests.factories import OfficeFactory
from tests.helpers import TABLET, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def png_bytes(width: int = 24, height: int = 16) -> bytes:
    """A real RGB PNG, like a small screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00"
        + b"".join(b"\x19\x87\x54" if (x + y) % 3 else b"\xff\xff\xff" for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _deliver(text: str):
    """The network's webhook: the same Facebook user writes."""
    return interaction_receive(
        channel=DigitalChannel.FACEBOOK,
        provider="meta",
        sender_id="fb-7788",
        sender_name="@vecinabello",
        text=text,
        at=timezone.now(),
    )


def test_pqr01_pqr02_pqr03_pqr06_facebook_mention_becomes_a_pqr(
    page, live_server, login, screenshot, settings, tmp_path
):
    settings.WORKBENCH_REFRESH_SECONDS = 1
    settings.LIVE_FALLBACK_POLL_SECONDS = 1  # the WSGI live server has no websocket
    make_user(
        Role.CREADOR,
        OfficeFactory(name="Contact Center"),
        username="creador",
        first_name="Paula",
        last_name="Ríos",
    )
    capture = tmp_path / "captura-facebook.png"
    capture.write_bytes(png_bytes())
    interaction = _deliver(
        "@EPMestamosahi me llegó la factura altísima, soy Marcela Ríos CC 43987654 y no estoy "
        "de acuerdo con el consumo de energía."
    )

    # The shared inbox: the mention is there, nobody has it yet.
    page.set_viewport_size(LAPTOP)
    login(page, "creador")
    expect(page.locator("h1")).to_have_text("Bandeja de interacciones")
    row = page.locator(f"tr[data-interaction='{interaction.pk}']")
    expect(row).to_contain_text("Facebook")
    expect(row).to_contain_text("@vecinabello")
    expect(row).to_contain_text("sin asignar")
    screenshot(page, "pqr-digital-bandeja")
    row.get_by_role("link", name="Abrir").click()

    # PQR-02: what the mention has; the contract is missing.
    expect(page.locator("h1")).to_have_text("Interacción de Facebook")
    page.get_by_label("Nombre", exact=True).fill("Marcela Ríos Gaviria")
    page.get_by_label("Número de identificación").fill("43987654")
    page.get_by_label("Motivo de la petición (Motivo PQR — detalle)").fill(
        "Inconformidad con el consumo de energía facturado en el último periodo."
    )
    page.get_by_role("button", name="Guardar datos").click()
    expect(page.get_by_text("Datos guardados.")).to_be_visible()
    expect(page.locator("#missing")).to_have_text("contrato o dirección del inmueble")

    # The request by inbox: a manual message, copied into Facebook and marked as sent.
    page.get_by_role("button", name="Solicitar información por inbox").click()
    expect(page.locator("#waiting")).to_be_visible()
    request = page.locator("li[data-purpose='solicitud_informacion']")
    expect(request).to_contain_text("necesitamos los siguientes datos: contrato o dirección")
    expect(request.get_by_role("button", name="Copiar texto")).to_be_visible()
    screenshot(page, "pqr-digital-solicitud-informacion")
    request.get_by_role("button", name="Marcar como enviado").click()
    expect(page.get_by_text("Mensaje marcado como enviado.")).to_be_visible()
    expect(page.locator("li[data-purpose='solicitud_informacion']")).to_contain_text(
        "por Paula Ríos (a mano)"
    )

    # The user answers through Facebook: the page shows it without reloading.
    answered = _deliver("Mi contrato es el 1203456")
    assert answered.pk == interaction.pk
    expect(page.locator("#open-state")).to_contain_text("El usuario respondió", timeout=10_000)

    # PQR-03: file it.
    page.get_by_label("Contrato", exact=True).fill("1203456")
    expect(
        page.get_by_text("¿El reclamo es por servicio de alcantarillado no prestado?")
    ).to_be_visible()
    expect(
        page.get_by_label("Relación del solicitante con el inmueble (no residencial)")
    ).to_be_hidden()
    page.get_by_role("button", name="Radicar PQR").click()

    interaction.refresh_from_db()
    case = interaction.case
    assert case is not None
    expect(page.locator("#pqr-number")).to_have_text(case.number)
    expect(page.locator("#screenshot-missing")).to_contain_text("La PQR no está completa")
    filed = page.locator("li[data-purpose='pqr_radicada']")
    expect(filed).to_contain_text(f"Registramos su reclamo con el número {case.number}")
    expect(filed).to_contain_text("Motivo PQR (Detalle): Inconformidad con el consumo")
    screenshot(page, "pqr-digital-pqr-radicada")

    # PQR-06: the message with the number, then the screenshot that shows it.
    filed.get_by_role("button", name="Marcar como enviado").click()
    expect(page.locator("li[data-purpose='pqr_radicada']")).to_contain_text("Enviado el")
    page.get_by_label("Captura de la interacción (imagen o PDF)").set_input_files(str(capture))
    page.get_by_role("button", name="Adjuntar captura").click()
    expect(page.get_by_text("Captura adjuntada a la PQR.")).to_be_visible()
    expect(page.locator("#screenshot-missing")).to_have_count(0)
    expect(page.locator("#screenshots")).to_contain_text("captura-facebook.png")
    screenshot(page, "pqr-digital-captura")

    case.refresh_from_db()
    assert case.pqr_type == PqrType.RECLAMO
    assert case.channel.name == "Facebook"
    assert case.status == CaseStatus.ABIERTO
    assert case.contract_number == "1203456"
    assert case.evidence.get().kind == EvidenceKind.CHAT_SCREENSHOT
    assert case.evidence.get().file.read() == png_bytes()
    sent = OutboundMessage.objects.filter(status=OutboundMessage.Status.SENT)
    assert sorted(sent.values_list("purpose", flat=True)) == [
        "pqr_radicada",
        "solicitud_informacion",
    ]
    assert Interaction.objects.get().status == Interaction.Status.PQR_CREATED

    # The case page shows the panel; the inbox is empty, also on a tablet.
    page.get_by_role("link", name="ver el caso").click()
    expect(page.locator("#pqr-digital-panel")).to_contain_text("@vecinabello")
    expect(page.locator("#pqr-digital-panel")).to_contain_text("PQR radicada: motivo y número")
    screenshot(page, "pqr-digital-caso")
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}/pqr-digital/")
    expect(page.locator("#inbox-empty")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    screenshot(page, "pqr-digital-bandeja-tableta")
