"""A video call whose other party is a person's own browser, not a kiosk (CI-03, CI-04): the
employee of an internal-client appointment is the session's ``attendee``. Core's video relays
signalling between the technologist and the attendee only, gives the attendee the answering
role, finds the attendee's open call for a page that missed "video.connect", and refuses
everybody else (404 over the API, an error over the socket)."""

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from core.live.auth import LiveParty
from core.models import VideoSession
from core.roles import Role
from core.video import services as video
from tests.factories import OfficeFactory
from tests.helpers import make_user
from tests.live_sockets import (  # noqa: F401  (in_memory_layer: an autouse fixture)
    QUIET,
    db,
    in_memory_layer,
    live_socket,
    run,
    session_cookie,
)

SESSIONS = "/api/v1/video/sessions/"


def _people():
    office = OfficeFactory()
    return {
        "tech": make_user(Role.TECNOLOGO, office, username="tec_att", first_name="Ana"),
        "employee": make_user(Role.CLIENTE_INTERNO, None, username="emp_att"),
        "other": make_user(Role.CLIENTE_INTERNO, None, username="emp_otro"),
        "tech2": make_user(Role.TECNOLOGO, office, username="tec_otro"),
    }


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_ci03_attendee_answers_finds_the_call_and_others_get_404():
    people = _people()
    session = video.video_session_open(
        technologist=people["tech"], modality="cliente_interno", attendee=people["employee"]
    )

    employee = _api(people["employee"])
    assert employee.get(f"{SESSIONS}{session.pk}/config/").json()["role"] == "answerer"
    assert _api(people["tech"]).get(f"{SESSIONS}{session.pk}/config/").json()["role"] == "offerer"
    body = employee.get(f"{SESSIONS}current/").json()["session"]
    assert (body["id"], body["attendee"], body["state"]) == (
        session.pk,
        people["employee"].pk,
        "timbrando",
    )

    for intruder in (people["other"], people["tech2"]):
        client = _api(intruder)
        assert client.get(f"{SESSIONS}{session.pk}/").status_code == 404
        assert client.get(f"{SESSIONS}{session.pk}/config/").status_code == 404
        assert (
            client.post(f"{SESSIONS}{session.pk}/state/", {"state": "fallida"}).status_code == 404
        )
        assert client.get(f"{SESSIONS}current/").json() == {"session": None}
    assert VideoSession.objects.get(pk=session.pk).status == "timbrando"

    ended = employee.post(f"{SESSIONS}{session.pk}/state/", {"state": "finalizada"}, format="json")
    assert ended.status_code == 200
    assert ended.json()["end_reason"] == "terminada por el asistente"


@pytest.mark.django_db
def test_ci03_one_open_call_per_attendee_and_never_kiosk_and_attendee_together():
    people = _people()
    video.video_session_open(
        technologist=people["tech"], modality="cliente_interno", attendee=people["employee"]
    )
    with pytest.raises(video.VideoRefused) as refused:
        video.video_session_open(
            technologist=people["tech2"], modality="cliente_interno", attendee=people["employee"]
        )
    assert refused.value.messages == [video.ATTENDEE_BUSY]
    assert VideoSession.objects.count() == 1

    from core.models import Kiosk

    kiosk = Kiosk.objects.create(office=OfficeFactory(), label="Módulo 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        VideoSession.objects.create(
            technologist=people["tech2"],
            modality="cliente_interno",
            kiosk=kiosk,
            attendee=people["other"],
            created_at=VideoSession.objects.get().created_at,
        )


@pytest.mark.django_db(transaction=True)
def test_ci03_signalling_flows_between_technologist_and_attendee_only():
    async def scenario():
        people = await db(_people)()
        sockets = {}
        for name in ("tech", "employee", "other"):
            sockets[name] = live_socket(await db(session_cookie)(people[name]))
            await sockets[name].connect()
            assert (await sockets[name].receive_json_from(timeout=2))["type"] == "hello"

        session = await db(video.video_session_open)(
            technologist=people["tech"], modality="cliente_interno", attendee=people["employee"]
        )
        for name in ("tech", "employee"):
            message = await sockets[name].receive_json_from(timeout=2)
            assert (message["type"], message["session"]) == ("video.connect", session.pk)
        assert await sockets["other"].receive_nothing(timeout=QUIET)

        await sockets["employee"].send_json_to(
            {"type": "video.signal", "session": session.pk, "data": {"kind": "ready"}}
        )
        relayed = await sockets["tech"].receive_json_from(timeout=2)
        assert (relayed["type"], relayed["data"]) == ("video.signal", {"kind": "ready"})
        await sockets["tech"].send_json_to(
            {"type": "video.signal", "session": session.pk, "data": {"kind": "offer"}}
        )
        relayed = await sockets["employee"].receive_json_from(timeout=2)
        assert relayed["data"] == {"kind": "offer"}

        # Another employee cannot inject into the call: an error, nothing relayed.
        await sockets["other"].send_json_to(
            {"type": "video.signal", "session": session.pk, "data": {"kind": "offer"}}
        )
        refused = await sockets["other"].receive_json_from(timeout=2)
        assert (refused["type"], refused["message"]) == ("error", video.NOT_YOURS)
        for name in ("tech", "employee"):
            assert await sockets[name].receive_nothing(timeout=QUIET)
        for socket in sockets.values():
            await socket.disconnect()

    run(scenario)


@pytest.mark.django_db
def test_ci03_attendee_signal_target_is_the_technologist():
    people = _people()
    session = video.video_session_open(
        technologist=people["tech"], modality="cliente_interno", attendee=people["employee"]
    )
    assert (
        video.video_signal_target(session_id=session.pk, party=LiveParty(user=people["employee"]))
        == f"user.{people['tech'].pk}"
    )
    assert (
        video.video_signal_target(session_id=session.pk, party=LiveParty(user=people["tech"]))
        == f"user.{people['employee'].pk}"
    )
