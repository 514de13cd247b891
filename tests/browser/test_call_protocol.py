"""Browser: the technologist's whole call protocol (CORE-07, CORE-10, CORE-11).

The technologist logs in, the case assigned by the round-robin appears by itself in "Mis casos",
three unanswered calls, the voicemail script with the customer's name, the voicemail recording
uploaded, the case closed "cerrado sin contacto".
"""

import struct

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from core.models import AssignmentPool, Case, CaseStatus, StaffAvailability
from core.roles import Role
from tests.factories import CustomerFactory, OfficeFactory, UserFactory, make_case
from tests.helpers import TABLET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wav(tmp_path):
    data = b"\x00\x00" * 800
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data"
    path = tmp_path / "mensaje-de-voz.wav"
    path.write_bytes(header + struct.pack("<I", len(data)) + data)
    return path


def test_core07_core10_technologist_protocol_to_voicemail_closure(
    page, live_server, login, screenshot, settings, tmp_path
):
    settings.WORKBENCH_REFRESH_SECONDS = 1
    settings.LIVE_FALLBACK_POLL_SECONDS = 1  # the WSGI live server has no websocket
    office = OfficeFactory(name="Oficina Itagüí")
    tech = UserFactory(
        username="tecnologa", first_name="Beatriz", last_name="Gómez", home_office=office
    )
    tech.groups.add(Group.objects.get(name=Role.TECNOLOGO))
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode="trabajo_en_casa"
    )
    pool = AssignmentPool.objects.create(code="desborde-itagui", name="Desborde", batch_size=1)
    pool.members.add(tech)

    page.set_viewport_size(TABLET)
    login(page, "tecnologa")
    expect(page.get_by_role("heading", name="Mis casos")).to_be_visible()
    expect(page.locator("#workbench-empty")).to_be_visible()

    # A case enters the pool while the page is open: it appears without reloading.
    customer = CustomerFactory(full_name="María Elena Restrepo", mobile="3104567890")
    case = make_case(customer=customer, pool=pool, supported_office=office)
    assert Case.objects.get(pk=case.pk).assigned_to == tech
    row = page.locator(f'tr[data-case="{case.number}"]')
    expect(row).to_be_visible(timeout=10_000)
    screenshot(page, "core-mis-casos-caso-nuevo")

    page.get_by_role("link", name=case.number).click()
    expect(page.locator("#number-to-dial")).to_have_text("3104567890")
    for n in range(1, 4):
        page.get_by_role("button", name="No contesta").click()
        expect(page.get_by_text(f"Intento {n} registrado: no contesta.")).to_be_visible()
    expect(page.get_by_role("button", name="No contesta")).to_have_count(0)  # no 4th attempt
    script = page.locator("#voicemail-script")
    expect(script).to_contain_text("María Elena Restrepo")
    expect(script).to_contain_text("desborde formulario web")
    expect(script).to_contain_text("01 800 415 115 para otros municipios")
    screenshot(page, "core-guion-mensaje-de-voz")

    page.locator("#voicemail-file").set_input_files(str(_wav(tmp_path)))
    page.get_by_role("button", name="Publicar mensaje de voz y cerrar sin contacto").click()
    expect(page.get_by_text("caso cerrado sin contacto")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Caso {case.number}")).to_contain_text(
        "cerrado sin contacto"
    )
    expect(page.get_by_role("link", name="mensaje-de-voz.wav")).to_be_visible()
    screenshot(page, "core-caso-cerrado-sin-contacto")

    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_SIN_CONTACTO
    assert case.initial_cause.name == "información general"

    page.get_by_role("link", name="Mis casos").click()
    expect(page.locator(f'tr[data-case="{case.number}"]')).to_have_count(0)
