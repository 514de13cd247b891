"""Pages of the technologist who serves internal clients (2.8, CI-04, CI-05): the day's
appointments with who is waiting ("Llamar turno", "No asistió"), the room (the video call as
the offerer, the employee's data, the documents both ways, "Terminar atención"); and the
download of a document of the appointment, for its two parties only.

The services decide everything (``cliente_interno.services.attention``; the no-show is
``cliente_interno.services.checkin``); a booking the user is not a party of is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from cliente_interno.models import InternalBooking
from cliente_interno.selectors import booking_for_party, technologist_day_bookings
from cliente_interno.services import attention
from core.models import VideoSession
from core.permissions import RoleRequiredMixin
from core.roles import Role
from core.views_common import is_htmx, status_for

DAY_TEMPLATE = "cliente_interno/day.html"
ROWS_TEMPLATE = "cliente_interno/partials/_day_rows.html"


class TechnologistOnlyMixin(RoleRequiredMixin):
    allowed_roles = (Role.TECNOLOGO,)


def _own_booking(request, pk: int) -> InternalBooking:
    """The booking, for its technologist only (anyone else: 404, as for a missing one)."""
    booking = booking_for_party(user=request.user, pk=pk)
    if booking is None or booking.appointment.technologist_id != request.user.pk:
        raise Http404(attention.NOT_FOUND)
    return booking


def _day_rows(request) -> list[tuple[InternalBooking, str, str]]:
    """Today's bookings of the technologist with their state and its label: one query
    whatever the rows."""
    rows = []
    for booking in technologist_day_bookings(request.user, timezone.localdate()):
        state = attention.booking_state(booking)
        rows.append((booking, state, attention.STATE_LABELS[state]))
    return rows


def render_day(request, *, error: str = "", status: int = 200):
    rows = _day_rows(request)
    context = {
        "rows": rows,
        "waiting": sum(1 for _, state, _ in rows if state == "en_espera"),
        "today": timezone.localdate(),
        "error": error,
    }
    template = ROWS_TEMPLATE if is_htmx(request) else DAY_TEMPLATE
    return render(request, template, context, status=status)


@method_decorator(never_cache, name="dispatch")
class DayView(TechnologistOnlyMixin, View):
    """CI-04: today's internal-client appointments of the signed-in technologist (hour,
    employee, transaction, state); the rows refresh by themselves (live ``ci.booking``, and on
    reconnection or polling while the socket is down)."""

    def get(self, request):
        return render_day(request)


@method_decorator(never_cache, name="dispatch")
class CallView(TechnologistOnlyMixin, View):
    """ "Llamar turno": the case opens and the video call rings; on to the room."""

    def post(self, request, pk: int):
        booking = _own_booking(request, pk)
        try:
            attention.booking_call(booking=booking, by=request.user)
        except ValidationError as exc:
            fresh = _own_booking(request, pk)
            if attention.booking_state(fresh) == "en_atencion":  # a double click
                return redirect("cliente_interno:technologist_room", pk=pk)
            return render_day(request, error=" ".join(exc.messages), status=status_for(exc))
        return redirect("cliente_interno:technologist_room", pk=pk)


class VideoAgainView(TechnologistOnlyMixin, View):
    """ "Volver a llamar por video": the call dropped during the attention; ring again."""

    def post(self, request, pk: int):
        booking = _own_booking(request, pk)
        try:
            attention.booking_video_again(booking=booking, by=request.user)
        except ValidationError as exc:
            return TechnologistRoomView().render_room(
                request, booking, error=" ".join(exc.messages), status=status_for(exc)
            )
        return redirect("cliente_interno:technologist_room", pk=pk)


@method_decorator(never_cache, name="dispatch")
class NoShowView(TechnologistOnlyMixin, View):
    """ "No asistió" by hand (CI-04): the employee is e-mailed a link to book again."""

    def post(self, request, pk: int):
        from cliente_interno.services.checkin import booking_no_show

        booking = _own_booking(request, pk)
        try:
            booking_no_show(booking=booking, by=request.user)
        except ValidationError as exc:
            return render_day(request, error=" ".join(exc.messages), status=status_for(exc))
        messages.success(
            request,
            f"Cita de {booking.full_name or booking.employee.get_full_name()} marcada como «no "
            "asistió»: se le envió el enlace para agendar de nuevo.",
        )
        return redirect("cliente_interno:day")


def _session_for(booking: InternalBooking) -> VideoSession | None:
    """The booking's latest video call (open or ended): what the room's call block joins."""
    if booking.turn_id is None:
        return None
    return (
        VideoSession.objects.filter(turn_id=booking.turn_id)
        .select_related("turn")
        .order_by("-created_at", "-pk")
        .first()
    )


@method_decorator(never_cache, name="dispatch")
class TechnologistRoomView(TechnologistOnlyMixin, View):
    """CI-04 / CI-05: the room of one appointment: the video call (the technologist offers),
    the employee's data and turn, the case, the documents; "Terminar atención"."""

    def get(self, request, pk: int):
        return self.render_room(request, _own_booking(request, pk))

    def post(self, request, pk: int):
        booking = _own_booking(request, pk)
        try:
            booking = attention.booking_finish(booking=booking, by=request.user)
        except ValidationError as exc:
            return self.render_room(
                request, booking, error=" ".join(exc.messages), status=status_for(exc)
            )
        messages.success(
            request,
            "Atención terminada. Registre la autorización de notificación, envíe la constancia "
            "y cierre el caso.",
        )
        return redirect("core:case_detail", pk=booking.appointment.case_id)

    def render_room(self, request, booking, *, error: str = "", status: int = 200):
        state = attention.booking_state(booking)
        return render(
            request,
            "cliente_interno/technologist_room.html",
            {
                "booking": booking,
                "state": state,
                "state_label": attention.STATE_LABELS[state],
                "turn": booking.turn if booking.turn_id else None,
                "case": booking.appointment.case,
                "video_session": _session_for(booking) if state == "en_atencion" else None,
                "error": error,
            },
            status=status,
        )


class DocumentDownloadView(RoleRequiredMixin, View):
    """A document of the appointment, for its employee and its technologist only (404 for
    anyone else), always as a download."""

    allowed_roles = (Role.TECNOLOGO, Role.CLIENTE_INTERNO)

    def get(self, request, pk: int, token: str):
        booking = booking_for_party(user=request.user, pk=pk)
        if booking is None:
            raise Http404(attention.NOT_FOUND)
        evidence = next(
            (doc for doc in attention.booking_documents(booking) if doc.token == token), None
        )
        if evidence is None:
            raise Http404("Documento no encontrado.")
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
