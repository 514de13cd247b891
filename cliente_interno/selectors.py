"""Reads of internal clients' bookings (2.8), each a fixed number of queries."""

import datetime as dt

from django.db.models import QuerySet

from cliente_interno.models import InternalBooking
from core.business_days import BOGOTA


def _bookings() -> QuerySet[InternalBooking]:
    return InternalBooking.objects.select_related(
        "appointment",
        "appointment__technologist",
        "appointment__case",
        "employee",
        "transaction_type",
        "turn",
    )


def bookings_reserved() -> QuerySet[InternalBooking]:
    """Bookings the employee reserved (a hold never reserved is not a booking)."""
    return _bookings().filter(booked_at__isnull=False)


def employee_bookings(employee) -> QuerySet[InternalBooking]:
    """The employee's own reserved bookings, the next first."""
    return bookings_reserved().filter(employee=employee).order_by("-appointment__start", "-pk")


def technologist_day_bookings(technologist, day: dt.date) -> QuerySet[InternalBooking]:
    """The technologist's reserved internal-client appointments of ``day`` (Bogotá), by hour."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BOGOTA)
    return (
        bookings_reserved()
        .filter(
            appointment__technologist=technologist,
            appointment__start__gte=start,
            appointment__start__lt=start + dt.timedelta(days=1),
        )
        .order_by("appointment__start", "pk")
    )


def booking_for_party(*, user, pk: int) -> InternalBooking | None:
    """The booking, for its employee or its technologist only (None for anyone else: a 404)."""
    booking = bookings_reserved().filter(pk=pk).first()
    if booking is None:
        return None
    if user.pk in (booking.employee_id, booking.appointment.technologist_id):
        return booking
    return None
