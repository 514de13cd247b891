"""Attending an internal-client appointment (2.8, CI-02..CI-04): when the "Asistir a cita" link
works, the check-in that gives the employee a turn of the "Cliente Interno" office, and the
no-show (the periodic job, or the technologist by hand) with its e-mail to book again.

Rules kept here:
- The link works from ``CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES`` before the appointment until
  ``CLIENTE_INTERNO_GRACE_MINUTES`` after its start (``checkin_window``); the token itself never
  expires (``cliente_interno.links``).
- The employee proves it is them by typing the document number given when booking. Wrong
  numbers are counted under the booking's row lock and committed even though the call is
  refused; after ``CLIENTE_INTERNO_CHECKIN_ATTEMPTS`` wrong numbers the check-in of that booking
  is closed for good (the employee books again), so the number cannot be guessed.
- A check-in is idempotent: a second one (another tab, a retry) returns the same turn.
- The no-show is core's compare-and-set (``agenda_outcome_record``): the job run twice, or the
  job and the technologist's click at once, mark the appointment and e-mail the employee once.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cliente_interno import links
from cliente_interno.emails import SIGNATURE
from cliente_interno.models import InternalBooking
from core.business_days import BOGOTA
from core.exceptions import ProtocolConflict
from core.live.groups import user_group
from core.live.publish import live_publish
from core.models import Appointment, AppointmentStatus, Modality, Notification, Office, User
from core.services.agenda import agenda_outcome_record
from core.services.agenda_ics import when_text
from core.services.messaging import notification_queue
from core.services.turns.queue import turn_create

log = logging.getLogger(__name__)

TEMPRANO, ABIERTA, PERDIDA, CERRADA = "temprano", "abierta", "perdida", "cerrada"

WRONG_DOCUMENT = "El número de documento no coincide con el de la reserva."
DOCUMENT_REQUIRED = "Ingrese el número de documento con el que agendó la cita."
NOT_YOURS = "Esta cita no es suya."
NOT_THE_TECHNOLOGIST = "Solo el tecnólogo de la cita puede marcar que no asistió."
CANCELLED = "Esta cita fue cancelada: el enlace ya no está disponible."
ATTENDED = "Esta cita ya fue atendida: el enlace ya no está disponible."
NOT_BOOKED = "Esta cita no quedó reservada: el enlace no está disponible."
EMAIL_SUBJECT = "Su cita por video con EPM no se realizó"
AUTOMATIC_REASON = "no asistió a la cita (marcado automático)"


def hour_text(moment: dt.datetime) -> str:
    """ "9:20 a.m." (Bogotá)."""
    local = moment.astimezone(BOGOTA)
    return f"{local.hour % 12 or 12}:{local:%M} {'a.m.' if local.hour < 12 else 'p.m.'}"


@dataclass(frozen=True)
class CheckinWindow:
    """When the "Asistir a cita" link of a booking works, and where ``now`` falls."""

    state: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    start: dt.datetime
    checked_in: bool

    @property
    def is_open(self) -> bool:
        return self.state == ABIERTA

    def refusal(self, appointment_status: str = "") -> str:
        """Why the check-in is refused now, in Spanish ("" when it is open)."""
        if self.state == TEMPRANO:
            return (
                f"Todavía no puede ingresar a la cita del {when_text(self.start)} (hora de "
                f"Colombia). El enlace se habilita el {when_text(self.opens_at)}, "
                f"{settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES} minutos antes."
            )
        if self.state == PERDIDA:
            return missed_message(self)
        if self.state == CERRADA:
            if appointment_status == AppointmentStatus.ATENDIDA:
                return ATTENDED
            if appointment_status == AppointmentStatus.CANCELADA:
                return CANCELLED
            return NOT_BOOKED
        return ""


def missed_message(window: CheckinWindow) -> str:
    return (
        f"La cita del {when_text(window.start)} ya pasó: el ingreso estaba habilitado hasta las "
        f"{hour_text(window.closes_at)} ({settings.CLIENTE_INTERNO_GRACE_MINUTES} minutos "
        "después de la hora de la cita) y quedó registrada como no asistida. Si aún necesita "
        "la atención, agende otra cita."
    )


def attempts_exhausted_message() -> str:
    return (
        "Superó el número de intentos para ingresar el número de documento "
        f"({settings.CLIENTE_INTERNO_CHECKIN_ATTEMPTS}). Por seguridad, el ingreso a esta cita "
        "quedó bloqueado: si aún necesita la atención, agende otra cita con el número de "
        "documento correcto."
    )


def attempts_left(booking: InternalBooking) -> int:
    return max(0, settings.CLIENTE_INTERNO_CHECKIN_ATTEMPTS - booking.checkin_failures)


def attempts_left_text(booking: InternalBooking) -> str:
    left = attempts_left(booking)
    return "Le queda 1 intento." if left == 1 else f"Le quedan {left} intentos."


def checkin_window(booking: InternalBooking, now: dt.datetime | None = None) -> CheckinWindow:
    """The link's window: ``opens_at`` = start − EARLY minutes, ``closes_at`` = start + GRACE
    minutes. "abierta" while ``opens_at ≤ now < closes_at`` and the appointment is confirmed,
    and after that as long as the employee checked in and the appointment has no outcome yet
    (they may come back to the room); "perdida" after ``closes_at`` without a check-in, or once
    marked no-show; "cerrada" when cancelled, attended, or never reserved."""
    now = now or timezone.now()
    appointment = booking.appointment
    opens_at = appointment.start - dt.timedelta(
        minutes=settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES
    )
    closes_at = appointment.start + dt.timedelta(minutes=settings.CLIENTE_INTERNO_GRACE_MINUTES)
    checked_in = booking.checked_in_at is not None
    if appointment.status == AppointmentStatus.NO_ASISTIO:
        state = PERDIDA
    elif appointment.status != AppointmentStatus.CONFIRMADA or booking.booked_at is None:
        state = CERRADA
    elif checked_in:
        state = ABIERTA
    elif now < opens_at:
        state = TEMPRANO
    elif now < closes_at:
        state = ABIERTA
    else:
        state = PERDIDA
    return CheckinWindow(
        state=state,
        opens_at=opens_at,
        closes_at=closes_at,
        start=appointment.start,
        checked_in=checked_in,
    )


class CheckInRefused(PermissionDenied):
    """The check-in is not possible now (outside the window, or too many wrong numbers): the
    API answers 403 with ``message``, the page shows it without the form."""

    def __init__(self, message: str, *, window: CheckinWindow | None = None):
        super().__init__(message)
        self.message = message
        self.window = window


def document_digits(value: str) -> str:
    """A document number as people type it ("71.650.123", "71 650 123") → "71650123" (letters
    of a passport or a cédula de extranjería are kept, upper-cased)."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def _publish(booking: InternalBooking, state: str) -> None:
    """The technologist's day view (and the employee's room) re-read the booking."""
    groups = [user_group(booking.appointment.technologist_id), user_group(booking.employee_id)]
    live_publish(groups, {"type": "ci.booking", "booking": booking.pk, "state": state})


def internal_client_office() -> Office:
    return Office.objects.get(is_internal_client=True)


def booking_check_in(
    *, booking: InternalBooking, document_number: str, by: User, now: dt.datetime | None = None
) -> InternalBooking:
    """CI-03: the employee at the link types the document number used for the booking and gets
    a turn of the "Cliente Interno" office (number ``CLI-…``).

    Refusals: ``CheckInRefused`` (403) outside the window or after too many wrong numbers;
    ``ValidationError`` (400) for a wrong number, which is counted (the counter is committed:
    the refusal is raised after the transaction). Only the booking's employee checks in.
    Idempotent: checked in already → the same booking and turn, nothing written."""
    now = now or timezone.now()
    if by is None or by.pk != booking.employee_id:
        raise PermissionDenied(NOT_YOURS)
    typed = document_digits(document_number)
    if not typed:
        raise ValidationError({"document_number": DOCUMENT_REQUIRED})
    refusal: Exception | None = None
    with transaction.atomic():
        # The booking's lock orders a check-in and a no-show of the same booking (the no-show
        # takes it too); the appointment is read after it, as the other one left it.
        locked = InternalBooking.objects.select_for_update().get(pk=booking.pk)
        locked.appointment = Appointment.objects.get(pk=locked.appointment_id)
        matches = typed == document_digits(locked.document_number)
        if locked.turn_id is not None and matches:
            return _booking_reread(locked.pk)
        window = checkin_window(locked, now)
        if locked.turn_id is None and not window.is_open:
            raise CheckInRefused(window.refusal(locked.appointment.status), window=window)
        limit = settings.CLIENTE_INTERNO_CHECKIN_ATTEMPTS
        if locked.checkin_failures >= limit:
            raise CheckInRefused(attempts_exhausted_message(), window=window)
        if not matches:
            locked.checkin_failures += 1
            locked.save(update_fields=["checkin_failures"])
            if locked.checkin_failures >= limit:
                refusal = CheckInRefused(attempts_exhausted_message(), window=window)
            else:
                refusal = ValidationError(
                    {"document_number": [WRONG_DOCUMENT, attempts_left_text(locked)]}
                )
        else:
            turn = turn_create(
                office=internal_client_office(),
                transaction_type=locked.transaction_type,
                accepts_remote=False,
                by=by,
                at=now,
            )
            locked.turn = turn
            locked.checked_in_at = now
            locked.save(update_fields=["turn", "checked_in_at"])
            _publish(locked, turn.status)
    if refusal is not None:
        raise refusal
    return _booking_reread(locked.pk)


def _booking_reread(pk: int) -> InternalBooking:
    return InternalBooking.objects.select_related(
        "appointment", "appointment__technologist", "employee", "transaction_type", "turn"
    ).get(pk=pk)


# --- the no-show ------------------------------------------------------------------------------


def no_show_message(booking: InternalBooking) -> tuple[str, str]:
    """(subject, body) of the e-mail to the employee who missed the appointment."""
    appointment = booking.appointment
    name = booking.full_name or booking.employee.get_full_name() or booking.employee.username
    url = links.absolute_url(reverse("cliente_interno:slots"))
    paragraphs = [
        f"Hola, {name}:",
        f"Su cita por video con EPM del {when_text(appointment.start)} (hora de Colombia), "
        f"para «{booking.transaction_type.name}», no se realizó: no ingresó a la sala de espera "
        f"dentro de los {settings.CLIENTE_INTERNO_GRACE_MINUTES} minutos siguientes a la hora "
        "de la cita, y quedó registrada como no asistida.",
        f"Si aún necesita la atención, agende otra cita aquí: {url}",
        SIGNATURE,
    ]
    return EMAIL_SUBJECT, "\n\n".join(paragraphs)


def _no_show_record(
    *, booking: InternalBooking, reason: str, now: dt.datetime
) -> InternalBooking | None:
    """Mark the appointment ``no_asistio`` (compare-and-set) and queue the e-mail once. None
    when someone else marked it first (or it is no longer confirmed): nothing is done."""
    with transaction.atomic():
        locked = InternalBooking.objects.select_for_update().get(pk=booking.pk)
        if locked.checked_in_at is not None:  # checked in meanwhile: they came
            return None
        marked = agenda_outcome_record(
            appointment=booking.appointment, status=AppointmentStatus.NO_ASISTIO, reason=reason
        )
        if marked is None:
            return None
        booking.appointment = marked
        recipient = booking.email or booking.employee.email
        if recipient and locked.no_show_notified_at is None:
            subject, body = no_show_message(booking)
            notification_queue(
                medium=Notification.Medium.EMAIL,
                modality=Modality.CLIENTE_INTERNO,
                recipient=recipient,
                subject=subject,
                body=body,
                case=marked.case,
            )
            booking.no_show_notified_at = now
            booking.save(update_fields=["no_show_notified_at"])
        elif not recipient:
            log.warning("La cita de cliente interno %s no tiene correo: sin aviso.", booking.pk)
        _publish(booking, AppointmentStatus.NO_ASISTIO)
    return booking


def booking_no_show(
    *, booking: InternalBooking, by: User, now: dt.datetime | None = None
) -> InternalBooking:
    """CI-04 by hand: the appointment's technologist marks that the employee did not come.
    Allowed from ``closes_at`` (the same moment the periodic job would), for an employee who
    did not check in; 409 earlier, after a check-in, or when the appointment is cancelled or
    attended. Marked already (by the job, or a second click) → the booking as it is, no second
    e-mail."""
    now = now or timezone.now()
    appointment = booking.appointment
    if by is None or by.pk != appointment.technologist_id:
        raise PermissionDenied(NOT_THE_TECHNOLOGIST)
    appointment.refresh_from_db(fields=["status", "start", "end"])
    if appointment.status == AppointmentStatus.NO_ASISTIO:
        return booking
    if appointment.status != AppointmentStatus.CONFIRMADA:
        raise ProtocolConflict(
            f"La cita ya no está confirmada (está {appointment.get_status_display()}): no se "
            "puede marcar que no asistió."
        )
    booking.refresh_from_db(fields=["checked_in_at", "turn", "no_show_notified_at"])
    if booking.checked_in_at is not None:
        raise ProtocolConflict(
            f"El funcionario ya se presentó a la cita (turno {booking.turn.number}): "
            "llámelo o finalice su turno."
        )
    window = checkin_window(booking, now)
    if now < window.closes_at:
        raise ProtocolConflict(
            "Todavía no puede marcar que no asistió: el funcionario puede ingresar hasta "
            f"{settings.CLIENTE_INTERNO_GRACE_MINUTES} minutos después de la hora de la cita. "
            f"Podrá marcarlo desde el {when_text(window.closes_at)} (hora de Colombia)."
        )
    name = by.get_full_name() or by.username
    reason = f"no asistió a la cita (marcado por {name})"[:100]
    _no_show_record(booking=booking, reason=reason, now=now)
    return _booking_reread(booking.pk)


def no_shows_mark(now: dt.datetime | None = None) -> int:
    """CI-04, the periodic job: reserved appointments still confirmed whose ``closes_at``
    passed without a check-in become ``no_asistio``, and each employee gets one e-mail with the
    link to book again. Safe to run twice or alongside the technologist's button (core's
    compare-and-set). Returns how many it marked."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.CLIENTE_INTERNO_GRACE_MINUTES)
    candidates = InternalBooking.objects.select_related(
        "appointment", "employee", "transaction_type"
    ).filter(
        booked_at__isnull=False,
        checked_in_at__isnull=True,
        appointment__status=AppointmentStatus.CONFIRMADA,
        appointment__start__lte=limit,
    )
    marked = 0
    for booking in candidates.order_by("appointment__start", "pk"):
        if _no_show_record(booking=booking, reason=AUTOMATIC_REASON, now=now):
            marked += 1
    return marked
