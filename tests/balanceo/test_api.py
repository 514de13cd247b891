"""BAL-01..BAL-04 / NFR-02 / NFR-03: the balancing API — status (seat, match, offices with
capacity and the kiosk alert), availability (409 without roster or shift check), the matched
customer's case (CRM channels, supported office) and "Terminar"; who may call what (role table,
404 for a turn that is not the caller's, Spanish messages)."""

import pytest

from balanceo.services import balance_match_round
from core.models import Case, CaseKind, Modality, TurnStatus, VideoSession, VideoSessionStatus
from core.roles import Role
from tests.helpers import ANON, ROLE_COLUMNS

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/balanceo/status/"
AVAILABILITY = "/api/v1/balanceo/availability/"
CASE = "/api/v1/balanceo/turns/{turn}/case/"
FINISH = "/api/v1/balanceo/turns/{turn}/finish/"

CUSTOMER = {
    "document_type": "CC",
    "document_number": "43512876",
    "full_name": "María Elena Restrepo",
    "mobile": "3104567890",
}


@pytest.fixture
def scene(world):
    """Office B with two kiosks on; Ana (rostered, checked, available) matched to a customer."""
    office = world.office(name="Oficina Bello", code="BEL", kiosks_on=2)
    ana = world.tech(office, username="ana_bal", idle_minutes=10)
    turn = world.turn(office, minutes_ago=5)
    (match,) = balance_match_round()
    return {"office": office, "ana": ana, "turn": turn, "match": match}


# --- who may call what (NFR-02) -----------------------------------------------------------------

# fmt: off
TABLE = {
    #                                  anon  orie  tecn  gest  asig  enca  crea  mesa  geof  clin
    "GET " + STATUS:                  (401,  403,  200,  200,  403,  403,  403,  403,  403,  403),
    "POST " + AVAILABILITY:           (401,  403,  409,  403,  403,  403,  403,  403,  403,  403),
    "POST " + CASE:                   (401,  403,  404,  403,  403,  403,  403,  403,  403,  403),
    "POST " + FINISH:                 (401,  403,  404,  403,  403,  403,  403,  403,  403,  403),
}
# fmt: on
BODIES = {
    AVAILABILITY: {"available": True},
    CASE: {"customer": CUSTOMER, "kind": "PQR", "pqr_type": "peticion", "motive": "Revisión"},
    FINISH: {"outcome": "no_se_presento"},
}


@pytest.mark.parametrize("endpoint", list(TABLE))
def test_nfr02_balanceo_api_role_table(client, users, scene, endpoint):
    """Each role × endpoint: the technologist of the fixture is not in today's pool (409) and
    was not matched to the turn (404, as for a missing turn); other roles 403; anonymous 401."""
    method, path = endpoint.split(" ")
    url = path.format(turn=scene["turn"].pk)
    for column, expected in zip(ROLE_COLUMNS, TABLE[endpoint], strict=True):
        client.logout()
        if column != ANON:
            client.force_login(users[column])
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, BODIES[path], content_type="application/json")
        assert response.status_code == expected, (column, endpoint, response.content[:200])
        body = response.json()
        if expected == 403:
            assert body["detail"] == "Su rol no tiene acceso a este recurso."
        elif expected == 404:
            assert body["detail"] == "Turno no encontrado."
        elif expected == 409:
            assert "No está programado hoy en el balanceo" in body["detail"]
    assert VideoSession.objects.get(pk=scene["match"].session_id).is_open
    assert not Case.objects.exists()


# --- status (BAL-01..BAL-03) --------------------------------------------------------------------


def test_bal02_status_shows_my_match_and_each_office_with_capacity_and_kiosk_alert(
    client, world, scene, django_assert_max_num_queries
):
    dark = world.office(name="Oficina Apartadó", code="APA", kiosks_on=0, kiosks_off=1)
    ana = scene["ana"]
    ana.roster_entries.create(day=world.today, office=dark, modality="balanceo")
    waiting = world.turn(dark)
    client.force_login(ana)

    with django_assert_max_num_queries(14):
        body = client.get(STATUS).json()

    assert body["seat"]["available"] is True and body["seat"]["rostered"] is True
    assert body["seat"]["shift_check_done"] is True
    assert body["turn"]["id"] == scene["turn"].pk
    assert body["turn"]["status"] == TurnStatus.LLAMADO
    assert body["turn"]["office_name"] == "Oficina Bello"
    assert body["turn"]["kiosk_label"] == "Módulo 1"
    assert body["video_session"] == {
        "id": scene["match"].session_id,
        "state": VideoSessionStatus.TIMBRANDO,
        "kiosk": scene["match"].kiosk_id,
        "turn": scene["turn"].pk,
    }
    offices = {o["code"]: o for o in body["offices"]}
    assert offices["BEL"] == {
        "id": scene["office"].pk,
        "name": "Oficina Bello",
        "code": "BEL",
        "technologist_count": 2,
        "waiting": 0,
        "kiosks_on": 2,
        "kiosks_free": 1,
        "in_progress": 1,
        "capacity": 2,
        "needs_kiosk_on": False,
    }
    assert offices["APA"]["waiting"] == 1 and offices["APA"]["kiosks_on"] == 0
    assert offices["APA"]["needs_kiosk_on"] is True
    assert waiting.pk  # the customer who waits for a kiosk to be turned on

    # Five more offices do not add queries.
    for _ in range(5):
        ana.roster_entries.create(day=world.today, office=world.office(), modality="balanceo")
    with django_assert_max_num_queries(14):
        assert len(client.get(STATUS).json()["offices"]) == 7


def test_bal01_gestor_sees_the_unit_offices_with_balancing_and_no_seat(client, users, scene):
    client.force_login(users[Role.GESTOR])
    body = client.get(STATUS).json()
    assert body["seat"] is None and body["turn"] is None
    assert [o["code"] for o in body["offices"]] == ["BEL"]


# --- availability -------------------------------------------------------------------------------


def test_bal03_availability_needs_the_roster_and_the_shift_check_with_video(client, world):
    office = world.office()
    unchecked = world.tech(office, checked=False, available=False)
    no_video = world.tech(office, video=False, available=False)
    client.force_login(unchecked)

    response = client.post(AVAILABILITY, {"available": True}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        "Antes de quedar disponible registre hoy la verificación de inicio de turno (audio, video"
    )
    client.force_login(no_video)
    assert (
        client.post(AVAILABILITY, {"available": True}, content_type="application/json").status_code
        == 409
    )

    response = client.post(AVAILABILITY, {"available": "quizás"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "available": ["Indique si queda disponible (true) o en pausa (false)."]
    }
    response = client.post(AVAILABILITY, {}, content_type="application/json")
    assert response.json() == {"available": ["Este campo es obligatorio."]}


def test_bal03_pause_and_available_again(client, scene):
    ana = scene["ana"]
    client.force_login(ana)
    body = client.post(AVAILABILITY, {"available": False}, content_type="application/json").json()
    assert body["seat"]["available"] is False
    body = client.post(AVAILABILITY, {"available": True}, content_type="application/json").json()
    assert body["seat"]["available"] is True and body["seat"]["idle_since"]


# --- the case (BAL-04) and "Terminar" ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "channel"),
    [(CaseKind.PQR, "asesor-en-linea"), (CaseKind.PEDIDO, "balanceo-automatico")],
)
def test_bal04_case_channel_by_kind_and_supported_office(client, scene, kind, channel):
    client.force_login(scene["ana"])
    body = {"customer": CUSTOMER, "kind": kind}
    if kind == CaseKind.PQR:
        body.update(pqr_type="reclamo", motive="Cobro no reconocido en la factura.")

    response = client.post(
        CASE.format(turn=scene["turn"].pk), body, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel_code"] == channel
    assert data["modality"] == Modality.BALANCEO
    assert data["supported_office"] == scene["office"].pk
    assert data["supported_office_name"] == "Oficina Bello"
    assert data["turn_number"] == scene["turn"].number
    case = Case.objects.get(pk=data["id"])
    assert case.assigned_to == scene["ana"]
    assert case.office == scene["ana"].home_office
    scene["turn"].refresh_from_db()
    assert scene["turn"].status == TurnStatus.EN_ATENCION
    assert scene["turn"].case == case

    again = client.post(CASE.format(turn=scene["turn"].pk), body, content_type="application/json")
    assert again.status_code == 409
    assert Case.objects.count() == 1


def test_bal04_case_errors_come_back_in_spanish_by_field(client, scene):
    client.force_login(scene["ana"])
    response = client.post(
        CASE.format(turn=scene["turn"].pk),
        {"customer": {**CUSTOMER, "mobile": "12"}, "kind": "PQR"},
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["pqr_type"] == ["Indique si la PQR es una petición, una queja o un reclamo."]
    assert errors["motive"] == ["Indique el motivo PQR (detalle)."]
    assert "mobile" in errors
    assert not Case.objects.exists()


def test_bal03_finish_frees_the_kiosk_and_the_next_customer_is_matched(
    client, world, scene, django_capture_on_commit_callbacks
):
    ana, turn = scene["ana"], scene["turn"]
    nxt = world.turn(scene["office"])
    client.force_login(ana)
    early = client.post(
        FINISH.format(turn=turn.pk), {"outcome": "atendido"}, content_type="application/json"
    )
    assert early.status_code == 409
    assert early.json()["detail"].startswith("Registre primero el caso del cliente")
    client.post(
        CASE.format(turn=turn.pk),
        {"customer": CUSTOMER, "kind": "PED"},
        content_type="application/json",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            FINISH.format(turn=turn.pk), {"outcome": "atendido"}, content_type="application/json"
        )

    assert response.status_code == 200
    assert response.json()["status"] == TurnStatus.ATENDIDO
    nxt.refresh_from_db()
    assert (nxt.status, nxt.called_by) == (TurnStatus.LLAMADO, ana)
    body = client.get(STATUS).json()
    assert body["turn"]["id"] == nxt.pk

    bad = client.post(
        FINISH.format(turn=nxt.pk), {"outcome": "listo"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json() == {"outcome": ["Indique «atendido», «no_se_presento» o «devolver»."]}


def test_nfr02_another_technologist_gets_404_for_my_turn(client, world, scene):
    other = world.tech(scene["office"], username="otro_bal")
    client.force_login(other)
    for url in (CASE, FINISH):
        response = client.post(
            url.format(turn=scene["turn"].pk),
            {**BODIES[url]},
            content_type="application/json",
        )
        assert response.status_code == 404
        assert response.json()["detail"] == "Turno no encontrado."
    scene["turn"].refresh_from_db()
    assert scene["turn"].status == TurnStatus.LLAMADO


def test_nfr04_balanceo_operations_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operations = {
        op["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/balanceo/")
        for op in item.values()
    }
    assert operations == {
        "v1_balanceo_status",
        "v1_balanceo_availability",
        "v1_balanceo_turns_case",
        "v1_balanceo_turns_finish",
    }
