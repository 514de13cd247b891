"""CI-02 / CI-03 / NFR-02, the employee's pages through the test client: the "Asistir a cita"
link too early, in time (the document form, wrong and right) and too late; the waiting room
with the turn, the camera preview, the answering video block and the documents."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from cliente_interno.links import attend_path, booking_from_token
from cliente_interno.services.checkin import booking_check_in
from core.business_days import BOGOTA
from core.models import Turn, TurnStatus
from core.services.agenda_ics import when_text
from tests.helpers import afternoon_clock

pytestmark = pytest.mark.django_db


def _in(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def _room(booking) -> str:
    return f"/cliente-interno/sala/{booking.pk}/"


@pytest.fixture
def as_employee(client, employee):
    client.force_login(employee)
    return client


def _checked_in(booking, employee):
    return booking_check_in(booking=booking, document_number=employee.document_number, by=employee)


# --- the link ---------------------------------------------------------------------------------


def test_ci02_early_page_says_when_without_form(as_employee, reserved_booking, ci_day):
    start = dt.datetime.combine(ci_day, dt.time(9, 30), tzinfo=BOGOTA)
    booking = reserved_booking(start)
    response = as_employee.get(attend_path(booking))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Su cita es el {when_text(start)} (hora de Colombia)." in html
    assert "El enlace se habilita el " in html
    assert "9:20 a.m." in html
    assert 'id="ci-attend-form"' not in html
    assert "data-ci-reload-in=" in html
    assert "js/cliente-interno-room.js" in html


def test_ci02_early_page_same_day_says_the_hour(as_employee, reserved_booking, monkeypatch):
    afternoon_clock(monkeypatch, hour=14)  # the link opens the same day whenever this runs
    start = _in(60)
    booking = reserved_booking(start)
    html = as_employee.get(attend_path(booking)).content.decode()
    opens = timezone.localtime(start - dt.timedelta(minutes=10))
    hour = f"{opens.hour % 12 or 12}:{opens:%M} {'a.m.' if opens.hour < 12 else 'p.m.'}"
    assert f"El enlace se habilita a las {hour} (10 minutos antes" in html


def test_ci03_open_page_shows_the_document_form(as_employee, reserved_booking):
    booking = reserved_booking(_in(5))
    response = as_employee.get(attend_path(booking))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="ci-attend-form"' in html
    assert "Número de documento" in html
    assert "Ingresar a la sala de espera" in html


def test_ci03_wrong_document_message_and_attempts_left(as_employee, reserved_booking):
    booking = reserved_booking(_in(5))
    response = as_employee.post(attend_path(booking), {"document_number": "123"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "El número de documento no coincide con el de la reserva." in html
    assert "Le quedan 4 intentos." in html
    assert 'id="ci-attend-form"' in html
    booking.refresh_from_db()
    assert booking.checkin_failures == 1


def test_ci03_attempts_exhausted_page(settings, as_employee, reserved_booking):
    settings.CLIENTE_INTERNO_CHECKIN_ATTEMPTS = 1
    booking = reserved_booking(_in(5))
    response = as_employee.post(attend_path(booking), {"document_number": "123"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Superó el número de intentos" in html
    assert 'id="ci-attend-form"' not in html
    assert "Agendar otra cita" in html
    again = as_employee.get(attend_path(booking)).content.decode()
    assert "Superó el número de intentos" in again
    assert 'id="ci-attend-form"' not in again


def test_ci03_right_document_goes_to_the_room(as_employee, employee, reserved_booking):
    booking = reserved_booking(_in(5))
    response = as_employee.post(attend_path(booking), {"document_number": "71 650 123"})
    assert response.status_code == 302
    assert response.url == _room(booking)
    booking.refresh_from_db()
    assert booking.turn.number.startswith("CLI-")
    # Opening the link again goes straight back to the room.
    again = as_employee.get(attend_path(booking))
    assert again.status_code == 302
    assert again.url == _room(booking)


def test_ci02_missed_page_offers_to_book_again(as_employee, reserved_booking):
    booking = reserved_booking(_in(-11))
    response = as_employee.get(attend_path(booking))
    html = response.content.decode()
    assert response.status_code == 200
    assert "La cita ya pasó" in html
    assert "Agendar otra cita" in html
    assert 'href="/cliente-interno/agendar/"' in html
    assert 'id="ci-attend-form"' not in html


def test_ci02_missed_page_refuses_a_post(as_employee, employee, reserved_booking):
    booking = reserved_booking(_in(-11))
    response = as_employee.post(attend_path(booking), {"document_number": employee.document_number})
    assert response.status_code == 403
    assert "ya pasó" in response.content.decode()
    assert not Turn.objects.filter(office__is_internal_client=True).exists()


def test_nfr02_link_bad_token_404(as_employee):
    response = as_employee.get("/cliente-interno/asistir/no-es-un-token/")
    assert response.status_code == 404


def test_nfr02_link_of_another_employee_404(client, other_employee, reserved_booking):
    booking = reserved_booking(_in(5))
    client.force_login(other_employee)
    assert client.get(attend_path(booking)).status_code == 404
    assert client.post(attend_path(booking), {"document_number": "71650123"}).status_code == 404


def test_nfr02_link_anonymous_goes_to_login_then_back(client, reserved_booking):
    booking = reserved_booking(_in(5))
    link = attend_path(booking)
    response = client.get(link)
    assert response.status_code == 302
    url = urlsplit(response.url)
    assert url.path == reverse("login")
    assert parse_qs(url.query)["next"] == [link]


def test_nfr02_link_staff_role_403(client, tecnologo, reserved_booking):
    booking = reserved_booking(_in(5))
    client.force_login(tecnologo)
    assert client.get(attend_path(booking)).status_code == 403


# --- the waiting room -------------------------------------------------------------------------


def test_ci03_room_content(as_employee, employee, reserved_booking):
    booking = _checked_in(reserved_booking(_in(5)), employee)
    response = as_employee.get(_room(booking))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Sala de espera — Turno {booking.turn.number}" in html
    assert 'id="ci-room-state"' in html and ">En espera<" in html
    # The camera and microphone preview, with its instructions and "Probar de nuevo".
    assert 'id="ci-preview-video"' in html
    assert "Permita el acceso a la cámara y al micrófono" in html
    assert "Probar de nuevo" in html
    # The video block answers by itself (like the kiosk).
    assert 'data-video-role="answerer"' in html
    assert "data-video-auto" in html
    assert 'data-video-current-url="/api/v1/video/sessions/current/"' in html
    assert "js/video.js" in html and "js/cliente-interno-room.js" in html
    assert "Iniciar" in html
    # The documents of the appointment, and the live state's fallback.
    assert 'id="ci-documents"' in html
    templates = {t.name for t in response.templates}
    assert "cliente_interno/partials/_documents.html" in templates
    assert "core/partials/_video_call.html" in templates
    assert f'data-detail-url="/api/v1/cliente-interno/bookings/{booking.pk}/"' in html


def test_ci03_room_shows_the_turn_being_called(as_employee, employee, reserved_booking):
    booking = _checked_in(reserved_booking(_in(5)), employee)
    booking.turn.status = TurnStatus.LLAMADO
    booking.turn.save(update_fields=["status"])
    html = as_employee.get(_room(booking)).content.decode()
    assert ">Lo están llamando<" in html


def test_ci03_room_before_check_in_goes_to_the_link(as_employee, reserved_booking):
    booking = reserved_booking(_in(5))
    response = as_employee.get(_room(booking))
    assert response.status_code == 302
    # The link's token is signed with a timestamp (another second, another text): same page,
    # and the token opens this booking.
    page, token = response.url.rstrip("/").rsplit("/", 1)
    assert page == attend_path(booking).rstrip("/").rsplit("/", 1)[0]
    assert booking_from_token(token) == booking


def test_nfr02_room_of_another_employee_404(client, employee, other_employee, reserved_booking):
    booking = _checked_in(reserved_booking(_in(5)), employee)
    client.force_login(other_employee)
    assert client.get(_room(booking)).status_code == 404


def test_nfr02_room_staff_403_even_the_technologist(client, ci_tech, employee, reserved_booking):
    booking = _checked_in(reserved_booking(_in(5)), employee)
    client.force_login(ci_tech)
    assert client.get(_room(booking)).status_code == 403
