"""Browser: the encargado's turn desk on the tablet (CEL-02, CEL-03).

The encargado of an office without orientador opens "Turnos": the remote question appears only
for a transaction that may be attended by cellphone there; a turn with a mobile is given; when
the supporting technologist's call cannot connect, the notice appears on the desk and on the
office page without reloading, and "Atender presencial" takes the turn off the remote list.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import RemoteModality, RosterEntry, Turn, TurnStatus
from core.roles import Role
from core.services import turns as svc
from tests.factories import OfficeFactory
from tests.helpers import TABLET, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "¿Acepta atención a distancia por celular?"
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_cel02_cel03_turn_desk_on_the_tablet(page, live_server, login, screenshot, settings):
    # The WSGI live server has no websockets: the pages fall back to polling, every second here.
    settings.LIVE_FALLBACK_POLL_SECONDS = 1
    office = OfficeFactory(name="Oficina Caldas", has_orientador=False)
    make_user(Role.ENCARGADO, office, username="encargada", first_name="Marta", last_name="Ríos")
    tech = make_user(Role.TECNOLOGO, OfficeFactory(), username="tecnologo_apoyo")
    RosterEntry.objects.create(
        day=timezone.localdate(),
        technologist=tech,
        office=office,
        modality=RemoteModality.CELULAR,
    )

    page.set_viewport_size(TABLET)
    login(page, "encargada")
    page.goto(f"{live_server.url}/oficina/turnos/")
    expect(page.locator("h1")).to_have_text("Turnos — Oficina Caldas")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    # Without orientador, Radicación de documentos is not attended by cellphone here.
    transaction = page.get_by_label("Transacción")
    transaction.select_option(label="Radicación de documentos")
    expect(page.locator("#turn-remote-none")).to_be_visible()
    expect(page.get_by_label(QUESTION)).to_have_count(0)
    transaction.select_option(label="Duplicado de factura")
    expect(page.get_by_label(QUESTION)).to_be_visible()
    page.get_by_label(QUESTION).check()
    page.get_by_label("Celular del cliente").fill("311 222 3344")
    screenshot(page, "turnos-entregar-tableta")
    page.get_by_role("button", name="Entregar turno").click()
    number = f"{office.code}-001"
    expect(page.get_by_role("alert").first).to_contain_text(f"Turno {number} entregado.")
    row = page.locator(f'#turn-table tr[data-turn="{number}"]')
    expect(row).to_contain_text("celular 311•••••44")

    # The supporting technologist cannot connect: the desk shows it by itself.
    turn = Turn.objects.get(number=number)
    svc.turn_take(turn=turn, by=tech)
    svc.turn_no_connect(turn=turn, by=tech)
    notice = page.locator("#turn-alerts-box")
    expect(notice).to_contain_text("No se pudo comunicar con el cliente", timeout=10_000)
    expect(notice).to_contain_text(number)
    screenshot(page, "turnos-no-conecta-tableta")

    # The office page shows it too, and the decision is taken there.
    page.goto(f"{live_server.url}/oficina/")
    expect(page.locator("#turn-alerts-box")).to_contain_text(number)
    page.get_by_role("button", name="Atender presencial").click()
    expect(page).to_have_url(f"{live_server.url}/oficina/")
    expect(page.get_by_role("alert").first).to_contain_text("será atendido de manera presencial")
    expect(page.locator("#turn-alerts-box")).to_have_count(0)
    turn.refresh_from_db()
    assert (turn.status, turn.accepts_remote, turn.needs_office_check) == (
        TurnStatus.EN_ESPERA,
        False,
        False,
    )
