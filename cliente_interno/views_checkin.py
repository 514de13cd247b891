"""Pages of the employee attending an appointment (2.8, CI-02, CI-03):

- ``/cliente-interno/asistir/<token>/`` — the "Asistir a cita" link: too early says when it
  opens, too late says the appointment was missed and offers to book again, in time asks for the
  document number used for the booking (wrong → the message and the attempts left; right → the
  waiting room); checked in already → the waiting room;
- ``/cliente-interno/sala/<pk>/`` — the waiting room: the turn, its state as it changes, a
  camera and microphone preview, then the video room when the technologist calls.

Both are the booking's employee's only (anyone else: 404). The services decide everything
(``cliente_interno.services.checkin``)."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cliente_interno import links, selectors
from cliente_interno.forms_checkin import CheckInForm
from cliente_interno.models import InternalBooking
from cliente_interno.services import checkin
from core.forms import form_add_errors
from core.models import AppointmentStatus, TurnStatus
from core.permissions import RoleRequiredMixin
from core.roles import Role
from core.services.agenda_ics import when_text

NOT_FOUND = "Cita no encontrada."

#: The waiting room's states (static/js/cliente-interno-room.js has the same labels).
ROOM_STATES = {
    "en_espera": "En espera",
    "llamado": "Lo están llamando",
    "en_atencion": "En atención",
    "atendida": "Atención terminada",
    "no_asistio": "No asistió",
    "cancelada": "Cita cancelada",
}


class EmployeeMixin(RoleRequiredMixin):
    allowed_roles = (Role.CLIENTE_INTERNO,)


def _booking_for_token(request, token: str) -> InternalBooking:
    booking = links.booking_from_token(token)
    if booking is None or booking.booked_at is None or booking.employee_id != request.user.pk:
        raise Http404(NOT_FOUND)
    return booking


def room_state(booking: InternalBooking) -> str:
    """Where the employee's appointment stands, as the waiting room shows it."""
    appointment_status = booking.appointment.status
    turn_status = booking.turn.status if booking.turn else ""
    if appointment_status == AppointmentStatus.NO_ASISTIO:
        return "no_asistio"
    if appointment_status == AppointmentStatus.CANCELADA:
        return "cancelada"
    if appointment_status == AppointmentStatus.ATENDIDA or turn_status == TurnStatus.ATENDIDO:
        return "atendida"
    if turn_status == TurnStatus.LLAMADO:
        return "llamado"
    if turn_status == TurnStatus.EN_ATENCION:
        return "en_atencion"
    return "en_espera"


class AttendView(EmployeeMixin, View):
    """CI-02 / CI-03: the "Asistir a cita" link."""

    template_name = "cliente_interno/attend.html"

    def get(self, request, token: str):
        booking = _booking_for_token(request, token)
        if booking.checked_in_at is not None:
            return redirect("cliente_interno:room", pk=booking.pk)
        return self._render(request, booking, form=CheckInForm())

    def post(self, request, token: str):
        booking = _booking_for_token(request, token)
        form = CheckInForm(request.POST)
        if not form.is_valid():
            return self._render(request, booking, form=form, status=400)
        try:
            booking = checkin.booking_check_in(
                booking=booking,
                document_number=form.cleaned_data["document_number"],
                by=request.user,
            )
        except checkin.CheckInRefused as exc:
            booking.refresh_from_db(fields=["checkin_failures"])
            return self._render(request, booking, form=None, refusal=exc.message, status=403)
        except ValidationError as exc:
            booking.refresh_from_db(fields=["checkin_failures"])
            form_add_errors(form, exc)
            return self._render(request, booking, form=form, status=400)
        return redirect("cliente_interno:room", pk=booking.pk)

    def _render(self, request, booking, *, form, refusal: str = "", status: int = 200):
        now = timezone.now()
        window = checkin.checkin_window(booking, now)
        blocked = window.is_open and checkin.attempts_left(booking) == 0
        if blocked and not refusal:
            refusal = checkin.attempts_exhausted_message()
        if window.state == checkin.CERRADA and not refusal:
            refusal = window.refusal(booking.appointment.status)
        seconds_to_open = (
            math.ceil((window.opens_at - now).total_seconds())
            if window.state == checkin.TEMPRANO
            else None
        )
        return render(
            request,
            self.template_name,
            {
                "booking": booking,
                "window": window,
                "when": when_text(window.start),
                "opens_hour": checkin.hour_text(window.opens_at),
                "opens_when": when_text(window.opens_at),
                "same_day": timezone.localdate(window.opens_at) == timezone.localdate(now),
                "early_minutes": settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES,
                "missed": checkin.missed_message(window),
                "form": form if window.is_open and not blocked and not refusal else None,
                "refusal": refusal,
                "attempts_left": checkin.attempts_left(booking),
                "failures": booking.checkin_failures,
                "seconds_to_open": seconds_to_open,
            },
            status=status,
        )


class WaitingRoomView(EmployeeMixin, View):
    """CI-03: the employee's virtual waiting room, then the video room when called."""

    template_name = "cliente_interno/room.html"

    def get(self, request, pk: int):
        booking = selectors.booking_for_party(user=request.user, pk=pk)
        if booking is None or booking.employee_id != request.user.pk:
            raise Http404(NOT_FOUND)
        if booking.checked_in_at is None or booking.turn is None:
            return redirect(links.attend_path(booking))
        state = room_state(booking)
        return render(
            request,
            self.template_name,
            {
                "booking": booking,
                "turn": booking.turn,
                "state": state,
                "state_label": ROOM_STATES[state],
                "when": when_text(booking.appointment.start),
                "detail_url": reverse("ci-booking", args=[booking.pk]),
                "finished": state in ("atendida", "no_asistio", "cancelada"),
            },
        )
