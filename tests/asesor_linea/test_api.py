"""Asesor en línea's REST API (``/api/v1/asesor-linea/``) and the shift-check API's ``video_ok``
(AL-02): what a client sees — statuses, bodies and Spanish messages — and who may call what
(NFR-02)."""

import pytest
from django.utils import timezone

from core.models import (
    Case,
    Kiosk,
    RemoteModality,
    ShiftCheck,
    TurnStatus,
    VideoSession,
    VideoSessionStatus,
)
from core.services.roster import roster_entry_add
from core.services.turns import turn_create
from tests.asesor_linea.support import (
    CUSTOMER,
    accepted_turn,
    kiosk_on,
    rostered,
    technologist,
    tt,
)
from tests.factories import OfficeFactory
from tests.helpers import ANON, ROLE_COLUMNS, make_user, token_client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/asesor-linea/turns/"
CHECKS = "/api/v1/shift-checks/"


def announce_url(turn):
    return f"{BASE}{turn.pk}/announce/"


def case_url(turn):
    return f"{BASE}{turn.pk}/case/"


def finish_url(turn):
    return f"{BASE}{turn.pk}/finish/"


@pytest.fixture
def client_for(api_as):
    return api_as


PQR = {
    "customer": CUSTOMER,
    "kind": "PQR",
    "pqr_type": "peticion",
    "motive": "Solicita duplicado de la factura.",
}


# --- AL-02: the shift-check API accepts video_ok -----------------------------------------------


def test_al02_shift_check_api_records_video_ok(home, api_as):
    tech = technologist(home, "tec")
    client = api_as(tech)
    response = client.post(
        CHECKS, {"audio": True, "printer": True, "video_ok": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["video_ok"] is True
    # The cellphone booth's check, later the same day, keeps the camera confirmed.
    response = client.post(CHECKS, {"audio": True, "printer": True}, format="json")
    assert response.status_code == 200
    assert response.json()["video_ok"] is True
    assert ShiftCheck.objects.get(technologist=tech).video_ok


def test_al02_shift_check_api_refuses_video_not_confirmed(home, api_as):
    tech = technologist(home, "tec")
    response = api_as(tech).post(
        CHECKS, {"audio": True, "printer": True, "video_ok": False}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "video_ok": ["Confirme que la cámara (video) de su equipo funciona."]
    }
    assert not ShiftCheck.objects.exists()
    response = api_as(tech).post(CHECKS, {"audio": True, "printer": True}, format="json")
    assert response.status_code == 201 and response.json()["video_ok"] is False


# --- GET turns ------------------------------------------------------------------------------


def test_al03_list_offices_turns_and_kiosks(
    tech, supported, kiosk, turn, encargado, django_assert_max_num_queries
):
    turn_create(office=supported, transaction_type=tt(), accepts_remote=False, by=encargado)
    other = OfficeFactory(name="Oficina Bello", code="BEL")
    Kiosk.objects.create(office=other, label="Módulo 1")
    accepted_turn(other, make_user("encargado", other))  # not supported by this technologist
    client = token_client(tech)
    with django_assert_max_num_queries(12):
        response = client.get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert body["shift_check_done"] is True
    [office] = body["offices"]
    assert (office["id"], office["name"], office["unasked"]) == (supported.pk, supported.name, 1)
    assert [t["number"] for t in office["turns"]] == [turn.number]
    assert office["turns"][0]["virtual_consent"] == "acepta"
    assert office["turns"][0]["transaction_type_name"] == "Duplicado de factura"
    assert [(k["label"], k["online"], k["free"]) for k in office["kiosks"]] == [
        ("Módulo 1", True, True),
        ("Módulo 2", False, False),
    ]


def test_al03_list_is_empty_when_not_rostered(home, api_as, turn):
    response = api_as(technologist(home, "sin_programar")).get(BASE)
    assert response.status_code == 200
    assert response.json() == {"shift_check_done": False, "offices": []}


# --- announce -------------------------------------------------------------------------------


def test_al03_announce_201_with_turn_and_ringing_video_session(tech, kiosk, turn, api_as):
    response = api_as(tech).post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    session = VideoSession.objects.get(turn=turn)
    assert body["video_session"] == session.pk
    assert session.status == VideoSessionStatus.TIMBRANDO and session.kiosk == kiosk
    assert body["turn"]["id"] == turn.pk
    assert body["turn"]["status"] == TurnStatus.LLAMADO
    assert (body["turn"]["kiosk"], body["turn"]["kiosk_label"]) == (kiosk.pk, "Módulo 1")
    assert body["turn"]["announced_at"]


def test_al03_announce_409s_in_spanish(home, supported, tech, kiosks, turn, encargado, api_as):
    client = api_as(tech)
    off = kiosks[1]
    response = client.post(announce_url(turn), {"kiosk": off.pk}, format="json")
    assert response.status_code == 409
    assert "desconectado" in response.json()["detail"]

    kiosk = kiosk_on(kiosks[0])
    unasked = turn_create(
        office=supported, transaction_type=tt(), accepts_remote=False, by=encargado
    )
    response = client.post(announce_url(unasked), {"kiosk": kiosk.pk}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"El cliente del turno {unasked.number} no ha aceptado la atención virtual."
    }

    other = rostered(technologist(home, "tec_b"), supported)
    busy = accepted_turn(supported, encargado)
    assert (
        api_as(other).post(announce_url(busy), {"kiosk": kiosk.pk}, format="json").status_code
        == 201
    )
    response = client.post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "El módulo Módulo 1 está atendiendo otro turno."}

    response = client.post(announce_url(busy), {"kiosk": kiosk_on(off).pk}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Otro tecnólogo ya tomó este turno."}
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA
    assert VideoSession.objects.count() == 1


def test_al02_announce_409_without_the_check_with_video(home, supported, kiosk, turn, api_as):
    tech = rostered(technologist(home, "tec"), supported, checked=False)
    response = api_as(tech).post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Antes de anunciar turnos registre hoy la verificación de inicio de turno "
        "(audio, video e impresora de la oficina que apoya)."
    }
    assert not VideoSession.objects.exists()


def test_nfr02_announce_404_for_other_office_and_not_rostered(home, tech, kiosk, turn, api_as):
    other = OfficeFactory(name="Oficina Bello", code="BEL")
    other_kiosk = kiosk_on(Kiosk.objects.create(office=other, label="Módulo 1"))
    other_turn = accepted_turn(other, make_user("encargado", other))
    response = api_as(tech).post(announce_url(other_turn), {"kiosk": other_kiosk.pk}, format="json")
    assert response.status_code == 404

    outsider = technologist(home, "sin_programar")
    by_cellphone = technologist(home, "por_celular")
    roster_entry_add(
        day=timezone.localdate(),
        technologist=by_cellphone,
        office=turn.office,
        modality=RemoteModality.CELULAR,
        by=None,
    )
    for user in (outsider, by_cellphone):
        response = api_as(user).post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
        assert response.status_code == 404
    response = api_as(tech).post(f"{BASE}999999/announce/", {"kiosk": kiosk.pk}, format="json")
    assert response.status_code == 404
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA


def test_al03_announce_400_for_a_bad_kiosk(tech, turn, api_as):
    client = api_as(tech)
    assert client.post(announce_url(turn), {}, format="json").json() == {
        "kiosk": ["Este campo es obligatorio."]
    }
    response = client.post(announce_url(turn), {"kiosk": 999999}, format="json")
    assert response.status_code == 400
    assert response.json() == {"kiosk": ["El módulo no existe."]}
    other = OfficeFactory(name="Oficina Bello", code="BEL")
    elsewhere = kiosk_on(Kiosk.objects.create(office=other, label="Módulo 1"))
    response = client.post(announce_url(turn), {"kiosk": elsewhere.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"kiosk": ["El módulo no es de la oficina del turno."]}


# --- case and finish ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["PQR", "PED"])
def test_al04_case_201_channel_asesor_en_linea_supported_office(
    tech, home, kiosk, turn, api_as, kind
):
    client = api_as(tech)
    client.post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    payload = dict(PQR, kind=kind)
    if kind == "PED":
        payload.update(pqr_type="", transaction_type="cambio-de-suscriptor")
    response = client.post(case_url(turn), payload, format="json")
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert body["number"] == case.number
    assert (body["channel"], body["channel_code"]) == ("asesor en línea", "asesor-en-linea")
    assert (body["supported_office"], body["supported_office_name"]) == (
        turn.office_id,
        "Oficina Itagüí",
    )
    assert body["office"] == home.pk
    assert body["turn_number"] == turn.number
    assert body["assigned_to"] == tech.pk
    assert body["kind"] == kind


def test_al04_case_400_in_spanish_and_radicacion_without_orientador(home, api_as):
    office = OfficeFactory(name="Oficina Bello", code="BEL", has_orientador=False)
    kiosk = kiosk_on(Kiosk.objects.create(office=office, label="Módulo 1"))
    tech = rostered(technologist(home, "tec"), office)
    turn = accepted_turn(office, make_user("encargado", office))
    client = api_as(tech)
    client.post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    response = client.post(
        case_url(turn), dict(PQR, transaction_type="radicacion-de-documentos"), format="json"
    )
    assert response.status_code == 400
    [message] = response.json()["transaction_type"]
    assert "asesor en línea" in message and "celular" not in message
    response = client.post(case_url(turn), {"kind": "PQR"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"customer": ["Este campo es obligatorio."]}
    assert not Case.objects.exists()


def test_al03_finish_outcomes_by_api(tech, kiosk, turn, supported, encargado, api_as):
    client = api_as(tech)
    client.post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    response = client.post(finish_url(turn), {"outcome": "atendido"}, format="json")
    assert response.status_code == 409
    assert "Registre primero el caso" in response.json()["detail"]
    response = client.post(finish_url(turn), {"outcome": "ya"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"outcome": ["Indique «atendido», «no_se_presento» o «devolver»."]}
    response = client.post(finish_url(turn), {"outcome": "no_se_presento"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == TurnStatus.NO_SE_PRESENTO

    second = accepted_turn(supported, encargado)
    client.post(announce_url(second), {"kiosk": kiosk.pk}, format="json")
    client.post(case_url(second), PQR, format="json")
    response = client.post(finish_url(second), {"outcome": "atendido"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == TurnStatus.ATENDIDO
    assert not VideoSession.objects.filter(status__in=VideoSessionStatus.open()).exists()


def test_nfr02_case_and_finish_404_for_another_technologist(
    home, supported, tech, kiosk, turn, api_as
):
    other = rostered(technologist(home, "tec_b"), supported)
    api_as(tech).post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    assert api_as(other).post(case_url(turn), PQR, format="json").status_code == 404
    response = api_as(other).post(finish_url(turn), {"outcome": "devolver"}, format="json")
    assert response.status_code == 404
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO and not Case.objects.exists()


# --- NFR-02: role × endpoint ----------------------------------------------------------------

NO = 403
# fmt: off
TABLE = {
    #                                 anon orie tecn gest asig enca crea mesa geof clin
    "GET turns/":                     (401, NO, 200, NO, NO, NO, NO, NO, NO, NO),
    "POST turns/{id}/announce/":      (401, NO, 404, NO, NO, NO, NO, NO, NO, NO),
    "POST turns/{id}/case/":          (401, NO, 404, NO, NO, NO, NO, NO, NO, NO),
    "POST turns/{id}/finish/":        (401, NO, 404, NO, NO, NO, NO, NO, NO, NO),
}
# fmt: on


@pytest.mark.parametrize(("key", "row"), TABLE.items(), ids=list(TABLE))
def test_nfr02_asesor_linea_api_role_table(supported, turn, kiosk, api, api_as, key, row):
    """Every role of the turn's own office: only a technologist gets past the role check (and
    then 404: not rostered for it)."""
    method, path = key.split(" ")
    url = BASE + path.removeprefix("turns/").replace("{id}", str(turn.pk))
    mismatches = []
    for who, expected in zip(ROLE_COLUMNS, row, strict=True):
        client = api if who == ANON else api_as(make_user(who, supported, username=f"api_{who}"))
        response = getattr(client, method.lower())(
            url, {"kiosk": kiosk.pk, "outcome": "devolver"}, format="json"
        )
        if response.status_code != expected:
            mismatches.append(f"{who}: esperado {expected}, obtenido {response.status_code}")
    assert not mismatches, "\n".join(mismatches)
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA


# --- lock order with balancing; deadlocks answer 409 -------------------------------------------


def test_al03_announce_locks_the_turn_before_opening_the_video_session(tech, kiosk, turn):
    from django.db import connection

    from asesor_linea.services import al_turn_announce

    sql = []

    def record(execute, statement, params, many, context):
        sql.append(statement)
        return execute(statement, params, many, context)

    with connection.execute_wrapper(record):
        al_turn_announce(turn=turn, by=tech, kiosk=kiosk)
    lock = next(i for i, s in enumerate(sql) if 'FROM "core_turn"' in s and "FOR UPDATE" in s)
    insert = next(i for i, s in enumerate(sql) if 'INSERT INTO "core_videosession"' in s)
    assert lock < insert


def test_al03_announce_deadlock_answers_409_and_writes_nothing(
    tech, kiosk, turn, api_as, monkeypatch
):
    from django.db import OperationalError

    from asesor_linea import services

    def deadlock(**kwargs):
        raise OperationalError("deadlock detected\nDETAIL:  Process 1 waits for ShareLock")

    monkeypatch.setattr(services, "video_session_open", deadlock)
    response = api_as(tech).post(announce_url(turn), {"kiosk": kiosk.pk}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": services.ANNOUNCE_RACE}
    turn.refresh_from_db()
    assert (turn.status, turn.called_by, turn.kiosk) == (TurnStatus.EN_ESPERA, None, None)
    assert not VideoSession.objects.filter(turn=turn).exists()
