"""CI-04: an employee who did not check in by 10 minutes after the appointment's time is marked
"no asistió" — by the periodic job or by the technologist's hand, once — and gets ONE e-mail
from the internal-client mailbox with the link to book again."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cliente_interno.reference_data import MAILBOX_NOTICE
from cliente_interno.services.checkin import booking_check_in, booking_no_show, no_shows_mark
from cliente_interno.tasks import no_shows_mark_task
from core.business_days import BOGOTA
from core.models import AppointmentStatus, Notification
from core.roles import Role
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

MAILBOX = "clienteinternovirtual@epm.com.co"
REBOOK_URL = "http://127.0.0.1:8000/cliente-interno/agendar/"


def _url(booking) -> str:
    return f"/api/v1/cliente-interno/bookings/{booking.pk}/no-show/"


def _ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def other_tech(office):
    return make_user(Role.TECNOLOGO, office, username="tec-ci-2")


def _status(booking) -> str:
    booking.appointment.refresh_from_db()
    return booking.appointment.status


def test_ci04_job_run_twice_marks_once_and_sends_one_email(
    reserved_booking, employee, django_capture_on_commit_callbacks
):
    missed = reserved_booking(_ago(11))
    with django_capture_on_commit_callbacks(execute=True):
        assert no_shows_mark_task.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert no_shows_mark_task.delay().get() == 0
    assert _status(missed) == AppointmentStatus.NO_ASISTIO
    missed.refresh_from_db()
    assert missed.no_show_notified_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.from_email == f"EPM Cliente Interno <{MAILBOX}>"
    assert message.to == [employee.email]
    assert message.subject == "Su cita por video con EPM no se realizó"
    assert REBOOK_URL in message.body
    assert "no asistida" in message.body
    assert message.body.rstrip().endswith(MAILBOX_NOTICE)
    notification = Notification.objects.get()
    assert notification.modality == "cliente_interno"


def test_ci04_job_edges_with_the_clock_injected(reserved_booking, ci_day):
    start = dt.datetime.combine(ci_day, dt.time(9, 30), tzinfo=BOGOTA)
    booking = reserved_booking(start)
    closes_at = start + dt.timedelta(minutes=10)
    assert no_shows_mark(now=closes_at - dt.timedelta(seconds=1)) == 0
    assert _status(booking) == AppointmentStatus.CONFIRMADA
    assert no_shows_mark(now=closes_at) == 1
    assert _status(booking) == AppointmentStatus.NO_ASISTIO


def test_ci04_checked_in_booking_is_not_marked(reserved_booking, employee, ci_day):
    start = dt.datetime.combine(ci_day, dt.time(10), tzinfo=BOGOTA)
    booking = reserved_booking(start)
    booking_check_in(
        booking=booking, document_number=employee.document_number, by=employee, now=start
    )
    assert no_shows_mark(now=start + dt.timedelta(hours=2)) == 0
    assert _status(booking) == AppointmentStatus.CONFIRMADA
    assert mail.outbox == []


def test_ci04_job_leaves_future_cancelled_and_unreserved_alone(reserved_booking, other_employee):
    future = reserved_booking(_ago(-30))
    cancelled = reserved_booking(_ago(60))
    cancelled.appointment.status = AppointmentStatus.CANCELADA
    cancelled.appointment.save(update_fields=["status"])
    never_reserved = reserved_booking(_ago(120), employee=other_employee, booked_at=None)
    assert no_shows_mark() == 0
    assert _status(future) == AppointmentStatus.CONFIRMADA
    assert _status(cancelled) == AppointmentStatus.CANCELADA
    assert _status(never_reserved) == AppointmentStatus.CONFIRMADA


def test_ci04_missed_employee_cannot_check_in_afterwards(api_as, employee, reserved_booking):
    from cliente_interno.links import attend_token

    booking = reserved_booking(_ago(11))
    no_shows_mark()
    response = api_as(employee).post(
        "/api/v1/cliente-interno/check-in/",
        {"token": attend_token(booking), "document_number": employee.document_number},
        format="json",
    )
    assert response.status_code == 403
    assert "ya pasó" in response.json()["detail"]


# --- by hand ----------------------------------------------------------------------------------


def test_ci04_by_hand_after_the_grace_200_and_one_email(
    api_as, ci_tech, reserved_booking, django_capture_on_commit_callbacks
):
    booking = reserved_booking(_ago(10.5))
    client = api_as(ci_tech)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(booking))
    assert response.status_code == 200, response.content
    assert response.json() == {"id": booking.pk, "status": "no_asistio"}
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_url(booking))
        assert no_shows_mark() == 0
    assert again.status_code == 200
    assert again.json() == {"id": booking.pk, "status": "no_asistio"}
    assert len(mail.outbox) == 1
    assert REBOOK_URL in mail.outbox[0].body
    history = booking.appointment.history.order_by("-history_id").first()
    assert history.history_change_reason.startswith("no asistió a la cita (marcado por")


def test_ci04_by_hand_early_409_says_from_when(api_as, ci_tech, reserved_booking):
    booking = reserved_booking(_ago(5))
    response = api_as(ci_tech).post(_url(booking))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("Todavía no puede marcar que no asistió")
    assert "Podrá marcarlo desde el " in detail
    assert _status(booking) == AppointmentStatus.CONFIRMADA
    assert mail.outbox == []


def test_ci04_by_hand_early_with_the_clock_injected(reserved_booking, ci_tech, ci_day):
    from core.exceptions import ProtocolConflict

    start = dt.datetime.combine(ci_day, dt.time(9, 30), tzinfo=BOGOTA)
    booking = reserved_booking(start)
    closes_at = start + dt.timedelta(minutes=10)
    with pytest.raises(ProtocolConflict) as early:
        booking_no_show(booking=booking, by=ci_tech, now=closes_at - dt.timedelta(seconds=1))
    assert "a las 9:40 a.m." in early.value.messages[0]
    marked = booking_no_show(booking=booking, by=ci_tech, now=closes_at)
    assert marked.appointment.status == AppointmentStatus.NO_ASISTIO


def test_ci04_by_hand_refused_after_check_in(api_as, ci_tech, employee, reserved_booking):
    booking = reserved_booking(_ago(5))
    booking_check_in(booking=booking, document_number=employee.document_number, by=employee)
    booking.appointment.start = _ago(30)
    booking.appointment.end = _ago(0)
    booking.appointment.save(update_fields=["start", "end"])
    response = api_as(ci_tech).post(_url(booking))
    assert response.status_code == 409
    assert "ya se presentó a la cita (turno CLI-" in response.json()["detail"]
    assert _status(booking) == AppointmentStatus.CONFIRMADA


def test_nfr02_by_hand_other_technologist_404(api_as, other_tech, reserved_booking):
    booking = reserved_booking(_ago(30))
    response = api_as(other_tech).post(_url(booking))
    assert response.status_code == 404
    assert _status(booking) == AppointmentStatus.CONFIRMADA


def test_nfr02_by_hand_missing_booking_404(api_as, ci_tech):
    response = api_as(ci_tech).post("/api/v1/cliente-interno/bookings/999999/no-show/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["cliente_interno", "orientador", "gestor", "asignador"])
def test_nfr02_by_hand_other_roles_403(api_as, users, employee, reserved_booking, role):
    booking = reserved_booking(_ago(30))
    user = employee if role == "cliente_interno" else users[role]
    response = api_as(user).post(_url(booking))
    assert response.status_code == 403
    assert _status(booking) == AppointmentStatus.CONFIRMADA


def test_ci04_no_show_tells_the_technologist(
    reserved_booking, ci_tech, monkeypatch, django_capture_on_commit_callbacks
):
    booking = reserved_booking(_ago(15))
    sent = []
    monkeypatch.setattr(
        "core.live.publish._send", lambda groups, payload: sent.append((groups, payload))
    )
    with django_capture_on_commit_callbacks(execute=True):
        no_shows_mark()
    messages = [(g, p) for g, p in sent if p["type"] == "ci.booking"]
    assert len(messages) == 1
    groups, payload = messages[0]
    assert payload == {"type": "ci.booking", "booking": booking.pk, "state": "no_asistio"}
    assert f"user.{ci_tech.pk}" in groups
