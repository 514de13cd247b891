"""The agenda (issue 13): free slots computed from the technologists' working hours, holds that
expire, confirmation as a compare-and-set, reschedule and cancel. Shared by every modality that
books appointments (2.6 condo administrators, 2.8 internal clients).

No double booking is the database's guarantee on PostgreSQL: the exclusion constraint
``appointment_no_double_booking`` (technologist =, time range &&) over held and confirmed
bookings refuses the second of two concurrent holds on overlapping time; the loser gets a
``ProtocolConflict`` (409) with a Spanish message. On SQLite (the zero-setup demo, one process)
a process lock and an overlap check stand in for it.
"""

import datetime as dt
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core.business_days import BOGOTA, is_holiday
from core.db_errors import sqlstate
from core.exceptions import ProtocolConflict
from core.models import Appointment, AppointmentStatus, AppointmentType, User, WorkingHours

#: PostgreSQL's SQLSTATE for an exclusion-constraint violation.
EXCLUSION_VIOLATION = "23P01"
TAKEN = "Ese horario ya no está disponible: elija otro de la lista."
EXPIRED = "La reserva del horario venció: elija de nuevo un horario libre."
NOT_IN_AGENDA = "Ese horario no está en la agenda de citas."
HOLD_MISSING = "No existe esa reserva de horario."
#: History reason of a hold whose time ran out (the sweep, or a new hold on its slot).
EXPIRY_REASON = "reserva de horario vencida"

_sqlite_lock = threading.Lock()


@dataclass(frozen=True)
class Slot:
    """A free slot: when, and with whom."""

    start: dt.datetime
    end: dt.datetime
    technologist_id: int
    technologist_name: str


def hold_minutes() -> int:
    return settings.AGENDA_HOLD_MINUTES


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BOGOTA)
    return start, start + dt.timedelta(days=1)


def _bookable_day(appointment_type: AppointmentType, day: dt.date, now: dt.datetime) -> bool:
    today = timezone.localtime(now, BOGOTA).date()
    return (
        appointment_type.active
        and today <= day <= today + dt.timedelta(days=appointment_type.days_ahead)
        and not is_holiday(day)
    )


def agenda_bookable_days(
    *, appointment_type: AppointmentType, now: dt.datetime | None = None
) -> list[dt.date]:
    """The days a slot of ``appointment_type`` can be offered (one query): from today to its
    ``days_ahead``, weekdays on which one of its technologists works, no national holidays.
    A day listed may still have no free slot left (``agenda_free_slots`` says)."""
    now = now or timezone.now()
    weekdays = set(
        WorkingHours.objects.filter(
            technologist__in=appointment_type.technologists.filter(is_active=True)
        ).values_list("weekday", flat=True)
    )
    today = timezone.localtime(now, BOGOTA).date()
    days = (today + dt.timedelta(days=n) for n in range(appointment_type.days_ahead + 1))
    return [
        day
        for day in days
        if day.weekday() in weekdays and _bookable_day(appointment_type, day, now)
    ]


def _agenda_slots(
    *, appointment_type: AppointmentType, day: dt.date, now: dt.datetime, technologist_id=None
) -> list[Slot]:
    """Every slot of the day's working hours of the type's technologists, free or not, that
    has not started yet (two queries)."""
    if not _bookable_day(appointment_type, day, now):
        return []
    technologists = appointment_type.technologists.filter(is_active=True)
    if technologist_id is not None:
        technologists = technologists.filter(pk=technologist_id)
    hours = (
        WorkingHours.objects.filter(technologist__in=technologists, weekday=day.weekday())
        .select_related("technologist")
        .order_by("start", "technologist__first_name", "technologist_id")
    )
    length = dt.timedelta(minutes=appointment_type.duration_minutes)
    slots: dict[tuple[dt.datetime, int], Slot] = {}  # overlapping rows give a slot once
    for row in hours:
        start = dt.datetime.combine(day, row.start, tzinfo=BOGOTA)
        close = dt.datetime.combine(day, row.end, tzinfo=BOGOTA)
        name = row.technologist.get_full_name() or row.technologist.username
        while start + length <= close:
            if start > now:
                slots[start, row.technologist_id] = Slot(
                    start, start + length, row.technologist_id, name
                )
            start += length
    return sorted(slots.values(), key=lambda s: (s.start, s.technologist_name, s.technologist_id))


def _busy_q(now: dt.datetime) -> Q:
    """Bookings that hold their slot now: confirmed, or held and not yet expired."""
    return Q(status=AppointmentStatus.CONFIRMADA) | Q(
        status=AppointmentStatus.RETENIDA, held_until__gt=now
    )


def agenda_free_slots(
    *, appointment_type: AppointmentType, day: dt.date, now: dt.datetime | None = None
) -> list[Slot]:
    """The free slots of ``day`` (Bogotá) for ``appointment_type``: its technologists' working
    hours that weekday, cut into slots of its duration, without holidays, past slots, days
    beyond ``days_ahead``, and slots that overlap a held or confirmed booking (three queries)."""
    now = now or timezone.now()
    slots = _agenda_slots(appointment_type=appointment_type, day=day, now=now)
    if not slots:
        return []
    first, last = _day_bounds(day)
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for tech_id, start, end in Appointment.objects.filter(
        _busy_q(now),
        technologist_id__in={s.technologist_id for s in slots},
        start__lt=last,
        end__gt=first,
    ).values_list("technologist_id", "start", "end"):
        busy.setdefault(tech_id, []).append((start, end))
    return [
        slot
        for slot in slots
        if not any(
            start < slot.end and slot.start < end
            for start, end in busy.get(slot.technologist_id, [])
        )
    ]


def _slot_for(
    *, appointment_type: AppointmentType, start: dt.datetime, technologist: User, now
) -> Slot:
    """The agenda's slot that starts at ``start`` with ``technologist``, free or not; a 400 when
    there is none (outside the hours, a holiday, the past, not a technologist of the type)."""
    if timezone.is_naive(start):
        start = timezone.make_aware(start, BOGOTA)
    day = timezone.localtime(start, BOGOTA).date()
    for slot in _agenda_slots(
        appointment_type=appointment_type, day=day, now=now, technologist_id=technologist.pk
    ):
        if slot.start == start:
            return slot
    raise ValidationError({"start": NOT_IN_AGENDA})


def _expire(holds, *, now, skip_locked: bool = False) -> int:
    """Make the (stale) ``holds`` ``vencida``, with a history row each: lock them, re-read the
    condition after the lock (PostgreSQL re-checks it on a row another transaction changed),
    save. Appointments are history-tracked, so never a bare ``QuerySet.update``."""
    with transaction.atomic():
        locked = list(
            holds.select_for_update(skip_locked=skip_locked).filter(
                status=AppointmentStatus.RETENIDA, held_until__lte=now
            )
        )
        for hold in locked:
            hold.status, hold.held_until, hold.updated_at = AppointmentStatus.VENCIDA, None, now
        if locked:
            bulk_update_with_history(
                locked,
                Appointment,
                ["status", "held_until", "updated_at"],
                default_change_reason=EXPIRY_REASON,
            )
    return len(locked)


def _expire_stale_overlapping(*, technologist_id: int, start, end, now) -> None:
    """Holds of that technologist overlapping ``start``–``end`` whose time ran out: vencidas now,
    so they no longer block the constraint (the periodic sweep does the rest)."""
    _expire(
        Appointment.objects.filter(technologist_id=technologist_id, start__lt=end, end__gt=start),
        now=now,
    )


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    return sqlstate(exc) == EXCLUSION_VIOLATION


def _guarded_write(write, *, technologist_id: int, start, end, now, exclude_pk=None):
    """Run ``write`` (which inserts or moves a booking to ``start``–``end``) so that two bookings
    of one technologist never overlap: the exclusion constraint on PostgreSQL, a lock and a
    check on SQLite. A clash is a ``ProtocolConflict``."""
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                _expire_stale_overlapping(
                    technologist_id=technologist_id, start=start, end=end, now=now
                )
                return write()
        except IntegrityError as exc:
            if _is_exclusion_violation(exc):
                raise ProtocolConflict(TAKEN) from exc
            raise
    with _sqlite_lock, transaction.atomic():
        _expire_stale_overlapping(technologist_id=technologist_id, start=start, end=end, now=now)
        clash = Appointment.objects.filter(
            _busy_q(now), technologist_id=technologist_id, start__lt=end, end__gt=start
        )
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            raise ProtocolConflict(TAKEN)
        return write()


def agenda_hold(
    *,
    appointment_type: AppointmentType,
    start: dt.datetime,
    technologist: User,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Hold a slot for ``AGENDA_HOLD_MINUTES`` (status ``retenida``): 400 when it is not a slot
    of the agenda, 409 (``ProtocolConflict``) when someone holds or booked it."""
    now = now or timezone.now()
    slot = _slot_for(
        appointment_type=appointment_type, start=start, technologist=technologist, now=now
    )

    def write() -> Appointment:
        return Appointment.objects.create(
            type=appointment_type,
            technologist=technologist,
            start=slot.start,
            end=slot.end,
            status=AppointmentStatus.RETENIDA,
            held_until=now + dt.timedelta(minutes=hold_minutes()),
            created_by=by,
        )

    return _guarded_write(
        write, technologist_id=technologist.pk, start=slot.start, end=slot.end, now=now
    )


def agenda_confirm(
    *, hold_id: int, case=None, now: dt.datetime | None = None, modality: str | None = None
) -> Appointment:
    """Confirm a hold: a compare-and-set (``retenida`` and not expired → ``confirmada``) that
    answers 409 when the hold expired, was released or confirmed already. ``modality`` checks
    that the hold is of that modality's type (404-like 400 otherwise)."""
    now = now or timezone.now()
    holds = Appointment.objects.filter(pk=hold_id)
    if modality is not None:
        holds = holds.filter(type__modality=modality)
    with transaction.atomic():
        hold = holds.select_for_update(of=("self",)).first()
        if hold is None:
            raise ValidationError({"hold": HOLD_MISSING})
        if hold.status != AppointmentStatus.RETENIDA or hold.held_until <= now:
            raise ProtocolConflict(EXPIRED)
        hold.status, hold.held_until, hold.case = AppointmentStatus.CONFIRMADA, None, case
        hold.save(update_fields=["status", "held_until", "case", "updated_at"])
    return Appointment.objects.select_related("type", "technologist").get(pk=hold_id)


def agenda_release(*, hold_id: int, now: dt.datetime | None = None) -> bool:
    """Give a hold back before it expires (the user went back): ``cancelada``. False when it
    is no longer held (confirmed, released or expired). ``now`` is not needed: kept for the
    callers."""
    with transaction.atomic():
        hold = (
            Appointment.objects.select_for_update()
            .filter(pk=hold_id, status=AppointmentStatus.RETENIDA)
            .first()
        )
        if hold is None:
            return False
        hold.status, hold.held_until = AppointmentStatus.CANCELADA, None
        hold._change_reason = "reserva de horario liberada"
        hold.save(update_fields=["status", "held_until", "updated_at"])
    return True


def agenda_reschedule(
    *,
    appointment: Appointment,
    start: dt.datetime,
    technologist: User,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a confirmed appointment to another free slot of its type: same UID, SEQUENCE + 1
    (RFC 5545). 400 when the slot is not in the agenda, 409 when it is taken or the appointment
    is no longer confirmed."""
    now = now or timezone.now()
    slot = _slot_for(
        appointment_type=appointment.type, start=start, technologist=technologist, now=now
    )

    def write() -> Appointment:
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != AppointmentStatus.CONFIRMADA:
            raise ProtocolConflict("Solo se puede reprogramar una cita confirmada.")
        locked.start, locked.end, locked.technologist = slot.start, slot.end, technologist
        locked.sequence += 1
        locked.save(update_fields=["start", "end", "technologist", "sequence", "updated_at"])
        return locked

    return _guarded_write(
        write,
        technologist_id=technologist.pk,
        start=slot.start,
        end=slot.end,
        now=now,
        exclude_pk=appointment.pk,
    )


def agenda_cancel(*, appointment: Appointment, now: dt.datetime | None = None) -> Appointment:
    """Cancel a confirmed appointment (SEQUENCE + 1, for the calendar's CANCEL); 409 when it is
    not confirmed any more."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != AppointmentStatus.CONFIRMADA:
            raise ProtocolConflict("Solo se puede cancelar una cita confirmada.")
        locked.status = AppointmentStatus.CANCELADA
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence", "updated_at"])
    return locked


def agenda_holds_expire(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: holds whose time ran out become ``vencida``."""
    now = now or timezone.now()
    # Rows locked by a hold or confirmation under way are left to the next run.
    return _expire(Appointment.objects.all(), now=now, skip_locked=True)


#: The outcome of a confirmed appointment whose time came: history reason of each.
OUTCOME_REASONS = {
    AppointmentStatus.NO_ASISTIO: "no asistió a la cita",
    AppointmentStatus.ATENDIDA: "cita atendida",
}


def agenda_outcome_record(
    *, appointment: Appointment, status: str, reason: str = ""
) -> Appointment | None:
    """Record what became of a confirmed appointment: ``no_asistio`` or ``atendida``. A
    compare-and-set on ``confirmada`` under the row lock: the second of two callers (the
    periodic no-show job and the technologist's button, or the job run twice) gets None and
    must not act again (no second e-mail)."""
    if status not in OUTCOME_REASONS:
        raise ValueError(f"Resultado de cita no válido: {status}")
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update()
            .filter(pk=appointment.pk, status=AppointmentStatus.CONFIRMADA)
            .first()
        )
        if locked is None:
            return None
        locked.status = status
        locked._change_reason = reason or OUTCOME_REASONS[status]
        locked.save(update_fields=["status", "updated_at"])
    return locked


#: The utility's office hours (Bogotá), Monday to Friday: what the demo gives its technologists.
OFFICE_HOURS = [(dt.time(7), dt.time(12)), (dt.time(13), dt.time(17))]
OFFICE_WEEKDAYS = range(5)


def agenda_technologists_schedule(
    *,
    appointment_type: AppointmentType,
    technologists: list[User],
    hours=OFFICE_HOURS,
    weekdays=OFFICE_WEEKDAYS,
) -> int:
    """Make ``technologists`` serve ``appointment_type`` with these weekly hours (idempotent:
    rows that exist are kept); returns how many working-hours rows were new."""
    appointment_type.technologists.add(*technologists)
    created = 0
    for tech in technologists:
        for weekday in weekdays:
            for start, end in hours:
                _, new = WorkingHours.objects.get_or_create(
                    technologist=tech, weekday=weekday, start=start, end=end
                )
                created += new
    return created
