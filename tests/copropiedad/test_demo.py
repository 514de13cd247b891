"""COP-01 / COP-02: condo administrators' part of seed_demo. The "copropiedad" agenda is served
by tecnologo1 and tecnologo2; tecnologo1 has today's confirmed appointments, one due now, each
with its case in "Mis casos"; the demo creador booked them; a second run adds nothing."""

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.business_days import BOGOTA
from core.models import Appointment, AppointmentStatus, AppointmentType, User, WorkingHours
from core.roles import Role, user_has_role
from core.selectors import workbench_cases_for_user

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_cop01_seed_demo_gives_tecnologo1_todays_appointments(settings):
    settings.DEBUG = True
    seed()
    seed()

    now = timezone.now().astimezone(BOGOTA)
    half_hour = now.replace(minute=30 if now.minute >= 30 else 0, second=0, microsecond=0)
    later = half_hour + dt.timedelta(hours=2)
    expected = [half_hour] + ([later] if later.date() == now.date() else [])

    appointment_type = AppointmentType.objects.get(code="copropiedad")
    assert sorted(appointment_type.technologists.values_list("username", flat=True)) == [
        "tecnologo1",
        "tecnologo2",
    ]
    hours = WorkingHours.objects.filter(technologist__username__in=["tecnologo1", "tecnologo2"])
    assert hours.count() == 2 * 5 * 2
    assert set(hours.values_list("weekday", "start", "end")) == {
        (weekday, start, end)
        for weekday in range(5)
        for start, end in ((dt.time(7), dt.time(12)), (dt.time(13), dt.time(17)))
    }
    tecnologo1 = User.objects.get(username="tecnologo1")
    creador = User.objects.get(username="creador")
    assert user_has_role(creador, Role.CREADOR)
    today = Appointment.objects.filter(
        type=appointment_type, technologist=tecnologo1, start__date=now.date()
    ).select_related("case")
    assert [a.start for a in today] == expected  # the second run added nothing
    assert {a.status for a in today} == {AppointmentStatus.CONFIRMADA}
    assert {a.created_by for a in today} == {creador}
    cases = [a.case for a in today]
    assert all(c.modality == "copropiedad" and c.turn_number == "DFILA" for c in cases)
    assert set(workbench_cases_for_user(user=tecnologo1)) >= set(cases)
