"""Browser (PQR-08): the gestor de oficina of the Unidad Canales Regional lands on the digital
PQR to hand out, selects two, gives them to a technologist; the technologist logs in and finds
them in Mis casos with their due date."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.business_days import BOGOTA
from core.models import CaseStatus, Unit
from core.roles import Role
from pqr_digital.models import DigitalChannel
from tests.factories import CustomerFactory, OfficeFactory
from tests.factories.pqr_digital import make_digital_pqr
from tests.helpers import TABLET, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pqr08_gestor_de_oficina_reassigns_and_the_technologist_sees_them(
    page, live_server, login, screenshot
):
    regional = OfficeFactory(unit=Unit.REGIONAL, name="Oficina Rionegro")
    make_user(Role.GESTOR_OFICINA, regional, username="gestora", first_name="Gloria")
    make_user(
        Role.TECNOLOGO, regional, username="tecnologo", first_name="Beatriz", last_name="Ocampo"
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    filed = dt.datetime.combine(yesterday, dt.time(9, 30), tzinfo=BOGOTA)
    cases = [
        make_digital_pqr(
            channel=channel,
            filed_at=filed + dt.timedelta(minutes=i),
            customer=CustomerFactory(full_name=name),
        )
        for i, (channel, name) in enumerate(
            [
                (DigitalChannel.FACEBOOK, "Néstor Ramírez"),
                (DigitalChannel.WHATSAPP, "Ángela Muñoz"),
                (DigitalChannel.TWITTER, "Jorge Peña"),
            ]
        )
    ]

    page.set_viewport_size(TABLET)
    login(page, "gestora")
    expect(page.get_by_role("heading", name="PQR digitales por reasignar")).to_be_visible()
    for case in cases:
        expect(page.get_by_role("link", name=case.number)).to_be_visible()
    page.get_by_label(f"Seleccionar {cases[0].number}").check()
    page.get_by_label(f"Seleccionar {cases[1].number}").check()
    page.get_by_label("Reasignar a").select_option(label="Beatriz Ocampo")
    page.get_by_label("Motivo").fill("Exporte del día")
    screenshot(page, "pqr-digital-reasignacion-seleccion")
    page.get_by_role("button", name="Reasignar seleccionadas").click()

    expect(page.get_by_text("Se reasignaron 2 PQR a Beatriz Ocampo")).to_be_visible()
    expect(page.get_by_role("link", name=cases[2].number)).to_be_visible()
    expect(page.get_by_role("link", name=cases[0].number)).to_have_count(0)
    screenshot(page, "pqr-digital-reasignacion-hecha")
    for case in cases[:2]:
        case.refresh_from_db()
        assert case.status == CaseStatus.ASIGNADO and case.assigned_to.username == "tecnologo"

    page.get_by_role("button", name="Salir").click()
    login(page, "tecnologo")
    expect(page.get_by_role("heading", name="Mis casos")).to_be_visible()
    for case in cases[:2]:
        row = page.locator(f'tr[data-case="{case.number}"]')
        expect(row).to_be_visible()
        expect(row).to_contain_text(f"{case.due_date:%d/%m/%Y}")
    expect(page.locator(f'tr[data-case="{cases[2].number}"]')).to_have_count(0)
    screenshot(page, "pqr-digital-mis-casos-tecnologo")
