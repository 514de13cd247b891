"""CI-01 / CI-02: an employee books a video appointment through the services — the transactions
offered, the hold (clock injected) and its expiry, going back, reserving with data and both
consents (nothing written on a refusal), a slot taken by someone else (409 with the next free
slots), and the confirmation e-mail from the internal-client mailbox with the .ics and the
«Asistir a cita» link."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from cliente_interno import links
from cliente_interno.models import InternalBooking
from cliente_interno.reference_data import MAILBOX_NOTICE
from cliente_interno.services import booking as services
from core.business_days import BOGOTA
from core.exceptions import ProtocolConflict
from core.models import Appointment, AppointmentStatus, Notification, TransactionType
from core.services import agenda

pytestmark = pytest.mark.django_db

MAILBOX = "clienteinternovirtual@epm.com.co"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BOGOTA)


def transaction(code: str = "duplicado-de-factura") -> TransactionType:
    return TransactionType.objects.get(code=code)


def data(**overrides) -> dict:
    """The employee's data as typed (dots in the document, spaces in the mobile)."""
    values = {
        "document_type": "CC",
        "document_number": "71.650.123",
        "full_name": "  Camilo   Betancur ",
        "email": "camilo.betancur@EPM.com.co",
        "mobile": "310 456 7890",
        "relation": "propietario",
        "contract_number": "123456",
        "property_address": "Calle 45 # 70-12",
        "motive": "Duplicado de la factura del apartamento.",
    }
    values.update(overrides)
    return values


def hold(employee, tech, start, *, now=None, code="duplicado-de-factura"):
    return services.booking_hold(
        employee=employee,
        transaction_type=transaction(code),
        start=start,
        technologist=tech,
        now=now,
    )


def reserve(booking, by, *, now=None, terms=True, consent=True, **overrides):
    return services.booking_reserve(
        booking=booking,
        by=by,
        data=data(**overrides),
        terms_accepted=terms,
        data_consent=consent,
        now=now,
    )


def free_starts(ci_type, day, now=None) -> list[dt.datetime]:
    return [s.start for s in agenda.agenda_free_slots(appointment_type=ci_type, day=day, now=now)]


def test_ci01_transactions_offered_are_the_active_ones_but_presencial_only():
    offered = list(services.transaction_types_offered())
    codes = {t.code for t in offered}
    assert "financiacion-refinanciacion" not in codes
    assert {"duplicado-de-factura", "alternativas-de-pago", "reclamo-facturacion"} <= codes
    assert [t.name for t in offered] == sorted(t.name for t in offered)
    TransactionType.objects.filter(code="duplicado-de-factura").update(active=False)
    assert "duplicado-de-factura" not in {t.code for t in services.transaction_types_offered()}


def test_ci01_hold_keeps_the_slot_for_the_employee_until_it_expires(
    employee, ci_tech, ci_type, ci_day
):
    """CI-01: the hold is real (the slot leaves the free list) and lasts AGENDA_HOLD_MINUTES
    from the moment it was taken; the booking records the transaction and nothing else yet."""
    now = timezone.now()
    booking = hold(employee, ci_tech, at(ci_day, 9), now=now)

    appointment = booking.appointment
    assert (appointment.status, appointment.technologist) == (AppointmentStatus.RETENIDA, ci_tech)
    assert appointment.held_until == now + dt.timedelta(minutes=agenda.hold_minutes())
    assert (appointment.type, appointment.created_by) == (ci_type, employee)
    assert (booking.employee, booking.transaction_type.code) == (employee, "duplicado-de-factura")
    assert booking.booked_at is None and booking.document_number == ""
    assert at(ci_day, 9) not in free_starts(ci_type, ci_day, now)
    expired = appointment.held_until + dt.timedelta(seconds=1)
    assert at(ci_day, 9) in free_starts(ci_type, ci_day, expired)


def test_ci01_financiacion_is_refused_before_any_slot_is_held(employee, ci_tech, ci_day):
    with pytest.raises(ValidationError) as refused:
        hold(employee, ci_tech, at(ci_day, 9), code="financiacion-refinanciacion")

    assert refused.value.message_dict == {"transaction_type": [services.PRESENCIAL_ONLY]}
    assert not Appointment.objects.exists() and not InternalBooking.objects.exists()


def test_ci01_a_slot_outside_the_agenda_or_of_another_technologist_is_refused(
    employee, ci_tech, ci_day, users
):
    with pytest.raises(ValidationError) as outside:
        hold(employee, ci_tech, at(ci_day, 12, 30))
    assert outside.value.message_dict == {"start": [agenda.NOT_IN_AGENDA]}
    with pytest.raises(ValidationError) as stranger:
        hold(employee, users["tecnologo"], at(ci_day, 9))
    assert stranger.value.message_dict == {"technologist": [services.NOT_A_TECHNOLOGIST]}
    assert not InternalBooking.objects.exists()


def test_ci01_taken_slot_is_409_with_the_next_free_slots(employee, other_employee, ci_tech, ci_day):
    """CI-01: the second employee gets core's message and the free slots from that time on."""
    hold(employee, ci_tech, at(ci_day, 11, 30))

    with pytest.raises(services.SlotUnavailable) as taken:
        hold(other_employee, ci_tech, at(ci_day, 11, 30))

    assert taken.value.messages == [agenda.TAKEN]
    assert [s.start for s in taken.value.next_slots] == [
        at(ci_day, 13),
        at(ci_day, 13, 30),
        at(ci_day, 14),
        at(ci_day, 14, 30),
        at(ci_day, 15),
        at(ci_day, 15, 30),
    ]
    assert {s.technologist_id for s in taken.value.next_slots} == {ci_tech.pk}
    assert InternalBooking.objects.filter(employee=other_employee).count() == 0


def test_ci01_going_back_releases_the_hold(employee, other_employee, ci_tech, ci_type, ci_day):
    booking = hold(employee, ci_tech, at(ci_day, 10))

    with pytest.raises(ValidationError) as stranger:
        services.booking_release(booking=booking, by=other_employee)
    assert stranger.value.message_dict == {"hold": [services.HOLD_MISSING]}
    assert services.booking_release(booking=booking, by=employee) is True
    assert services.booking_release(booking=booking, by=employee) is False  # gone already

    booking.appointment.refresh_from_db()
    assert booking.appointment.status == AppointmentStatus.CANCELADA
    assert at(ci_day, 10) in free_starts(ci_type, ci_day)


def test_ci01_a_new_hold_gives_back_the_previous_one(employee, ci_tech, ci_type, ci_day):
    """One live hold per employee: a second tab cannot sit on the agenda."""
    first = hold(employee, ci_tech, at(ci_day, 8))
    second = hold(employee, ci_tech, at(ci_day, 8, 30))

    first.appointment.refresh_from_db()
    assert first.appointment.status == AppointmentStatus.CANCELADA
    assert second.appointment.status == AppointmentStatus.RETENIDA
    assert at(ci_day, 8) in free_starts(ci_type, ci_day)


def test_ci01_reserve_confirms_with_the_data_normalised_and_the_consents_dated(
    employee, ci_tech, ci_day, django_capture_on_commit_callbacks
):
    now = timezone.now()
    booking = hold(employee, ci_tech, at(ci_day, 9), now=now)
    later = now + dt.timedelta(minutes=3)

    with django_capture_on_commit_callbacks(execute=True):
        reserved = reserve(booking, employee, now=later)

    reserved.refresh_from_db()
    assert reserved.appointment.status == AppointmentStatus.CONFIRMADA
    assert reserved.appointment.held_until is None
    assert (reserved.document_type, reserved.document_number) == ("CC", "71650123")
    assert reserved.full_name == "Camilo Betancur"
    assert (reserved.email, reserved.mobile) == ("camilo.betancur@epm.com.co", "3104567890")
    assert (reserved.relation, reserved.contract_number) == ("propietario", "123456")
    assert reserved.terms_accepted_at == reserved.data_consent_at == reserved.booked_at == later
    assert len(mail.outbox) == 1


def test_ci01_reserve_after_the_hold_expired_is_409_and_nothing_is_written(
    employee, ci_tech, ci_day, django_capture_on_commit_callbacks
):
    """CI-01: the hold's time ran out (clock injected): 409 with core's message and the next
    free slots (its own slot among them again); the booking stays unreserved, no e-mail."""
    now = timezone.now()
    booking = hold(employee, ci_tech, at(ci_day, 9), now=now)
    later = now + dt.timedelta(minutes=agenda.hold_minutes(), seconds=1)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.SlotUnavailable) as expired,
    ):
        reserve(booking, employee, now=later)

    assert expired.value.messages == [agenda.EXPIRED]
    assert expired.value.next_slots[0].start == at(ci_day, 9)
    booking.refresh_from_db()
    assert booking.booked_at is None and booking.document_number == ""
    assert booking.terms_accepted_at is None and booking.data_consent_at is None
    assert booking.appointment.status == AppointmentStatus.RETENIDA  # the sweep makes it vencida
    assert not Notification.objects.exists() and mail.outbox == []


def test_ci01_reserve_without_consents_is_400_and_nothing_is_written(employee, ci_tech, ci_day):
    booking = hold(employee, ci_tech, at(ci_day, 9))

    with pytest.raises(ValidationError) as refused:
        reserve(booking, employee, terms=False, consent=False)

    assert refused.value.message_dict == {
        "terms_accepted": ["Debe aceptar los términos y condiciones."],
        "data_consent": [
            "Debe autorizar el tratamiento de sus datos personales (Ley 1581 de 2012)."
        ],
    }
    booking.refresh_from_db()
    assert booking.booked_at is None and booking.data_consent_at is None
    assert booking.appointment.status == AppointmentStatus.RETENIDA
    assert not Notification.objects.exists()


def test_ci01_reserve_invalid_fields_get_a_spanish_message_each(employee, ci_tech, ci_day):
    booking = hold(employee, ci_tech, at(ci_day, 9))

    with pytest.raises(ValidationError) as refused:
        reserve(
            booking,
            employee,
            document_number="12",
            full_name=" ",
            email="camilo@",
            mobile="604 444 1234",  # a landline: the link and the reminders need a mobile
            relation="vecino",
        )

    assert refused.value.message_dict == {
        "document_number": ["La cédula de ciudadanía debe tener entre 3 y 10 dígitos."],
        "full_name": [services.FULL_NAME_REQUIRED],
        "email": ["Ingrese un correo electrónico válido."],
        "mobile": ["Ingrese un celular colombiano válido (3xx xxx xxxx)."],
        "relation": [services.RELATION_REQUIRED],
    }
    with pytest.raises(ValidationError) as nit:
        reserve(booking, employee, document_type="NIT", document_number="900123456")
    assert nit.value.message_dict == {"document_type": [services.DOCUMENT_TYPE_INVALID]}
    booking.refresh_from_db()
    assert booking.booked_at is None


def test_ci01_only_the_holds_employee_reserves_it_and_only_once(
    employee, other_employee, ci_tech, ci_day
):
    booking = hold(employee, ci_tech, at(ci_day, 9))

    with pytest.raises(ValidationError) as stranger:
        reserve(booking, other_employee)
    assert stranger.value.message_dict == {"hold": [services.HOLD_MISSING]}

    reserved = reserve(booking, employee)
    with pytest.raises(ProtocolConflict) as again:
        reserve(reserved, employee)
    assert again.value.messages == [services.ALREADY_BOOKED]
    with pytest.raises(ProtocolConflict):
        services.booking_release(booking=reserved, by=employee)
    assert Notification.objects.count() == 1


def test_ci02_confirmation_email_from_the_internal_client_mailbox_with_ics_and_link(
    employee, ci_tech, ci_day, settings, django_capture_on_commit_callbacks
):
    """CI-02: one e-mail, from clienteinternovirtual@epm.com.co only, to the e-mail given; the
    «Asistir a cita» link (SITE_URL + the signed token of this booking), when it opens, that the
    document is asked, the spam folder, the mailbox notice; the .ics parses back with the slot
    in Bogotá and the appointment's UID."""
    settings.SITE_URL = "https://citas.epm.example"
    booking = hold(employee, ci_tech, at(ci_day, 9, 30))

    with django_capture_on_commit_callbacks(execute=True):
        booking = reserve(booking, employee)

    [message] = mail.outbox
    assert message.from_email == f"EPM Cliente Interno <{MAILBOX}>"
    assert message.to == ["camilo.betancur@epm.com.co"]
    assert "Confirmación de su cita por video" in message.subject
    body = message.body
    assert f"{ci_day.day} de" in body and "a las 9:30 a.m." in body
    assert "Duplicado de factura" in body and "Diana Gómez" in body
    url = next(line for line in body.splitlines() if line.startswith(settings.SITE_URL))
    # The token is signed with a timestamp: the link written a second earlier differs from one
    # made now, so the page's path is compared and the token is opened.
    page = links.attend_path(booking).rstrip("/").rsplit("/", 1)[0]
    assert url.startswith(f"{settings.SITE_URL}{page}/") and url.endswith("/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert links.booking_from_token(token) == booking
    assert "«Asistir a cita»" in body
    assert "desde 10 minutos antes" in body
    assert "número de documento con el que hizo la reserva" in body
    assert "spam" in body
    assert MAILBOX_NOTICE in body
    assert MAILBOX_NOTICE == (
        "Este buzón no recibe solicitudes ni nuevos requerimientos: para una nueva solicitud "
        "agende una cita."
    )

    [attachment] = message.attachments
    assert attachment.get_filename() == "cita-epm.ics"
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == booking.appointment.ics_uid
    start = event.decoded("DTSTART")
    assert start == at(ci_day, 9, 30) and (start.hour, start.minute) == (9, 30)
    assert event["DTSTART"].params["TZID"] == "America/Bogota"
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=30)
    assert str(event["SUMMARY"]) == "Cita por video con EPM"
    assert str(event["LOCATION"]) == "Videollamada EPM — enlace «Asistir a cita»"
    assert str(event["ORGANIZER"]) == f"mailto:{MAILBOX}"
    assert str(event["ATTENDEE"]) == "mailto:camilo.betancur@epm.com.co"
    assert url in str(event["DESCRIPTION"])
    notification = Notification.objects.get()
    assert (notification.modality, notification.status) == ("cliente_interno", "enviado")
