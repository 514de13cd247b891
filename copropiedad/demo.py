"""Condo administrators' part of ``manage.py seed_demo`` (registered in ``CopropiedadConfig``).

The "copropiedad" appointment type is served by ``tecnologo1`` and ``tecnologo2``, bookable
Monday to Friday 7:00–12:00 and 13:00–17:00. ``tecnologo1`` has today's two confirmed
appointments, each with its case in "Mis casos": one due now (it starts at the current half
hour, whatever the day and hour, so the demo always has an appointment to attend) and one later
today when the day has room for it. The demo creador (``creador``) books them, so "Citas de
copropiedad" lists them. A second run the same day finds them (by the copropiedad and the day)
and adds nothing."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from copropiedad import ics, services
from core.business_days import BOGOTA
from core.modalities import DemoContext
from core.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    DocumentType,
    TransactionType,
)
from core.services.agenda import agenda_technologists_schedule

TYPE_CODE = "copropiedad"
TECHNOLOGISTS = ["tecnologo1", "tecnologo2"]

# key, minutes after the current half hour, NIT, copropiedad, administrator, document, phone,
# e-mail, transaction, motive
APPOINTMENTS = [
    (
        "ahora",
        0,
        "900123456",
        "Unidad Residencial Torres del Parque P.H.",
        "Luz Marina Cárdenas Ospina",
        "43876512",
        "3126667788",
        "administracion@torresdelparque.example.com",
        "reclamo-facturacion",
        "Consumo de agua de las zonas comunes facturado por encima del promedio en el último "
        "periodo; solicita revisión de la lectura del medidor general.",
    ),
    (
        "despues",
        120,
        "811045672",
        "Edificio Mirador de Laureles P.H.",
        "Jorge Iván Restrepo Mejía",
        "71654320",
        "3147778899",
        "admin@miradorlaureles.example.com",
        "alternativas-de-pago",
        "Solicita alternativas de pago para la cuenta de energía de las zonas comunes.",
    ),
]


def seed(context: DemoContext) -> str:
    users = context.users
    technologists = [users[name] for name in TECHNOLOGISTS]
    appointment_type = AppointmentType.objects.get(code=TYPE_CODE)
    hours = agenda_technologists_schedule(
        appointment_type=appointment_type, technologists=technologists
    )
    tecnologo1, creador = users["tecnologo1"], users["creador"]
    booked = sum(
        _appointment_today(appointment_type, row, technologist=tecnologo1, by=creador)
        for row in APPOINTMENTS
    )
    return (
        f"Copropiedad: {hours} horarios de agenda nuevos (tecnologo1 y tecnologo2, lunes a "
        f"viernes 7:00–12:00 y 13:00–17:00); {booked} citas nuevas de hoy para tecnologo1."
    )


def _current_half_hour(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(BOGOTA)
    return local.replace(minute=30 if local.minute >= 30 else 0, second=0, microsecond=0)


def _appointment_today(appointment_type, row, *, technologist, by) -> int:
    """Today's confirmed appointment of one demo copropiedad, with its case; created directly
    (not through a hold) so that it exists outside working hours too. 1 when created."""
    (_key, offset, nit, name, admin, document, phone, email, transaction_code, motive) = row
    now = timezone.now()
    today = now.astimezone(BOGOTA).date()
    nit = services.nit_normalize(nit)
    if Appointment.objects.filter(
        case__condo__copropiedad__nit=nit,
        start__date=today,
        type=appointment_type,
    ).exists():
        return 0
    start = _current_half_hour(now) + dt.timedelta(minutes=offset)
    end = start + dt.timedelta(minutes=appointment_type.duration_minutes)
    if start.date() != today:
        return 0  # late in the evening: no "later today"
    if Appointment.objects.filter(
        technologist=technologist,
        status__in=AppointmentStatus.holding(),
        start__lt=end,
        end__gt=start,
    ).exists():
        return 0  # that time is taken already (another modality's demo)
    data = services.requirement_clean(
        nit=nit,
        copropiedad=name,
        full_name=admin,
        document_type=DocumentType.CC,
        document_number=document,
        phone=phone,
        email=email,
        transaction_type=TransactionType.objects.get(code=transaction_code),
        motive=motive,
        pqr_type="reclamo" if transaction_code == "reclamo-facturacion" else "peticion",
        contact_required=True,
    )
    with transaction.atomic():
        case = services.condo_case_open(
            by=by,
            data=data,
            technologist=technologist,
            office=technologist.home_office,
            motive=data["motive"],
            reason="cita de demostración",
        )
        appointment = Appointment(
            type=appointment_type,
            technologist=technologist,
            start=start,
            end=end,
            status=AppointmentStatus.CONFIRMADA,
            case=case,
            created_by=by,
        )
        appointment._change_reason = "cita de demostración"
        appointment.save()
        ics.invitation_send(appointment=appointment, case=case, kind=ics.CONFIRMED, now=now)
    return 1
