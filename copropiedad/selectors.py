"""Read paths of condo administrators (2.6). The Contact Center's creadores work as one team:
any of them may look up, move or cancel any appointment of this modality (the administrator
calls back and whoever answers attends), so the scope is the role, not who booked. Other roles
see none here; the technologist finds their appointments' cases in "Mis casos"."""

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from core.business_days import BOGOTA
from core.models import Appointment, Modality
from core.roles import Role, user_has_role

APPOINTMENT_MISSING = "Cita no encontrada."


def appointment_list_for_user(*, user, day: dt.date | None = None) -> QuerySet[Appointment]:
    """The appointments of this modality that have a case (holds have none), with what a list
    shows in one query; ``day``: those starting that day in Bogotá."""
    if not (user.is_superuser or user_has_role(user, Role.CREADOR)):
        return Appointment.objects.none()
    qs = Appointment.objects.filter(
        type__modality=Modality.COPROPIEDAD, case__isnull=False
    ).select_related(
        "technologist",
        "case",
        "case__customer",
        "case__condo__copropiedad",
    )
    if day is not None:
        start = dt.datetime.combine(day, dt.time.min, tzinfo=BOGOTA)
        qs = qs.filter(start__gte=start)
        if day < dt.date.max:  # the day after 9999-12-31 does not exist
            qs = qs.filter(start__lt=start + dt.timedelta(days=1))
    return qs.order_by("start", "id")


def appointment_get_for_user(*, user, appointment_id: int) -> Appointment:
    """404 for a missing appointment and for one the user may not see alike."""
    appointment = appointment_list_for_user(user=user).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404(APPOINTMENT_MISSING)
    return appointment
