"""CEL-02 / CEL-03 the orientador's and encargado's turn desk (/oficina/turnos/) and the
cannot-connect notice on the office page (/oficina/); the turns' admin (NFR-02)."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from core.models import RemoteModality, RosterEntry, TransactionType, Turn, TurnEvent, TurnStatus
from core.personal_data import MOBILE_MESSAGE
from core.roles import Role
from core.services import turns as svc
from tests.factories import OfficeFactory
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

MOBILE = "3112223344"
DESK = "/oficina/turnos/"
QUESTION = "¿Acepta atención a distancia por celular?"


def tt(code: str = "duplicado-de-factura") -> TransactionType:
    return TransactionType.objects.get(code=code)


def remote_turn(office, *, at=None):
    return svc.turn_create(
        office=office, transaction_type=tt(), accepts_remote=True, mobile=MOBILE, at=at
    )


def failed_call(office, username="tec_a"):
    """A remote turn whose call could not connect: the office has to decide."""
    tech = make_user(Role.TECNOLOGO, office, username=username)
    RosterEntry.objects.create(
        day=timezone.localdate(), technologist=tech, office=office, modality=RemoteModality.CELULAR
    )
    turn = remote_turn(office)
    svc.turn_take(turn=turn, by=tech)
    svc.turn_no_connect(turn=turn, by=tech)
    return turn, tech


@pytest.fixture
def orientador(office):
    return make_user(Role.ORIENTADOR, office, username="ori")


@pytest.fixture
def encargado(office):
    return make_user(Role.ENCARGADO, office, username="enc")


def option_attrs(html: str, name: str) -> str:
    match = re.search(rf"<option ([^>]*)>{re.escape(name)}</option>", html)
    assert match, name
    return match.group(1)


# --- the page --------------------------------------------------------------------------------


def test_cel02_desk_page_content(client, orientador, office):
    svc.turn_create(office=office, transaction_type=tt("revision-de-medidor"), accepts_remote=False)
    remote_turn(office)
    remote_turn(office, at=timezone.now() - dt.timedelta(days=1))  # yesterday's: not listed
    client.force_login(orientador)

    html = client.get(DESK).content.decode()

    assert f"Turnos — {office.name}" in html
    assert "Entregar turno" in html
    assert 'name="transaction_type"' in html
    assert QUESTION not in html  # shown once an eligible transaction is chosen
    assert f'data-turn="{office.code}-001"' in html and f'data-turn="{office.code}-002"' in html
    assert html.count("data-turn=") == 2
    assert "Revisión de medidor" in html and "en espera" in html
    assert "celular 311•••••44" in html and MOBILE not in html
    # NFR-01: refreshed live (turns.changed), re-fetched on reconnect, polling only while down.
    assert (
        'hx-trigger="live:turns.changed from:body, live:reconnected from:body, '
        'live:poll from:body"' in html
    )
    assert 'hx-trigger="every' not in html
    assert "No se pudo comunicar" not in html


def test_cel02_desk_marks_the_transactions_without_remote_attention_per_office(client):
    office = OfficeFactory(has_orientador=False)
    client.force_login(make_user(Role.ENCARGADO, office, username="enc"))
    html = client.get(DESK).content.decode()
    assert 'data-remote="no"' in option_attrs(html, "Radicación de documentos")
    assert 'data-remote="no"' in option_attrs(html, "Pedidos de energía prepago")
    assert 'data-remote="si"' in option_attrs(html, "Duplicado de factura")


@pytest.mark.parametrize(
    ("has_orientador", "code", "shown"),
    [
        (True, "radicacion-de-documentos", True),
        (False, "radicacion-de-documentos", False),
        (False, "duplicado-de-factura", True),
    ],
)
def test_cel02_remote_question_only_for_eligible_transactions(client, has_orientador, code, shown):
    office = OfficeFactory(has_orientador=has_orientador)
    client.force_login(make_user(Role.ORIENTADOR, office, username="ori"))
    html = client.get(f"{DESK}remoto/", {"transaction_type": tt(code).pk}).content.decode()
    assert (QUESTION in html) is shown
    assert ('name="mobile"' in html) is shown
    assert ("no se atiende por celular en esta oficina" in html) is not shown


def test_cel02_remote_question_absent_without_a_transaction(client, orientador):
    client.force_login(orientador)
    html = client.get(f"{DESK}remoto/").content.decode()
    assert QUESTION not in html and "no se atiende" not in html


def test_cel02_desk_gives_a_remote_turn(client, orientador, office):
    client.force_login(orientador)
    response = client.post(
        DESK,
        {"transaction_type": tt().pk, "accepts_remote": "on", "mobile": "+57 311 222 3344"},
    )
    assert response.status_code == 302 and response["Location"] == DESK
    turn = Turn.objects.get()
    assert (turn.number, turn.accepts_remote, turn.mobile) == (f"{office.code}-001", True, MOBILE)
    assert turn.created_by == orientador
    assert turn.events.get().kind == TurnEvent.Kind.CREADO
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Turno {office.code}-001 entregado. Atención a distancia por celular."
    ]


def test_cel02_desk_gives_an_in_person_turn(client, encargado, office):
    client.force_login(encargado)
    response = client.post(DESK, {"transaction_type": tt().pk, "mobile": MOBILE})
    assert response.status_code == 302
    turn = Turn.objects.get()
    assert turn.accepts_remote is False and turn.mobile == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"accepts_remote": "on"}, svc.MOBILE_REQUIRED),
        ({"accepts_remote": "on", "mobile": "604 555 6677"}, MOBILE_MESSAGE),
        ({}, "Seleccione la transacción."),
    ],
)
def test_cel02_desk_shows_the_spanish_messages(client, orientador, data, message):
    client.force_login(orientador)
    payload = {"transaction_type": tt().pk, **data} if data else {"mobile": ""}
    response = client.post(DESK, payload)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert not Turn.objects.exists()
    if data:
        assert QUESTION in html  # the remote fields stay for the correction


def test_cel02_desk_refuses_remote_for_an_ineligible_transaction(client):
    office = OfficeFactory(has_orientador=False)
    client.force_login(make_user(Role.ORIENTADOR, office, username="ori"))
    response = client.post(
        DESK,
        {
            "transaction_type": tt("pedidos-energia-prepago").pk,
            "accepts_remote": "on",
            "mobile": MOBILE,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert svc.NOT_REMOTE_ELIGIBLE in html
    assert QUESTION not in html
    assert not Turn.objects.exists()


def test_cel02_desk_lists_refresh_with_bounded_queries(
    client, orientador, office, django_assert_max_num_queries
):
    for _ in range(3):
        remote_turn(office)
    failed_call(office)
    client.force_login(orientador)
    client.get(f"{DESK}listas/")

    for _ in range(5):
        remote_turn(office)
    with django_assert_max_num_queries(6):
        response = client.get(f"{DESK}listas/")

    html = response.content.decode()
    assert html.count("<tr data-turn=") == 9
    assert "No se pudo comunicar con el cliente" in html


def test_cel02_desk_shows_the_place_in_the_office_queue(client, orientador, office):
    first, second = remote_turn(office), remote_turn(office)
    tech = make_user(Role.TECNOLOGO, office, username="tec_a")
    RosterEntry.objects.create(
        day=timezone.localdate(), technologist=tech, office=office, modality=RemoteModality.CELULAR
    )
    svc.turn_take(turn=first, by=tech)
    svc.turn_refuse(turn=first, by=tech)
    client.force_login(orientador)
    html = client.get(f"{DESK}listas/").content.decode()
    rows = re.findall(r'<tr data-turn="([^"]+)">(.*?)</tr>', html, re.S)
    assert [number for number, _ in rows] == [first.number, second.number]
    assert 'data-label="En fila">1<' in rows[0][1] and "devuelto a la sala" in rows[0][1]
    assert 'data-label="En fila">2<' in rows[1][1]


# --- cannot connect: the notice and the decision ----------------------------------------------


@pytest.mark.parametrize("url", ["/oficina/", DESK, f"{DESK}avisos/"])
def test_cel03_cannot_connect_appears_on_the_office_pages(client, orientador, office, url):
    turn, _ = failed_call(office)
    client.force_login(orientador)
    html = client.get(url).content.decode()
    assert "No se pudo comunicar con el cliente" in html
    assert f'data-turn="{turn.number}"' in html
    assert "Atender por celular" in html and "Atender presencial" in html
    assert f'action="/oficina/turnos/{turn.pk}/decision/"' in html


def test_cel03_office_page_polls_the_notice(client, encargado, office):
    client.force_login(encargado)
    html = client.get("/oficina/").content.decode()
    assert 'hx-get="/oficina/turnos/avisos/?next=/oficina/"' in html
    assert "No se pudo comunicar" not in html
    assert 'href="/oficina/turnos/"' in html


def test_cel03_notice_only_for_the_own_office(client, office, other_office):
    failed_call(other_office)
    client.force_login(make_user(Role.ORIENTADOR, office, username="ori"))
    assert "No se pudo comunicar" not in client.get(f"{DESK}avisos/").content.decode()


@pytest.mark.parametrize(
    ("decision", "accepts_remote", "message"),
    [
        ("celular", True, "vuelve a la taquilla virtual (celular)"),
        ("presencial", False, "será atendido de manera presencial"),
    ],
)
def test_cel03_desk_decision_buttons(client, encargado, office, decision, accepts_remote, message):
    turn, _ = failed_call(office)
    client.force_login(encargado)

    response = client.post(
        f"{DESK}{turn.pk}/decision/", {"decision": decision, "next": "/oficina/"}
    )

    assert response.status_code == 302 and response["Location"] == "/oficina/"
    turn.refresh_from_db()
    assert turn.needs_office_check is False and turn.accepts_remote is accepts_remote
    assert turn.status == TurnStatus.EN_ESPERA
    assert message in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_cel03_desk_decision_ignores_a_foreign_next_and_reports_conflicts(
    client, orientador, office
):
    turn, _ = failed_call(office)
    client.force_login(orientador)
    url = f"{DESK}{turn.pk}/decision/"
    first = client.post(url, {"decision": "celular", "next": "https://example.com/"})
    assert first["Location"] == DESK
    again = client.post(url, {"decision": "celular"})
    assert again.status_code == 302
    assert "no está pendiente de validar" in " ".join(
        str(m) for m in get_messages(again.wsgi_request)
    )


def test_nfr02_desk_decision_on_another_offices_turn_is_404(client, office, other_office):
    turn, _ = failed_call(other_office)
    client.force_login(make_user(Role.ENCARGADO, office, username="enc"))
    assert client.post(f"{DESK}{turn.pk}/decision/", {"decision": "celular"}).status_code == 404
    turn.refresh_from_db()
    assert turn.needs_office_check is True


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DESK, f"{DESK}listas/", f"{DESK}avisos/", f"{DESK}remoto/"])
def test_nfr02_desk_pages_per_role(client, users, path):
    assert client.get(path).status_code == 302  # anonymous → login
    for role, user in users.items():
        client.force_login(user)
        expected = 200 if role in (Role.ORIENTADOR, Role.ENCARGADO) else 403
        assert client.get(path).status_code == expected, role


def test_nfr02_desk_post_refused_to_other_roles(client, users):
    for role in (Role.TECNOLOGO, Role.GESTOR, Role.CLIENTE_INTERNO):
        client.force_login(users[role])
        assert client.post(DESK, {"transaction_type": tt().pk}).status_code == 403
    assert not Turn.objects.exists()


def test_cel02_desk_without_office(client):
    client.force_login(make_user(Role.ORIENTADOR, None, username="sin_oficina"))
    html = client.get(DESK).content.decode()
    assert "no tiene oficina asignada" in html
    assert client.post(DESK, {"transaction_type": tt().pk}).status_code == 400


# --- admin -------------------------------------------------------------------------------------


def test_nfr02_turn_admin_read_only_and_scoped_by_unit(client, office):
    regional = OfficeFactory(unit="regional")
    mine, theirs = remote_turn(office), remote_turn(regional)
    gestor = make_user(Role.GESTOR, office, username="ges", is_staff=True)
    client.force_login(gestor)

    listing = client.get("/admin/core/turn/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    page = client.get(f"/admin/core/turn/{mine.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "311•••••44" in html and MOBILE not in html
    assert 'name="_save"' not in html
    assert "turno entregado" in html  # the event inline
    assert client.get(f"/admin/core/turn/{theirs.pk}/change/").status_code in (302, 403, 404)
    assert client.get("/admin/core/turn/add/").status_code == 403
    assert client.post(f"/admin/core/turn/{mine.pk}/delete/").status_code == 403
