"""COP-01 / CORE-12: the calendar invitation e-mailed to the administrator parses back with the
slot's time in Bogotá, a stable UID, a growing SEQUENCE, the condo mailbox as organizer and the
administrator as attendee; every e-mail of this modality leaves from the condo mailbox."""

import datetime as dt

import pytest
from django.core import mail
from icalendar import Calendar

from copropiedad import services
from core.business_days import BOGOTA
from core.models import Notification, SenderMailbox
from tests.factories.copropiedad import ADMIN_EMAIL, CONDO_MAILBOX, at, book

pytestmark = pytest.mark.django_db


def invitation(message) -> Calendar:
    [attachment] = [a for a in message.attachments if a.get_filename().endswith(".ics")]
    return Calendar.from_ical(attachment.get_payload(decode=True))


def event_of(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def test_cop01_ics_parses_back_with_the_slot_in_bogota_time(
    creador, techs, day, django_capture_on_commit_callbacks
):
    """COP-01: METHOD:REQUEST, UID = the appointment's, SEQUENCE 0, DTSTART/DTEND the slot in
    America/Bogota (TZID and its VTIMEZONE), ORGANIZER the condo mailbox, ATTENDEE the
    administrator with RSVP, STATUS CONFIRMED, the case number in the description."""
    with django_capture_on_commit_callbacks(execute=True):
        case, appointment = book(by=creador, technologist=techs[0], start=at(day, 9, 30))

    calendar = invitation(mail.outbox[0])
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == appointment.ics_uid
    assert int(event["SEQUENCE"]) == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == at(day, 9, 30)
    assert (start.hour, start.minute) == (9, 30)
    assert end - start == dt.timedelta(minutes=30)
    assert event["DTSTART"].params["TZID"] == "America/Bogota"
    assert start.utcoffset() == at(day, 9, 30).astimezone(BOGOTA).utcoffset()
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Bogota"]
    assert str(event["ORGANIZER"]) == f"mailto:{CONDO_MAILBOX}"
    assert event["ORGANIZER"].params["CN"] == "EPM Administradores de Copropiedad"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{ADMIN_EMAIL}"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["CN"] == "Luz Marina Cárdenas Ospina"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert case.number in str(event["SUMMARY"])
    description = str(event["DESCRIPTION"])
    assert case.number in description and "44 44 115" in description
    assert "DTSTAMP" in event


def test_cop01_reschedule_keeps_the_uid_and_raises_the_sequence(
    creador, techs, day, django_capture_on_commit_callbacks
):
    """COP-01: the updated invitation has the same UID, SEQUENCE 1 and the new time; the
    calendar replaces the event instead of adding one."""
    with django_capture_on_commit_callbacks(execute=True):
        _, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))
        services.condo_appointment_reschedule(
            appointment=appointment, by=creador, start=at(day, 16, 30), technologist=techs[0]
        )

    first, second = (event_of(invitation(message)) for message in mail.outbox)
    assert str(first["UID"]) == str(second["UID"]) == appointment.ics_uid
    assert (int(first["SEQUENCE"]), int(second["SEQUENCE"])) == (0, 1)
    assert second.decoded("DTSTART") == at(day, 16, 30)
    assert str(second["STATUS"]) == "CONFIRMED"


def test_cop01_cancel_sends_method_cancel_with_a_higher_sequence(
    creador, techs, day, django_capture_on_commit_callbacks
):
    """COP-01: the cancellation is METHOD:CANCEL, STATUS:CANCELLED, same UID, SEQUENCE + 1."""
    with django_capture_on_commit_callbacks(execute=True):
        _, appointment = book(by=creador, technologist=techs[0], start=at(day, 13))
        services.condo_appointment_cancel(appointment=appointment, by=creador)

    calendar = invitation(mail.outbox[-1])
    event = event_of(calendar)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == appointment.ics_uid
    assert int(event["SEQUENCE"]) == 1


def test_core12_every_email_of_the_modality_leaves_from_the_condo_mailbox(
    creador, techs, day, django_capture_on_commit_callbacks
):
    """CORE-12 / 2.6 step 2: confirmation, reschedule and cancellation all leave from
    Administradorescopiedades@epm.com.co (the sender configured for the modality)."""
    with django_capture_on_commit_callbacks(execute=True):
        _, appointment = book(by=creador, technologist=techs[0], start=at(day, 8))
        services.condo_appointment_reschedule(
            appointment=appointment, by=creador, start=at(day, 8, 30), technologist=techs[1]
        )
        services.condo_appointment_cancel(appointment=appointment, by=creador)

    assert len(mail.outbox) == 3
    assert {m.from_email for m in mail.outbox} == {
        f"EPM Administradores de Copropiedad <{CONDO_MAILBOX}>"
    }
    assert set(Notification.objects.values_list("modality", "status")) == {
        ("copropiedad", "enviado")
    }


def test_core12_the_organizer_follows_the_mailbox_edited_in_admin(
    creador, techs, day, django_capture_on_commit_callbacks
):
    """CORE-12: a manager changes the modality's mailbox in admin: the e-mail and the
    invitation's organizer use the new one."""
    box = SenderMailbox.objects.get(modality="copropiedad")
    box.from_email = "citas.copropiedad@epm.com.co"
    box.save(update_fields=["from_email"])

    with django_capture_on_commit_callbacks(execute=True):
        book(by=creador, technologist=techs[0], start=at(day, 11, 30))

    [message] = mail.outbox
    assert message.from_email.endswith("<citas.copropiedad@epm.com.co>")
    assert str(event_of(invitation(message))["ORGANIZER"]) == "mailto:citas.copropiedad@epm.com.co"
