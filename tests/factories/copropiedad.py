"""Factories of the copropiedad app (2.6): copropiedades, the agenda of the "copropiedad"
appointment type, holds and bookings made through the real services, request bodies."""

import datetime as dt

import factory
from django.utils import timezone

from copropiedad import services
from copropiedad.models import Copropiedad
from core.business_days import BOGOTA, is_holiday
from core.models import AppointmentType, TransactionType, WorkingHours
from core.services.agenda import agenda_hold

TYPE_CODE = "copropiedad"
#: A NIT and its DIAN check digit.
NIT, NIT_NORMALISED = "900.123.456", "900123456-8"
ADMIN_EMAIL = "administracion@torresdelparque.example.com"
CONDO_MAILBOX = "Administradorescopiedades@epm.com.co"


class CopropiedadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Copropiedad
        django_get_or_create = ("nit",)

    nit = factory.Sequence(lambda n: services.nit_normalize(f"{800000000 + n}"))
    name = factory.Sequence(lambda n: f"Conjunto Residencial Prueba {n} P.H.")


def condo_type(*technologists, hours=((dt.time(7), dt.time(12)), (dt.time(13), dt.time(17)))):
    """The "copropiedad" appointment type (data migration), served by ``technologists`` with
    these working hours Monday to Friday."""
    appointment_type, _ = AppointmentType.objects.get_or_create(
        code=TYPE_CODE,
        defaults={
            "name": "Cita telefónica de administrador de copropiedad",
            "modality": "copropiedad",
            "duration_minutes": 30,
            "days_ahead": 30,
        },
    )
    appointment_type.technologists.add(*technologists)
    for tech in technologists:
        for weekday in range(5):
            for start, end in hours:
                WorkingHours.objects.get_or_create(
                    technologist=tech, weekday=weekday, start=start, end=end
                )
    return appointment_type


def next_business_day(after: dt.date | None = None) -> dt.date:
    """The first working day (Monday–Friday, not a national holiday) after ``after`` (today)."""
    day = (after or timezone.localdate()) + dt.timedelta(days=1)
    while day.weekday() >= 5 or is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """That day and time in Bogotá."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BOGOTA)


def hold(*, technologist, start, by, now=None):
    """A hold of the "copropiedad" type (core's agenda service, as the agenda API makes it)."""
    return agenda_hold(
        appointment_type=AppointmentType.objects.get(code=TYPE_CODE),
        start=start,
        technologist=technologist,
        by=by,
        now=now,
    )


def requirement(**overrides) -> dict:
    """The administrator and the requirement, typed as people type them (dots, spaces)."""
    data = {
        "nit": NIT,
        "copropiedad": "  Unidad Residencial   Torres del Parque P.H. ",
        "full_name": "Luz Marina  Cárdenas Ospina",
        "document_type": "CC",
        "document_number": "43.876.512",
        "phone": "312 666 7788",
        "email": ADMIN_EMAIL,
        "transaction_type": TransactionType.objects.get(code="reclamo-facturacion"),
        "motive": "Consumo de agua de las zonas comunes facturado por encima del promedio.",
    }
    data.update(overrides)
    return data


def book(*, by, technologist, start, **overrides):
    """Hold ``start`` with ``technologist`` and book it for the administrator: (case,
    appointment)."""
    held = hold(technologist=technologist, start=start, by=by)
    return services.condo_appointment_book(hold_id=held.pk, by=by, **requirement(**overrides))


def book_payload(hold_id: int, **overrides) -> dict:
    """A valid body for ``POST /api/v1/copropiedad/appointments/``."""
    data = {
        "hold": hold_id,
        "nit": "900123456-8",
        "copropiedad": "Unidad Residencial Torres del Parque P.H.",
        "full_name": "Luz Marina Cárdenas Ospina",
        "document_type": "CC",
        "document_number": "43876512",
        "phone": "3126667788",
        "email": ADMIN_EMAIL,
        "transaction_type": "reclamo-facturacion",
        "motive": "Consumo de agua de las zonas comunes facturado por encima del promedio.",
    }
    data.update(overrides)
    return data


def phone_solution_payload(**overrides) -> dict:
    """A valid body for ``POST /api/v1/copropiedad/phone-solutions/``."""
    data = book_payload(0, solution="Se le explicó cómo consultar la factura en epm.com.co.")
    del data["hold"]
    data.update(overrides)
    return data
