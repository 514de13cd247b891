"""CI-04 / NFR-02, the API of the call: ``POST /api/v1/cliente-interno/bookings/{id}/call/``
answers the turn, the case, the ringing video call and the room's page to the appointment's
technologist; 409 with the Spanish reason before the check-in or on a second call; 404 for
another technologist and for the employee; 403 for another role."""

import pytest
from django.utils import timezone

from cliente_interno.selectors import booking_for_party
from core.models import Case, TurnStatus, VideoSession, VideoSessionStatus
from core.roles import Role
from tests.cliente_interno.helpers import check_in
from tests.helpers import make_user, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(reserved_booking):
    return reserved_booking(timezone.now().replace(second=0, microsecond=0))


@pytest.fixture
def waiting(booking):
    return check_in(booking)


def call_url(booking) -> str:
    return f"/api/v1/cliente-interno/bookings/{booking.pk}/call/"


def test_ci04_api_call_answers_turn_case_and_video_session(waiting, ci_tech, employee):
    """200 with the turn in attention, the case's number, the ringing session and the room."""
    response = token_client(ci_tech).post(call_url(waiting))

    assert response.status_code == 200, response.content
    body = response.json()
    case = Case.objects.get()
    session = VideoSession.objects.get()
    turn = booking_for_party(user=ci_tech, pk=waiting.pk).turn
    assert body == {
        "booking": waiting.pk,
        "turn": {
            "id": turn.pk,
            "number": turn.number,
            "status": "en_atencion",
            "status_display": "en atención",
            "called_at": body["turn"]["called_at"],
            "attention_started_at": body["turn"]["attention_started_at"],
        },
        "case": {"id": case.pk, "number": case.number},
        "video_session": session.pk,
        "room_url": f"/cliente-interno/tecnologo/citas/{waiting.pk}/sala/",
    }
    assert body["turn"]["called_at"] and body["turn"]["attention_started_at"]
    assert session.attendee == employee
    assert session.status == VideoSessionStatus.TIMBRANDO


def test_ci04_api_call_before_check_in_is_409(booking, api_as, ci_tech):
    response = api_as(ci_tech).post(call_url(booking))

    assert response.status_code == 409
    assert response.json()["detail"].startswith("El funcionario aún no se ha presentado")
    assert not Case.objects.exists()


def test_ci04_api_second_call_is_409_and_one_case(waiting, api_as, ci_tech):
    client = api_as(ci_tech)
    assert client.post(call_url(waiting)).status_code == 200

    second = client.post(call_url(waiting))

    assert second.status_code == 409
    assert "ya fue llamado" in second.json()["detail"]
    assert Case.objects.count() == 1
    assert VideoSession.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"), [("other_technologist", 404), ("employee", 403), ("other_employee", 403)]
)
def test_ci04_api_call_is_only_the_appointments_technologists(
    who, status, waiting, api_as, office, employee, other_employee
):
    """NFR-02: another technologist gets 404, as for a missing booking; an employee — the
    booking's own or another — 403 (calling a turn is the technologist's); nothing changes."""
    user = {
        "other_technologist": make_user(Role.TECNOLOGO, office, username="tec-ci-otro"),
        "employee": employee,
        "other_employee": other_employee,
    }[who]

    response = api_as(user).post(call_url(waiting))

    assert response.status_code == status
    waiting.turn.refresh_from_db()
    assert waiting.turn.status == TurnStatus.EN_ESPERA
    assert not Case.objects.exists()


def test_ci04_api_call_is_403_for_another_role_and_401_anonymous(waiting, api, api_as, users):
    assert api_as(users[Role.ORIENTADOR]).post(call_url(waiting)).status_code == 403
    assert api.post(call_url(waiting)).status_code in (401, 403)
    assert not Case.objects.exists()


def test_ci04_api_call_of_a_missing_booking_is_404(api_as, ci_tech):
    assert api_as(ci_tech).post("/api/v1/cliente-interno/bookings/999999/call/").status_code == 404
