"""Browser: each role logs in and lands on its own start page; the case page shows LEG-01."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.models import CaseStatus
from core.roles import Role
from tests.factories import OfficeFactory, UserFactory, make_case
from tests.helpers import TABLET

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _user(username, role, office):
    user = UserFactory(
        username=username, first_name="Álvaro", last_name="Prueba", home_office=office
    )
    user.groups.add(Group.objects.get(name=str(role)))
    return user


def test_core10_leg01_technologist_sees_case_with_due_date(page, live_server, login, screenshot):
    """A technologist lands on "Mis casos", opens the case and reads its due date (LEG-01)."""
    office = OfficeFactory(name="Oficina Itagüí")
    tech = _user("tecnologo_b", Role.TECNOLOGO, office)
    case = make_case(assigned_to=tech, supported_office=office, status=CaseStatus.ASIGNADO)
    other = make_case()  # not assigned to this technologist: must not show

    page.set_viewport_size(TABLET)
    login(page, "tecnologo_b")
    expect(page.get_by_role("heading", name="Mis casos")).to_be_visible()
    expect(page.get_by_role("link", name=case.number)).to_be_visible()
    expect(page.get_by_text(other.number)).to_have_count(0)
    screenshot(page, "core-mis-casos-tableta")

    page.get_by_role("link", name=case.number).click()
    expect(page.locator("#due-date")).to_contain_text(case.due_date.strftime("%d/%m/%Y"))
    expect(page.get_by_text("Oficina Itagüí")).to_be_visible()
    screenshot(page, "core-caso-tableta")


def test_nfr02_orientador_lands_on_desborde_page_and_cannot_open_admin(page, live_server, login):
    """The orientador's start page is the overflow tablet page of their office (/desborde/)."""
    office = OfficeFactory(name="Oficina Bello")
    _user("orientador_b", Role.ORIENTADOR, office)
    login(page, "orientador_b")
    expect(page).to_have_url(f"{live_server.url}/desborde/")
    expect(page.locator("h1")).to_have_text("Desborde de fila — Oficina Bello")
    response = page.goto(f"{live_server.url}/casos/999999/")
    assert response.status == 404


def test_wrong_password_shows_spanish_message(page, live_server, login):
    _user("tecnologo_c", Role.TECNOLOGO, OfficeFactory())
    login(page, "tecnologo_c", password="equivocada")
    expect(page.get_by_text("Usuario o contraseña incorrectos")).to_be_visible()
