"""Browser: overflow by web form (2.1) on the orientador's tablet, end to end.

The orientador logs in on a 768×1024 tablet and lands on "Desborde de fila"; an ineligible
transaction is refused with the "continúe en la fila" message; an eligible one registers the
customer and shows the CRM case number and the technologist the round-robin chose. The
technologist, in a second browser, finds the case in "Mis casos", calls, uploads the recording,
fills the CRM fields and closes; the orientador's intake list then shows the PQR number by itself.
"""

import pytest
from playwright.sync_api import expect

from core.models import CaseStatus
from core.roles import Role
from desborde.models import Intake
from tests.factories import OfficeFactory
from tests.helpers import TABLET, make_user, pool_technologist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 413
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_df01_df02_df03_df04_web_form_intake_to_registered_pqr(
    page, browser, live_server, login, screenshot, settings, tmp_path
):
    settings.WORKBENCH_REFRESH_SECONDS = 1
    settings.LIVE_FALLBACK_POLL_SECONDS = 1  # the WSGI live server has no websocket
    office = OfficeFactory(name="Oficina Envigado", zone="Sur")
    tech_office = OfficeFactory(name="Oficina Itagüí", zone="Sur")
    make_user(
        Role.ORIENTADOR, office, username="orientadora", first_name="Luisa", last_name="Mejía"
    )
    pool_technologist(tech_office, username="tecnologa", first_name="Beatriz", last_name="Gómez")

    # The orientador lands on the tablet page of their office.
    page.set_viewport_size(TABLET)
    login(page, "orientadora")
    expect(page).to_have_url(f"{live_server.url}/desborde/")
    expect(page.locator("h1")).to_have_text("Desborde de fila — Oficina Envigado")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    screenshot(page, "desborde-inicio-tableta")

    # DF-01: an ineligible transaction is refused, nothing registered.
    page.get_by_role("link", name="Nuevo registro — formulario web").click()
    expect(page.locator("h1")).to_have_text("Nuevo registro — formulario web")
    transaction = page.get_by_label("¿Qué transacción necesita el cliente?")
    transaction.select_option(label="Financiación / Refinanciación")
    page.get_by_role("button", name="Continuar").click()
    expect(page.locator("#transaction-error")).to_contain_text("continúe en la fila, tome el ficho")
    expect(page.get_by_label("Nombre completo del cliente")).to_have_count(0)
    screenshot(page, "desborde-transaccion-no-elegible")
    assert not Intake.objects.exists()

    # An eligible one opens step 2.
    page.get_by_label("¿Qué transacción necesita el cliente?").select_option(
        label="Duplicado de factura"
    )
    page.get_by_role("button", name="Continuar").click()
    expect(page.locator("#chosen-transaction")).to_have_text("Duplicado de factura")
    expect(page.locator("#consent-text")).to_contain_text("Ley 1581 de 2012")
    expect(page.locator("input[type=file]")).to_have_count(0)  # photos: WhatsApp only

    # A bad phone number gets its Spanish message next to it; what was typed is kept.
    page.get_by_label("Nombre completo del cliente").fill("María Elena Restrepo")
    page.get_by_label("Tipo de documento").select_option("CC")
    page.get_by_label("Número de documento").fill("43.512.876")
    page.get_by_label("Teléfono (celular o fijo)").fill("12345")
    page.get_by_label("Contrato EPM").fill("123456789")
    page.get_by_label("Correo electrónico").fill("maria.restrepo@example.com")
    page.get_by_label("El cliente autoriza el tratamiento de sus datos personales").check()
    page.get_by_role("button", name="Registrar cliente").click()
    expect(page.locator('[data-error-for="phone"]')).to_contain_text(
        "Ingrese un teléfono colombiano válido"
    )
    expect(page.get_by_label("Nombre completo del cliente")).to_have_value("María Elena Restrepo")
    screenshot(page, "desborde-formulario-error-telefono")
    assert not Intake.objects.exists()

    page.get_by_label("Teléfono (celular o fijo)").fill("310 456 7890")
    page.get_by_label("El cliente autoriza el tratamiento de sus datos personales").check()
    screenshot(page, "desborde-formulario-web-paso-2")
    page.get_by_role("button", name="Registrar cliente").click()

    # DF-02: the case number and the technologist who will call.
    intake = Intake.objects.select_related("case").get()
    case = intake.case
    expect(page.locator("#case-number")).to_have_text(f"Caso CRM {case.number}")
    expect(page.locator("#assigned-to")).to_contain_text("Beatriz Gómez")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    screenshot(page, "desborde-registro-caso-crm")

    # The orientador keeps the day's list open; it refreshes by itself.
    page.goto(f"{live_server.url}/desborde/registros/")
    row = page.locator(f'tr[data-case="{case.number}"]')
    expect(row).to_contain_text("María Elena Restrepo")
    expect(row).to_contain_text("Beatriz Gómez")
    expect(row.locator(".pqr-numbers")).to_have_text("—")
    screenshot(page, "desborde-registros-del-dia")

    # DF-03: the technologist, in a second browser.
    tech_context = browser.new_context(
        viewport=TABLET, locale="es-CO", timezone_id="America/Bogota"
    )
    try:
        tech_page = tech_context.new_page()
        login(tech_page, "tecnologa")
        expect(tech_page.get_by_role("heading", name="Mis casos")).to_be_visible()
        tech_page.get_by_role("link", name=case.number).click()
        expect(tech_page.locator("#desborde-panel")).to_contain_text("Luisa Mejía")
        expect(tech_page.locator("#desborde-panel")).to_contain_text("Oficina Envigado")
        expect(tech_page.locator("#number-to-dial")).to_have_text("3104567890")
        tech_page.get_by_role("button", name="Contestó").click()
        expect(tech_page.get_by_text("Intento 1 registrado: contestó.")).to_be_visible()

        recording = tmp_path / "llamada.mp3"
        recording.write_bytes(MP3)
        tech_page.locator("#id_kind").select_option("grabacion_llamada")
        tech_page.locator("#id_file").set_input_files(str(recording))
        tech_page.get_by_role("button", name="Cargar evidencia").click()
        expect(tech_page.get_by_text("Evidencia cargada en el expediente.")).to_be_visible()

        expect(tech_page.locator("#id_turn_number")).to_have_value("DFILA")
        tech_page.locator("#id_initial_cause").select_option(label="información general")
        tech_page.locator("#id_motive").fill("Duplicado de la factura enviado al correo.")
        screenshot(tech_page, "desborde-tecnologo-caso-formulario-web")
        tech_page.get_by_role("button", name="Registrar y cerrar").click()
        expect(tech_page.get_by_text("Caso registrado y cerrado.")).to_be_visible()
    finally:
        tech_context.close()

    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.channel.name == "desborde formulario web"
    assert case.turn_number == "DFILA"
    assert case.office == tech_office
    assert case.supported_office == office

    # DF-04: the PQR number appears in the orientador's list without reloading.
    expect(row.locator(".pqr-numbers")).to_have_text(case.number, timeout=10_000)
    expect(row).to_contain_text("cerrado con solución en primer contacto")
    screenshot(page, "desborde-registros-pqr-registrada")

    # NFR-01: the same page on a phone has no horizontal scroll.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/desborde/")
    expect(page.locator("h1")).to_have_text("Desborde de fila — Oficina Envigado")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    screenshot(page, "desborde-inicio-celular")
