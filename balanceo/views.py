"""The technologist's balancing page (2.5): "Balanceo".

Opens only to a technologist in today's balancing pool (BAL-01) and, each day, after the
start-of-shift check (audio, video, the kiosk's printer: 2.5 step 2). Then the page shows:

- the seat: "Disponible para balanceo" / "Pausar", and the offices the technologist supports
  with their waiting customers, kiosks on, capacity (BAL-02) and the alert when the office must
  turn a kiosk on;
- the video call (core's ``_video_call.html`` with ``video_auto``): when the matcher pairs the
  technologist with a customer, ``video.connect`` arrives over the live socket and the call
  starts by itself — nobody clicks "call" (BAL-03);
- the attention: the matched turn, its office and kiosk, the case form (BAL-04), then the
  documents for the kiosk's printer and the scans, and "Terminar", after which the next
  customer is matched at once.

The seat and the attention refresh by themselves (htmx) on the live messages, and by polling
while the socket is down. Forms post with htmx so the video call on the page goes on; without
JavaScript they post normally and come back to the page. The attention block answers 204 when
its state did not change, so a refresh never wipes a form being typed.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache

from balanceo import selectors, services
from balanceo.forms import DocumentForm, shift_check_form
from core.forms import TurnCaseForm, form_add_errors
from core.models import Kiosk, TurnStatus
from core.permissions import TechnologistMixin
from core.selectors.roster import shift_check_done
from core.services.turns.documents import kiosk_turn_printer
from core.services.turns.kiosk import KIOSK_OUTCOMES
from core.views_common import is_htmx, render_closed, status_for, video_partial
from core.views_kiosk_turn import KioskTurnPrintView, KioskTurnScanView


def _closed(request, reason: str):
    return render_closed(request, reason, title="Balanceo", element_id="balance-closed")


def _refusal(request) -> str:
    if not selectors.balance_rostered(technologist=request.user):
        return services.NOT_ROSTERED
    return ""


def attention_key(turn, *, available: bool = False) -> str:
    """What the attention block shows, in a word: it is re-rendered only when this changes."""
    if turn is None:
        return "disponible" if available else "en-pausa"
    return f"{turn.pk}-{turn.status}-{turn.case_id or 0}"


def seat_context(request) -> dict:
    user = request.user
    seat = selectors.seat_for(technologist=user)
    offices = selectors.balance_office_states(
        office_ids=selectors.balance_offices_for(technologist=user).values("pk")
    )
    return {
        "seat": seat,
        "available": bool(seat and seat.available),
        "offices": offices,
    }


def attention_context(
    request, *, turn=None, case_form=None, print_form=None, scan_form=None, error="", notice=""
) -> dict:
    user = request.user
    if turn is None:
        turn = selectors.balance_current_turn(technologist=user)
    if turn is not None and turn.status not in TurnStatus.active():
        turn = None
    available = False
    if turn is None:
        seat = selectors.seat_for(technologist=user)
        available = bool(seat and seat.available)
    context = {
        "turn": turn,
        "available": available,
        "state_key": attention_key(turn, available=available),
        "error": error,
        "notice": notice,
        "outcomes": KIOSK_OUTCOMES,
    }
    if turn is None:
        return context
    context["printer"] = kiosk_turn_printer(turn)
    if turn.status == TurnStatus.LLAMADO:
        context["case_form"] = case_form or TurnCaseForm(
            initial={
                "kind": turn.transaction_type.kind,
                "transaction_type": turn.transaction_type_id,
            }
        )
    elif turn.case_id:
        context["print_jobs"] = list(turn.case.print_jobs.select_related("printer"))
        context["print_form"] = print_form or DocumentForm()
        context["scan_form"] = scan_form or DocumentForm()
    return context


def render_home(request, *, status: int = 200, **forms):
    context = {**seat_context(request), **attention_context(request, **forms)}
    context["video_partial"] = video_partial()
    context["video_session"] = selectors.balance_current_session(technologist=request.user)
    return render(request, "balanceo/home.html", context, status=status)


def render_attention(request, *, status: int = 200, **kwargs):
    if not is_htmx(request):
        return render_home(request, status=status, **kwargs)
    return render(
        request,
        "balanceo/partials/_attention.html",
        attention_context(request, **kwargs),
        status=status,
    )


def render_shift_check(request, form, *, status: int = 200):
    offices = selectors.balance_offices_for(technologist=request.user).prefetch_related(
        Prefetch("kiosks", queryset=Kiosk.objects.select_related("printer"))
    )
    return render(
        request,
        "balanceo/shift_check.html",
        {"form": form, "offices": list(offices)},
        status=status,
    )


@method_decorator(never_cache, name="dispatch")
class HomeView(TechnologistMixin, View):
    """The balancing page, or today's start-of-shift check before it."""

    def get(self, request):
        if reason := _refusal(request):
            return _closed(request, reason)
        if not shift_check_done(technologist=request.user, video=True):
            return render_shift_check(request, shift_check_form())
        return render_home(request)


class ShiftCheckView(TechnologistMixin, View):
    """2.5 step 2: audio, video and the kiosk's printer (core's check, per technologist and day)."""

    def post(self, request):
        if reason := _refusal(request):
            return _closed(request, reason)
        form = shift_check_form(request.POST)
        if form.is_valid():
            try:
                services.balance_shift_check_record(
                    technologist=request.user,
                    audio=form.cleaned_data["audio"],
                    video=form.cleaned_data["video"],
                    printer=form.cleaned_data["printer"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Verificación de inicio de turno registrada. Marque «Disponible para balanceo» "
                    "para recibir clientes.",
                )
                return redirect("balanceo:home")
        return render_shift_check(request, form, status=400)


@method_decorator(never_cache, name="dispatch")
class SeatView(TechnologistMixin, View):
    """The seat block (htmx, refreshed on the live messages)."""

    def get(self, request):
        if reason := _refusal(request):
            return _closed(request, reason)
        return render(request, "balanceo/partials/_seat.html", seat_context(request))


class AvailabilityView(TechnologistMixin, View):
    """ "Disponible para balanceo" / "Pausar"."""

    def post(self, request):
        available = request.POST.get("available") == "1"
        status, error = 200, ""
        try:
            services.balance_availability_set(technologist=request.user, available=available)
        except ValidationError as exc:
            status, error = status_for(exc), " ".join(exc.messages)
        if not is_htmx(request):
            if error:
                messages.error(request, error)
            return redirect("balanceo:home")
        context = seat_context(request)
        context["error"] = error
        response = render(request, "balanceo/partials/_seat.html", context, status=status)
        # The attention block says the new state ("esperando cliente" / "en pausa").
        response["HX-Trigger"] = json.dumps({"balanceo-seat": {"target": "#balance-attention"}})
        return response


@method_decorator(never_cache, name="dispatch")
class AttentionView(TechnologistMixin, View):
    """The attention block (htmx): 204 when it would show the same as ``?estado=``."""

    def get(self, request):
        if reason := _refusal(request):
            return _closed(request, reason)
        turn = selectors.balance_current_turn(technologist=request.user)
        available = False
        if turn is None:
            seat = selectors.seat_for(technologist=request.user)
            available = bool(seat and seat.available)
        if request.GET.get("estado") == attention_key(turn, available=available):
            return HttpResponse(status=204)
        return render(
            request, "balanceo/partials/_attention.html", attention_context(request, turn=turn)
        )


class CaseOpenView(TechnologistMixin, View):
    """BAL-04: the matched customer's case (PQR → asesor en línea, pedido → Balanceo automático)."""

    def post(self, request, pk: int):
        turn = selectors.balance_turn_get_for_user(user=request.user, turn_id=pk)
        form = TurnCaseForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                case = services.balance_case_open(turn=turn, by=request.user, **form.service_data())
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = status_for(exc)
            else:
                notice = (
                    f"Caso CRM {case.number} registrado ({case.channel.name}, "
                    f"{case.supported_office.name}). Envíe los documentos a la impresora del "
                    "módulo y solicite la firma del cliente."
                )
                if not is_htmx(request):
                    messages.success(request, notice)
                    return redirect("balanceo:home")
                return render_attention(request, notice=notice)
        turn.refresh_from_db()
        if turn.status != TurnStatus.LLAMADO:  # a double tap: the case is open
            return render_attention(request, status=status, error=" ".join(form.non_field_errors()))
        return render_attention(request, turn=turn, case_form=form, status=status)


class FinishView(TechnologistMixin, View):
    """ "Terminar": atendido, no se presentó, o devolver a la sala; the next customer is matched."""

    def post(self, request, pk: int):
        turn = selectors.balance_turn_get_for_user(user=request.user, turn_id=pk)
        outcome = request.POST.get("outcome", "")
        try:
            turn = services.balance_turn_finish(turn=turn, by=request.user, outcome=outcome)
        except ValidationError as exc:
            return render_attention(request, status=status_for(exc), error=" ".join(exc.messages))
        notice = f"Turno {turn.number} terminado: {KIOSK_OUTCOMES[outcome]}."
        if turn.case_id:
            notice += f" El caso {turn.case.number} sigue abierto en Mis casos hasta que lo cierre."
        if not is_htmx(request):
            messages.success(request, notice)
            return redirect("balanceo:home")
        return render_attention(request, notice=notice)


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("balanceo:home")


class _BalanceDocumentMixin:
    """The documents of the matched turn: the technologist's turn, the notice in the attention
    block (htmx) or as a message back on the page; a refused document comes back with its form."""

    def get_turn(self, request, pk: int):
        return selectors.balance_turn_get_for_user(user=request.user, turn_id=pk)

    def back(self, request) -> str:
        return reverse("balanceo:home")

    def done(self, request, turn, notice: str):
        if not is_htmx(request):
            messages.success(request, notice)
            return redirect(self.back(request))
        return render_attention(request, notice=notice)

    def refused(self, request, turn, form, status: int):
        return render_attention(request, status=status, **{self.form_name: form})


class PrintView(_BalanceDocumentMixin, KioskTurnPrintView):
    """2.5 step 3: a document of the case to the printer of the kiosk where the customer sits."""

    form_class = DocumentForm

    def print_notice(self, job) -> str:
        return f"«{job.title}» enviado a la impresora {job.printer.name}."

    def back(self, request) -> str:
        return _back(request)

    def refused(self, request, turn, form, status: int):
        if not is_htmx(request) and request.POST.get("next"):
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
            return redirect(_back(request))
        return super().refused(request, turn, form, status)


class ScanView(_BalanceDocumentMixin, KioskTurnScanView):
    """2.5 step 4: the signed documents, scanned remotely at the kiosk, into the expediente."""

    form_class = DocumentForm
    scan_notice = "Documento escaneado publicado en el expediente del cliente."
