"""Browser: kiosks, the waiting-room display and video calls (CORE-01, AL-03, BAL-03), on the
ASGI server (pages, API and the live websocket) in Chromium with a fake camera and microphone.

- A kiosk PC opens /kiosco/: it shows a pairing code; the encargado pairs it; the page turns into
  the kiosk's page, connected. A turn called to it appears on the kiosk ("Turno A-023 ·
  Acérquese a este módulo") and on the office's waiting-room display ("Turno A-023 → Módulo 2").
- A technologist's call page and the kiosk page connect a 1:1 WebRTC call by themselves: both
  peer connections "connected", video bytes received on both sides, the session recorded
  "conectada" with its ICE candidate type; "Terminar videollamada" ends it on both screens.
- The same call forced through a local coturn (iceTransportPolicy "relay", use-auth-secret):
  connected with candidate type "relay". With a wrong TURN secret both screens say that the
  video could not connect and the session is "fallida" with the reason.
"""

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.test import APIClient

from core.live.auth import KIOSK_COOKIE
from core.models import (
    Kiosk,
    RemoteModality,
    RosterEntry,
    TransactionType,
    TurnSequence,
    VideoSession,
)
from core.roles import Role
from core.services import kiosks as kiosk_services
from core.services.turns import turn_create
from core.services.turns.kiosk import turn_kiosk_call, turn_virtual_consent
from core.video.services import video_session_open
from tests.factories import OfficeFactory
from tests.helpers import (
    CONNECT_MS,
    CONNECTED,
    VIDEO_BYTES,
    make_user,
    paired,
    skip_or_fail,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TURNSERVER = "/usr/bin/turnserver"
TURN_SECRET = "secreto-de-coturn-de-prueba"
FAIL_MESSAGE = (
    "No se pudo conectar el video. Revise la cámara y la red; si persiste, el servidor de "
    "retransmisión (TURN) rechazó la conexión."
)


def free_port(kind=socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def coturn(tmp_path):
    """A coturn on 127.0.0.1 (use-auth-secret, loopback peers allowed), for this test."""
    binary = TURNSERVER if Path(TURNSERVER).exists() else shutil.which("turnserver")
    if not binary:
        skip_or_fail("no hay coturn para las pruebas de video (apt-get install coturn)")
    port = free_port()
    relay_min = 49152 + (port % 200) * 50
    log = tmp_path / "turnserver.log"
    proc = subprocess.Popen(
        [
            binary,
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            "--use-auth-secret",
            f"--static-auth-secret={TURN_SECRET}",
            "--realm=atencion.test",
            "--allow-loopback-peers",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            f"--min-port={relay_min}",
            f"--max-port={relay_min + 49}",
            f"--log-file={log}",
            "--simple-log",
            "--no-stdout-log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"coturn terminó al iniciar:\n{log.read_text() if log.exists() else ''}"
                )
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                pytest.fail("coturn no quedó escuchando en 15 s")
            time.sleep(0.1)
        yield {"port": port, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def scene(db):
    office = OfficeFactory(name="Oficina Itagüí", code="A", has_orientador=False)
    encargado = make_user(
        Role.ENCARGADO, office, username="encargada", first_name="Marta", last_name="Ríos"
    )
    tech = make_user(
        Role.TECNOLOGO, OfficeFactory(), username="tecnologa", first_name="Ana", last_name="Gil"
    )
    kiosk = Kiosk.objects.create(office=office, label="Módulo 2")
    return {"office": office, "encargado": encargado, "tech": tech, "kiosk": kiosk}


def open_call(scene, new_page, asgi_live_server, asgi_login, *, kiosk_first=False):
    """The session, the technologist's call page and the kiosk page. Technologist first: the
    kiosk page loads with the session open and joins the offered call. Kiosk first: the kiosk
    page is idle; the session opening ("video.connect") starts its side by itself, and the
    technologist's page, opened later, connects to it."""
    credential = paired(scene["kiosk"], scene["encargado"])
    kiosk = new_page(cookies=[(KIOSK_COOKIE, credential)])
    if kiosk_first:
        kiosk.goto(f"{asgi_live_server.url}/kiosco/")
        expect(kiosk.locator("#kiosk-connection")).to_have_text("Conectado", timeout=15_000)
        expect(kiosk.locator("#kiosk-call")).to_be_hidden()
    session = video_session_open(
        technologist=scene["tech"], modality=RemoteModality.ASESOR_EN_LINEA, kiosk=scene["kiosk"]
    )
    if kiosk_first:  # nobody clicks on the kiosk
        expect(kiosk.locator("#kiosk-call")).to_be_visible(timeout=10_000)
    tech = new_page()
    asgi_login(tech, "tecnologa")
    tech.goto(f"{asgi_live_server.url}/video/sesiones/{session.pk}/")
    expect(tech.locator("h1")).to_have_text("Videollamada")
    if not kiosk_first:
        kiosk.goto(f"{asgi_live_server.url}/kiosco/")
    expect(kiosk.locator("#kiosk-name")).to_have_text("Módulo 2")
    return session, tech, kiosk


def assert_media_flows(*pages) -> None:
    for page in pages:
        page.wait_for_function(CONNECTED, timeout=CONNECT_MS)
    for page in pages:
        page.wait_for_function(VIDEO_BYTES, timeout=CONNECT_MS, polling=250)


def recorded(session_id: int, *states: str) -> VideoSession:
    return wait_until(
        lambda: (
            VideoSession.objects.filter(pk=session_id, status__in=states)
            .exclude(status="conectada", candidate_type="")
            .first()
        ),
        timeout=CONNECT_MS / 1000,
        message=f"la sesión {session_id} no quedó en {states}",
    )


def test_al_bal_video_call_connects_directly_and_ends(
    scene, new_page, asgi_live_server, asgi_login, screenshot, settings
):
    settings.VIDEO_ICE_TRANSPORT_POLICY = "all"
    started = time.monotonic()
    session, tech, kiosk = open_call(
        scene, new_page, asgi_live_server, asgi_login, kiosk_first=True
    )

    assert_media_flows(tech, kiosk)
    connected = recorded(session.pk, "conectada")
    assert connected.candidate_type in ("host", "srflx", "prflx")
    assert connected.connected_at is not None
    expect(tech.locator("#video-status")).to_contain_text("Videollamada conectada.")
    print(f"video directo conectado en {time.monotonic() - started:.1f} s")
    screenshot(tech, "video-tecnologo-conectado")
    screenshot(kiosk, "video-modulo-conectado")

    tech.get_by_role("button", name="Terminar videollamada").click()
    expect(tech.locator("#video-status")).to_have_text("La videollamada terminó.")
    expect(kiosk.locator("#video-status")).to_have_text("La videollamada terminó.")
    ended = recorded(session.pk, "finalizada")
    assert ended.end_reason == "terminada por el tecnólogo"
    assert kiosk.evaluate("window.videoCall.state") == "finalizada"


def test_al_bal_video_call_through_the_turn_relay(
    scene, new_page, asgi_live_server, asgi_login, screenshot, settings, coturn
):
    port = coturn["port"]
    settings.VIDEO_TURN_URLS = [
        f"turn:127.0.0.1:{port}?transport=udp",
        f"turn:127.0.0.1:{port}?transport=tcp",
    ]
    settings.VIDEO_TURN_SECRET = TURN_SECRET
    settings.VIDEO_ICE_TRANSPORT_POLICY = "relay"
    started = time.monotonic()
    session, tech, kiosk = open_call(scene, new_page, asgi_live_server, asgi_login)

    assert_media_flows(tech, kiosk)
    connected = recorded(session.pk, "conectada")
    assert connected.candidate_type == "relay"
    for page in (tech, kiosk):
        assert page.evaluate("window.videoCall.candidateType") == "relay"
    print(f"video por TURN conectado en {time.monotonic() - started:.1f} s")
    screenshot(kiosk, "video-modulo-por-turn")


def test_al_bal_wrong_turn_secret_fails_with_a_clear_message_on_both_screens(
    scene, new_page, asgi_live_server, asgi_login, screenshot, settings, coturn
):
    port = coturn["port"]
    settings.VIDEO_TURN_URLS = [
        f"turn:127.0.0.1:{port}?transport=udp",
        f"turn:127.0.0.1:{port}?transport=tcp",
    ]
    settings.VIDEO_TURN_SECRET = "otro-secreto-que-coturn-no-conoce"
    settings.VIDEO_ICE_TRANSPORT_POLICY = "relay"
    session, tech, kiosk = open_call(scene, new_page, asgi_live_server, asgi_login)

    for page in (tech, kiosk):
        expect(page.locator("#video-error")).to_have_text(FAIL_MESSAGE, timeout=CONNECT_MS)
    failed = recorded(session.pk, "fallida")
    # e.g. "no se conectó en 20 s (módulo, ICE: new; TURN 401 credenciales rechazadas)"
    assert failed.end_reason.startswith("no se conectó en 20 s")
    assert "TURN 401 credenciales rechazadas" in failed.end_reason
    for page in (tech, kiosk):  # its own timer's reason, or the other side's
        expect(page.locator("#video-status")).to_contain_text("Motivo: no se conectó en 20 s")
    assert failed.candidate_type == ""
    assert tech.evaluate("window.videoCall.pc.connectionState") != "connected"
    screenshot(tech, "video-tecnologo-turn-rechazado")
    screenshot(kiosk, "video-modulo-turn-rechazado")


def test_core01_al03_kiosk_pairing_and_the_turn_on_kiosk_and_display(
    scene, new_page, asgi_live_server, asgi_login, screenshot
):
    office, kiosk = scene["office"], scene["kiosk"]
    page = new_page()
    page.goto(f"{asgi_live_server.url}/kiosco/")
    expect(page.locator("h1")).to_have_text("Módulo sin vincular")
    expect(
        page.get_by_text("Pida al encargado de la oficina que ingrese este código")
    ).to_be_visible()
    code_box = page.locator("#kiosk-code")
    expect(code_box).to_have_text(re.compile(r"^[2-9A-HJ-NP-Z]{6}$"))
    screenshot(page, "modulo-sin-vincular")

    # The encargado types the code (API, as the turn desk does).
    encargado = APIClient()
    encargado.force_authenticate(scene["encargado"])
    response = encargado.post(f"/api/v1/kiosks/{kiosk.pk}/pair/", {"code": code_box.inner_text()})
    assert response.status_code == 200, response.content

    # The kiosk page collects its credential and turns into the kiosk's page, connected.
    expect(page.locator("#kiosk-name")).to_have_text("Módulo 2", timeout=15_000)
    expect(page.locator("#kiosk-live")).to_contain_text(office.name)
    expect(page.locator("#kiosk-connection")).to_have_text("Conectado", timeout=15_000)
    wait_until(
        lambda: Kiosk.objects.filter(pk=kiosk.pk).filter(kiosk_services.kiosk_online_q()).exists(),
        timeout=15,
        message="el módulo no quedó conectado",
    )
    screenshot(page, "modulo-vinculado")

    # The waiting-room display, open on the office's screen by the encargado.
    display = new_page()
    asgi_login(display, "encargada")
    display.goto(f"{asgi_live_server.url}/oficina/{office.pk}/sala/")
    expect(display.locator("#display-empty")).to_be_visible()
    expect(display.locator("#display-connection")).to_have_text("Conectado", timeout=15_000)

    # Turn A-023, the customer accepts virtual attention, the technologist calls it to Módulo 2.
    RosterEntry.objects.create(
        day=timezone.localdate(),
        technologist=scene["tech"],
        office=office,
        modality=RemoteModality.ASESOR_EN_LINEA,
    )
    TurnSequence.objects.create(office=office, day=timezone.localdate(), last_value=22)
    turn = turn_create(
        office=office,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        accepts_remote=False,
        by=scene["encargado"],
    )
    turn_virtual_consent(turn=turn, accepts=True, by=scene["encargado"])
    turn_kiosk_call(
        turn=turn, by=scene["tech"], kiosk=kiosk, modality=RemoteModality.ASESOR_EN_LINEA
    )

    expect(display.locator("#display-list li").first).to_contain_text(
        "Turno A-023 → Módulo 2", timeout=10_000
    )
    expect(display.locator("#display-empty")).to_be_hidden()
    assert display.evaluate("window.displayChimes") == 1
    expect(page.locator("#kiosk-turn")).to_have_text("Turno A-023", timeout=10_000)
    expect(page.locator("#kiosk-announce")).to_contain_text("Acérquese a este módulo")
    assert page.evaluate("window.kioskChimes") == 1
    screenshot(display, "sala-de-espera-turno")
    screenshot(page, "modulo-turno-anunciado")

    # A reload (or a reconnection) reads the same list from the API.
    display.reload()
    expect(display.locator("#display-list li")).to_have_count(1)
    expect(display.locator("#display-list li").first).to_contain_text("Turno A-023 → Módulo 2")


def test_al_bal_camera_refused_says_so_and_fails_the_session(
    scene, new_page, asgi_live_server, asgi_login, screenshot
):
    """The browser refuses the camera (the person clicked "Bloquear"): a clear Spanish message,
    and the session is "fallida" so the other side is not left waiting."""
    credential = paired(scene["kiosk"], scene["encargado"])
    kiosk = new_page(cookies=[(KIOSK_COOKIE, credential)])
    kiosk.goto(f"{asgi_live_server.url}/kiosco/")
    expect(kiosk.locator("#kiosk-connection")).to_have_text("Conectado", timeout=15_000)
    session = video_session_open(
        technologist=scene["tech"], modality=RemoteModality.ASESOR_EN_LINEA, kiosk=scene["kiosk"]
    )
    tech = new_page()
    tech.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => "
        "Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));"
    )
    asgi_login(tech, "tecnologa")
    tech.goto(f"{asgi_live_server.url}/video/sesiones/{session.pk}/")

    expect(tech.locator("#video-error")).to_have_text(
        "No se pudo usar la cámara o el micrófono: el navegador no dio permiso. Permita el "
        "acceso a la cámara y al micrófono para esta página y recárguela."
    )
    failed = recorded(session.pk, "fallida")
    assert failed.end_reason == "sin permiso de cámara o micrófono (tecnólogo)"
    expect(kiosk.locator("#video-error")).to_have_text(FAIL_MESSAGE)
    screenshot(tech, "video-camara-bloqueada")


def test_al_bal_missed_video_connect_starts_from_the_current_session(
    scene, new_page, asgi_live_server, asgi_login, settings, monkeypatch
):
    """The signalling fallback: the kiosk's socket missed "video.connect" (here: it was never
    sent); on the next poll (or reconnection) the kiosk page asks for its open call
    (GET /api/v1/video/sessions/current/), starts it by itself and the call connects."""
    settings.VIDEO_ICE_TRANSPORT_POLICY = "all"
    credential = paired(scene["kiosk"], scene["encargado"])
    kiosk = new_page(cookies=[(KIOSK_COOKIE, credential)])
    kiosk.goto(f"{asgi_live_server.url}/kiosco/")
    expect(kiosk.locator("#kiosk-connection")).to_have_text("Conectado", timeout=15_000)
    # The page's own look-up on connecting ("no call yet") must be over before the call opens,
    # or it would find the call by itself (which is the fallback working, not this test).
    kiosk.wait_for_load_state("networkidle")
    with monkeypatch.context() as quiet:
        quiet.setattr("core.video.services.live_publish", lambda *args, **kwargs: None)
        session = video_session_open(
            technologist=scene["tech"],
            modality=RemoteModality.ASESOR_EN_LINEA,
            kiosk=scene["kiosk"],
        )
    kiosk.wait_for_timeout(500)
    expect(kiosk.locator("#kiosk-call")).to_be_hidden()  # nothing told it

    kiosk.evaluate("document.body.dispatchEvent(new CustomEvent('live:poll'))")
    expect(kiosk.locator("#kiosk-call")).to_be_visible(timeout=10_000)
    assert kiosk.evaluate("window.videoCall.sessionId") == str(session.pk)

    tech = new_page()
    asgi_login(tech, "tecnologa")
    tech.goto(f"{asgi_live_server.url}/video/sesiones/{session.pk}/")
    assert_media_flows(tech, kiosk)
    assert recorded(session.pk, "conectada").connected_at is not None


def test_core01_display_on_the_kiosks_browser_does_not_keep_it_connected(
    scene, new_page, asgi_live_server
):
    """Only /kiosco/'s socket (?role=kiosk) is the kiosk's live connection: the waiting-room
    display open in the same browser neither keeps it "conectado" nor turns it off."""
    credential = paired(scene["kiosk"], scene["encargado"])
    kiosk_page = new_page(cookies=[(KIOSK_COOKIE, credential)])
    kiosk_page.goto(f"{asgi_live_server.url}/kiosco/")
    expect(kiosk_page.locator("#kiosk-connection")).to_have_text("Conectado", timeout=15_000)
    display = kiosk_page.context.new_page()
    display.goto(f"{asgi_live_server.url}/oficina/{scene['office'].pk}/sala/")
    expect(display.locator("#display-connection")).to_have_text("Conectado", timeout=15_000)

    def is_on():
        return Kiosk.objects.values_list("is_on", flat=True).get(pk=scene["kiosk"].pk)

    display.close()  # closing the display leaves the kiosk on
    kiosk_page.wait_for_timeout(700)
    assert is_on()

    display = kiosk_page.context.new_page()
    display.goto(f"{asgi_live_server.url}/oficina/{scene['office'].pk}/sala/")
    expect(display.locator("#display-connection")).to_have_text("Conectado", timeout=15_000)
    kiosk_page.close()  # the kiosk page closed: off, though the display stays open
    wait_until(lambda: not is_on(), timeout=10, message="el módulo sigue conectado")
