"""CI-01 / CI-02: internal clients' part of seed_demo. The "cliente-interno" agenda is served by
tecnologo1 and tecnologo2; the demo employee ``empleado`` has a booking today whose «Asistir a
cita» link is open at the time of the seed and one on the next working day; a second run adds
nothing; his start page lists both."""

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from cliente_interno.models import InternalBooking
from core.business_days import BOGOTA, is_holiday
from core.models import AppointmentStatus, AppointmentType, User, WorkingHours

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def next_business_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5 or is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def test_ci01_seed_demo_gives_the_employee_a_booking_open_now_and_one_ahead(client, settings):
    settings.DEBUG = True
    before = timezone.now()
    seed()
    after = timezone.now()
    seed()

    kind = AppointmentType.objects.get(code="cliente-interno")
    assert sorted(kind.technologists.values_list("username", flat=True)) == [
        "tecnologo1",
        "tecnologo2",
    ]
    hours = WorkingHours.objects.filter(technologist__username__in=["tecnologo1", "tecnologo2"])
    assert hours.count() == 2 * 5 * 2
    employee = User.objects.get(username="empleado")
    assert (employee.document_number, employee.email) == ("71650123", "empleado@epm.com.co")

    bookings = list(
        InternalBooking.objects.filter(employee=employee)
        .select_related("appointment", "transaction_type")
        .order_by("appointment__start")
    )
    assert len(bookings) == 2  # the second run added nothing
    assert {b.appointment.status for b in bookings} == {AppointmentStatus.CONFIRMADA}
    assert all(b.booked_at and b.data_consent_at and b.terms_accepted_at for b in bookings)
    assert {b.document_number for b in bookings} == {"71650123"}
    now_booking, ahead = bookings
    early = dt.timedelta(minutes=settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES)
    grace = dt.timedelta(minutes=settings.CLIENTE_INTERNO_GRACE_MINUTES)
    start = now_booking.appointment.start
    assert start - early <= before and after < start + grace  # the link is open at the seed
    today = timezone.localtime(before, BOGOTA).date()
    assert timezone.localtime(ahead.appointment.start, BOGOTA).date() == next_business_day(today)
    assert {b.appointment.technologist.username for b in bookings} <= {"tecnologo1", "tecnologo2"}

    client.force_login(employee)
    page = client.get("/cliente-interno/").content.decode()
    for booking in bookings:
        assert f'data-booking="{booking.pk}"' in page
        assert booking.transaction_type.name in page
    if timezone.localtime(start, BOGOTA).date() == today:
        assert page.count("attend-link") == 1
