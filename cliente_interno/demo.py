"""Internal clients' part of ``manage.py seed_demo`` (registered in ``ClienteInternoConfig``).

The "cliente-interno" appointment type is served by ``tecnologo1`` and ``tecnologo2``, Monday to
Friday 7:00–12:00 and 13:00–17:00 (the same working hours the condo administrators' demo gives
them; created here too when that part did not run). The demo employee ``empleado`` (document
71650123, empleado@epm.com.co) has two reserved bookings: one today whose «Asistir a cita» link
is open now (it starts within the link's window around the moment of the seed, whatever the hour:
created directly when that moment is not a slot of the agenda) and one on the next working day.
A second run the same day finds them (by the employee, the transaction and the day) and adds
nothing."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cliente_interno.models import InternalBooking, PropertyRelation
from cliente_interno.services import booking as services
from core.business_days import BOGOTA, is_holiday
from core.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    DocumentType,
    TransactionType,
)
from core.services.agenda import agenda_technologists_schedule

TECHNOLOGISTS = ["tecnologo2", "tecnologo1"]  # tecnologo1 has the condo appointment of now
EMPLOYEE = "empleado"
DOCUMENT = "71650123"
EMAIL = "empleado@epm.com.co"
MOBILE = "3104567890"
# key, transaction, motive
BOOKINGS = [
    ("hoy", "duplicado-de-factura", "Necesito el duplicado de la factura de mi apartamento."),
    (
        "siguiente",
        "alternativas-de-pago",
        "Quiero conocer las alternativas de pago de la cuenta de la casa que tengo en arriendo.",
    ),
]


def seed(context) -> str:
    users = context.users
    technologists = [users[name] for name in TECHNOLOGISTS]
    kind = AppointmentType.objects.get(code=services.APPOINTMENT_TYPE)
    hours = agenda_technologists_schedule(appointment_type=kind, technologists=technologists)
    employee = users[EMPLOYEE]
    if not employee.document_number:
        employee.document_number = DOCUMENT
    employee.email = EMAIL
    employee.save(update_fields=["document_number", "email"])

    now = timezone.now()
    today = timezone.localtime(now, BOGOTA).date()
    added = 0
    for key, code, motive in BOOKINGS:
        start = _start_now(now) if key == "hoy" else None
        day = timezone.localtime(start, BOGOTA).date() if start else _next_business_day(today)
        transaction_type = TransactionType.objects.get(code=code)
        if InternalBooking.objects.filter(
            employee=employee,
            transaction_type=transaction_type,
            booked_at__isnull=False,
            appointment__start__date=day,
        ).exists():
            continue
        added += _booking(
            kind,
            employee=employee,
            technologists=technologists,
            transaction_type=transaction_type,
            motive=motive,
            day=day,
            start=start,
            now=now,
        )
    return (
        f"Cliente interno: {hours} horarios de agenda nuevos (tecnologo1 y tecnologo2); "
        f"{added} citas nuevas del funcionario «empleado» (hoy, con el enlace abierto, y el "
        "siguiente día hábil)."
    )


def _next_business_day(after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while day.weekday() >= 5 or is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def _start_now(now: dt.datetime) -> dt.datetime:
    """A start whose «Asistir a cita» window holds ``now``: the next half hour when it is within
    the minutes the link opens early, else the current one within the grace period, else the
    latest minute that still opens the link now."""
    local = timezone.localtime(now, BOGOTA).replace(second=0, microsecond=0)
    current = local.replace(minute=30 if local.minute >= 30 else 0)
    following = current + dt.timedelta(minutes=30)
    early = dt.timedelta(minutes=settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES)
    grace = dt.timedelta(minutes=settings.CLIENTE_INTERNO_GRACE_MINUTES)
    if following - now <= early:
        return following
    if now - current < grace:
        return current
    return local + early


def _data(employee, motive: str) -> dict:
    return {
        "document_type": DocumentType.CC,
        "document_number": employee.document_number,
        "full_name": employee.get_full_name(),
        "email": employee.email,
        "mobile": MOBILE,
        "relation": PropertyRelation.PROPIETARIO,
        "contract_number": "",
        "property_address": "Calle 45 # 70-12, Medellín",
        "motive": motive,
    }


def _booking(kind, *, employee, technologists, transaction_type, motive, day, start, now) -> int:
    """A reserved booking of ``employee`` on ``day``: through the services on a free slot of
    the agenda (at ``start`` when given), else written directly with the first technologist
    free at ``start`` (a start outside the agenda: the evening, a weekend). 1 when created."""
    data = _data(employee, motive)
    if start is None:
        start, technologists = _first_free(kind, day=day, technologists=technologists, now=now)
    for tech in technologists:
        try:
            held = services.booking_hold(
                employee=employee,
                transaction_type=transaction_type,
                start=start,
                technologist=tech,
                now=now,
            )
            services.booking_reserve(
                booking=held,
                by=employee,
                data=data,
                terms_accepted=True,
                data_consent=True,
                now=now,
            )
            return 1
        except ValidationError:
            continue  # not a slot of the agenda now, or taken: written directly below
    for tech in technologists:
        if _direct(
            kind,
            employee=employee,
            technologist=tech,
            transaction_type=transaction_type,
            start=start,
            data=data,
            now=now,
        ):
            return 1
    return 0


def _first_free(kind, *, day, technologists, now) -> tuple[dt.datetime, list]:
    """The first free slot of ``day`` from 9:00 and its technologist; 9:00 with any of them
    when the day has none left."""
    nine = dt.datetime.combine(day, dt.time(9), tzinfo=BOGOTA)
    slots = services.next_free_slots(appointment_type=kind, after=nine, now=now, limit=1)
    if slots and timezone.localtime(slots[0].start, BOGOTA).date() == day:
        return slots[0].start, [t for t in technologists if t.pk == slots[0].technologist_id]
    return nine, technologists


def _direct(kind, *, employee, technologist, transaction_type, start, data, now) -> bool:
    """The booking written directly (confirmed appointment, data and consents), when that
    technologist is free at ``start``."""
    end = start + dt.timedelta(minutes=kind.duration_minutes)
    if Appointment.objects.filter(
        technologist=technologist,
        status__in=AppointmentStatus.holding(),
        start__lt=end,
        end__gt=start,
    ).exists():
        return False
    with transaction.atomic():
        appointment = Appointment(
            type=kind,
            technologist=technologist,
            start=start,
            end=end,
            status=AppointmentStatus.CONFIRMADA,
            created_by=employee,
        )
        appointment._change_reason = "cita de demostración"
        appointment.save()
        InternalBooking.objects.create(
            appointment=appointment,
            employee=employee,
            transaction_type=transaction_type,
            terms_accepted_at=now,
            data_consent_at=now,
            booked_at=now,
            **data,
        )
    return True
