"""Browser (CEL-01): the gestor de equipo programs the morning's support roster in Django admin —
two technologists for an office through "Programar varios" — and sees them in today's list;
the pages run under the strict CSP without a violation."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import RosterEntry, StaffAvailability, WorkMode
from core.roles import Role
from tests.factories import OfficeFactory
from tests.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cel01_gestor_programs_two_technologists_in_admin(page, live_server, login, screenshot):
    home = OfficeFactory(name="Oficina Centro", code="CEN")
    OfficeFactory(name="Oficina Itagüí", code="ITA", technologist_count=1)
    make_user(Role.GESTOR, home, username="gestora", first_name="Gloria", is_staff=True)
    for username, first, last in [("ana", "Ana", "Ocampo"), ("beto", "Alberto", "Ríos")]:
        tech = make_user(
            Role.TECNOLOGO,
            home,
            username=username,
            first_name=first,
            last_name=last,
            work_mode=WorkMode.HOME,
        )
        StaffAvailability.objects.create(
            user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
        )
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    login(page, "gestora")
    page.goto(f"{live_server.url}/admin/core/rosterentry/")
    expect(page.get_by_role("link", name="Programar varios")).to_be_visible()
    page.get_by_role("link", name="Programar varios").click()
    expect(page.get_by_role("heading", name="Programar varios")).to_be_visible()
    page.get_by_label("Ana Ocampo — Oficina Centro (disponible)").check()
    page.get_by_label("Alberto Ríos — Oficina Centro (disponible)").check()
    page.get_by_label("Oficina Itagüí — celular: 0 de 2").check()
    screenshot(page, "roster-admin-programar-varios")
    page.get_by_role("button", name="Programar").click()

    expect(page.get_by_text("Se programaron 2 apoyos")).to_be_visible()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Ana Ocampo")).to_contain_text("Oficina Itagüí")
    expect(rows.filter(has_text="Alberto Ríos")).to_contain_text("Oficina Itagüí")
    screenshot(page, "roster-admin-lista-del-dia")
    assert RosterEntry.objects.filter(office__code="ITA", day=timezone.localdate()).count() == 2
    assert violations == []
