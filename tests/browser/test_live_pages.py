"""Browser: live pages over the websocket (NFR-01, CEL-02, CEL-03, AL-03), against the ASGI server.

The polling fallback is set to ten minutes, so whatever appears within seconds was pushed by the
socket: a turn given by another actor (the service, as the external turn system would) shows on
the encargado's turn desk and in the supporting technologist's virtual booth without reloading.
Then the desk's socket drops; a turn given while it is down is not lost: when the socket comes
back (live.js reconnects with backoff) the page re-fetches its lists. The AL-03 question is
answered on the desk (htmx, no reload) and the desk runs under the CSP without violations.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import RemoteModality, RosterEntry, TransactionType, WorkMode
from core.roles import Role
from core.services import turns as svc
from core.services.roster import shift_check_record
from tests.factories import OfficeFactory
from tests.helpers import TABLET, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUSHED = 8_000  # ms: far below the ten-minute fallback poll
CONNECTED = "() => window.liveConnected === true"
DISCONNECTED = "() => window.liveConnected === false"


def _context(browser, **kwargs):
    return browser.new_context(locale="es-CO", timezone_id="America/Bogota", **kwargs)


def _turn(office, *, remote: bool):
    return svc.turn_create(
        office=office,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        accepts_remote=remote,
        mobile="3112223344" if remote else "",
    )


class SocketSwitch:
    """Routes the page's /ws/live/ through Playwright: connected to the server while ``up``,
    refused (closed at once) while down; ``drop()`` closes the open ones."""

    def __init__(self, page):
        self.up = True
        self.routes = []
        page.route_web_socket(re.compile(r"/ws/live/$"), self._route)

    def _route(self, ws):
        if not self.up:
            ws.close(code=4000, reason="caída simulada")
            return
        ws.connect_to_server()
        self.routes.append(ws)

    def drop(self):
        self.up = False
        for ws in self.routes:
            ws.close(code=4000, reason="caída simulada")
        self.routes.clear()


def test_nfr01_turns_are_pushed_to_the_desk_and_the_booth_and_caught_up_after_a_drop(
    page, browser, asgi_live_server, asgi_login, screenshot, settings
):
    settings.LIVE_FALLBACK_POLL_SECONDS = 600  # only the socket can bring a change in time
    settings.KIOSK_HEARTBEAT_SECONDS = 2
    office = OfficeFactory(name="Oficina Envigado", code="ENV", has_orientador=True)
    make_user(Role.ENCARGADO, office, username="encargada", first_name="Marta", last_name="Ríos")
    tech = make_user(
        Role.TECNOLOGO,
        OfficeFactory(name="Oficina Centro"),
        username="tecnologo",
        first_name="Óscar",
        last_name="Ramírez",
        work_mode=WorkMode.HOME,
    )
    for modality in (RemoteModality.CELULAR, RemoteModality.ASESOR_EN_LINEA):
        RosterEntry.objects.create(
            day=timezone.localdate(), technologist=tech, office=office, modality=modality
        )
    shift_check_record(technologist=tech, audio=True, printer=True)

    # The encargado's turn desk, its socket routed through a switch the test controls.
    page.set_viewport_size(TABLET)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    switch = SocketSwitch(page)
    asgi_login(page, "encargada")
    page.goto(f"{asgi_live_server.url}/oficina/turnos/")
    expect(page.locator("h1")).to_have_text("Turnos — Oficina Envigado")
    page.wait_for_function(CONNECTED, timeout=10_000)

    # The technologist's virtual booth, in a second browser.
    booth_context = _context(browser)
    try:
        booth = booth_context.new_page()
        asgi_login(booth, "tecnologo")
        booth.goto(f"{asgi_live_server.url}/desborde/taquilla/")
        expect(booth.locator("h1")).to_have_text("Taquilla virtual")
        booth.wait_for_function(CONNECTED, timeout=10_000)

        # Another actor gives a turn: pushed to both pages within seconds.
        remote = _turn(office, remote=True)
        expect(page.locator(f'#turn-table tr[data-turn="{remote.number}"]')).to_be_visible(
            timeout=PUSHED
        )
        booth_row = booth.locator(f'#booth-turns [data-turn="{remote.number}"]')
        expect(booth_row).to_be_visible(timeout=PUSHED)
        expect(booth_row.locator(".turn-mobile")).to_have_text("3112223344")
        screenshot(booth, "en-vivo-taquilla-turno-nuevo")
    finally:
        booth_context.close()

    # AL-03 on the desk: the customer waiting in the office is asked; "Sí" answers without reload.
    in_person = _turn(office, remote=False)
    row = page.locator(f'#turn-table tr[data-turn="{in_person.number}"]')
    expect(row).to_contain_text("Siguiente a preguntar", timeout=PUSHED)
    expect(row).to_contain_text("¿Acepta atención virtual en un módulo?")
    row.get_by_role("button", name="Sí").click()
    expect(row).to_contain_text("Acepta atención virtual")
    expect(page.locator("#turn-flash")).to_contain_text(
        f"Turno {in_person.number}: acepta la atención virtual"
    )
    in_person.refresh_from_db()
    assert in_person.virtual_consent == "acepta"
    screenshot(page, "en-vivo-mesa-de-turnos-atencion-virtual")

    # The socket drops; a turn given meanwhile is not lost: reconnect → the lists re-fetch.
    switch.drop()
    page.wait_for_function(DISCONNECTED, timeout=5_000)
    missed = _turn(office, remote=False)
    missed_row = page.locator(f'#turn-table tr[data-turn="{missed.number}"]')
    expect(missed_row).to_have_count(0)
    switch.up = True
    expect(missed_row).to_be_visible(timeout=20_000)
    page.wait_for_function(CONNECTED, timeout=5_000)
    assert violations == [], violations
