"""The technologist's virtual booth (2.3, CEL-03, CEL-04): "Taquilla virtual".

Opens only to a technologist rostered today in modality ``celular`` (CEL-01), and each day only
after the start-of-shift check (audio, the supported offices' printers: 2.3 step 3). Then, per
supported office, the waiting turns that accepted remote attention, with the mobile each customer
left — personal data shown only here, to the technologists who support that office today, never
cached — oldest first, refreshed live (``turns.changed``). "Llamar" takes a turn (one winner when
two press at once) and opens the call page: the number with 003 as a ``tel:`` link and the three
outcomes.

Views validate with a form and call ``desborde.services.cellphone`` (which calls core's roster
and turn services); every turn is looked up through core's scoped selector.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.forms import ShiftCheckForm, TurnCaseForm
from core.models import Printer, TurnStatus
from core.permissions import TechnologistMixin
from core.selectors.roster import shift_check_done
from core.selectors.turns import booth_turns_for, turn_get_for_user
from core.services.roster import shift_check_record
from core.services.turns import turn_dial
from core.views import form_add_errors
from core.views_common import render_closed, status_for
from desborde.services import cellphone

SHIFT_CHECK_FIRST = (
    "Antes de abrir la taquilla virtual haga la verificación de inicio de turno (audio e "
    "impresora de la oficina que apoya)."
)


# --- the booth ------------------------------------------------------------------------------------


def _offices(request, *, printers: bool = True) -> list:
    """The offices the user supports by cellphone today; with their active printers for the
    start-of-shift check (2.3 step 3 names the supported office's printer)."""
    offices = cellphone.booth_offices_for(technologist=request.user)
    if printers:
        active = Printer.objects.filter(active=True).order_by("name", "id")
        offices = offices.prefetch_related(
            Prefetch("printers", queryset=active, to_attr="active_printers")
        )
    return list(offices)


def _refusal(request, offices) -> str:
    """Why the booth stays closed to this user now, or ''."""
    if not offices:
        return cellphone.NOT_ROSTERED
    if not shift_check_done(technologist=request.user, day=timezone.localdate()):
        return SHIFT_CHECK_FIRST
    return ""


def _closed(request, reason: str, *, status: int = 403):
    return render_closed(
        request, reason, title="Taquilla virtual", element_id="booth-closed", status=status
    )


def _turn_groups(request, offices) -> list[tuple]:
    """Per supported office, its waiting remote turns, oldest first (core's selector)."""
    by_office = {office.pk: [] for office in offices}
    for turn in booth_turns_for(technologist=request.user):
        if turn.office_id in by_office:
            by_office[turn.office_id].append(turn)
    return [(office, by_office[office.pk]) for office in offices]


def render_booth(request, offices, *, error: str = "", status: int = 200):
    return render(
        request,
        "desborde/booth.html",
        {
            "groups": _turn_groups(request, offices),
            "active": cellphone.booth_active_turn_for(technologist=request.user),
            "error": error,
        },
        status=status,
    )


def render_shift_check(request, offices, form, *, status: int = 200):
    return render(
        request,
        "desborde/booth_shift_check.html",
        {"offices": offices, "form": form},
        status=status,
    )


@method_decorator(never_cache, name="dispatch")
class BoothView(TechnologistMixin, View):
    """CEL-03: the booth, or the start-of-shift check before it opens each day."""

    def get(self, request):
        offices = _offices(request)
        if not offices:
            return _closed(request, cellphone.NOT_ROSTERED)
        if _refusal(request, offices):
            return render_shift_check(request, offices, ShiftCheckForm())
        return render_booth(request, offices)


class ShiftCheckView(TechnologistMixin, View):
    """2.3 step 3 (CEL-03, AL-02): the day's check, stored per technologist and day."""

    def post(self, request):
        offices = _offices(request)
        if not offices:
            return _closed(request, cellphone.NOT_ROSTERED)
        form = ShiftCheckForm(request.POST)
        if form.is_valid():
            try:
                shift_check_record(
                    technologist=request.user,
                    audio=form.cleaned_data["audio"],
                    printer=form.cleaned_data["printer"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(
                    request, "Verificación de inicio de turno registrada: la taquilla está abierta."
                )
                return redirect("desborde:booth")
        return render_shift_check(request, offices, form, status=400)


@method_decorator(never_cache, name="dispatch")
class BoothTurnsView(TechnologistMixin, View):
    """The booth's list, re-fetched when the offices' turns change (live) or while polling."""

    def get(self, request):
        offices = _offices(request, printers=False)
        reason = _refusal(request, offices)
        if reason:
            return _closed(request, reason)
        return render(
            request,
            "desborde/partials/_booth_turns.html",
            {"groups": _turn_groups(request, offices)},
        )


@method_decorator(never_cache, name="dispatch")
class TurnTakeView(TechnologistMixin, View):
    """ "Llamar": the turn is the caller's, or a clear message that another technologist took it."""

    def post(self, request, pk: int):
        offices = _offices(request, printers=False)
        reason = _refusal(request, offices)
        if reason:
            return _closed(request, reason)
        turn = turn_get_for_user(user=request.user, turn_id=pk)
        try:
            cellphone.booth_turn_take(turn=turn, by=request.user)
        except ValidationError as exc:
            return render_booth(
                request, offices, error=" ".join(exc.messages), status=status_for(exc)
            )
        return redirect("desborde:booth_call", pk=turn.pk)


def render_call(request, turn, *, form=None, error: str = "", status: int = 200):
    if form is None:
        form = TurnCaseForm(
            initial={
                "kind": turn.transaction_type.kind,
                "transaction_type": turn.transaction_type_id,
                "mobile": turn.mobile,
            }
        )
    return render(
        request,
        "desborde/booth_call.html",
        {
            "turn": turn,
            "dial": turn_dial(turn.mobile),
            "form": form,
            "error": error,
            "outcomes": dict(cellphone.OUTCOME_CHOICES),
        },
        status=status,
    )


@method_decorator(never_cache, name="dispatch")
class CallView(TechnologistMixin, View):
    """The turn being called: the ``tel:`` link with 003 and the three outcomes."""

    def get(self, request, pk: int):
        turn = cellphone.cellphone_turn_get_for_user(user=request.user, turn_id=pk)
        if turn.status == TurnStatus.LLAMADO:
            return render_call(request, turn)
        if turn.status == TurnStatus.EN_ATENCION and turn.case_id:
            return redirect("core:case_detail", pk=turn.case_id)
        messages.info(request, f"El turno {turn.number} está {turn.get_status_display()}.")
        return redirect("desborde:booth")


@method_decorator(never_cache, name="dispatch")
class OutcomeView(TechnologistMixin, View):
    """CEL-03: accepts (the case opens, CEL-04), refuses (back to the waiting room) or the call
    could not connect (the office decides cellphone or in person)."""

    def post(self, request, pk: int):
        turn = cellphone.cellphone_turn_get_for_user(user=request.user, turn_id=pk)
        outcome = request.POST.get("outcome", "")
        if outcome == cellphone.OUTCOME_ACCEPTS:
            return self._accepts(request, turn)
        try:
            turn, _ = cellphone.cellphone_outcome_record(
                turn=turn, by=request.user, outcome=outcome
            )
        except ValidationError as exc:
            return render_call(request, turn, error=" ".join(exc.messages), status=status_for(exc))
        if outcome == cellphone.OUTCOME_REFUSES:
            messages.info(
                request,
                f"El cliente no aceptó la atención por celular: el turno {turn.number} vuelve a "
                f"la sala de espera de {turn.office.name} en su lugar.",
            )
        else:
            messages.warning(
                request,
                f"No se pudo comunicar con el cliente del turno {turn.number}: se avisó a "
                f"{turn.office.name} para que valide con el cliente si lo atienden por celular "
                "o de manera presencial.",
            )
        return redirect("desborde:booth")

    def _accepts(self, request, turn):
        form = TurnCaseForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                _, case = cellphone.cellphone_outcome_record(
                    turn=turn,
                    by=request.user,
                    outcome=cellphone.OUTCOME_ACCEPTS,
                    **form.service_data(),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = status_for(exc)
            else:
                messages.success(
                    request,
                    f"Caso CRM {case.number} registrado desde el turno {turn.number} "
                    f"({case.channel.name}, {case.supported_office.name}). Recuerde al cliente "
                    "que permanezca en la oficina hasta firmar y recibir los documentos.",
                )
                return redirect("core:case_detail", pk=case.pk)
        turn.refresh_from_db()
        if turn.status == TurnStatus.EN_ATENCION and turn.case_id:  # a double tap
            return redirect("core:case_detail", pk=turn.case_id)
        return render_call(request, turn, form=form, status=status)
