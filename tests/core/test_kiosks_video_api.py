"""Kiosks, the waiting-room display and video sessions through the API and the pages
(CORE-01 kiosks, AL-03/BAL-03 announcements, NFR-02 access).

- Pairing: the kiosk page asks a code (no sign in), the encargado of the kiosk's office types
  it, the kiosk collects its device cookie exactly once and ``/kiosco/`` becomes the kiosk's page;
  expired or wrong codes answer 400 in Spanish; another office's encargado is refused; pairing
  again makes the previous device's cookie stop working.
- ICE servers: TURN credentials that coturn's use-auth-secret accepts (HMAC-SHA1) and that
  expire at now + TTL.
- Video sessions: the two parties only (404 for anyone else), their state changes and the
  Spanish refusals.
- The office's display: its staff and its kiosks only.
"""

import base64
import datetime as dt
import hashlib
import hmac
import importlib
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from core.live.auth import KIOSK_COOKIE, PAIRING_COOKIE, kiosk_from_credential
from core.models import (
    Kiosk,
    KioskPairing,
    Printer,
    RemoteModality,
    RosterEntry,
    TransactionType,
    Turn,
    TurnSequence,
    TurnStatus,
    VideoSession,
)
from core.roles import Role
from core.services import kiosks as kiosk_services
from core.services.turns import turn_create
from core.services.turns.kiosk import turn_kiosk_call, turn_virtual_consent
from core.tasks import kiosks_offline_sweep_task
from core.video import services as video_services
from tests.factories import OfficeFactory
from tests.helpers import ROLE_COLUMNS, make_user, token_client

pytestmark = pytest.mark.django_db

PAIRINGS = "/api/v1/kiosks/pairings/"
CURRENT = "/api/v1/kiosks/pairings/current/"
ICE = "/api/v1/video/ice-servers/"
CURRENT_CALL = "/api/v1/video/sessions/current/"
SECRET = "secreto-turn-de-prueba"


def session_url(session_id, tail: str = "") -> str:
    return f"/api/v1/video/sessions/{session_id}/{tail}"


@pytest.fixture
def scene(db):
    """Office A (with Módulo 2 and Módulo 3) and office B (its own kiosk and staff)."""
    office = OfficeFactory(name="Oficina Itagüí", code="A")
    other = OfficeFactory(name="Oficina Bello", code="B")
    return {
        "office": office,
        "other": other,
        "kiosk": Kiosk.objects.create(office=office, label="Módulo 2"),
        "kiosk3": Kiosk.objects.create(office=office, label="Módulo 3"),
        "kiosk_b": Kiosk.objects.create(office=other, label="Módulo 1"),
        "encargado": make_user(Role.ENCARGADO, office, username="encargada_a"),
        "orientador": make_user(Role.ORIENTADOR, office, username="orientador_a"),
        "encargado_b": make_user(Role.ENCARGADO, other, username="encargado_b"),
        "orientador_b": make_user(Role.ORIENTADOR, other, username="orientador_b"),
        "tech": make_user(Role.TECNOLOGO, other, username="tecnologa", first_name="Ana"),
        "tech2": make_user(Role.TECNOLOGO, other, username="tecnologo_dos"),
        "employee": make_user(Role.CLIENTE_INTERNO, office, username="empleado"),
    }


def pair(kiosk, by) -> str:
    """Pair ``kiosk`` through the services, as the kiosk page and the encargado would: the
    device credential (the cookie's value)."""
    pairing, secret = kiosk_services.kiosk_pairing_request()
    kiosk_services.kiosk_pair(kiosk=kiosk, code=pairing.code, by=by)
    status, _, credential = kiosk_services.kiosk_pairing_collect(secret=secret)
    assert status == "vinculado"
    return credential


def kiosk_client(credential: str, **kwargs) -> APIClient:
    client = APIClient(**kwargs)
    client.cookies[KIOSK_COOKIE] = credential
    return client


def online(kiosk) -> None:
    Kiosk.objects.filter(pk=kiosk.pk).update(is_on=True, last_seen_at=timezone.now())


# --- pairing ---------------------------------------------------------------------------------


def test_core01_pairing_end_to_end_through_the_api(scene, api_as):
    kiosk = scene["kiosk"]
    page = APIClient()  # the kiosk PC's browser: nobody signed in

    response = page.get("/kiosco/")
    assert response.status_code == 200
    assert "Módulo sin vincular" in response.content.decode()
    assert "Pida al encargado de la oficina que ingrese este código" in response.content.decode()

    response = page.post(PAIRINGS)
    assert response.status_code == 201
    code = response.json()["code"]
    assert len(code) == 6 and set(code) <= set(kiosk_services.CODE_ALPHABET)
    cookie = response.cookies[PAIRING_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert page.get(CURRENT).json() == {"status": "pendiente", "kiosk": None}

    # The encargado types it (lower case, with a space: it still matches).
    encargado = api_as(scene["encargado"])
    response = encargado.post(
        f"/api/v1/kiosks/{kiosk.pk}/pair/", {"code": f"{code[:3].lower()} {code[3:]}"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["label"] == "Módulo 2"

    response = page.get(CURRENT)
    assert response.json() == {
        "status": "vinculado",
        "kiosk": {"id": kiosk.pk, "label": "Módulo 2", "office_name": "Oficina Itagüí"},
    }
    device = response.cookies[KIOSK_COOKIE]
    assert device["httponly"] and device["samesite"] == "Lax"
    assert int(device["max-age"]) == 365 * 24 * 3600
    assert not device["secure"]  # plain HTTP here; Secure when the request is HTTPS
    assert kiosk_from_credential(device.value) == kiosk

    html = page.get("/kiosco/").content.decode()
    assert "Módulo sin vincular" not in html
    assert "Módulo 2" in html and "Oficina Itagüí" in html

    # The credential is handed out once: a second collect gets nothing.
    second = APIClient()
    second.cookies[PAIRING_COOKIE] = cookie.value
    response = second.get(CURRENT)
    assert response.json()["status"] == "vencido"
    assert KIOSK_COOKIE not in response.cookies

    kiosk.refresh_from_db()
    assert kiosk.paired_by == scene["encargado"] and kiosk.is_paired


def test_core01_pairing_answers_secure_cookie_over_https(scene):
    page = APIClient()
    response = page.post(PAIRINGS, secure=True)
    assert response.cookies[PAIRING_COOKIE]["secure"]
    kiosk_services.kiosk_pair(
        kiosk=scene["kiosk"], code=response.json()["code"], by=scene["encargado"]
    )
    response = page.get(CURRENT, secure=True)
    assert response.cookies[KIOSK_COOKIE]["secure"]


def test_core01_expired_or_wrong_code_is_refused_in_spanish(scene, api_as):
    page = APIClient()
    code = page.post(PAIRINGS).json()["code"]
    KioskPairing.objects.filter(code=code).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    encargado = api_as(scene["encargado"])
    url = f"/api/v1/kiosks/{scene['kiosk'].pk}/pair/"

    response = encargado.post(url, {"code": code})
    assert response.status_code == 400
    assert response.json() == {"code": [kiosk_services.PAIRING_CODE_INVALID]}
    assert page.get(CURRENT).json()["status"] == "vencido"

    assert encargado.post(url, {"code": "ZZZZZZ"}).json() == {
        "code": [kiosk_services.PAIRING_CODE_INVALID]
    }
    assert encargado.post(url, {}).json() == {"code": ["Escriba el código que muestra el módulo."]}
    assert not Kiosk.objects.get(pk=scene["kiosk"].pk).is_paired


def test_core01_nfr02_only_the_kiosk_offices_encargado_pairs_it(scene, api_as):
    code = APIClient().post(PAIRINGS).json()["code"]
    url = f"/api/v1/kiosks/{scene['kiosk'].pk}/pair/"

    assert api_as(scene["encargado_b"]).post(url, {"code": code}).status_code == 404
    response = api_as(scene["orientador"]).post(url, {"code": code})
    assert response.status_code == 403
    assert response.json()["detail"] == "Su rol no tiene acceso a este recurso."
    assert APIClient().post(url, {"code": code}).status_code in (401, 403)
    assert KioskPairing.objects.get(code=code).kiosk is None  # still waiting for its encargado


def test_core01_pairing_again_invalidates_the_old_device(scene):
    kiosk = scene["kiosk"]
    old = pair(kiosk, scene["encargado"])
    assert kiosk_client(old).get(ICE).status_code == 200

    new = pair(kiosk, scene["encargado"])

    assert kiosk_from_credential(old) is None
    assert kiosk_from_credential(new) == kiosk
    assert "Módulo sin vincular" in kiosk_client(old).get("/kiosco/").content.decode()
    assert kiosk_client(old).get(ICE).status_code in (401, 403)
    assert "Módulo 2" in kiosk_client(new).get("/kiosco/").content.decode()


def test_core01_pairing_codes_are_throttled_per_address(scene, settings):
    settings.KIOSK_PAIRING_RATE = "2/min"
    page = APIClient()
    assert page.post(PAIRINGS).status_code == 201
    assert page.post(PAIRINGS).status_code == 201
    response = page.post(PAIRINGS)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Demasiadas solicitudes.")


def test_core01_nfr02_pairing_limit_is_not_escaped_with_x_forwarded_for(scene, settings):
    """The limit counts the socket's address: a client writing a new X-Forwarded-For on each
    request (not behind a trusted proxy) is still limited."""
    settings.KIOSK_PAIRING_RATE = "2/min"
    settings.BEHIND_PROXY = False
    page = APIClient()
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        assert page.post(PAIRINGS, HTTP_X_FORWARDED_FOR=forwarded).status_code == 201
    response = page.post(PAIRINGS, HTTP_X_FORWARDED_FOR="203.0.113.3")
    assert response.status_code == 429
    assert KioskPairing.objects.count() == 2


def test_core01_pairing_limit_behind_a_proxy_counts_the_proxys_last_hop(scene, settings):
    settings.KIOSK_PAIRING_RATE = "1/min"
    settings.BEHIND_PROXY = True
    page = APIClient()
    assert page.post(PAIRINGS, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7").status_code == 201
    # Another address written before the proxy's hop: the same client.
    response = page.post(PAIRINGS, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7")
    assert response.status_code == 429
    assert page.post(PAIRINGS, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 201


def test_core01_pairing_code_is_drawn_again_on_a_collision(scene, monkeypatch):
    live = KioskPairing.objects.get(code=APIClient().post(PAIRINGS).json()["code"])
    draws = iter(live.code + "ABCDEF")  # first the live code, then a free one
    monkeypatch.setattr(kiosk_services.secrets, "choice", lambda alphabet: next(draws))
    pairing, _ = kiosk_services.kiosk_pairing_request()
    assert pairing.code == "ABCDEF"

    drawn = []

    def always_taken(alphabet):
        drawn.append(1)
        assert len(drawn) <= 6 * 100, "sin límite de intentos"
        return live.code[0]

    monkeypatch.setattr(kiosk_services.secrets, "choice", always_taken)
    KioskPairing.objects.filter(pk=live.pk).update(code=live.code[0] * 6)
    with pytest.raises(ValidationError) as refused:
        kiosk_services.kiosk_pairing_request()  # bounded: gives up instead of looping
    assert refused.value.messages == [kiosk_services.PAIRING_NO_CODE]
    assert len(drawn) == 6 * kiosk_services.PAIRING_CODE_TRIES


def test_core01_sweep_purges_expired_uncollected_pairings(scene):
    now = timezone.now()

    def pairing(code, expired_ago, **fields):
        return KioskPairing.objects.create(
            code=code,
            secret_hash=code,
            created_at=now - expired_ago - dt.timedelta(minutes=10),
            expires_at=now - expired_ago,
            **fields,
        )

    old = pairing("AAAAAA", dt.timedelta(days=2))
    old_paired = pairing("BBBBBB", dt.timedelta(days=2), kiosk=scene["kiosk"])
    recent = pairing("CCCCCC", dt.timedelta(hours=1))
    collected = pairing(
        "DDDDDD",
        dt.timedelta(days=30),
        kiosk=scene["kiosk"],
        paired_by=scene["encargado"],
        paired_at=now - dt.timedelta(days=31),
        collected_at=now - dt.timedelta(days=31),
    )
    pending = pairing("EEEEEE", -dt.timedelta(minutes=5))

    assert kiosks_offline_sweep_task.delay().get() == 0  # still the kiosks turned off
    left = set(KioskPairing.objects.values_list("pk", flat=True))
    assert left == {recent.pk, collected.pk, pending.pk}
    assert old.pk not in left and old_paired.pk not in left


def test_core01_device_cookie_is_secure_when_session_cookies_are(scene, settings):
    """Behind a TLS proxy the app may see plain HTTP: SESSION_COOKIE_SECURE decides too."""
    settings.SESSION_COOKIE_SECURE = True
    page = APIClient()
    response = page.post(PAIRINGS)
    assert response.cookies[PAIRING_COOKIE]["secure"]
    kiosk_services.kiosk_pair(
        kiosk=scene["kiosk"], code=response.json()["code"], by=scene["encargado"]
    )
    response = page.get(CURRENT)
    assert response.cookies[KIOSK_COOKIE]["secure"]
    assert response.cookies[KIOSK_COOKIE]["httponly"]

    settings.SESSION_COOKIE_SECURE = False
    assert not APIClient().post(PAIRINGS).cookies[PAIRING_COOKIE]["secure"]


def test_core01_unpair_from_admin_clears_the_device(scene, client, django_user_model):
    kiosk = scene["kiosk"]
    credential = pair(kiosk, scene["encargado"])
    admin = django_user_model.objects.create_superuser("raiz", "raiz@example.com", "x")
    client.force_login(admin)

    response = client.post(
        "/admin/core/kiosk/",
        {"action": "unpair", "_selected_action": [kiosk.pk]},
        follow=True,
    )
    assert "1 módulo(s) desvinculado(s)" in response.content.decode()
    assert kiosk_from_credential(credential) is None
    assert not Kiosk.objects.get(pk=kiosk.pk).is_paired


def test_core01_admin_refuses_a_printer_of_another_office(scene, client, django_user_model):
    admin = django_user_model.objects.create_superuser("raiz", "raiz@example.com", "x")
    client.force_login(admin)
    far_printer = Printer.objects.create(office=scene["other"], name="Impresora Bello")
    kiosk = scene["kiosk"]
    online(kiosk)

    page = client.get(f"/admin/core/kiosk/{kiosk.pk}/change/").content.decode()
    assert "Conectado" in page
    response = client.post(
        f"/admin/core/kiosk/{kiosk.pk}/change/",
        {
            "office": scene["office"].pk,
            "label": "Módulo 2",
            "printer": far_printer.pk,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "La impresora del módulo debe ser de la misma oficina del módulo." in (
        response.content.decode()
    )
    assert Kiosk.objects.get(pk=kiosk.pk).printer is None


# --- kiosks list and the sweep ---------------------------------------------------------------


def test_core01_kiosk_list_is_scoped_and_computes_on_live(
    scene, api_as, django_assert_max_num_queries
):
    online(scene["kiosk"])
    # Marked on, but its heartbeat is stale: "desconectado".
    Kiosk.objects.filter(pk=scene["kiosk3"].pk).update(
        is_on=True, last_seen_at=timezone.now() - dt.timedelta(minutes=5)
    )
    printer = Printer.objects.create(office=scene["office"], name="Impresora módulo 2")
    Kiosk.objects.filter(pk=scene["kiosk"].pk).update(printer=printer)
    pair(scene["kiosk"], scene["encargado"])

    with django_assert_max_num_queries(6):
        response = api_as(scene["encargado"]).get("/api/v1/kiosks/")
    rows = {row["label"]: row for row in response.json()}
    assert set(rows) == {"Módulo 2", "Módulo 3"}
    assert rows["Módulo 2"]["is_on"] is True and rows["Módulo 2"]["paired"] is True
    assert rows["Módulo 2"]["printer_name"] == "Impresora módulo 2"
    assert rows["Módulo 3"]["is_on"] is False and rows["Módulo 3"]["paired"] is False

    assert [r["label"] for r in api_as(scene["encargado_b"]).get("/api/v1/kiosks/").json()] == [
        "Módulo 1"
    ]
    assert api_as(scene["employee"]).get("/api/v1/kiosks/").status_code == 403


def test_core01_offline_sweep_is_scheduled_and_turns_stale_kiosks_off(scene):
    from django.apps import apps

    migration = importlib.import_module("core.migrations.0022_kiosks_offline_sweep")
    migration.load(apps)
    migration.load(apps)
    scheduled = PeriodicTask.objects.get(task="core.kiosks_offline_sweep")
    assert (scheduled.interval.every, scheduled.interval.period) == (1, "minutes")
    assert scheduled.task == kiosks_offline_sweep_task.name

    online(scene["kiosk"])
    Kiosk.objects.filter(pk=scene["kiosk3"].pk).update(
        is_on=True, last_seen_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert kiosks_offline_sweep_task.delay().get() == 1
    assert Kiosk.objects.get(pk=scene["kiosk"].pk).is_on
    assert not Kiosk.objects.get(pk=scene["kiosk3"].pk).is_on


# --- ICE servers -----------------------------------------------------------------------------


def test_al_bal_ice_servers_turn_credentials_verify_and_expire(scene, settings, api_as):
    settings.VIDEO_STUN_URLS = ["stun:turn.atencion.test:3478"]
    settings.VIDEO_TURN_URLS = [
        "turn:turn.atencion.test:3478?transport=udp",
        "turn:turn.atencion.test:3478?transport=tcp",
    ]
    settings.VIDEO_TURN_SECRET = SECRET
    settings.VIDEO_TURN_TTL_SECONDS = 600

    before = int(time.time())
    body = api_as(scene["tech"]).get(ICE).json()
    after = int(time.time())

    assert body["ttl"] == 600 and body["ice_transport_policy"] == "all"
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:turn.atencion.test:3478"]}
    assert turn["urls"] == settings.VIDEO_TURN_URLS
    expiry, name = turn["username"].split(":", 1)
    assert name == "tecnologa"
    assert before + 600 <= int(expiry) <= after + 600
    expected = hmac.new(SECRET.encode(), turn["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(turn["credential"]) == expected

    # A kiosk by its device cookie; a token works like the session.
    credential = pair(scene["kiosk"], scene["encargado"])
    kiosk_turn = kiosk_client(credential).get(ICE).json()["ice_servers"][1]
    assert kiosk_turn["username"].endswith(f":kiosk-{scene['kiosk'].pk}")
    assert token_client(scene["tech"]).get(ICE).status_code == 200


def test_nfr02_ice_servers_refused_without_staff_or_kiosk(scene, api_as):
    assert APIClient().get(ICE).status_code in (401, 403)
    assert api_as(scene["employee"]).get(ICE).status_code == 403
    assert kiosk_client("1.una-clave-falsa").get(ICE).status_code in (401, 403)


def test_nfr02_al_bal_ice_servers_only_for_the_parties_of_calls(scene, settings, api_as):
    """TURN credentials open the relay: technologists and paired kiosks only (the parties of
    calls); other staff get 403. A call's page uses sessions/{id}/config/ (party-checked)."""
    settings.VIDEO_TURN_URLS = ["turn:turn.atencion.test:3478?transport=udp"]
    settings.VIDEO_TURN_SECRET = SECRET
    for user in ("encargado", "orientador"):
        response = api_as(scene[user]).get(ICE)
        assert response.status_code == 403, user
        assert response.json()["detail"] == "Su rol no tiene acceso a este recurso."
    assert api_as(scene["tech"]).get(ICE).status_code == 200
    credential = pair(scene["kiosk"], scene["encargado"])
    assert kiosk_client(credential).get(ICE).status_code == 200


# --- video sessions --------------------------------------------------------------------------


@pytest.fixture
def call(scene):
    """Módulo 2 paired; a ringing session between the technologist and it."""
    credential = pair(scene["kiosk"], scene["encargado"])
    session = video_services.video_session_open(
        technologist=scene["tech"], modality="asesor_en_linea", kiosk=scene["kiosk"]
    )
    return {"session": session, "credential": credential}


def test_al_bal_session_detail_and_config_for_its_two_parties(scene, call, api_as, settings):
    session = call["session"]
    tech = api_as(scene["tech"])

    body = tech.get(session_url(session.pk)).json()
    assert body["state"] == "timbrando" and body["kiosk_label"] == "Módulo 2"
    assert body["office_name"] == "Oficina Itagüí" and body["candidate_type"] == ""

    assert tech.get(session_url(session.pk, "config/")).json() == {
        "provider": "p2p",
        "ice_servers": [],
        "ice_transport_policy": "all",
        "role": "offerer",
    }
    settings.VIDEO_ICE_TRANSPORT_POLICY = "relay"
    kiosk = kiosk_client(call["credential"])
    config = kiosk.get(session_url(session.pk, "config/")).json()
    assert (config["ice_transport_policy"], config["role"]) == ("relay", "answerer")
    assert kiosk.get(session_url(session.pk)).json()["id"] == session.pk


def test_nfr02_other_parties_get_404_for_the_session(scene, call, api_as):
    session = call["session"]
    other_tech = api_as(scene["tech2"])
    other_kiosk = kiosk_client(pair(scene["kiosk3"], scene["encargado"]))
    for client in (other_tech, other_kiosk, api_as(scene["encargado"])):
        assert client.get(session_url(session.pk)).status_code == 404
        assert client.get(session_url(session.pk, "config/")).status_code == 404
        response = client.post(session_url(session.pk, "state/"), {"state": "fallida"})
        assert response.status_code == 404
    assert APIClient().get(session_url(session.pk)).status_code in (401, 403)
    assert VideoSession.objects.get(pk=session.pk).status == "timbrando"

    # Over the live socket the other kiosk is refused (409) and nothing is relayed.
    from core.live.auth import LiveParty

    with pytest.raises(video_services.VideoRefused) as refused:
        video_services.video_signal_target(
            session_id=session.pk, party=LiveParty(kiosk=scene["kiosk3"])
        )
    assert refused.value.messages == [video_services.NOT_YOURS]


def test_al_bal_current_session_is_the_callers_open_call(scene, call, api_as):
    """The signalling fallback: a page whose socket was down when "video.connect" went out
    asks for its open call — the technologist by session or token, the kiosk by its cookie."""
    session = call["session"]
    tech = api_as(scene["tech"])
    body = tech.get(CURRENT_CALL).json()
    assert body["session"]["id"] == session.pk
    assert (body["session"]["state"], body["session"]["kiosk_label"]) == ("timbrando", "Módulo 2")
    assert token_client(scene["tech"]).get(CURRENT_CALL).json()["session"]["id"] == session.pk
    kiosk = kiosk_client(call["credential"])
    assert kiosk.get(CURRENT_CALL).json()["session"]["id"] == session.pk

    # Not theirs: nothing (an internal-client employee too: they take part in their own
    # appointment's calls only, CI-03). Anonymous: refused.
    assert api_as(scene["tech2"]).get(CURRENT_CALL).json() == {"session": None}
    assert api_as(scene["encargado"]).get(CURRENT_CALL).json() == {"session": None}
    other_kiosk = kiosk_client(pair(scene["kiosk3"], scene["encargado"]))
    assert other_kiosk.get(CURRENT_CALL).json() == {"session": None}
    assert APIClient().get(CURRENT_CALL).status_code in (401, 403)
    assert api_as(scene["employee"]).get(CURRENT_CALL).json() == {"session": None}

    # Ended: nothing to start.
    tech.post(session_url(session.pk, "state/"), {"state": "finalizada"})
    assert tech.get(CURRENT_CALL).json() == {"session": None}
    assert kiosk.get(CURRENT_CALL).json() == {"session": None}


def test_al_bal_video_pages_carry_the_current_session_url(scene, call, client):
    kiosk = kiosk_client(call["credential"])
    html = kiosk.get("/kiosco/").content.decode()
    assert f'data-video-current-url="{CURRENT_CALL}"' in html
    assert "data-video-auto" in html
    assert f'data-video-session="{call["session"].pk}"' in html


def test_al_bal_session_state_transitions(scene, call, api_as):
    session = call["session"]
    kiosk = kiosk_client(call["credential"], enforce_csrf_checks=True)
    url = session_url(session.pk, "state/")

    # The kiosk writes with its cookie: CSRF-checked like a session.
    response = kiosk.post(url, {"state": "conectada", "candidate_type": "relay"}, format="json")
    assert response.status_code == 403
    kiosk.get("/kiosco/")
    token = kiosk.cookies["csrftoken"].value
    response = kiosk.post(
        url,
        {"state": "conectada", "candidate_type": "relay"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["candidate_type"]) == ("conectada", "relay")
    assert response.json()["connected_at"]

    tech = api_as(scene["tech"])
    assert tech.post(url, {"state": "sonando"}).json() == {"state": [video_services.STATE_INVALID]}
    response = tech.post(url, {"state": "conectada", "candidate_type": "satelite"})
    assert response.status_code == 409
    assert response.json() == {"detail": video_services.CANDIDATE_INVALID}

    response = tech.post(url, {"state": "finalizada"})
    body = response.json()
    assert (body["state"], body["end_reason"]) == ("finalizada", "terminada por el tecnólogo")
    assert body["ended_at"]

    # Ended stays ended: a late "fallida" from the kiosk changes nothing.
    kiosk.post(url, {"state": "fallida", "reason": "tarde"}, format="json", HTTP_X_CSRFTOKEN=token)
    session.refresh_from_db()
    assert (session.status, session.end_reason, session.candidate_type) == (
        "finalizada",
        "terminada por el tecnólogo",
        "relay",
    )


def test_al_bal_failed_session_keeps_the_reason(scene, call, api_as):
    session = call["session"]
    response = api_as(scene["tech"]).post(
        session_url(session.pk, "state/"),
        {"state": "fallida", "reason": "no se conectó en 20 s (tecnólogo, ICE: checking)"},
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.status == "fallida"
    assert session.end_reason == "no se conectó en 20 s (tecnólogo, ICE: checking)"


def test_nfr02_video_call_page_for_the_sessions_technologist_only(scene, call, client):
    session = call["session"]
    client.force_login(scene["tech"])
    html = client.get(f"/video/sesiones/{session.pk}/").content.decode()
    assert "Videollamada" in html and "Terminar videollamada" in html
    assert f'data-video-session="{session.pk}"' in html
    client.force_login(scene["tech2"])
    assert client.get(f"/video/sesiones/{session.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/video/sesiones/{session.pk}/").status_code == 302


# --- the waiting-room display ----------------------------------------------------------------


@pytest.fixture
def announced(scene):
    """Turn A-023 called by the technologist to Módulo 2 (asesor en línea)."""
    office, kiosk, tech = scene["office"], scene["kiosk"], scene["tech"]
    RosterEntry.objects.create(
        day=timezone.localdate(),
        technologist=tech,
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
    online(kiosk)
    return turn_kiosk_call(turn=turn, by=tech, kiosk=kiosk, modality=RemoteModality.ASESOR_EN_LINEA)


def test_al03_bal03_display_lists_the_turns_called_today(
    scene, announced, api_as, django_assert_max_num_queries
):
    url = f"/api/v1/offices/{scene['office'].pk}/display/"
    with django_assert_max_num_queries(6):
        response = api_as(scene["encargado"]).get(url)
    assert response.status_code == 200
    [entry] = response.json()
    assert (entry["turn"], entry["kiosk"]) == ("A-023", "Módulo 2")
    assert entry["announced_at"]

    credential = pair(scene["kiosk3"], scene["encargado"])
    assert kiosk_client(credential).get(url).json()[0]["turn"] == "A-023"
    assert api_as(scene["orientador"]).get(url).status_code == 200


def test_al03_bal03_kiosk_page_renders_its_current_announcement(scene, announced):
    """A reloaded kiosk page shows the turn called to it ("llamado") without waiting for a
    message; the kiosk page's socket carries the kiosk marker, the display's does not."""
    credential = pair(scene["kiosk"], scene["encargado"])
    html = kiosk_client(credential).get("/kiosco/").content.decode()
    assert 'data-live-url="/ws/live/?role=kiosk"' in html
    assert 'data-view="kiosk-announce"' in html
    assert '<p class="kiosk-turn" id="kiosk-turn">Turno A-023</p>' in html
    assert 'id="kiosk-announce" aria-live="assertive">' in html  # not hidden
    assert 'id="kiosk-idle" hidden' in html

    display = kiosk_client(credential).get(f"/oficina/{scene['office'].pk}/sala/")
    assert 'data-live-url="/ws/live/"' in display.content.decode()

    # Another kiosk of the office has nothing called to it; once attended, nothing is shown.
    other = kiosk_client(pair(scene["kiosk3"], scene["encargado"])).get("/kiosco/")
    assert 'data-view="kiosk-idle"' in other.content.decode()
    Turn.objects.filter(pk=announced.pk).update(status=TurnStatus.EN_ATENCION)
    html = kiosk_client(credential).get("/kiosco/").content.decode()
    assert 'data-view="kiosk-idle"' in html and "Turno A-023" not in html


def test_nfr02_display_of_another_office_answers_404(scene, announced, api_as, client):
    office = scene["office"]
    url = f"/api/v1/offices/{office.pk}/display/"
    page = f"/oficina/{office.pk}/sala/"
    for user in ("encargado_b", "orientador_b", "tech", "employee"):
        assert api_as(scene[user]).get(url).status_code == 404, user
        client.force_login(scene[user])
        assert client.get(page).status_code == 404, user
    kiosk_b = kiosk_client(pair(scene["kiosk_b"], scene["encargado_b"]))
    assert kiosk_b.get(url).status_code == 404
    assert kiosk_b.get(page).status_code == 404
    assert APIClient().get(url).status_code in (401, 403)
    client.logout()
    assert client.get(page).status_code == 404

    client.force_login(scene["encargado"])
    html = client.get(page).content.decode()
    assert 'Turno A-023</span> → <span class="display-kiosk">Módulo 2' in html


# --- NFR-02: every role × every page and endpoint of this module -------------------------------

LOGIN = 302
# fmt: off
ROLE_TABLE = {
    #                                        anon orie tecn gest asig enca crea mesa geof clin
    "GET /kiosco/":                          (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /oficina/{office}/sala/":           (404, 200, 404, 404, 404, 200, 404, 404, 200, 404),
    "GET /api/v1/offices/{office}/display/": (401, 200, 404, 404, 404, 200, 404, 404, 200, 404),
    "GET /api/v1/kiosks/":                   (401, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "POST /api/v1/kiosks/{kiosk}/pair/":     (401, 403, 403, 403, 403, 400, 403, 403, 403, 403),
    "GET /api/v1/video/ice-servers/":        (401, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/video/sessions/current/":   (401, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/video/sessions/{session}/": (401, 404, 200, 404, 404, 404, 404, 404, 404, 404),
    "GET /video/sesiones/{session}/":        (LOGIN, 404, 200, 404, 404, 404, 404, 404, 404, 404),
}
# fmt: on


@pytest.fixture
def role_scene(users, office):
    kiosk = Kiosk.objects.create(office=office, label="Módulo 1")
    session = video_services.video_session_open(
        technologist=users[Role.TECNOLOGO], modality="asesor_en_linea", kiosk=kiosk
    )
    return {"office": office.pk, "kiosk": kiosk.pk, "session": session.pk}


@pytest.mark.parametrize("request_line", list(ROLE_TABLE))
def test_nfr02_kiosk_display_and_video_role_table(request_line, users, role_scene):
    method, template = request_line.split(" ")
    url = template.format(**role_scene)
    got = {}
    for column in ROLE_COLUMNS:
        client = APIClient()
        if column != "anonimo":
            client.force_login(users[column])
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, {"code": "ZZZZZZ"}, format="json")
        got[column] = response.status_code
    assert got == dict(zip(ROLE_COLUMNS, ROLE_TABLE[request_line], strict=True))
