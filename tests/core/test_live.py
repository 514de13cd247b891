"""The live socket (/ws/live/, core.live) and what the services publish on it (NFR-01, NFR-02).

The consumer is driven through ``config.asgi.application`` (origin check, session auth, routing)
with ``channels.testing.WebsocketCommunicator`` on the in-memory channel layer: who may connect,
which groups each party hears (its own office's turns, never another office's; its own cases,
never another technologist's), the kiosks' device credential and their on/off, and that
services announce their changes after commit, once per transaction, bulk paths once per user.
"""

import pytest
from django.db import transaction
from django.utils import timezone

from core.live.auth import KIOSK_COOKIE, key_hash
from core.live.consumers import CLOSE_UNAUTHENTICATED
from core.live.groups import kiosk_group, user_group
from core.live.publish import live_publish
from core.models import (
    CaseStatus,
    Kiosk,
    RemoteModality,
    RosterEntry,
    TransactionType,
    Turn,
)
from core.roles import Role
from core.services import turns as turn_services
from core.services.assignment import case_reassign, cases_reassign_bulk
from core.services.turns.kiosk import turn_announce_publish
from tests.factories import OfficeFactory
from tests.factories.core import make_case
from tests.helpers import make_user
from tests.live_sockets import (  # noqa: F401  (in_memory_layer: an autouse fixture)
    KIOSK_PAGE,
    QUIET,
    db,
    in_memory_layer,
    live_socket,
    run,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _kiosk(office, label="Módulo 1", key="clave-del-modulo") -> tuple[Kiosk, bytes]:
    kiosk = Kiosk.objects.create(office=office, label=label, device_key_hash=key_hash(key))
    return kiosk, f"{KIOSK_COOKIE}={kiosk.pk}.{key}".encode()


def _turn(office) -> Turn:
    return turn_services.turn_create(
        office=office,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        accepts_remote=False,
    )


# --- who may connect ---------------------------------------------------------------------------


def test_nfr02_anonymous_socket_is_closed_with_4401():
    async def scenario():
        socket = live_socket()
        connected, _ = await socket.connect()
        assert connected  # accepted, then closed: the page reads the code and stops retrying
        assert await socket.receive_output(timeout=2) == {
            "type": "websocket.close",
            "code": CLOSE_UNAUTHENTICATED,
        }

    run(scenario)


def test_core01_wrong_kiosk_credential_is_closed_with_4401():
    async def scenario():
        office = await db(OfficeFactory)()
        kiosk, _ = await db(_kiosk)(office)
        socket = live_socket(f"{KIOSK_COOKIE}={kiosk.pk}.otra-clave".encode())
        await socket.connect()
        assert (await socket.receive_output(timeout=2))["code"] == CLOSE_UNAUTHENTICATED
        await db(kiosk.refresh_from_db)()
        assert kiosk.is_on is False

    run(scenario)


# --- staff: their office's turns, never another office's -----------------------------------------


def test_nfr01_office_staff_hear_their_offices_turns_and_never_another_offices():
    async def scenario():
        office, office_b = await db(OfficeFactory)(), await db(OfficeFactory)()
        orientador = await db(make_user)(Role.ORIENTADOR, office, username="ori_live")
        socket = live_socket(await db(session_cookie)(orientador))
        connected, _ = await socket.connect()
        assert connected
        hello = await socket.receive_json_from(timeout=2)
        assert hello["type"] == "hello" and hello["party"] == "user"

        await db(_turn)(office_b)  # office B's turn: not for this socket
        await db(_turn)(office)
        assert await socket.receive_json_from(timeout=2) == {
            "type": "turns.changed",
            "office": office.pk,
        }
        assert await socket.receive_nothing(timeout=QUIET)

        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=2) == {"type": "pong"}
        await socket.send_json_to({"type": "cualquier.cosa"})
        assert await socket.receive_json_from(timeout=2) == {
            "type": "error",
            "message": "Mensaje no reconocido.",
        }
        await socket.disconnect()

    run(scenario)


def test_nfr01_rostered_technologist_hears_the_supported_offices_turns():
    """CEL-03: the booth of a technologist supporting an office today refreshes on its turns."""

    async def scenario():
        office, office_b = await db(OfficeFactory)(), await db(OfficeFactory)()
        home = await db(OfficeFactory)()
        tech = await db(make_user)(Role.TECNOLOGO, home, username="tec_live")
        await db(RosterEntry.objects.create)(
            day=timezone.localdate(),
            technologist=tech,
            office=office,
            modality=RemoteModality.CELULAR,
        )
        socket = live_socket(await db(session_cookie)(tech))
        await socket.connect()
        assert (await socket.receive_json_from(timeout=2))["type"] == "hello"
        await db(_turn)(office_b)
        await db(_turn)(office)
        assert await socket.receive_json_from(timeout=2) == {
            "type": "turns.changed",
            "office": office.pk,
        }
        assert await socket.receive_nothing(timeout=QUIET)
        await socket.disconnect()

    run(scenario)


# --- technologists: their own cases only ---------------------------------------------------------


def test_core10_technologist_hears_their_own_cases_never_another_technologists():
    async def scenario():
        office = await db(OfficeFactory)()
        ana = await db(make_user)(Role.TECNOLOGO, office, username="ana_live")
        bruno = await db(make_user)(Role.TECNOLOGO, office, username="bruno_live")
        gestor = await db(make_user)(Role.GESTOR, office, username="gestor_live")
        case = await db(make_case)(status=CaseStatus.ABIERTO)
        ana_socket = live_socket(await db(session_cookie)(ana))
        bruno_socket = live_socket(await db(session_cookie)(bruno))
        for socket in (ana_socket, bruno_socket):
            await socket.connect()
            assert (await socket.receive_json_from(timeout=2))["type"] == "hello"

        await db(case_reassign)(case=case, to_user=ana, by_user=gestor)
        assert await ana_socket.receive_json_from(timeout=2) == {"type": "cases.changed"}
        assert await bruno_socket.receive_nothing(timeout=QUIET)

        # Reassigned to Bruno: both lists change (Ana loses it, Bruno gets it).
        await db(case_reassign)(case=case, to_user=bruno, by_user=gestor)
        assert await ana_socket.receive_json_from(timeout=2) == {"type": "cases.changed"}
        assert await bruno_socket.receive_json_from(timeout=2) == {"type": "cases.changed"}
        for socket in (ana_socket, bruno_socket):
            assert await socket.receive_nothing(timeout=QUIET)
            await socket.disconnect()

    run(scenario)


# --- kiosks: their display and their own group, on/off ------------------------------------------


def test_core01_kiosk_hears_its_display_and_own_group_and_turns_on_and_off():
    async def scenario():
        office, office_b = await db(OfficeFactory)(), await db(OfficeFactory)()
        kiosk, cookie = await db(_kiosk)(office)
        other_kiosk, _ = await db(_kiosk)(office, label="Módulo 2", key="otra")
        kiosk_b, _ = await db(_kiosk)(office_b)
        socket = live_socket(cookie, KIOSK_PAGE)
        connected, _ = await socket.connect()
        assert connected
        hello = await socket.receive_json_from(timeout=2)
        assert hello["type"] == "hello" and hello["party"] == "kiosk"
        await db(kiosk.refresh_from_db)()
        assert kiosk.is_on is True and kiosk.last_seen_at is not None

        turn_b, turn = await db(_turn)(office_b), await db(_turn)(office)
        await db(turn_announce_publish)(turn=turn_b, kiosk=kiosk_b)  # office B's display
        await db(live_publish)(kiosk_group(other_kiosk.pk), {"type": "video.connect"})
        await db(turn_announce_publish)(turn=turn, kiosk=kiosk)
        announce = await socket.receive_json_from(timeout=2)
        assert announce == {
            "type": "turn.announce",
            "turn": turn.number,
            "turn_id": turn.pk,
            "kiosk": "Módulo 1",
            "kiosk_id": kiosk.pk,
            "office": office.pk,
        }
        # The same announcement reached it twice: its office's display and its own group.
        assert (await socket.receive_json_from(timeout=2))["type"] == "turn.announce"
        await db(live_publish)(kiosk_group(kiosk.pk), {"type": "video.connect", "session": 7})
        assert await socket.receive_json_from(timeout=2) == {"type": "video.connect", "session": 7}
        assert await socket.receive_nothing(timeout=QUIET)  # no turns.changed, no office B

        await socket.send_json_to({"type": "ping"})  # the heartbeat
        assert await socket.receive_json_from(timeout=2) == {"type": "pong"}

        await socket.disconnect()
        await db(kiosk.refresh_from_db)()
        assert kiosk.is_on is False

    run(scenario)


# --- publishing: after commit, once per transaction, once per user in bulk ----------------------


@pytest.mark.django_db  # in one test transaction: on-commit callbacks are captured
def test_nfr01_publish_waits_for_commit_and_a_rollback_announces_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        live_publish("office.1", {"type": "turns.changed", "office": 1})
        live_publish("office.1", {"type": "turns.changed", "office": 1})  # same: once
        live_publish("office.2", {"type": "turns.changed", "office": 2})
    assert len(callbacks) == 2

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                live_publish("office.1", {"type": "turns.changed", "office": 1})
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert callbacks == []


@pytest.mark.django_db  # in one test transaction: on-commit callbacks are captured
def test_nfr01_bulk_reassignment_announces_once_per_user(django_capture_on_commit_callbacks):
    office = OfficeFactory()
    ana = make_user(Role.TECNOLOGO, office, username="ana_bulk")
    bruno = make_user(Role.TECNOLOGO, office, username="bruno_bulk")
    gestor = make_user(Role.GESTOR_OFICINA, office, username="gestor_bulk")
    cases = [make_case(status=CaseStatus.ASIGNADO, assigned_to=ana) for _ in range(5)]

    sent = []
    with django_capture_on_commit_callbacks() as callbacks:
        cases_reassign_bulk(cases=cases, to_user=bruno, by_user=gestor)
    live = [c for c in callbacks if getattr(c, "live_key", None)]
    for callback in live:
        groups, payload = callback.live_key
        sent.append((groups, payload))
    user_messages = [groups for groups, payload in sent if '"cases.changed"' in payload]
    assert user_messages == [(user_group(ana.pk), user_group(bruno.pk))]


def test_core01_a_repaired_kiosks_old_socket_is_closed_at_its_next_heartbeat():
    """CORE-01: once the encargado pairs the kiosk again (or unpairs it), the old device's open
    socket is closed with 4401 at its next ping and the kiosk is not turned back on by it."""

    async def scenario():
        office = await db(OfficeFactory)()
        kiosk, cookie = await db(_kiosk)(office)
        socket = live_socket(cookie, KIOSK_PAGE)
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from(timeout=2))["type"] == "hello"
        await db(Kiosk.objects.filter(pk=kiosk.pk).update)(device_key_hash=key_hash("nueva"))
        await socket.send_json_to({"type": "ping"})
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
        await db(kiosk.refresh_from_db)()
        assert kiosk.is_on is False and kiosk.live_channel == ""

    run(scenario)


def test_core01_bal03_display_on_a_kiosks_browser_is_not_its_live_connection():
    """CORE-01, BAL-02/03: only the kiosk page's socket (``?role=kiosk``) turns the kiosk on and
    off and is its heartbeat. The waiting-room display opened in the kiosk's browser (the same
    device cookie, no marker) only listens to the office's display: its pings do not keep the
    kiosk "conectado", its close does not turn it off, it hears no video and sends none."""

    async def scenario():
        office = await db(OfficeFactory)()
        kiosk, cookie = await db(_kiosk)(office)
        turn = await db(_turn)(office)

        display = live_socket(cookie)
        connected, _ = await display.connect()
        assert connected
        assert await display.receive_json_from(timeout=2) == {
            "type": "hello",
            "party": "display",
            "groups": 1,
        }
        await db(kiosk.refresh_from_db)()
        assert (kiosk.is_on, kiosk.last_seen_at) == (False, None)
        await display.send_json_to({"type": "ping"})
        assert await display.receive_json_from(timeout=2) == {"type": "pong"}
        await db(kiosk.refresh_from_db)()
        assert (kiosk.is_on, kiosk.last_seen_at) == (False, None)

        # It hears the office's display once, never the kiosk's own group (its video calls).
        await db(turn_announce_publish)(turn=turn, kiosk=kiosk)
        assert (await display.receive_json_from(timeout=2))["type"] == "turn.announce"
        await db(live_publish)(kiosk_group(kiosk.pk), {"type": "video.connect", "session": 7})
        assert await display.receive_nothing(timeout=QUIET)
        await display.send_json_to({"type": "video.signal", "session": 7, "data": {}})
        assert await display.receive_json_from(timeout=2) == {
            "type": "error",
            "session": 7,
            "message": "Esta pantalla no participa en videollamadas.",
        }

        # The kiosk page's socket turns it on; closing the display does not turn it off.
        page = live_socket(cookie, KIOSK_PAGE)
        await page.connect()
        hello = await page.receive_json_from(timeout=2)
        assert (hello["party"], hello["groups"]) == ("kiosk", 2)
        await db(kiosk.refresh_from_db)()
        assert kiosk.is_on is True
        await display.disconnect()
        await db(kiosk.refresh_from_db)()
        assert kiosk.is_on is True

        # The kiosk page closed while a display stays open and pings: the kiosk is off.
        display = live_socket(cookie)
        await display.connect()
        assert (await display.receive_json_from(timeout=2))["party"] == "display"
        await page.disconnect()
        await display.send_json_to({"type": "ping"})
        assert await display.receive_json_from(timeout=2) == {"type": "pong"}
        await db(kiosk.refresh_from_db)()
        assert kiosk.is_on is False and kiosk.live_channel == ""

        # Re-paired meanwhile: the display's old credential is closed at its next ping.
        await db(Kiosk.objects.filter(pk=kiosk.pk).update)(device_key_hash=key_hash("nueva"))
        await display.send_json_to({"type": "ping"})
        closed = await display.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}

    run(scenario)
