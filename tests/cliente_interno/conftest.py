"""Fixtures of internal clients (2.8), shared by every test module of the app:

- ``employee`` / ``other_employee``: users with the role cliente_interno, a document number, an
  e-mail and a mobile (what the booking form is prefilled with);
- ``ci_tech``: a technologist (home office ``office``) who serves the ``cliente-interno`` type
  Monday to Friday 8:00–12:00 and 13:00–17:00; ``ci_type`` is that type;
- ``ci_day``: the next working day (all its slots free and in the future);
- ``reserved_booking(start, …)``: a booking as it is once the employee reserved it (appointment
  ``confirmada``, personal data, consents, ``booked_at``), written directly so that ``start``
  may be any moment (now, the past, outside working hours); no e-mail is sent.
"""

import datetime as dt

import pytest
from django.utils import timezone

from cliente_interno.models import InternalBooking, PropertyRelation
from core.business_days import BOGOTA, is_holiday
from core.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    DocumentType,
    TransactionType,
    WorkingHours,
)
from core.roles import Role
from tests.helpers import make_user

TYPE_CODE = "cliente-interno"
HOURS = ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17)))
#: The transaction the fixtures book (offered to employees: not presencial only).
TRANSACTION_CODE = "duplicado-de-factura"


@pytest.fixture
def employee(db):
    return make_user(
        Role.CLIENTE_INTERNO,
        None,
        username="empleado-prueba",
        first_name="Camilo",
        last_name="Betancur",
        email="camilo.betancur@epm.com.co",
        document_number="71650123",
        phone="3104567890",
    )


@pytest.fixture
def other_employee(db):
    return make_user(
        Role.CLIENTE_INTERNO,
        None,
        username="empleada-prueba",
        first_name="Sara",
        last_name="Londoño",
        email="sara.londono@epm.com.co",
        document_number="43111222",
        phone="3157654321",
    )


@pytest.fixture
def ci_type(db):
    return AppointmentType.objects.get(code=TYPE_CODE)


@pytest.fixture
def ci_tech(office, ci_type):
    tech = make_user(
        Role.TECNOLOGO, office, username="tec-ci-1", first_name="Diana", last_name="Gómez"
    )
    for weekday in range(5):
        for start, end in HOURS:
            WorkingHours.objects.create(technologist=tech, weekday=weekday, start=start, end=end)
    ci_type.technologists.add(tech)
    return tech


@pytest.fixture
def ci_day(ci_tech) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() >= 5 or is_holiday(day):
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def reserved_booking(employee, ci_tech, ci_type):
    """``reserved_booking(start, employee=…, technologist=…, **fields)`` → InternalBooking."""

    def make(start: dt.datetime, *, employee=employee, technologist=ci_tech, **fields):
        if timezone.is_naive(start):
            start = timezone.make_aware(start, BOGOTA)
        now = timezone.now()
        appointment = Appointment.objects.create(
            type=ci_type,
            technologist=technologist,
            start=start,
            end=start + dt.timedelta(minutes=ci_type.duration_minutes),
            status=AppointmentStatus.CONFIRMADA,
            created_by=employee,
        )
        values = {
            "transaction_type": TransactionType.objects.get(code=TRANSACTION_CODE),
            "document_type": DocumentType.CC,
            "document_number": employee.document_number,
            "full_name": employee.get_full_name(),
            "email": employee.email,
            "mobile": employee.phone or "3104567890",
            "relation": PropertyRelation.PROPIETARIO,
            "terms_accepted_at": now,
            "data_consent_at": now,
            "booked_at": now,
        }
        values.update(fields)
        return InternalBooking.objects.create(appointment=appointment, employee=employee, **values)

    return make
