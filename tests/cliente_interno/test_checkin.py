"""CI-02 / CI-03, the service with the clock injected: when the "Asistir a cita" link works
(10 minutes before to 10 minutes after the appointment), the document check with its limited
attempts, the turn of the "Cliente Interno" office, one turn only, the live message."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cliente_interno.models import InternalBooking
from cliente_interno.services import checkin
from cliente_interno.services.checkin import CheckInRefused, booking_check_in, checkin_window
from core.business_days import BOGOTA
from core.models import AppointmentStatus, Office, Turn, TurnStatus
from core.services.agenda_ics import when_text

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def start(ci_day) -> dt.datetime:
    """9:30 a.m. of the next working day: the link opens at 9:20, closes at 9:40."""
    return dt.datetime.combine(ci_day, dt.time(9, 30), tzinfo=BOGOTA)


@pytest.fixture
def booking(reserved_booking, start) -> InternalBooking:
    return reserved_booking(start)


def _opens(start):
    return start - dt.timedelta(minutes=10)


def _closes(start):
    return start + dt.timedelta(minutes=10)


def _cli_turns():
    return Turn.objects.filter(office__is_internal_client=True)


def test_ci02_window_edges(booking, start):
    assert _opens(start) == checkin_window(booking).opens_at
    assert _closes(start) == checkin_window(booking).closes_at
    states = {
        "opens_at − 1 s": checkin_window(booking, _opens(start) - SECOND).state,
        "opens_at": checkin_window(booking, _opens(start)).state,
        "closes_at − 1 s": checkin_window(booking, _closes(start) - SECOND).state,
        "closes_at": checkin_window(booking, _closes(start)).state,
    }
    assert states == {
        "opens_at − 1 s": "temprano",
        "opens_at": "abierta",
        "closes_at − 1 s": "abierta",
        "closes_at": "perdida",
    }


def test_ci02_window_follows_settings(settings, booking, start):
    settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES = 15
    settings.CLIENTE_INTERNO_GRACE_MINUTES = 5
    window = checkin_window(booking, start)
    assert window.opens_at == start - dt.timedelta(minutes=15)
    assert window.closes_at == start + dt.timedelta(minutes=5)
    assert checkin_window(booking, start + dt.timedelta(minutes=5)).state == "perdida"


def test_ci02_window_closed_or_missed_by_the_appointment_status(booking, start):
    appointment = booking.appointment
    appointment.status = AppointmentStatus.CANCELADA
    appointment.save(update_fields=["status"])
    assert checkin_window(booking, start).state == "cerrada"
    appointment.status = AppointmentStatus.NO_ASISTIO
    appointment.save(update_fields=["status"])
    assert checkin_window(booking, start).state == "perdida"


def test_ci02_one_second_early_refused_saying_when_it_opens(booking, employee, start):
    with pytest.raises(CheckInRefused) as refused:
        booking_check_in(
            booking=booking,
            document_number=employee.document_number,
            by=employee,
            now=_opens(start) - SECOND,
        )
    message = refused.value.message
    assert f"El enlace se habilita el {when_text(_opens(start))}, 10 minutos antes." in message
    assert "a las 9:20 a.m." in message
    assert not _cli_turns().exists()


def test_ci02_checks_in_at_the_opening_second(booking, employee, start):
    checked = booking_check_in(
        booking=booking, document_number=employee.document_number, by=employee, now=_opens(start)
    )
    assert checked.turn is not None
    assert checked.checked_in_at == _opens(start)


def test_ci02_checks_in_one_second_before_it_closes(booking, employee, start):
    checked = booking_check_in(
        booking=booking,
        document_number=employee.document_number,
        by=employee,
        now=_closes(start) - SECOND,
    )
    assert checked.turn is not None


def test_ci02_at_closes_at_refused_as_missed(booking, employee, start):
    with pytest.raises(CheckInRefused) as refused:
        booking_check_in(
            booking=booking,
            document_number=employee.document_number,
            by=employee,
            now=_closes(start),
        )
    message = refused.value.message
    assert "ya pasó" in message
    assert "hasta las 9:40 a.m." in message
    assert "agende otra cita" in message
    assert not _cli_turns().exists()


def test_ci03_turn_in_the_cliente_interno_office(booking, employee, start):
    checked = booking_check_in(
        booking=booking, document_number="71.650.123", by=employee, now=start
    )
    turn = checked.turn
    assert turn.office == Office.objects.get(is_internal_client=True)
    assert turn.office.name == "Cliente Interno"
    assert turn.number.startswith("CLI-")
    assert turn.status == TurnStatus.EN_ESPERA
    assert turn.transaction_type == booking.transaction_type
    assert turn.day == start.date()
    assert turn.accepts_remote is False
    assert turn.created_by == employee
    booking.refresh_from_db()
    assert booking.turn == turn
    assert booking.checked_in_at == start


def test_ci03_double_check_in_gives_one_turn(booking, employee, start):
    first = booking_check_in(
        booking=booking, document_number=employee.document_number, by=employee, now=start
    )
    again = booking_check_in(
        booking=booking,
        document_number=employee.document_number,
        by=employee,
        now=start + dt.timedelta(minutes=30),  # back to the room after the window closed
    )
    assert again.turn_id == first.turn_id
    assert again.checked_in_at == start
    assert _cli_turns().count() == 1


def test_ci03_wrong_document_counted_and_committed(booking, employee, start):
    with pytest.raises(ValidationError) as wrong:
        booking_check_in(booking=booking, document_number="1234567", by=employee, now=start)
    assert wrong.value.message_dict["document_number"] == [
        "El número de documento no coincide con el de la reserva.",
        "Le quedan 4 intentos.",
    ]
    booking.refresh_from_db()
    assert booking.checkin_failures == 1
    assert booking.turn is None
    assert not _cli_turns().exists()


def test_ci03_attempts_limit_then_right_document_still_refused(settings, booking, employee, start):
    settings.CLIENTE_INTERNO_CHECKIN_ATTEMPTS = 3
    for expected in ("Le quedan 2 intentos.", "Le queda 1 intento."):
        with pytest.raises(ValidationError) as wrong:
            booking_check_in(booking=booking, document_number="999", by=employee, now=start)
        assert not isinstance(wrong.value, PermissionDenied)
        assert expected in wrong.value.message_dict["document_number"]
    with pytest.raises(CheckInRefused) as third:
        booking_check_in(booking=booking, document_number="999", by=employee, now=start)
    assert "Superó el número de intentos" in third.value.message
    assert "agende otra cita" in third.value.message
    with pytest.raises(CheckInRefused) as right:
        booking_check_in(
            booking=booking, document_number=employee.document_number, by=employee, now=start
        )
    assert "Superó el número de intentos" in right.value.message
    booking.refresh_from_db()
    assert booking.checkin_failures == 3
    assert booking.turn is None
    assert checkin.attempts_left(booking) == 0


def test_ci03_only_the_booking_employee(booking, other_employee, employee, start):
    with pytest.raises(PermissionDenied):
        booking_check_in(
            booking=booking, document_number=employee.document_number, by=other_employee, now=start
        )
    booking.refresh_from_db()
    assert booking.checkin_failures == 0
    assert booking.turn is None


def test_ci03_turn_numbers_follow_per_day(reserved_booking, employee, other_employee, start):
    first = reserved_booking(start)
    second = reserved_booking(start + dt.timedelta(minutes=30), employee=other_employee)
    one = booking_check_in(
        booking=first, document_number=employee.document_number, by=employee, now=start
    )
    two = booking_check_in(
        booking=second,
        document_number=other_employee.document_number,
        by=other_employee,
        now=start + dt.timedelta(minutes=25),
    )
    assert (one.turn.number, two.turn.number) == ("CLI-001", "CLI-002")


def test_ci03_check_in_tells_the_technologist_after_commit(
    booking, employee, ci_tech, start, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "core.live.publish._send", lambda groups, payload: sent.append((groups, payload))
    )

    def ci_messages():
        return [(groups, payload) for groups, payload in sent if payload["type"] == "ci.booking"]

    with django_capture_on_commit_callbacks(execute=True):
        booking_check_in(
            booking=booking, document_number=employee.document_number, by=employee, now=start
        )
        assert ci_messages() == []  # not before the commit
    assert len(ci_messages()) == 1
    groups, payload = ci_messages()[0]
    assert payload == {"type": "ci.booking", "booking": booking.pk, "state": "en_espera"}
    assert f"user.{ci_tech.pk}" in groups
    with django_capture_on_commit_callbacks(execute=True):
        booking_check_in(
            booking=booking, document_number=employee.document_number, by=employee, now=start
        )
    assert len(ci_messages()) == 1  # idempotent: nothing new to tell
