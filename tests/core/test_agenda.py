"""COP-01 (an appointment slot is assigned) — the agenda of core (issue 13), on PostgreSQL: free
slots from the technologists' working hours without holidays, the past or days beyond the
type's horizon; holds that expire; no double booking under concurrency (the exclusion
constraint); confirmation, reschedule (same UID, higher SEQUENCE), cancel, the sweep; the
selectors the case page and "Mis casos" use.

The services take ``now``: the tests put it in January 2027, around a festivo Monday
(2027-01-11, Reyes Magos moved to Monday by Ley 51 de 1983)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.business_days import BOGOTA, is_holiday
from core.exceptions import ProtocolConflict
from core.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    CaseStatus,
    Modality,
    WorkingHours,
)
from core.roles import Role
from core.selectors.agenda import case_appointment, technologist_day_appointments
from core.services import agenda
from tests.factories import make_case
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 4)
FRIDAY = dt.date(2027, 1, 8)
FESTIVO = dt.date(2027, 1, 11)  # Reyes Magos, moved to Monday
NOW = dt.datetime(2027, 1, 4, 7, 0, tzinfo=BOGOTA)  # Monday, before opening


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BOGOTA)


def technologist(office, name: str, *, weekdays=range(5), hours=((8, 12),)):
    tech = make_user(Role.TECNOLOGO, office, first_name=name, last_name="Prueba")
    for weekday in weekdays:
        for start, end in hours:
            WorkingHours.objects.create(
                technologist=tech, weekday=weekday, start=dt.time(start), end=dt.time(end)
            )
    return tech


@pytest.fixture
def appointment_type(db):
    return AppointmentType.objects.create(
        code="prueba-agenda",
        name="Cita de prueba",
        modality=Modality.COPROPIEDAD,
        duration_minutes=30,
        days_ahead=15,
    )


@pytest.fixture
def ana(office, appointment_type):
    tech = technologist(office, "Ana")
    appointment_type.technologists.add(tech)
    return tech


@pytest.fixture
def beto(office, appointment_type):
    tech = technologist(office, "Beto")
    appointment_type.technologists.add(tech)
    return tech


def hold(appointment_type, tech, start, *, now=NOW, by=None):
    return agenda.agenda_hold(
        appointment_type=appointment_type, start=start, technologist=tech, by=by, now=now
    )


def starts(slots, tech=None) -> list[str]:
    return [
        f"{s.start.astimezone(BOGOTA):%H:%M}"
        for s in slots
        if tech is None or s.technologist_id == tech.pk
    ]


# --- no double booking under concurrency ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cop01_sixteen_concurrent_holds_on_one_slot_give_exactly_one(
    postgres, appointment_type, ana, beto, users
):
    """16 requests at once for Ana's 09:00 (each thread its own connection): one hold, 15
    conflicts with the Spanish message; her 09:30 and Beto's 09:00 are still bookable."""
    creador = users[Role.CREADOR]
    barrier = threading.Barrier(16)
    results: list[object] = []
    lock = threading.Lock()

    def book():
        try:
            barrier.wait(timeout=30)
            outcome = hold(appointment_type, ana, at(FRIDAY, 9), by=creador)
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test checks
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 16
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if isinstance(r, ProtocolConflict)]
    assert len(won) == 1 and len(lost) == 15, results
    assert {" ".join(exc.messages) for exc in lost} == {agenda.TAKEN}
    rows = Appointment.objects.filter(technologist=ana, start=at(FRIDAY, 9))
    assert [(a.status, a.created_by_id) for a in rows] == [(AppointmentStatus.RETENIDA, creador.pk)]

    adjacent = hold(appointment_type, ana, at(FRIDAY, 9, 30))
    other = hold(appointment_type, beto, at(FRIDAY, 9))
    assert (adjacent.status, other.status) == (AppointmentStatus.RETENIDA,) * 2
    assert "09:00" not in starts(
        agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW), ana
    )


def test_cop01_a_taken_slot_is_refused_and_leaves_the_free_list(appointment_type, ana, beto):
    first = hold(appointment_type, ana, at(FRIDAY, 10))

    with pytest.raises(ProtocolConflict) as refused:
        hold(appointment_type, ana, at(FRIDAY, 10))

    assert refused.value.messages == [agenda.TAKEN]
    assert Appointment.objects.filter(technologist=ana).count() == 1
    free = agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW)
    assert "10:00" not in starts(free, ana)
    assert "10:00" in starts(free, beto)
    assert first.held_until == NOW + dt.timedelta(minutes=agenda.hold_minutes())


# --- holds expire --------------------------------------------------------------------------


def test_cop01_an_expired_hold_cannot_be_confirmed_and_its_slot_is_booked_again(
    appointment_type, ana, users
):
    stale = hold(appointment_type, ana, at(FRIDAY, 8), by=users[Role.CREADOR])
    later = NOW + dt.timedelta(minutes=agenda.hold_minutes(), seconds=1)

    with pytest.raises(ProtocolConflict) as refused:
        agenda.agenda_confirm(hold_id=stale.pk, now=later)
    assert refused.value.messages == [agenda.EXPIRED]

    assert "08:00" in starts(
        agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=later)
    )
    fresh = hold(appointment_type, ana, at(FRIDAY, 8), now=later)

    stale.refresh_from_db()
    assert stale.status == AppointmentStatus.VENCIDA  # expired on the way (CORE-06: history)
    assert stale.held_until is None
    assert stale.history.first().history_change_reason == agenda.EXPIRY_REASON
    assert fresh.status == AppointmentStatus.RETENIDA
    confirmed = agenda.agenda_confirm(hold_id=fresh.pk, now=later)
    assert (confirmed.status, confirmed.held_until) == (AppointmentStatus.CONFIRMADA, None)


def test_cop01_confirm_links_the_case_and_records_history(appointment_type, ana, office):
    case = make_case(channel="administradores-copropiedad", office=office)
    held = hold(appointment_type, ana, at(FRIDAY, 11))

    confirmed = agenda.agenda_confirm(
        hold_id=held.pk, case=case, now=NOW, modality=Modality.COPROPIEDAD
    )

    assert (confirmed.status, confirmed.case_id) == (AppointmentStatus.CONFIRMADA, case.pk)
    assert [h.status for h in confirmed.history.order_by("history_id")] == [
        AppointmentStatus.RETENIDA,
        AppointmentStatus.CONFIRMADA,
    ]
    with pytest.raises(ProtocolConflict):  # confirmed already
        agenda.agenda_confirm(hold_id=held.pk, now=NOW)
    with pytest.raises(ValidationError) as missing:  # a hold of another modality's type
        agenda.agenda_confirm(hold_id=held.pk, now=NOW, modality=Modality.CLIENTE_INTERNO)
    assert missing.value.message_dict == {"hold": [agenda.HOLD_MISSING]}


def test_cop01_release_gives_the_slot_back(appointment_type, ana):
    held = hold(appointment_type, ana, at(FRIDAY, 11, 30))

    assert agenda.agenda_release(hold_id=held.pk) is True
    assert agenda.agenda_release(hold_id=held.pk) is False  # gone already

    held.refresh_from_db()
    assert held.status == AppointmentStatus.CANCELADA
    assert "11:30" in starts(
        agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW), ana
    )


def test_cop01_the_sweep_expires_only_holds_whose_time_ran_out(appointment_type, ana, beto):
    old_1 = hold(appointment_type, ana, at(FRIDAY, 8))
    old_2 = hold(appointment_type, beto, at(FRIDAY, 8))
    sweep_at = NOW + dt.timedelta(minutes=agenda.hold_minutes())
    live = hold(appointment_type, ana, at(FRIDAY, 9), now=sweep_at - dt.timedelta(minutes=1))
    confirmed = hold(appointment_type, beto, at(FRIDAY, 9))
    agenda.agenda_confirm(hold_id=confirmed.pk, now=NOW)

    assert agenda.agenda_holds_expire(now=sweep_at) == 2
    assert agenda.agenda_holds_expire(now=sweep_at) == 0  # safe to run twice

    statuses = dict(Appointment.objects.values_list("pk", "status"))
    assert statuses == {
        old_1.pk: AppointmentStatus.VENCIDA,
        old_2.pk: AppointmentStatus.VENCIDA,
        live.pk: AppointmentStatus.RETENIDA,
        confirmed.pk: AppointmentStatus.CONFIRMADA,
    }
    assert old_1.history.first().history_change_reason == agenda.EXPIRY_REASON


# --- what the agenda offers ----------------------------------------------------------------


def test_cop01_slots_skip_the_festivo_monday_and_hours_outside_the_agenda(appointment_type, ana):
    assert is_holiday(FESTIVO) and FESTIVO.weekday() == 0
    assert FRIDAY.weekday() == 4 and not is_holiday(FRIDAY)

    friday = agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW)
    saturday = agenda.agenda_free_slots(
        appointment_type=appointment_type, day=FRIDAY + dt.timedelta(days=1), now=NOW
    )
    festivo = agenda.agenda_free_slots(appointment_type=appointment_type, day=FESTIVO, now=NOW)
    tuesday = agenda.agenda_free_slots(
        appointment_type=appointment_type, day=FESTIVO + dt.timedelta(days=1), now=NOW
    )

    hours = ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert starts(friday) == hours
    assert [s.end - s.start for s in friday] == [dt.timedelta(minutes=30)] * 8
    assert {s.technologist_name for s in friday} == {"Ana Prueba"}
    assert (saturday, festivo) == ([], [])  # no hours on Saturday; the festivo is not bookable
    assert starts(tuesday) == hours
    for start in (at(FESTIVO, 9), at(FRIDAY, 12), at(FRIDAY, 7, 30), at(FRIDAY, 8, 15)):
        with pytest.raises(ValidationError) as refused:
            hold(appointment_type, ana, start)
        assert refused.value.message_dict == {"start": [agenda.NOT_IN_AGENDA]}
    assert not Appointment.objects.exists()


def test_cop01_overlapping_working_hours_give_each_slot_once(appointment_type, ana):
    WorkingHours.objects.create(
        technologist=ana, weekday=FRIDAY.weekday(), start=dt.time(11), end=dt.time(13)
    )

    friday = agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW)

    assert starts(friday) == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "12:00",
        "12:30",
    ]


def test_cop01_slots_are_never_in_the_past(appointment_type, ana):
    now = at(FRIDAY, 9, 10)

    friday = agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=now)
    thursday = agenda.agenda_free_slots(
        appointment_type=appointment_type, day=FRIDAY - dt.timedelta(days=1), now=now
    )

    assert starts(friday) == ["09:30", "10:00", "10:30", "11:00", "11:30"]
    assert thursday == []
    with pytest.raises(ValidationError):
        hold(appointment_type, ana, at(FRIDAY, 9), now=now)


def test_cop01_slots_never_beyond_days_ahead(appointment_type, ana):
    last = MONDAY + dt.timedelta(days=appointment_type.days_ahead)  # Tuesday 2027-01-19
    assert not is_holiday(last) and last.weekday() < 5

    on_the_last_day = agenda.agenda_free_slots(appointment_type=appointment_type, day=last, now=NOW)
    beyond = agenda.agenda_free_slots(
        appointment_type=appointment_type, day=last + dt.timedelta(days=1), now=NOW
    )

    assert len(on_the_last_day) == 8
    assert beyond == []
    with pytest.raises(ValidationError):
        hold(appointment_type, ana, at(last + dt.timedelta(days=1), 8))


def test_cop01_only_the_types_technologists_and_active_types(appointment_type, ana, office):
    outsider = technologist(office, "Carla")  # has hours, does not serve the type

    with pytest.raises(ValidationError):
        hold(appointment_type, outsider, at(FRIDAY, 8))
    appointment_type.active = False
    appointment_type.save(update_fields=["active"])
    assert agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW) == []


# --- reschedule and cancel -----------------------------------------------------------------


def confirmed_at(appointment_type, tech, start, case=None):
    held = hold(appointment_type, tech, start)
    return agenda.agenda_confirm(hold_id=held.pk, case=case, now=NOW)


def test_cop01_reschedule_keeps_the_uid_and_raises_the_sequence(appointment_type, ana, beto):
    appointment = confirmed_at(appointment_type, ana, at(FRIDAY, 8))
    uid = appointment.uid

    moved = agenda.agenda_reschedule(
        appointment=appointment, start=at(FRIDAY, 10), technologist=beto, now=NOW
    )

    moved.refresh_from_db()
    assert (moved.uid, moved.sequence) == (uid, 1)
    assert (moved.start, moved.technologist_id) == (at(FRIDAY, 10), beto.pk)
    free = agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW)
    assert "08:00" in starts(free, ana) and "10:00" not in starts(free, beto)

    taken = confirmed_at(appointment_type, ana, at(FRIDAY, 11))
    with pytest.raises(ProtocolConflict):
        agenda.agenda_reschedule(appointment=moved, start=at(FRIDAY, 11), technologist=ana, now=NOW)
    with pytest.raises(ValidationError):  # not a slot of the agenda
        agenda.agenda_reschedule(
            appointment=moved, start=at(FESTIVO, 10), technologist=ana, now=NOW
        )
    moved.refresh_from_db()
    taken.refresh_from_db()
    assert (moved.start, moved.sequence, taken.start) == (at(FRIDAY, 10), 1, at(FRIDAY, 11))


def test_cop01_cancel_frees_the_slot_and_raises_the_sequence(appointment_type, ana):
    appointment = confirmed_at(appointment_type, ana, at(FRIDAY, 9))

    cancelled = agenda.agenda_cancel(appointment=appointment, now=NOW)

    assert (cancelled.status, cancelled.sequence) == (AppointmentStatus.CANCELADA, 1)
    assert "09:00" in starts(
        agenda.agenda_free_slots(appointment_type=appointment_type, day=FRIDAY, now=NOW), ana
    )
    with pytest.raises(ProtocolConflict):
        agenda.agenda_cancel(appointment=appointment, now=NOW)
    with pytest.raises(ProtocolConflict):
        agenda.agenda_reschedule(
            appointment=appointment, start=at(FRIDAY, 10), technologist=ana, now=NOW
        )


# --- selectors -----------------------------------------------------------------------------


def test_cop02_case_appointment_is_the_latest_current_one(appointment_type, ana, office):
    case = make_case(channel="administradores-copropiedad", office=office)
    assert case_appointment(case) is None

    earlier = confirmed_at(appointment_type, ana, at(FRIDAY, 8), case=case)
    later = confirmed_at(appointment_type, ana, at(FRIDAY, 10), case=case)
    agenda.agenda_cancel(appointment=later, now=NOW)
    held = hold(appointment_type, ana, at(FRIDAY, 11))  # a hold is no appointment of the case
    Appointment.objects.filter(pk=held.pk).update(case=case)

    assert case_appointment(case) == earlier


def test_cop02_technologist_day_appointments_in_constant_queries(
    appointment_type, ana, beto, office, django_assert_num_queries
):
    for hour in (11, 8, 10):
        case = make_case(
            channel="administradores-copropiedad",
            office=office,
            assigned_to=ana,
            status=CaseStatus.ASIGNADO,
        )
        confirmed_at(appointment_type, ana, at(FRIDAY, hour), case=case)
    confirmed_at(appointment_type, beto, at(FRIDAY, 9))  # another technologist's
    hold(appointment_type, ana, at(FRIDAY, 9))  # a hold, not an appointment
    confirmed_at(appointment_type, ana, at(FRIDAY + dt.timedelta(days=4), 8))  # another day

    with django_assert_num_queries(1):
        rows = technologist_day_appointments(technologist=ana, day=FRIDAY)
        shown = [
            (f"{a.start.astimezone(BOGOTA):%H:%M}", a.case.customer.full_name, a.type.code)
            for a in rows
        ]

    assert [s[0] for s in shown] == ["08:00", "10:00", "11:00"]
    assert {s[2] for s in shown} == {"prueba-agenda"}
    assert technologist_day_appointments(technologist=beto, day=FESTIVO) == []


# --- admin ---------------------------------------------------------------------------------


def test_cop01_admin_configures_types_and_hours_and_shows_appointments_read_only(
    client, appointment_type, ana, office
):
    admin_user = make_user(None, office, username="raiz", is_staff=True, is_superuser=True)
    appointment = confirmed_at(appointment_type, ana, at(FRIDAY, 8))
    client.force_login(admin_user)

    pages = {
        url: client.get(url)
        for url in (
            "/admin/core/appointmenttype/",
            f"/admin/core/appointmenttype/{appointment_type.pk}/change/",
            "/admin/core/workinghours/",
            "/admin/core/workinghours/add/",
            "/admin/core/appointment/",
            f"/admin/core/appointment/{appointment.pk}/change/",
        )
    }

    assert {url: r.status_code for url, r in pages.items()} == dict.fromkeys(pages, 200)
    type_form = pages[f"/admin/core/appointmenttype/{appointment_type.pk}/change/"].content
    assert f"Ana Prueba — {office.name}".encode() in type_form  # technologists to choose
    detail = pages[f"/admin/core/appointment/{appointment.pk}/change/"].content.decode()
    assert 'name="_save"' not in detail  # read-only
    assert client.get("/admin/core/appointment/add/").status_code == 403
    response = client.post(
        "/admin/core/workinghours/add/",
        {"technologist": ana.pk, "weekday": 5, "start": "14:00", "end": "13:00"},
    )
    assert "La hora final debe ser posterior a la inicial." in response.content.decode()
    assert not WorkingHours.objects.filter(technologist=ana, weekday=5).exists()


def test_core_agenda_bookable_days_are_working_weekdays_without_holidays():
    """The agenda offers only days on which a technologist of the type works, never a national
    holiday, from today up to ``days_ahead`` (LEG-01 calendar, Bogotá)."""
    from core.models import AppointmentType, WorkingHours
    from core.roles import Role
    from core.services.agenda import agenda_bookable_days
    from tests.factories import OfficeFactory
    from tests.helpers import make_user

    kind = AppointmentType.objects.create(
        code="prueba-dias", name="Prueba", modality="copropiedad", days_ahead=30
    )
    tech = make_user(Role.TECNOLOGO, OfficeFactory(), username="tec_dias")
    kind.technologists.add(tech)
    WorkingHours.objects.create(technologist=tech, weekday=0, start=dt.time(8), end=dt.time(12))
    now = dt.datetime(2027, 1, 4, 7, tzinfo=BOGOTA)  # Monday 4 January 2027
    days = agenda_bookable_days(appointment_type=kind, now=now)
    assert days and all(day.weekday() == 0 for day in days)
    assert dt.date(2027, 1, 11) not in days  # Reyes Magos, moved to Monday
    assert is_holiday(dt.date(2027, 1, 11))
    assert days[0] == dt.date(2027, 1, 4) and days[-1] <= dt.date(2027, 2, 3)
