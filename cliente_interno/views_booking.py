"""The employee's booking pages (2.8 step 1, CI-01): the start page with "Mis citas", then the
transaction, the day and a free slot (held while the data are given), the data with the
countdown of the hold and both consents, and the confirmation.

The hold travels between the steps in the session (its booking's id); the services decide
everything (``cliente_interno.services.booking``, ``core.services.agenda``). When a slot is no
longer available — taken by someone else, or the hold expired — the page says so and offers the
next free slots to choose from (409)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views import View

from cliente_interno import links, selectors
from cliente_interno.forms import ChoiceForm, ReserveForm, SlotForm
from cliente_interno.models import InternalBooking
from cliente_interno.services import booking as services
from core.business_days import BOGOTA
from core.forms import form_add_errors
from core.models import AppointmentStatus, AppointmentType
from core.permissions import RoleRequiredMixin
from core.roles import Role
from core.selectors.agenda import hold_seconds_left
from core.services import agenda
from core.services.agenda_ics import when_text
from core.views_common import status_for

HOLD = "cliente_interno_reserva"
NO_AGENDA = (
    "Por ahora no hay horarios de citas por video: la agenda de cliente interno no tiene "
    "tecnólogos u horarios asignados. Intente más tarde o comuníquese con la línea de atención."
)
NO_HOLD = "Elija primero un horario libre."


class EmployeeMixin(RoleRequiredMixin):
    allowed_roles = (Role.CLIENTE_INTERNO,)


# --- helpers ----------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localtime(timezone.now(), BOGOTA).date()


def _day_label(day: dt.date, today: dt.date) -> str:
    label = dateformat.format(day, r"l j \d\e F").lower()
    if day == today:
        return f"hoy, {label}"
    if day == today + dt.timedelta(days=1):
        return f"mañana, {label}"
    return label


def _appointment_type() -> AppointmentType | None:
    try:
        return services.appointment_type()
    except ValidationError:
        return None


def _bookable_days(kind: AppointmentType | None) -> list[tuple[dt.date, str]]:
    if kind is None:
        return []
    today = _today()
    return [
        (day, _day_label(day, today)) for day in agenda.agenda_bookable_days(appointment_type=kind)
    ]


def _slots_context(source, *, error: str = "", next_slots=None) -> dict:
    """The transaction and day pickers and the free slots of the chosen day."""
    kind = _appointment_type()
    days = _bookable_days(kind)
    form = ChoiceForm(source or None, days=days)
    transaction_type = form.transaction_type()
    day = form.day() if transaction_type is not None else None
    slots = (
        agenda.agenda_free_slots(appointment_type=kind, day=day)
        if kind is not None and day is not None
        else []
    )
    return {
        "form": form,
        "transaction_type": transaction_type,
        "day": day,
        "slots": slots,
        "slot_error": error,
        "next_slots": next_slots,
        "no_agenda": NO_AGENDA if not days else "",
        "presencial_only": services.PRESENCIAL_ONLY,
    }


def _render_slots(request, *, source=None, error: str = "", next_slots=None, status: int = 200):
    context = _slots_context(
        source if source is not None else request.GET, error=error, next_slots=next_slots
    )
    return render(request, "cliente_interno/slots.html", context, status=status)


def _session_hold(request) -> InternalBooking | None:
    """The employee's hold kept in the session (never another person's)."""
    pk = request.session.get(HOLD)
    if not pk:
        return None
    return (
        InternalBooking.objects.select_related(
            "appointment", "appointment__technologist", "appointment__type", "transaction_type"
        )
        .filter(pk=pk, employee=request.user, booked_at__isnull=True)
        .first()
    )


def _is_live(booking: InternalBooking) -> bool:
    appointment = booking.appointment
    return (
        appointment.status == AppointmentStatus.RETENIDA
        and appointment.held_until is not None
        and appointment.held_until > timezone.now()
    )


def _picker_source(booking: InternalBooking) -> dict:
    """The slots page as the employee left it: their transaction and the day of the hold."""
    day = timezone.localtime(booking.appointment.start, BOGOTA).date()
    return {"transaccion": booking.transaction_type.code, "fecha": day.isoformat()}


def _unavailable(request, booking: InternalBooking | None, message: str, next_slots=None):
    """409: the held slot is gone; the message and the next free slots to choose from."""
    request.session.pop(HOLD, None)
    source = _picker_source(booking) if booking is not None else request.GET
    if next_slots is None and booking is not None:
        next_slots = services.next_free_slots(
            appointment_type=booking.appointment.type, after=booking.appointment.start
        )
    return _render_slots(
        request, source=source, error=message, next_slots=next_slots or [], status=409
    )


# --- the start page ---------------------------------------------------------------------------


class HomeView(EmployeeMixin, View):
    """The employee's start page: "Agendar una cita" and "Mis citas" (the «Asistir a cita»
    link on today's confirmed ones)."""

    def get(self, request):
        today = _today()
        rows = []
        for booking in selectors.employee_bookings(request.user):
            appointment = booking.appointment
            is_today = timezone.localtime(appointment.start, BOGOTA).date() == today
            attend = is_today and appointment.status == AppointmentStatus.CONFIRMADA
            rows.append(
                {
                    "booking": booking,
                    "appointment": appointment,
                    "technologist": appointment.technologist.get_full_name()
                    or appointment.technologist.username,
                    "status": _status_label(booking),
                    "is_today": is_today,
                    "attend_url": links.attend_path(booking) if attend else "",
                }
            )
        return render(request, "cliente_interno/home.html", {"rows": rows})


def _status_label(booking: InternalBooking) -> str:
    status = booking.appointment.status
    if status == AppointmentStatus.CONFIRMADA and booking.checked_in_at:
        return "se presentó"
    return booking.appointment.get_status_display()


# --- step 1: transaction, day, slot -----------------------------------------------------------


class SlotsView(EmployeeMixin, View):
    """The transaction, then a bookable day, then its free slots (a GET form)."""

    def get(self, request):
        return _render_slots(request)


class HoldView(EmployeeMixin, View):
    """Choosing a slot holds it (``booking_hold``) and goes on to the data; taken meanwhile →
    the message and the next free slots (409)."""

    http_method_names = ["post"]

    def post(self, request):
        kind = _appointment_type()
        if kind is None:
            return _render_slots(request, source=request.POST, error=NO_AGENDA, status=400)
        form = SlotForm(request.POST, technologists=kind.technologists.filter(is_active=True))
        if not form.is_valid():
            error = " ".join(e for errors in form.errors.values() for e in errors)
            return _render_slots(request, source=request.POST, error=error, status=400)
        try:
            booking = services.booking_hold(
                employee=request.user,
                transaction_type=form.cleaned_data["transaccion"],
                start=form.cleaned_data["start"],
                technologist=form.cleaned_data["technologist"],
            )
        except services.SlotUnavailable as exc:
            return _render_slots(
                request,
                source=request.POST,
                error=" ".join(exc.messages),
                next_slots=exc.next_slots,
                status=409,
            )
        except ValidationError as exc:
            return _render_slots(
                request, source=request.POST, error=" ".join(exc.messages), status=status_for(exc)
            )
        request.session[HOLD] = booking.pk
        return redirect("cliente_interno:reserve")


class ReleaseView(EmployeeMixin, View):
    """ "Volver": the held slot goes back to the agenda; back to the slots of that day."""

    http_method_names = ["post"]

    def post(self, request):
        booking = _session_hold(request)
        request.session.pop(HOLD, None)
        if booking is None:
            return redirect("cliente_interno:slots")
        services.booking_release(booking=booking, by=request.user)
        source = _picker_source(booking)
        return redirect(
            f"{reverse('cliente_interno:slots')}?transaccion={source['transaccion']}"
            f"&fecha={source['fecha']}"
        )


# --- step 2: the data -------------------------------------------------------------------------


class ReserveView(EmployeeMixin, View):
    """The held slot with its countdown, the employee's data and the two consents →
    ``booking_reserve`` → the confirmation."""

    template_name = "cliente_interno/reserve.html"

    def get(self, request):
        booking = _session_hold(request)
        if booking is None:
            return _render_slots(request, error=NO_HOLD)
        if not _is_live(booking):
            return _unavailable(request, booking, agenda.EXPIRED)
        form = ReserveForm(initial=ReserveForm.initial_for(request.user))
        return self._render(request, booking, form)

    def post(self, request):
        booking = _session_hold(request)
        if booking is None:
            return _render_slots(request, error=NO_HOLD)
        form = ReserveForm(request.POST)
        if not form.is_valid():
            return self._render(request, booking, form, status=400)
        try:
            booking = services.booking_reserve(
                booking=booking,
                by=request.user,
                data=form.service_data(),
                terms_accepted=form.cleaned_data["terms_accepted"],
                data_consent=form.cleaned_data["data_consent"],
            )
        except services.SlotUnavailable as exc:
            return _unavailable(request, booking, " ".join(exc.messages), exc.next_slots)
        except ValidationError as exc:
            if status_for(exc) == 409:
                request.session.pop(HOLD, None)
                return redirect("cliente_interno:home")
            form_add_errors(form, exc)
            return self._render(request, booking, form, status=400)
        request.session.pop(HOLD, None)
        return redirect("cliente_interno:confirmation", pk=booking.pk)

    def _render(self, request, booking, form, *, status: int = 200):
        appointment = booking.appointment
        return render(
            request,
            self.template_name,
            {
                "booking": booking,
                "appointment": appointment,
                "technologist": appointment.technologist.get_full_name()
                or appointment.technologist.username,
                "seconds_left": hold_seconds_left(appointment),
                "slots_url": f"{reverse('cliente_interno:slots')}?"
                f"transaccion={booking.transaction_type.code}",
                "form": form,
                "early_minutes": settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES,
                "grace_minutes": settings.CLIENTE_INTERNO_GRACE_MINUTES,
            },
            status=status,
        )


# --- the confirmation -------------------------------------------------------------------------


class ConfirmationView(EmployeeMixin, View):
    """The booking reserved: when, what, with whom, and where the e-mail went."""

    def get(self, request, pk: int):
        booking = selectors.employee_bookings(request.user).filter(pk=pk).first()
        if booking is None:
            raise Http404("Cita no encontrada.")
        appointment = booking.appointment
        return render(
            request,
            "cliente_interno/confirmation.html",
            {
                "booking": booking,
                "appointment": appointment,
                "when": when_text(appointment.start),
                "technologist": appointment.technologist.get_full_name()
                or appointment.technologist.username,
                "early_minutes": settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES,
            },
        )
