"""CI-02 / CI-03 / NFR-02: ``POST /api/v1/cliente-interno/check-in/`` as a client sees it — the
status codes and Spanish messages around the link's window (the real clock, with margins; the
exact edges are in test_checkin.py with the clock injected), the wrong document and its
attempts, the turn of the "Cliente Interno" office, the token of another employee."""

import datetime as dt

import pytest
from django.utils import timezone

from cliente_interno.links import attend_token
from core.models import Turn
from tests.helpers import token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/cliente-interno/check-in/"


def _in(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def _body(booking, document: str | None = None) -> dict:
    return {
        "token": attend_token(booking),
        "document_number": booking.document_number if document is None else document,
    }


def _cli_turns():
    return Turn.objects.filter(office__is_internal_client=True)


def test_ci02_before_the_link_opens_403_says_when(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(12))  # opens in 2 minutes
    response = api_as(employee).post(URL, _body(booking), format="json")
    assert response.status_code == 403
    assert "El enlace se habilita el " in response.json()["detail"]
    assert not _cli_turns().exists()


def test_ci02_inside_the_window_201_with_the_turn(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(8))  # opened 2 minutes ago
    response = api_as(employee).post(URL, _body(booking), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    turn = _cli_turns().get()
    assert body == {
        "booking": booking.pk,
        "turn": {"id": turn.pk, "number": turn.number, "status": "en_espera"},
        "room_url": f"/cliente-interno/sala/{booking.pk}/",
    }
    assert turn.number.startswith("CLI-")


def test_ci02_just_before_the_grace_ends_201(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(-8))  # started 8 minutes ago: 2 minutes left
    response = api_as(employee).post(URL, _body(booking), format="json")
    assert response.status_code == 201


def test_ci02_after_the_grace_403_missed(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(-11))
    response = api_as(employee).post(URL, _body(booking), format="json")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "ya pasó" in detail
    assert "agende otra cita" in detail


def test_ci03_with_a_token_too(employee, reserved_booking):
    booking = reserved_booking(_in(5))
    response = token_client(employee).post(URL, _body(booking), format="json")
    assert response.status_code == 201


def test_ci03_double_check_in_same_turn(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(5))
    client = api_as(employee)
    first = client.post(URL, _body(booking), format="json").json()
    second = client.post(URL, _body(booking), format="json")
    assert second.status_code == 201
    assert second.json()["turn"] == first["turn"]
    assert _cli_turns().count() == 1


def test_ci03_wrong_document_400_counted(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(5))
    response = api_as(employee).post(URL, _body(booking, "10101010"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "document_number": [
            "El número de documento no coincide con el de la reserva.",
            "Le quedan 4 intentos.",
        ]
    }
    booking.refresh_from_db()
    assert booking.checkin_failures == 1


def test_ci03_attempts_limit_403_and_right_document_refused(
    settings, api_as, employee, reserved_booking
):
    settings.CLIENTE_INTERNO_CHECKIN_ATTEMPTS = 2
    booking = reserved_booking(_in(5))
    client = api_as(employee)
    statuses = [client.post(URL, _body(booking, "1"), format="json").status_code for _ in range(2)]
    assert statuses == [400, 403]
    response = client.post(URL, _body(booking), format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Superó el número de intentos")
    assert not _cli_turns().exists()


def test_ci03_document_typed_with_dots(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(5))
    response = api_as(employee).post(URL, _body(booking, " 71.650.123 "), format="json")
    assert response.status_code == 201


def test_ci03_bad_token_400(api_as, employee, reserved_booking):
    booking = reserved_booking(_in(5))
    for token in ("no-es-un-token", attend_token(booking)[:-2] + "xx"):
        response = api_as(employee).post(
            URL, {"token": token, "document_number": booking.document_number}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {"token": ["El enlace no es válido."]}


def test_ci03_missing_fields_400_in_spanish(api_as, employee):
    response = api_as(employee).post(URL, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "token": ["Este campo es obligatorio."],
        "document_number": ["Ingrese el número de documento con el que agendó la cita."],
    }


def test_nfr02_another_employee_with_the_token_404(
    api_as, other_employee, employee, reserved_booking
):
    booking = reserved_booking(_in(5))
    response = api_as(other_employee).post(URL, _body(booking), format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Cita no encontrada."}
    booking.refresh_from_db()
    assert booking.checkin_failures == 0
    assert not _cli_turns().exists()


@pytest.mark.parametrize("role", ["tecnologo", "orientador", "creador", "gestor"])
def test_nfr02_staff_roles_403(api_as, users, reserved_booking, role):
    booking = reserved_booking(_in(5))
    response = api_as(users[role]).post(URL, _body(booking), format="json")
    assert response.status_code == 403
    assert not _cli_turns().exists()


def test_nfr02_anonymous_refused(api, reserved_booking):
    booking = reserved_booking(_in(5))
    response = api.post(URL, _body(booking), format="json")
    assert response.status_code == 401
    assert not _cli_turns().exists()
