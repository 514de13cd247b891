"""AL-03 the office asks the waiting customers whether they accept virtual attention at a kiosk
(service, API and the turn desk), and CORE-01 / BAL-02 the desk's "Módulos asesor en línea" panel:
kiosks on or off, the alert for a kiosk off while the office has virtual supporters, and pairing
a kiosk page with the code it shows."""

import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from core.models import (
    Kiosk,
    KioskPairing,
    RemoteModality,
    RosterEntry,
    TransactionType,
    Turn,
    TurnEvent,
    TurnStatus,
    VirtualConsent,
)
from core.roles import Role
from core.services import turns as svc
from core.services.kiosks import (
    PAIRING_CODE_INVALID,
    PAIRING_NOT_OFFICE,
    kiosk_connection_opened,
    kiosk_pairing_request,
)
from core.services.turns.kiosk import CONSENT_INVALID
from tests.factories import OfficeFactory
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

DESK = "/oficina/turnos/"
QUESTION = "¿Acepta atención virtual en un módulo?"
HTMX = {"HTTP_HX_REQUEST": "true"}


def tt(code: str = "duplicado-de-factura") -> TransactionType:
    return TransactionType.objects.get(code=code)


def waiting(office, code: str = "duplicado-de-factura") -> Turn:
    return svc.turn_create(office=office, transaction_type=tt(code), accepts_remote=False)


def consent_url(turn) -> str:
    return f"/api/v1/turns/{turn.pk}/virtual-consent/"


def rostered(office, modality=RemoteModality.ASESOR_EN_LINEA, username="tec_al"):
    tech = make_user(Role.TECNOLOGO, OfficeFactory(), username=username)
    RosterEntry.objects.create(
        day=timezone.localdate(), technologist=tech, office=office, modality=modality
    )
    return tech


def kiosk_of(office, label="Módulo 1", *, on=False) -> Kiosk:
    kiosk = Kiosk.objects.create(office=office, label=label)
    if on:
        kiosk_connection_opened(kiosk=kiosk, channel_name=f"canal-{label}")
    return kiosk


def rows_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-turn="([^"]+)">(.*?)</tr>', html, re.S))


@pytest.fixture
def encargado(office):
    return make_user(Role.ENCARGADO, office, username="enc")


@pytest.fixture
def orientador(office):
    return make_user(Role.ORIENTADOR, office, username="ori")


# --- the service ---------------------------------------------------------------------------------


def test_al03_consent_accepts_and_refuses_with_events(office, encargado):
    first, second = waiting(office), waiting(office)

    svc.turn_virtual_consent(turn=first, accepts=True, by=encargado)
    svc.turn_virtual_consent(turn=second, accepts=False, by=encargado)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.virtual_consent, first.virtual_consent_by) == (VirtualConsent.ACEPTA, encargado)
    # Refused: still waiting in its place for in-person attention.
    assert (second.virtual_consent, second.status) == (VirtualConsent.RECHAZA, TurnStatus.EN_ESPERA)
    assert list(TurnEvent.objects.filter(by=encargado).values_list("turn", "kind")) == [
        (first.pk, TurnEvent.Kind.VIRTUAL_ACEPTA),
        (second.pk, TurnEvent.Kind.VIRTUAL_RECHAZA),
    ]


# --- the API -------------------------------------------------------------------------------------


def test_al03_api_consent_answers_the_turn(api_as, office, encargado):
    turn = waiting(office)

    response = api_as(encargado).post(consent_url(turn), {"accepts": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["number"], body["status"]) == (turn.pk, turn.number, "en_espera")
    assert (body["virtual_consent"], body["kiosk"], body["kiosk_label"]) == ("acepta", None, None)
    assert TurnEvent.objects.filter(turn=turn, kind=TurnEvent.Kind.VIRTUAL_ACEPTA).count() == 1

    response = api_as(encargado).post(consent_url(waiting(office)), {"accepts": False}, "json")
    assert response.status_code == 200 and response.json()["virtual_consent"] == "rechaza"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Este campo es obligatorio."),
        ({"accepts": "quizá"}, CONSENT_INVALID),
        ({"accepts": "true"}, CONSENT_INVALID),
        ({"accepts": None}, "Este campo es obligatorio."),
    ],
)
def test_al03_api_consent_bad_body_is_400_in_spanish(api_as, office, encargado, body, message):
    turn = waiting(office)
    response = api_as(encargado).post(consent_url(turn), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"accepts": [message]}
    turn.refresh_from_db()
    assert turn.virtual_consent == ""
    assert not TurnEvent.objects.filter(turn=turn).exclude(kind=TurnEvent.Kind.CREADO).exists()


def test_al03_api_consent_404_for_another_office_and_for_a_technologist(
    api_as, office, other_office
):
    turn = waiting(office)
    other_encargado = make_user(Role.ENCARGADO, other_office, username="enc_b")
    supporter = rostered(office)  # sees the office's turns today, but does not ask customers
    outsider = make_user(Role.TECNOLOGO, other_office, username="tec_b")

    for user in (other_encargado, supporter, outsider):
        response = api_as(user).post(consent_url(turn), {"accepts": True}, format="json")
        assert response.status_code == 404, user.username
        assert response.json() == {"detail": "Turno no encontrado."}
    turn.refresh_from_db()
    assert turn.virtual_consent == ""


def test_al03_api_consent_409_when_no_longer_waiting(api_as, office, encargado):
    turn = svc.turn_create(
        office=office, transaction_type=tt(), accepts_remote=True, mobile="3112223344"
    )
    tech = rostered(office, RemoteModality.CELULAR, username="tec_cel")
    svc.turn_take(turn=turn, by=tech)

    response = api_as(encargado).post(consent_url(turn), {"accepts": True}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": f"El turno {turn.number} ya no está en espera: llamado."}


# --- the turn desk: the question ----------------------------------------------------------------


def test_al03_desk_asks_the_next_waiting_customer_when_virtual_supporters_are_rostered(
    client, office, encargado
):
    rostered(office, RemoteModality.BALANCEO)
    accepted, refused, first_to_ask, second_to_ask = (waiting(office) for _ in range(4))
    remote = svc.turn_create(
        office=office, transaction_type=tt(), accepts_remote=True, mobile="3112223344"
    )
    svc.turn_virtual_consent(turn=accepted, accepts=True, by=encargado)
    svc.turn_virtual_consent(turn=refused, accepts=False, by=encargado)
    client.force_login(encargado)

    html = client.get(DESK).content.decode()
    rows = rows_of(html)

    assert "<th>Atención virtual</th>" in html
    assert (
        "Acepta atención virtual" in rows[accepted.number] and QUESTION not in rows[accepted.number]
    )
    assert "No acepta: atención presencial" in rows[refused.number]
    assert QUESTION in rows[first_to_ask.number] and QUESTION in rows[second_to_ask.number]
    assert "Siguiente a preguntar" in rows[first_to_ask.number]
    assert "Siguiente a preguntar" not in rows[second_to_ask.number]
    assert html.count("Siguiente a preguntar") == 1
    assert QUESTION not in rows[remote.number]  # attended by cellphone
    action = f'hx-post="/oficina/turnos/{first_to_ask.pk}/atencion-virtual/"'
    assert action in rows[first_to_ask.number]


def test_al03_desk_does_not_ask_without_virtual_supporters_today(client, office, encargado):
    rostered(office, RemoteModality.CELULAR)  # cellphone only: nobody calls turns to a kiosk
    waiting(office)
    client.force_login(encargado)
    html = client.get(DESK).content.decode()
    assert QUESTION not in html and "Atención virtual" not in html


def test_al03_desk_does_not_ask_for_a_transaction_without_remote_attention_here(client):
    office = OfficeFactory(has_orientador=False)
    encargado = make_user(Role.ENCARGADO, office, username="enc_sin")
    rostered(office)
    turn = waiting(office, "radicacion-de-documentos")
    client.force_login(encargado)
    assert QUESTION not in rows_of(client.get(DESK).content.decode())[turn.number]


def test_al03_desk_yes_and_no_buttons_record_the_answer(client, office, encargado):
    rostered(office)
    first, second = waiting(office), waiting(office)
    client.force_login(encargado)

    response = client.post(f"{DESK}{first.pk}/atencion-virtual/", {"accepts": "si"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acepta atención virtual" in rows_of(html)[first.number]
    assert "Siguiente a preguntar" in rows_of(html)[second.number]  # the next one is asked
    assert 'id="turn-flash" hx-swap-oob="true"' in html
    assert f"Turno {first.number}: acepta la atención virtual" in html

    response = client.post(f"{DESK}{second.pk}/atencion-virtual/", {"accepts": "no"})
    assert response.status_code == 302 and response["Location"] == DESK
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Turno {second.number}: no acepta la atención virtual; sigue en la sala para atención "
        "presencial."
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.virtual_consent, second.virtual_consent) == ("acepta", "rechaza")
    assert second.status == TurnStatus.EN_ESPERA


def test_al03_desk_answer_twice_or_for_another_office(client, office, other_office, encargado):
    rostered(office)
    turn = waiting(office)
    foreign = waiting(other_office)
    client.force_login(encargado)
    client.post(f"{DESK}{turn.pk}/atencion-virtual/", {"accepts": "si"}, **HTMX)
    tech = rostered(office, username="tec_al2")
    kiosk = kiosk_of(office, "Módulo 2", on=True)
    svc.turn_kiosk_call(turn=turn, by=tech, kiosk=kiosk, modality=RemoteModality.ASESOR_EN_LINEA)

    html = client.post(f"{DESK}{turn.pk}/atencion-virtual/", {"accepts": "no"}, **HTMX)
    html = html.content.decode()
    assert f"El turno {turn.number} ya no está en espera: llamado." in html
    assert "→ Módulo 2" in rows_of(html)[turn.number]  # called to the kiosk
    turn.refresh_from_db()
    assert turn.virtual_consent == VirtualConsent.ACEPTA

    bad = client.post(f"{DESK}{waiting(office).pk}/atencion-virtual/", {"accepts": "tal vez"})
    assert [str(m) for m in get_messages(bad.wsgi_request)][-1] == CONSENT_INVALID
    assert (
        client.post(f"{DESK}{foreign.pk}/atencion-virtual/", {"accepts": "si"}).status_code == 404
    )
    foreign.refresh_from_db()
    assert foreign.virtual_consent == ""


def test_al03_desk_lists_with_virtual_answers_keep_bounded_queries(
    client, office, encargado, django_assert_max_num_queries
):
    rostered(office)
    kiosk_of(office, on=True)
    for n in range(6):
        turn = waiting(office)
        if n % 2:
            svc.turn_virtual_consent(turn=turn, accepts=True, by=encargado)
    client.force_login(encargado)
    client.get(f"{DESK}listas/")
    with django_assert_max_num_queries(6):
        response = client.get(f"{DESK}listas/")
    assert response.content.decode().count("<tr data-turn=") == 6


# --- CORE-01 / BAL-02: the kiosks panel ---------------------------------------------------------


def test_core01_panel_shows_each_kiosk_on_or_off_and_paired(client, office, encargado):
    kiosk_of(office, "Módulo 1", on=True)
    off = kiosk_of(office, "Módulo 2")
    Kiosk.objects.filter(pk=off.pk).update(device_key_hash="x" * 64)
    kiosk_of(OfficeFactory(), "Módulo 9", on=True)  # another office's
    client.force_login(encargado)

    html = client.get(f"{DESK}modulos/").content.decode()

    items = dict(re.findall(r'<li [^>]*data-kiosk="([^"]+)">(.*?)</li>', html, re.S))
    assert set(items) == {"Módulo 1", "Módulo 2"}
    assert "Conectado" in items["Módulo 1"] and "Sin vincular" in items["Módulo 1"]
    assert "Desconectado" in items["Módulo 2"] and "Vinculado" in items["Módulo 2"]
    assert "está desconectado" not in html  # no virtual supporters today: no alert
    desk = client.get(DESK).content.decode()
    assert 'hx-get="/oficina/turnos/modulos/"' in desk
    assert "live:kiosks.changed from:body" in desk


def test_bal02_alert_for_a_kiosk_off_while_the_office_has_virtual_supporters(
    client, office, orientador
):
    rostered(office, RemoteModality.BALANCEO)
    kiosk_of(office, "Módulo 1", on=True)
    kiosk_of(office, "Módulo 2")
    client.force_login(orientador)

    html = client.get(DESK).content.decode()

    assert (
        "El módulo 2 está desconectado: enciéndalo (abra la página del módulo en su navegador) "
        "para recibir apoyo."
    ) in html
    assert "El módulo 1 está desconectado" not in html
    assert "Vincular módulo" not in html  # the encargado pairs
    assert "El encargado de la oficina vincula los módulos." in html


# --- CORE-01: pairing from the desk --------------------------------------------------------------


def test_core01_desk_pairs_a_kiosk_with_the_right_code(client, office, encargado):
    kiosk = kiosk_of(office, "Módulo 1")
    pairing, _secret = kiosk_pairing_request()
    client.force_login(encargado)
    assert "Vincular módulo" in client.get(DESK).content.decode()

    response = client.post(
        f"{DESK}modulos/vincular/", {"kiosk": kiosk.pk, "code": pairing.code.lower()}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Módulo 1 vinculado: la página del módulo se conecta sola en unos segundos." in html
    assert 'id="kiosk-panel" hx-swap-oob="innerHTML"' in html
    pairing.refresh_from_db()
    kiosk.refresh_from_db()
    assert (pairing.kiosk, pairing.paired_by) == (kiosk, encargado)
    assert kiosk.paired_by == encargado and kiosk.paired_at is not None


def test_core01_desk_pairing_without_htmx_redirects_with_the_message(client, office, encargado):
    kiosk = kiosk_of(office, "Módulo 3")
    pairing, _secret = kiosk_pairing_request()
    client.force_login(encargado)
    response = client.post(f"{DESK}modulos/vincular/", {"kiosk": kiosk.pk, "code": pairing.code})
    assert response.status_code == 302 and response["Location"] == DESK
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Módulo 3 vinculado: la página del módulo se conecta sola en unos segundos."
    ]


def test_core01_desk_wrong_code_shows_the_spanish_error_and_changes_nothing(
    client, office, encargado
):
    kiosk = kiosk_of(office)
    pairing, _secret = kiosk_pairing_request()
    client.force_login(encargado)

    response = client.post(
        f"{DESK}modulos/vincular/", {"kiosk": kiosk.pk, "code": "ZZZZZZ"}, **HTMX
    )
    assert PAIRING_CODE_INVALID in response.content.decode()
    page = client.post(f"{DESK}modulos/vincular/", {"kiosk": kiosk.pk, "code": ""})
    assert page.status_code == 400
    assert "Ingrese el código que muestra la pantalla del módulo." in page.content.decode()

    pairing.refresh_from_db()
    kiosk.refresh_from_db()
    assert pairing.kiosk is None and kiosk.paired_by is None and kiosk.paired_at is None


def test_core01_desk_refuses_another_offices_kiosk_and_an_orientador(
    client, office, other_office, encargado, orientador
):
    foreign = kiosk_of(other_office, "Módulo 1")
    own = kiosk_of(office, "Módulo 1")
    pairing, _secret = kiosk_pairing_request()

    client.force_login(encargado)
    response = client.post(
        f"{DESK}modulos/vincular/", {"kiosk": foreign.pk, "code": pairing.code}, **HTMX
    )
    assert "Seleccione un módulo de su oficina." in response.content.decode()

    client.force_login(orientador)
    response = client.post(
        f"{DESK}modulos/vincular/", {"kiosk": own.pk, "code": pairing.code}, **HTMX
    )
    assert PAIRING_NOT_OFFICE in response.content.decode()

    pairing.refresh_from_db()
    assert pairing.kiosk is None
    assert not KioskPairing.objects.filter(kiosk__isnull=False).exists()
    assert not Kiosk.objects.filter(paired_by__isnull=False).exists()


@pytest.mark.parametrize("role", [Role.TECNOLOGO, Role.GESTOR, Role.ASIGNADOR])
def test_nfr02_desk_live_parts_refused_to_other_roles(client, office, role):
    turn = waiting(office)
    kiosk = kiosk_of(office)
    client.force_login(make_user(role, office, username=f"u_{role}"))
    assert client.get(f"{DESK}modulos/").status_code == 403
    assert client.post(f"{DESK}{turn.pk}/atencion-virtual/", {"accepts": "si"}).status_code == 403
    assert (
        client.post(f"{DESK}modulos/vincular/", {"kiosk": kiosk.pk, "code": "X"}).status_code == 403
    )
