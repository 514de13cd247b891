"""The turn desk (CEL-02, CEL-03): the orientador's or encargado's tablet page where turns are
given, the day's turns are followed, and the turns whose remote call could not connect are
decided ("Atender por celular" / "Atender presencial"). The lists refresh by themselves (htmx
polling); the office page (``/oficina/``) polls the same cannot-connect notice."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from core.forms import BootstrapWidgetsMixin, form_add_errors
from core.models import TransactionType, TurnStatus
from core.permissions import OfficeStaffMixin
from core.selectors.turns import (
    WAITING,
    office_turns_for_day,
    office_turns_to_check,
    turn_get_for_user,
    turn_transaction_types,
)
from core.services.turns import (
    DECISIONS,
    turn_create,
    turn_eligible_remote,
    turn_office_decision,
)

#: Seconds between refreshes of the desk's lists and of the cannot-connect notice: the office
#: must learn at once that a call failed (websockets replace the polling in issue 9).
REFRESH_SECONDS = 5
REMOTE_QUESTION = "¿Acepta atención a distancia por celular?"


class TurnForm(BootstrapWidgetsMixin, forms.Form):
    """Parses the desk's input; the rules (eligibility, mobile) are the service's."""

    transaction_type = forms.ModelChoiceField(
        label="Transacción",
        queryset=TransactionType.objects.filter(active=True).order_by("name"),
        empty_label="— Seleccione la transacción —",
        error_messages={
            "required": "Seleccione la transacción.",
            "invalid_choice": "Seleccione una transacción del catálogo.",
        },
    )
    accepts_remote = forms.BooleanField(label=REMOTE_QUESTION, required=False)
    mobile = forms.CharField(
        label="Celular del cliente",
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "311 222 3344"}
        ),
    )


def _desk_context(request, *, form=None, office=None) -> dict:
    office = office or request.user.home_office
    context = {
        "office": office,
        "refresh_seconds": REFRESH_SECONDS,
        "remote_question": REMOTE_QUESTION,
    }
    if office is not None:
        turns = list(office_turns_for_day(office=office))
        waiting = iter(range(1, len(turns) + 1))
        context.update(
            form=form or TurnForm(),
            rows=[(t, next(waiting) if t.status in WAITING else None) for t in turns],
            to_check=[
                t for t in turns if t.status == TurnStatus.EN_ESPERA and t.needs_office_check
            ],
            transaction_types=turn_transaction_types(office=office),
            decisions=DECISIONS,
        )
    return context


def _remote_state(form, office) -> dict[str, bool]:
    """The remote question goes with a transaction eligible in this office (CEL-02); for one
    that is not, a line saying so."""
    value = form["transaction_type"].value() if form.is_bound else None
    found = None
    if value and str(value).isdigit():
        found = TransactionType.objects.filter(pk=value, active=True).first()
    eligible = found is not None and turn_eligible_remote(office=office, transaction_type=found)
    return {"show_remote": eligible, "not_eligible": found is not None and not eligible}


class TurnDeskView(OfficeStaffMixin, View):
    """``/oficina/turnos/``: give a turn, follow the day's turns, decide the failed calls."""

    def get(self, request):
        return render(request, "core/turn_desk.html", _desk_context(request))

    def post(self, request):
        office = request.user.home_office
        if office is None:
            return render(request, "core/turn_desk.html", _desk_context(request), status=400)
        form = TurnForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                turn = turn_create(
                    office=office,
                    transaction_type=data["transaction_type"],
                    accepts_remote=data["accepts_remote"],
                    mobile=data["mobile"],
                    by=request.user,
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                remote = " Atención a distancia por celular." if turn.accepts_remote else ""
                messages.success(request, f"Turno {turn.number} entregado.{remote}")
                return redirect("core:turn_desk")
        context = _desk_context(request, form=form, office=office)
        context.update(_remote_state(form, office))
        return render(request, "core/turn_desk.html", context, status=400)


class TurnDeskListView(OfficeStaffMixin, View):
    """The desk's lists (cannot-connect notice and the day's turns), polled."""

    def get(self, request):
        return render(request, "core/partials/_turn_lists.html", _desk_context(request))


class TurnAlertsView(OfficeStaffMixin, View):
    """The cannot-connect notice alone, polled by the office page."""

    def get(self, request):
        office = request.user.home_office
        to_check = list(office_turns_to_check(office=office)) if office else []
        return render(
            request,
            "core/partials/_turn_alerts.html",
            {"to_check": to_check, "decisions": DECISIONS, "next": request.GET.get("next", "")},
        )


class TurnRemoteFieldsView(OfficeStaffMixin, View):
    """The remote question and the mobile, only for a transaction eligible in the office."""

    def get(self, request):
        office = request.user.home_office
        context = {"form": TurnForm(initial=request.GET.dict())}
        if office is not None:
            context.update(_remote_state(TurnForm(request.GET), office))
        return render(request, "core/partials/_turn_remote.html", context)


class TurnDecisionView(OfficeStaffMixin, View):
    """ "Atender por celular" / "Atender presencial" after a call that could not connect."""

    def post(self, request, pk: int):
        turn = turn_get_for_user(user=request.user, turn_id=pk)
        decision = request.POST.get("decision", "")
        target = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        try:
            turn = turn_office_decision(turn=turn, decision=decision, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if decision == "celular":
                messages.success(
                    request, f"Turno {turn.number}: vuelve a la taquilla virtual (celular)."
                )
            else:
                messages.success(
                    request, f"Turno {turn.number}: será atendido de manera presencial."
                )
        return redirect(target or "core:turn_desk")
