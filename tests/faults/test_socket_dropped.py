"""Faults (issue 15, item 1): a live socket dropped during a balancing match or a video call
(NFR-01, NFR-03, BAL-03).

Driven through ``config.asgi.application`` with ``channels.testing.WebsocketCommunicator`` on
the in-memory channel layer, and the API a page uses while its socket is down
(``GET /api/v1/video/sessions/current/``, the polling fallback and the re-fetch on reconnection
of static/js/video.js). What is checked is what a party sees: the messages its (new) socket
hears, what the API answers, and the rows (turn, video session, seat) — never the internals.

- A match made while the technologist's socket is down, or while the kiosk's socket is dead
  without the server knowing (a cut cable: no close frame), is not lost: the party gets its open
  session on reconnection or by polling; the turn and the session stay consistent and the
  technologist is not matched twice.
- A match that could not be made because the kiosk's socket closed (the kiosk went off) is made
  when the kiosk comes back.
- During a call one party's socket drops: the call goes on over the new socket (signalling is
  relayed to it, the end reaches it); a ringing call whose kiosk never comes back ends
  "fallida" with the reason (the unanswered sweep) and its customer goes back to the queue.
"""

import datetime as dt
import time

import pytest
from django.test import Client
from django.utils import timezone

from balanceo.models import BalanceSeat
from balanceo.services import PAUSED_NO_VIDEO, balance_match_round
from core.live.auth import KIOSK_COOKIE, LiveParty
from core.models import (
    Kiosk,
    Printer,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    StaffAvailability,
    TransactionType,
    Turn,
    TurnEvent,
    TurnStatus,
    VideoSession,
    VideoSessionStatus,
    WorkMode,
)
from core.roles import Role
from core.services.kiosks import kiosks_offline_sweep
from core.services.turns import turn_create, turn_virtual_consent
from core.video.services import UNANSWERED, video_sessions_unanswered_sweep, video_state_record
from tests.factories import OfficeFactory
from tests.helpers import make_user, paired
from tests.live_sockets import (  # noqa: F401  (in_memory_layer: an autouse fixture)
    KIOSK_PAGE,
    QUIET,
    WebsocketCommunicator,
    db,
    in_memory_layer,
    live_socket,
    run,
)

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

CURRENT = "/api/v1/video/sessions/current/"
TIMEOUT = 3  # seconds a message may take to reach a socket


# --- the scene: an office with one kiosk, a technologist of today's balancing pool --------------


class Scene:
    def __init__(self):
        self.office = OfficeFactory(name="Oficina Envigado", code="F7A", technologist_count=2)
        printer = Printer.objects.create(office=self.office, name="Impresora de módulos")
        self.kiosk = Kiosk.objects.create(office=self.office, label="Módulo 1", printer=printer)
        self.encargado = make_user(Role.ENCARGADO, self.office, username="encargada_f7")
        self.credential = paired(self.kiosk, self.encargado)
        self.kiosk_cookie = f"{KIOSK_COOKIE}={self.credential}".encode()
        self.tech = self.technologist("tecnologa_f7", "Lucía")
        self.tech_cookie = self.session_cookie(self.tech)

    def technologist(self, username: str, first_name: str):
        today, now = timezone.localdate(), timezone.now()
        tech = make_user(
            Role.TECNOLOGO,
            self.office,
            username=username,
            first_name=first_name,
            work_mode=WorkMode.HOME,
        )
        StaffAvailability.objects.create(
            user=tech, date=today, is_available=True, work_mode=WorkMode.HOME
        )
        RosterEntry.objects.create(
            day=today, technologist=tech, office=self.office, modality=RemoteModality.BALANCEO
        )
        ShiftCheck.objects.create(
            technologist=tech,
            day=today,
            audio_ok=True,
            printer_ok=True,
            video_ok=True,
            checked_at=now,
        )
        BalanceSeat.objects.create(technologist=tech, day=today, available=True, idle_since=now)
        return tech

    @staticmethod
    def session_cookie(user) -> bytes:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    def customer_accepts(self) -> Turn:
        """A customer takes a turn and accepts virtual attention (AL-03): the matcher's
        trigger runs right after commit."""
        turn = turn_create(
            office=self.office,
            transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
            accepts_remote=False,
            by=self.encargado,
        )
        turn_virtual_consent(turn=turn, accepts=True, by=self.encargado)
        return Turn.objects.get(pk=turn.pk)

    def current_for_tech(self) -> dict:
        client = Client()
        client.force_login(self.tech)
        response = client.get(CURRENT)
        assert response.status_code == 200
        return response.json()

    def current_for_kiosk(self) -> dict:
        client = Client()
        client.cookies[KIOSK_COOKIE] = self.credential
        response = client.get(CURRENT)
        assert response.status_code == 200
        return response.json()

    def kiosk_silently_on(self) -> None:
        """The kiosk counts as on (a fresh heartbeat) through a socket that is gone without the
        server knowing: a cut cable sends no close frame."""
        Kiosk.objects.filter(pk=self.kiosk.pk).update(
            is_on=True, last_seen_at=timezone.now(), live_channel="canal-muerto"
        )


@pytest.fixture
def scene(transactional_db):
    return Scene()


async def _open(cookie: bytes, path: str = "/ws/live/") -> WebsocketCommunicator:
    socket = live_socket(cookie, path)
    connected, _ = await socket.connect()
    assert connected
    hello = await socket.receive_json_from(timeout=TIMEOUT)
    assert hello["type"] == "hello"
    return socket


async def _until(socket, kind: str) -> dict:
    """The next message of type ``kind`` (others — turns.changed, announcements — skipped)."""
    while True:
        message = await socket.receive_json_from(timeout=TIMEOUT)
        if message["type"] == kind:
            return message


async def _heard(socket) -> list[dict]:
    """Everything the socket has heard until it stays quiet."""
    messages = []
    while not await socket.receive_nothing(timeout=QUIET):
        messages.append(await socket.receive_json_from(timeout=TIMEOUT))
    return messages


def _match_state(scene) -> dict:
    """What the match left behind, as a caller would read it."""
    turns = list(Turn.objects.filter(office=scene.office).order_by("pk"))
    sessions = list(VideoSession.objects.order_by("pk"))
    return {
        "turns": [(t.status, t.called_by_id, t.kiosk_id) for t in turns],
        "balanceo_events": TurnEvent.objects.filter(kind=TurnEvent.Kind.BALANCEO).count(),
        "sessions": [(s.status, s.technologist_id, s.kiosk_id, s.turn_id) for s in sessions],
    }


# --- (1) a match made while a party's socket is down --------------------------------------------


def test_nfr03_bal03_match_while_technologists_socket_is_down_reaches_them_on_reconnection(
    scene, figures
):
    """The technologist's socket drops; a customer accepts meanwhile and is matched to them. The
    kiosk hears ``video.connect``; the technologist's page, back, gets the open session from
    the API it asks on reconnection and while polling, and the call's signalling reaches the
    new socket. Nothing is matched twice."""

    async def scenario():
        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        tech = await _open(scene.tech_cookie)
        await tech.disconnect()  # the technologist's Wi-Fi drops

        turn = await db(scene.customer_accepts)()
        connect = await _until(kiosk, "video.connect")
        session = await db(VideoSession.objects.get)(pk=connect["session"])
        assert (session.technologist_id, session.kiosk_id, session.turn_id) == (
            scene.tech.pk,
            scene.kiosk.pk,
            turn.pk,
        )

        # Polling while the socket is down (live:poll) already finds it.
        polled = await db(scene.current_for_tech)()
        assert polled["session"]["id"] == session.pk
        assert polled["session"]["state"] == "timbrando"
        assert polled["session"]["kiosk_label"] == "Módulo 1"

        back = time.monotonic()
        tech = await _open(scene.tech_cookie)  # back: live:reconnected asks the same
        assert (await db(scene.current_for_tech)())["session"]["id"] == session.pk
        recovered.append(time.monotonic() - back)
        assert (await db(scene.current_for_kiosk)())["session"]["id"] == session.pk

        # The call goes on over the new socket: the kiosk's "ready" reaches it, its offer
        # reaches the kiosk, the kiosk's report is told to both.
        await kiosk.send_json_to(
            {"type": "video.signal", "session": session.pk, "data": {"kind": "ready"}}
        )
        relayed = await _until(tech, "video.signal")
        assert relayed["data"] == {"kind": "ready"} and relayed["from"] == "kiosk"
        await tech.send_json_to(
            {"type": "video.signal", "session": session.pk, "data": {"kind": "offer"}}
        )
        assert (await _until(kiosk, "video.signal"))["data"] == {"kind": "offer"}
        await kiosk.send_json_to(
            {"type": "video.state", "session": session.pk, "state": "conectada"}
        )
        assert (await _until(tech, "video.state"))["state"] == "conectada"

        # Consistent: one turn called to this technologist and kiosk, one balanceo event, one
        # open session; another round (the sweep) changes nothing.
        before = await db(_match_state)(scene)
        assert before == {
            "turns": [(TurnStatus.LLAMADO, scene.tech.pk, scene.kiosk.pk)],
            "balanceo_events": 1,
            "sessions": [(VideoSessionStatus.CONECTADA, scene.tech.pk, scene.kiosk.pk, turn.pk)],
        }
        assert await db(balance_match_round)() == []
        assert await db(_match_state)(scene) == before
        await tech.disconnect()
        await kiosk.disconnect()

    recovered: list[float] = []
    run(scenario)
    figures(
        "socket del tecnólogo caído durante el emparejamiento: sesión abierta encontrada "
        f"{recovered[0] * 1000:.0f} ms después de reconectar"
    )


def test_nfr03_bal03_match_while_kiosks_socket_is_silently_dead_reaches_it_on_reconnection(
    scene,
):
    """The kiosk's socket died without a close frame (the server still counts it on by its
    fresh heartbeat): the match is made and its ``video.connect`` is lost. The kiosk page,
    reconnected, gets the open session from the API; its new socket is the kiosk's live
    connection and hears the call."""

    async def scenario():
        await db(scene.kiosk_silently_on)()
        tech = await _open(scene.tech_cookie)
        turn = await db(scene.customer_accepts)()
        connect = await _until(tech, "video.connect")
        assert connect["kiosk"] == "Módulo 1" and connect["turn"] == turn.number

        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        assert [m for m in await _heard(kiosk) if m["type"] == "video.connect"] == []
        current = await db(scene.current_for_kiosk)()
        assert current["session"]["id"] == connect["session"]
        assert current["session"]["state"] == "timbrando"
        refreshed = await db(Kiosk.objects.get)(pk=scene.kiosk.pk)
        assert refreshed.is_on and refreshed.live_channel != "canal-muerto"

        await tech.send_json_to(
            {"type": "video.signal", "session": connect["session"], "data": {"kind": "offer"}}
        )
        assert (await _until(kiosk, "video.signal"))["data"] == {"kind": "offer"}
        assert (await db(_match_state)(scene))["sessions"] == [
            (VideoSessionStatus.TIMBRANDO, scene.tech.pk, scene.kiosk.pk, turn.pk)
        ]
        await tech.disconnect()
        await kiosk.disconnect()

    run(scenario)


def test_nfr03_bal03_customer_waiting_while_the_kiosk_is_off_is_matched_when_it_comes_back(
    scene,
):
    """The kiosk's socket closed (the kiosk is off): a customer who accepts waits — no call to
    a kiosk nobody answers. When the kiosk page reconnects the round runs and the new socket
    hears ``video.connect``."""

    async def scenario():
        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        await kiosk.disconnect()
        assert not (await db(Kiosk.objects.get)(pk=scene.kiosk.pk)).is_on

        turn = await db(scene.customer_accepts)()
        assert await db(_match_state)(scene) == {
            "turns": [(TurnStatus.EN_ESPERA, None, None)],
            "balanceo_events": 0,
            "sessions": [],
        }
        assert (await db(scene.current_for_tech)()) == {"session": None}

        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        connect = await _until(kiosk, "video.connect")
        assert connect["turn"] == turn.number
        assert (await db(scene.current_for_tech)())["session"]["id"] == connect["session"]
        assert (await db(_match_state)(scene))["turns"] == [
            (TurnStatus.LLAMADO, scene.tech.pk, scene.kiosk.pk)
        ]
        await kiosk.disconnect()

    run(scenario)


# --- (2) a party's socket drops during the call ------------------------------------------------


def test_nfr03_connected_call_goes_on_when_the_kiosks_socket_comes_back(scene):
    """A connected call; the kiosk's socket drops (the kiosk goes off for a moment) and comes
    back. The session is still open and the kiosk's (re)loaded page finds it; signalling
    reaches the new socket and the technologist's "Terminar" is heard on it."""

    async def scenario():
        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        tech = await _open(scene.tech_cookie)
        await db(scene.customer_accepts)()
        session_id = (await _until(tech, "video.connect"))["session"]
        await kiosk.send_json_to(
            {"type": "video.state", "session": session_id, "state": "conectada"}
        )
        assert (await _until(tech, "video.state"))["state"] == "conectada"

        await kiosk.disconnect()
        assert not (await db(Kiosk.objects.get)(pk=scene.kiosk.pk)).is_on
        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        current = await db(scene.current_for_kiosk)()
        assert (current["session"]["id"], current["session"]["state"]) == (
            session_id,
            "conectada",
        )
        await tech.send_json_to(
            {"type": "video.signal", "session": session_id, "data": {"kind": "offer"}}
        )
        assert (await _until(kiosk, "video.signal"))["data"] == {"kind": "offer"}
        await tech.send_json_to(
            {"type": "video.state", "session": session_id, "state": "finalizada"}
        )
        ended = await _until(kiosk, "video.state")
        assert (ended["state"], ended["reason"]) == ("finalizada", "terminada por el tecnólogo")
        assert (await db(scene.current_for_kiosk)()) == {"session": None}
        await tech.disconnect()
        await kiosk.disconnect()

    run(scenario)


def test_nfr03_bal03_ringing_call_whose_kiosk_never_comes_back_ends_with_the_reason(
    scene, settings
):
    """The kiosk's socket drops while the call rings and the kiosk never comes back. The
    per-minute sweep (``core.kiosks_offline_sweep``), once the ring timeout has passed, ends the
    call "fallida" with the reason — the technologist's socket hears it — the customer goes back
    to the queue keeping the consent, the kiosk is off and the technologist's seat is paused
    with the notice until they mark "Disponible"."""

    async def scenario():
        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        tech = await _open(scene.tech_cookie)
        turn = await db(scene.customer_accepts)()
        session_id = (await _until(tech, "video.connect"))["session"]
        await kiosk.disconnect()

        later = timezone.now() + dt.timedelta(
            seconds=max(settings.VIDEO_RING_TIMEOUT_SECONDS, settings.KIOSK_OFFLINE_SECONDS) + 1
        )
        assert await db(video_sessions_unanswered_sweep)(now=later) == 1
        await db(kiosks_offline_sweep)(now=later)

        told = await _until(tech, "video.state")
        assert (told["session"], told["state"], told["reason"]) == (
            session_id,
            "fallida",
            UNANSWERED,
        )
        session = await db(VideoSession.objects.get)(pk=session_id)
        assert (session.status, session.end_reason) == (VideoSessionStatus.FALLIDA, UNANSWERED)
        assert session.ended_at is not None
        turn = await db(Turn.objects.get)(pk=turn.pk)
        assert (turn.status, turn.called_by_id, turn.kiosk_id) == (TurnStatus.EN_ESPERA, None, None)
        seat = await db(BalanceSeat.objects.get)(technologist=scene.tech)
        assert (seat.available, seat.paused_reason) == (False, PAUSED_NO_VIDEO)
        assert not (await db(Kiosk.objects.get)(pk=scene.kiosk.pk)).is_on
        assert (await db(scene.current_for_tech)()) == {"session": None}
        await tech.disconnect()

    run(scenario)


def test_nfr03_connected_call_whose_kiosk_never_comes_back_is_not_left_open(scene, settings):
    """A connected call; the kiosk's socket drops for good (the kiosk PC lost power) and the
    technologist's page is closed too, so no browser reports "fallida". The per-minute sweeps
    must still end it with a recorded reason once the kiosk has been off longer than the ring
    timeout; an open call keeps the technologist out of the matcher and the kiosk busy."""

    async def scenario():
        kiosk = await _open(scene.kiosk_cookie, KIOSK_PAGE)
        await db(scene.customer_accepts)()
        session_id = (await _until(kiosk, "video.connect"))["session"]
        await kiosk.send_json_to(
            {"type": "video.state", "session": session_id, "state": "conectada"}
        )
        assert (await _until(kiosk, "video.state"))["state"] == "conectada"
        await kiosk.disconnect()

    run(scenario)
    later = timezone.now() + dt.timedelta(
        seconds=settings.VIDEO_RING_TIMEOUT_SECONDS + settings.KIOSK_OFFLINE_SECONDS + 60
    )
    from core.tasks import kiosks_offline_sweep_task

    with _frozen_now(later):
        kiosks_offline_sweep_task()
    session = VideoSession.objects.get()
    assert session.status == VideoSessionStatus.FALLIDA, session.status
    assert session.end_reason


class _frozen_now:
    """``timezone.now()`` (as the sweeps read it) moved to ``at``."""

    def __init__(self, at):
        self.at = at

    def __enter__(self):
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr(timezone, "now", lambda: self.at)
        return self

    def __exit__(self, *exc):
        self.patch.undo()


def test_nfr02_a_late_report_from_a_dropped_page_does_not_reopen_an_ended_call(scene):
    """The kiosk page whose socket dropped reports "conectada" late (POST while the socket was
    down, delivered after the sweep ended the call): the call stays as it ended."""
    scene.kiosk_silently_on()
    turn = scene.customer_accepts()
    session = VideoSession.objects.get(turn=turn)
    video_state_record(
        session_id=session.pk,
        party=LiveParty(user=scene.tech),
        state=VideoSessionStatus.FALLIDA,
        reason=UNANSWERED,
    )
    client = Client()
    client.cookies[KIOSK_COOKIE] = scene.credential
    client.get("/kiosco/")  # the page's CSRF cookie
    response = client.post(
        f"/api/v1/video/sessions/{session.pk}/state/",
        {"state": "conectada", "candidate_type": "host"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200
    assert response.json()["state"] == "fallida"
    session.refresh_from_db()
    assert (session.status, session.end_reason, session.connected_at) == (
        VideoSessionStatus.FALLIDA,
        UNANSWERED,
        None,
    )
