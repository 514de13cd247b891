"""Read paths of the agenda (issue 13): a case's appointment, a technologist's appointments of a
day, the appointment types a caller may book and the holds a caller made.

Who may book which modality's appointments is the API's decision (``core.api_agenda``): these
functions take the modalities already allowed."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from core.business_days import BOGOTA
from core.models import Appointment, AppointmentStatus, AppointmentType, Case, User
from core.roles import Role

#: The statuses of an appointment that took place or is due: what a case's page shows and what
#: the voicemail script of 2.6 names (a cancelled or expired booking is no appointment).
CURRENT_STATUSES = (
    AppointmentStatus.CONFIRMADA,
    AppointmentStatus.ATENDIDA,
    AppointmentStatus.NO_ASISTIO,
)
HOLD_NOT_FOUND = "No existe esa reserva de horario."


def case_appointment(case: Case) -> Appointment | None:
    """The case's current appointment: confirmed, attended or missed, the latest by start (one
    query; type and technologist loaded)."""
    return (
        Appointment.objects.filter(case=case, status__in=CURRENT_STATUSES)
        .select_related("type", "technologist")
        .order_by("-start", "-id")
        .first()
    )


def technologist_day_appointments(*, technologist, day: dt.date) -> list[Appointment]:
    """The technologist's confirmed, attended and missed appointments of ``day`` (Bogotá), by
    start, with case, customer and type loaded (one query, whatever the number of rows)."""
    first = dt.datetime.combine(day, dt.time.min, tzinfo=BOGOTA)
    return list(
        Appointment.objects.filter(
            technologist=technologist,
            status__in=CURRENT_STATUSES,
            start__gte=first,
            start__lt=first + dt.timedelta(days=1),
        )
        .select_related("type", "case", "case__customer")
        .order_by("start", "id")
    )


def appointment_types_bookable(*, modalities: Iterable[str] | None) -> QuerySet[AppointmentType]:
    """Active appointment types of ``modalities`` (None: every modality, for a superuser)."""
    qs = AppointmentType.objects.filter(active=True).order_by("name", "id")
    return qs if modalities is None else qs.filter(modality__in=list(modalities))


def hold_seconds_left(hold: Appointment | None) -> int:
    """Seconds until a held slot is released (0 once it is, or without one): the booking pages
    count down from it (``data-seconds-left``), so a tablet whose clock is wrong still shows the
    time left."""
    if hold is None or hold.held_until is None:
        return 0
    return max(0, int((hold.held_until - timezone.now()).total_seconds()))


def hold_get_for_user(*, user, hold_id: int) -> Appointment:
    """A booking the user made (a superuser: any); 404 for missing and for another's alike."""
    qs = Appointment.objects.select_related("type", "technologist")
    if not user.is_superuser:
        qs = qs.filter(created_by=user)
    hold = qs.filter(pk=hold_id).first()
    if hold is None:
        raise Http404(HOLD_NOT_FOUND)
    return hold


def agenda_technologist_choices() -> QuerySet[User]:
    """Active technologists, by name, with their office: whom a manager may put on an
    appointment type (a type belongs to no unit)."""
    return (
        User.objects.filter(groups__name=Role.TECNOLOGO, is_active=True)
        .select_related("home_office")
        .order_by("first_name", "last_name", "id")
        .distinct()
    )
