"""Pages of the Contact Center's creador de experiencia for condo administrators (2.6 step 1,
COP-01): the call's three steps — the requirement (solved by phone, refused when presencial, or
to be booked), the free slots of a day (a slot is held while the data are taken) and the
administrator's data — then the confirmation; and the day's appointments, to move or cancel one.

The requirement and the hold travel between the steps in the session (one call at a time per
creador); the services decide everything (``copropiedad.services``, ``core.services.agenda``).
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views import View

from copropiedad import selectors, services
from copropiedad.forms import BOOK, PHONE, AdministratorForm, DayForm, RequirementForm, SlotForm
from core import selectors as core_selectors
from core.forms import form_add_errors
from core.models import AppointmentStatus, AppointmentType, TransactionType
from core.permissions import RoleRequiredMixin
from core.roles import Role
from core.selectors.agenda import case_appointment, hold_get_for_user, hold_seconds_left
from core.services import agenda
from core.views_common import is_htmx, status_for

APPOINTMENT_TYPE = "copropiedad"
DRAFT = "copropiedad_solicitud"
NO_DRAFT = "Empiece por el requerimiento del administrador."
NO_AGENDA = (
    "La agenda de citas de administradores de copropiedad no está configurada: pida a su gestor "
    "que asigne los tecnólogos y sus horarios."
)


class CreadorMixin(RoleRequiredMixin):
    allowed_roles = (Role.CREADOR,)


# --- helpers ----------------------------------------------------------------------------------


def _appointment_type() -> AppointmentType | None:
    return AppointmentType.objects.filter(code=APPOINTMENT_TYPE, active=True).first()


def _day_label(day: dt.date, today: dt.date) -> str:
    label = dateformat.format(day, r"l j \d\e F").lower()
    if day == today:
        return f"hoy, {label}"
    if day == today + dt.timedelta(days=1):
        return f"mañana, {label}"
    return label


def _bookable_days(appointment_type: AppointmentType | None) -> list[tuple[dt.date, str]]:
    """The agenda's bookable days (core), with the picker's labels."""
    if appointment_type is None:
        return []
    today = timezone.localdate()
    return [
        (day, _day_label(day, today))
        for day in agenda.agenda_bookable_days(appointment_type=appointment_type)
    ]


def _slots_context(request, *, appointment_type, action: str, error: str = "") -> dict:
    """The day picker and the free slots of the chosen day (``?fecha=`` or a posted one)."""
    days = _bookable_days(appointment_type)
    source = request.POST if request.method == "POST" else request.GET
    day_form = DayForm(source if "fecha" in source else None, days=days)
    day = day_form.day()
    if day is not None:
        day_form = DayForm({"fecha": day.isoformat()}, days=days)
        day_form.is_valid()
    slots = (
        agenda.agenda_free_slots(appointment_type=appointment_type, day=day)
        if appointment_type is not None and day is not None
        else []
    )
    return {
        "appointment_type": appointment_type,
        "day_form": day_form,
        "day": day,
        "slots": slots,
        "action": action,
        "slot_error": error,
        "no_agenda": NO_AGENDA if not days else "",
    }


def _draft(request) -> dict | None:
    return request.session.get(DRAFT)


def _draft_save(request, draft: dict | None) -> None:
    if draft is None:
        request.session.pop(DRAFT, None)
    else:
        request.session[DRAFT] = draft


def _draft_release_hold(request, draft: dict) -> None:
    """Give back the slot this call held (the creador went back or chose another)."""
    if draft.get("hold"):
        agenda.agenda_release(hold_id=draft["hold"])
        draft["hold"] = None
        _draft_save(request, draft)


def _transaction_type(draft: dict) -> TransactionType | None:
    return TransactionType.objects.filter(pk=draft["transaction_type"]).first()


def _no_draft(request):
    messages.warning(request, NO_DRAFT)
    return redirect("copropiedad:home")


# --- step 1: the requirement ----------------------------------------------------------------


class HomeView(CreadorMixin, View):
    """COP-01: "Atender llamada de administrador de copropiedad", step 1. ``?nueva=1`` starts a
    new call; otherwise the requirement typed before is shown again (the creador came back)."""

    template_name = "copropiedad/home.html"

    def get(self, request):
        draft = _draft(request)
        if draft:
            _draft_release_hold(request, draft)
        if request.GET.get("nueva") or not draft:
            _draft_save(request, None)
            form = RequirementForm()
        else:
            form = RequirementForm(initial=draft)
        return render(request, self.template_name, {"form": form, "step": 1})

    def post(self, request):
        form = RequirementForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "step": 1}, status=400)
        previous = _draft(request)
        if previous:
            _draft_release_hold(request, previous)
        _draft_save(request, {**form.draft(), "hold": None})
        if form.cleaned_data["resolution"] == PHONE:
            return redirect("copropiedad:administrator")
        return redirect("copropiedad:slots")


# --- step 2: the slot -----------------------------------------------------------------------


class SlotsView(CreadorMixin, View):
    """Step 2: the bookable days and the free slots of the chosen one (htmx: the list only)."""

    template_name = "copropiedad/slots.html"

    def get(self, request):
        draft = _draft(request)
        if not draft or draft["resolution"] != BOOK:
            return _no_draft(request)
        return self.render_slots(request, draft=draft)

    def render_slots(self, request, *, draft, error: str = "", status: int = 200):
        context = _slots_context(
            request,
            appointment_type=_appointment_type(),
            action=reverse("copropiedad:hold"),
            error=error,
        )
        context.update(step=2, transaction_type=_transaction_type(draft), draft=draft)
        template = "copropiedad/partials/_slots.html" if is_htmx(request) else self.template_name
        return render(request, template, context, status=status)


class HoldView(SlotsView):
    """Choosing a slot holds it (``agenda_hold``) while the administrator's data are taken; a
    slot taken meanwhile → the Spanish message and the refreshed list (409)."""

    http_method_names = ["post"]

    def post(self, request):
        draft = _draft(request)
        if not draft or draft["resolution"] != BOOK:
            return _no_draft(request)
        appointment_type = _appointment_type()
        if appointment_type is None:
            return self.render_slots(request, draft=draft, error=NO_AGENDA, status=400)
        form = SlotForm(request.POST, technologists=appointment_type.technologists.all())
        if not form.is_valid():
            error = " ".join(e for errors in form.errors.values() for e in errors)
            return self.render_slots(request, draft=draft, error=error, status=400)
        _draft_release_hold(request, draft)
        try:
            hold = agenda.agenda_hold(
                appointment_type=appointment_type,
                start=form.cleaned_data["start"],
                technologist=form.cleaned_data["technologist"],
                by=request.user,
            )
        except ValidationError as exc:
            return self.render_slots(
                request, draft=draft, error=" ".join(exc.messages), status=status_for(exc)
            )
        _draft_save(request, {**draft, "hold": hold.pk})
        return redirect("copropiedad:administrator")


class ReleaseView(CreadorMixin, View):
    """ "Elegir otro horario": the held slot goes back to the agenda."""

    def post(self, request):
        draft = _draft(request)
        if not draft:
            return _no_draft(request)
        _draft_release_hold(request, draft)
        return redirect("copropiedad:slots")


# --- step 3: the administrator --------------------------------------------------------------


class AdministratorView(CreadorMixin, View):
    """Step 3: the administrator's data → the booking (``condo_appointment_book``) or, when the
    Contact Center solved it, the case closed at once (``condo_phone_solution``)."""

    template_name = "copropiedad/administrator.html"

    def _hold(self, request, draft):
        """The slot this call holds, or None when it is gone (expired, released)."""
        if not draft.get("hold"):
            return None
        hold = hold_get_for_user(user=request.user, hold_id=draft["hold"])
        if hold.status != AppointmentStatus.RETENIDA or hold.held_until <= timezone.now():
            return None
        return hold

    def _expired(self, request, draft, message: str = agenda.EXPIRED):
        draft["hold"] = None
        _draft_save(request, draft)
        return SlotsView().render_slots(request, draft=draft, error=message, status=409)

    def get(self, request):
        draft = _draft(request)
        if not draft:
            return _no_draft(request)
        hold = None
        if draft["resolution"] == BOOK:
            hold = self._hold(request, draft)
            if hold is None:
                return self._expired(request, draft)
        return self._render(request, draft=draft, hold=hold, form=AdministratorForm())

    def post(self, request):
        draft = _draft(request)
        if not draft:
            return _no_draft(request)
        form = AdministratorForm(request.POST)
        hold = None
        if draft["resolution"] == BOOK:
            hold = self._hold(request, draft)
            if hold is None:
                return self._expired(request, draft)
        if not form.is_valid():
            return self._render(request, draft=draft, hold=hold, form=form, status=400)
        common = {
            "by": request.user,
            "transaction_type": _transaction_type(draft),
            "pqr_type": draft["pqr_type"],
            "motive": draft["motive"],
            **form.cleaned_data,
        }
        try:
            if draft["resolution"] == PHONE:
                case = services.condo_phone_solution(solution=draft["solution"], **common)
            else:
                case, _ = services.condo_appointment_book(hold_id=hold.pk, **common)
        except ValidationError as exc:
            if draft["resolution"] == BOOK and status_for(exc) == 409:
                return self._expired(request, draft, " ".join(exc.messages))
            form_add_errors(form, exc)
            return self._render(request, draft=draft, hold=hold, form=form, status=400)
        _draft_save(request, None)
        return redirect("copropiedad:confirmation", pk=case.pk)

    def _render(self, request, *, draft, hold, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "step": 3 if draft["resolution"] == BOOK else 2,
                "draft": draft,
                "is_phone": draft["resolution"] == PHONE,
                "transaction_type": _transaction_type(draft),
                "hold": hold,
                "seconds_left": hold_seconds_left(hold),
                "form": form,
            },
            status=status,
        )


class ConfirmationView(CreadorMixin, View):
    """After the call: the case number and, when booked, the appointment and the invitation."""

    def get(self, request, pk: int):
        case = core_selectors.case_get_for_user(user=request.user, case_id=pk)
        condo = getattr(case, "condo", None)
        return render(
            request,
            "copropiedad/confirmation.html",
            {
                "case": case,
                "condo": condo,
                "appointment": case_appointment(case),
                "recipient": case.contact_email or case.customer.email,
            },
        )


# --- the day's appointments -----------------------------------------------------------------


def _list_day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return timezone.localdate()


class AppointmentListView(CreadorMixin, View):
    """The appointments of a day (``?fecha=AAAA-MM-DD``, today by default), to move or cancel."""

    def get(self, request):
        day = _list_day(request.GET.get("fecha"))
        appointments = list(selectors.appointment_list_for_user(user=request.user, day=day))
        return render(
            request,
            "copropiedad/appointments.html",
            {
                "day": day,
                "previous_day": day - dt.timedelta(days=1),
                "next_day": day + dt.timedelta(days=1),
                "appointments": appointments,
                "now": timezone.now(),
            },
        )


def _after_change(request, appointment, text: str):
    local = timezone.localtime(appointment.start)
    messages.success(request, text)
    return redirect(f"{reverse('copropiedad:appointments')}?fecha={local.date().isoformat()}")


class RescheduleView(CreadorMixin, View):
    """Reprogramar: another free slot of the agenda (same invitation UID, a higher SEQUENCE)."""

    template_name = "copropiedad/reschedule.html"

    def get(self, request, pk: int):
        appointment = selectors.appointment_get_for_user(user=request.user, appointment_id=pk)
        return self._render(request, appointment)

    def post(self, request, pk: int):
        appointment = selectors.appointment_get_for_user(user=request.user, appointment_id=pk)
        form = SlotForm(request.POST, technologists=appointment.type.technologists.all())
        if not form.is_valid():
            error = " ".join(e for errors in form.errors.values() for e in errors)
            return self._render(request, appointment, error=error, status=400)
        try:
            moved = services.condo_appointment_reschedule(
                appointment=appointment, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            return self._render(
                request, appointment, error=" ".join(exc.messages), status=status_for(exc)
            )
        case = moved.case
        when = dateformat.format(
            timezone.localtime(moved.start), r"l j \d\e F \a \l\a\s g:i a"
        ).lower()
        recipient = case.contact_email or case.customer.email
        return _after_change(
            request,
            moved,
            f"Cita del caso {case.number} reprogramada para el {when} con "
            f"{moved.technologist.get_full_name() or moved.technologist.username}. "
            f"Se envió la invitación actualizada a {recipient}.",
        )

    def _render(self, request, appointment, *, error: str = "", status: int = 200):
        context = _slots_context(
            request,
            appointment_type=appointment.type,
            action=reverse("copropiedad:reschedule", args=[appointment.pk]),
            error=error,
        )
        context["appointment"] = appointment
        template = "copropiedad/partials/_slots.html" if is_htmx(request) else self.template_name
        return render(request, template, context, status=status)


class CancelView(CreadorMixin, View):
    """Cancelar, after a confirmation page: the administrator gets the calendar's cancellation."""

    template_name = "copropiedad/cancel.html"

    def get(self, request, pk: int):
        appointment = selectors.appointment_get_for_user(user=request.user, appointment_id=pk)
        return render(request, self.template_name, {"appointment": appointment})

    def post(self, request, pk: int):
        appointment = selectors.appointment_get_for_user(user=request.user, appointment_id=pk)
        try:
            cancelled = services.condo_appointment_cancel(appointment=appointment, by=request.user)
        except ValidationError as exc:
            return render(
                request,
                self.template_name,
                {"appointment": appointment, "error": " ".join(exc.messages)},
                status=status_for(exc),
            )
        case = cancelled.case
        recipient = case.contact_email or case.customer.email
        return _after_change(
            request,
            cancelled,
            f"Cita del caso {case.number} cancelada. Se envió la cancelación a {recipient}.",
        )
