"""The turn desk (CEL-02, CEL-03, AL-03, CORE-01): the orientador's or encargado's tablet page
where turns are given, the day's turns are followed, the turns whose remote call could not
connect are decided ("Atender por celular" / "Atender presencial"), the customers waiting are
asked whether they accept virtual attention at a kiosk (AL-03), and the office's kiosks are
followed and paired (CORE-01, BAL-02).

The lists are live (docs/live.md): they re-fetch when the office's turns or kiosks change
(``turns.changed``, ``kiosks.changed``) and when the socket reconnects, and poll only while it is
down. The office page (``/oficina/``) shows the same cannot-connect notice, live as well."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from core.forms import BootstrapWidgetsMixin, form_add_errors
from core.models import (
    Kiosk,
    RemoteModality,
    RosterEntry,
    TransactionType,
    Turn,
    TurnStatus,
    VirtualConsent,
)
from core.permissions import OfficeStaffMixin
from core.roles import Role, user_has_role
from core.selectors.turns import (
    WAITING,
    office_turns_for_day,
    office_turns_to_check,
    turn_get_for_user,
    turn_transaction_types,
)
from core.services.kiosks import PAIRING_NOT_OFFICE, kiosk_online_q, kiosk_pair
from core.services.turns import (
    DECISIONS,
    turn_create,
    turn_eligible_remote,
    turn_office_decision,
    turn_virtual_consent,
)
from core.views_common import is_htmx

REMOTE_QUESTION = "¿Acepta atención a distancia por celular?"
VIRTUAL_QUESTION = "¿Acepta atención virtual en un módulo?"
#: The modalities that call a waiting turn to one of the office's kiosks (AL-03, BAL-03).
VIRTUAL_MODALITIES = (RemoteModality.ASESOR_EN_LINEA, RemoteModality.BALANCEO)
KIOSK_OFF = (
    "{name} está desconectado: enciéndalo (abra la página del módulo en su navegador) para "
    "recibir apoyo."
)
CONSENT_ACCEPTED = "Turno {number}: acepta la atención virtual; espera el llamado a un módulo."
CONSENT_REFUSED = (
    "Turno {number}: no acepta la atención virtual; sigue en la sala para atención presencial."
)
KIOSK_PAIRED = "{label} vinculado: la página del módulo se conecta sola en unos segundos."


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


class KioskPairForm(BootstrapWidgetsMixin, forms.Form):
    """ "Vincular módulo" (CORE-01): the kiosk of the office and the code its page shows."""

    kiosk = forms.ModelChoiceField(
        label="Módulo",
        queryset=Kiosk.objects.none(),
        empty_label="— Seleccione el módulo —",
        error_messages={
            "required": "Seleccione el módulo.",
            "invalid_choice": "Seleccione un módulo de su oficina.",
        },
    )
    code = forms.CharField(
        label="Código que muestra el módulo",
        max_length=20,
        error_messages={"required": "Ingrese el código que muestra la pantalla del módulo."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kiosk"].queryset = Kiosk.objects.filter(office=office, active=True).order_by(
            "label"
        )


@dataclass(frozen=True)
class DeskRow:
    """A line of the day's turns: its place in the queue and its virtual attention (AL-03):
    "modulo" (called to a kiosk), "acepta", "rechaza", "preguntar" (ask the customer) or ""."""

    turn: Turn
    position: int | None
    virtual: str = ""
    next_to_ask: bool = False


def _virtual_supported(office) -> bool:
    """AL-03 / BAL-02: the office has asesor en línea or balanceo supporters rostered today;
    otherwise nobody would call a turn to a kiosk and the question is noise."""
    return RosterEntry.objects.filter(
        office=office, day=timezone.localdate(), modality__in=VIRTUAL_MODALITIES
    ).exists()


def _virtual_state(turn: Turn, *, office, asking: bool) -> str:
    if turn.kiosk_id:
        return "modulo"
    if turn.virtual_consent == VirtualConsent.ACEPTA:
        return "acepta"
    if turn.virtual_consent == VirtualConsent.RECHAZA:
        return "rechaza"
    if (
        asking
        and turn.status == TurnStatus.EN_ESPERA
        and not turn.accepts_remote  # attended by cellphone instead (CEL-02)
        and not turn.needs_office_check
        and turn_eligible_remote(office=office, transaction_type=turn.transaction_type)
    ):
        return "preguntar"
    return ""


def _rows(turns: list[Turn], *, office, asking: bool) -> list[DeskRow]:
    rows, position, next_marked = [], 0, False
    for turn in turns:
        place = None
        if turn.status in WAITING:
            position += 1
            place = position
        virtual = _virtual_state(turn, office=office, asking=asking)
        is_next = virtual == "preguntar" and not next_marked
        next_marked = next_marked or is_next
        rows.append(DeskRow(turn=turn, position=place, virtual=virtual, next_to_ask=is_next))
    return rows


def _lists_context(request, office, *, asking: bool | None = None) -> dict:
    if asking is None:
        asking = _virtual_supported(office)
    turns = list(office_turns_for_day(office=office).select_related("kiosk"))
    rows = _rows(turns, office=office, asking=asking)
    return {
        "office": office,
        "rows": rows,
        "virtual_column": asking or any(row.virtual for row in rows),
        "virtual_question": VIRTUAL_QUESTION,
        "to_check": [t for t in turns if t.status == TurnStatus.EN_ESPERA and t.needs_office_check],
        "decisions": DECISIONS,
    }


def _kiosk_name(label: str) -> str:
    """ "El módulo 2" for "Módulo 2", "El módulo Caja rápida" otherwise."""
    prefix = "módulo "
    rest = label[len(prefix) :] if label.lower().startswith(prefix) else label
    return f"El módulo {rest}"


def _kiosks_context(request, office, *, asking: bool | None = None) -> dict:
    """CORE-01 / BAL-02: the office's kiosks, "Conectado" (live connection with a fresh
    heartbeat) or "Desconectado", paired or not; an alert per kiosk off while the office has
    virtual supporters today."""
    if asking is None:
        asking = _virtual_supported(office)
    kiosks = list(
        Kiosk.objects.filter(office=office, active=True)
        .annotate(
            online=Case(
                When(kiosk_online_q(), then=True), default=False, output_field=BooleanField()
            )
        )
        .order_by("label")
    )
    return {
        "office": office,
        "kiosks": kiosks,
        "kiosk_alerts": (
            [KIOSK_OFF.format(name=_kiosk_name(k.label)) for k in kiosks if not k.online]
            if asking
            else []
        ),
        "can_pair": request.user.is_superuser or user_has_role(request.user, Role.ENCARGADO),
    }


def _desk_context(request, *, form=None, office=None, pair_form=None) -> dict:
    office = office or request.user.home_office
    context = {
        "office": office,
        "remote_question": REMOTE_QUESTION,
    }
    if office is not None:
        asking = _virtual_supported(office)
        context.update(
            _lists_context(request, office, asking=asking),
            **_kiosks_context(request, office, asking=asking),
        )
        context.update(
            form=form or TurnForm(),
            pair_form=pair_form or KioskPairForm(office=office),
            transaction_types=turn_transaction_types(office=office),
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
    """The desk's lists (cannot-connect notice and the day's turns), re-fetched when live."""

    def get(self, request):
        office = request.user.home_office
        if office is None:
            return render(request, "core/partials/_turn_lists.html", {})
        return render(request, "core/partials/_turn_lists.html", _lists_context(request, office))


class TurnKiosksView(OfficeStaffMixin, View):
    """The desk's "Módulos asesor en línea" panel, re-fetched on ``kiosks.changed``."""

    def get(self, request):
        office = request.user.home_office
        if office is None:
            raise Http404("Su usuario no tiene oficina asignada.")
        return render(request, "core/partials/_turn_kiosks.html", _kiosks_context(request, office))


class TurnKioskPairView(OfficeStaffMixin, View):
    """ "Vincular módulo" (CORE-01): the encargado types the code the kiosk page shows."""

    def post(self, request):
        office = request.user.home_office
        if office is None:
            raise Http404("Su usuario no tiene oficina asignada.")
        form = KioskPairForm(request.POST, office=office)
        paired = None
        if form.is_valid():
            try:
                paired = kiosk_pair(
                    kiosk=form.cleaned_data["kiosk"],
                    code=form.cleaned_data["code"],
                    by=request.user,
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or PAIRING_NOT_OFFICE)
        success = KIOSK_PAIRED.format(label=paired.label) if paired else ""
        if is_htmx(request):
            context = {
                **_kiosks_context(request, office),
                "pair_form": KioskPairForm(office=office) if paired else form,
                "pair_success": success,
                "refresh_panel": True,
            }
            return render(request, "core/partials/_turn_kiosk_pair.html", context)
        if paired:
            messages.success(request, success)
            return redirect("core:turn_desk")
        return render(
            request,
            "core/turn_desk.html",
            _desk_context(request, office=office, pair_form=form),
            status=400,
        )


class TurnVirtualConsentView(OfficeStaffMixin, View):
    """AL-03: "¿Acepta atención virtual en un módulo?" — Sí / No for a waiting turn."""

    def post(self, request, pk: int):
        turn = turn_get_for_user(user=request.user, turn_id=pk)
        answer = request.POST.get("accepts", "")
        accepts = {"si": True, "no": False}.get(answer, answer)  # anything else: the service's 400
        level = "success"
        try:
            turn = turn_virtual_consent(turn=turn, accepts=accepts, by=request.user)
        except ValidationError as exc:  # ProtocolConflict too: no longer waiting
            level, text = "danger", " ".join(exc.messages)
        else:
            text = (CONSENT_ACCEPTED if accepts else CONSENT_REFUSED).format(number=turn.number)
        if not is_htmx(request):
            (messages.success if level == "success" else messages.error)(request, text)
            return redirect("core:turn_desk")
        office = request.user.home_office
        context = _lists_context(request, office) if office else {}
        context.update(flash=text, flash_level=level)
        return render(request, "core/partials/_turn_consent_result.html", context)


class TurnAlertsView(OfficeStaffMixin, View):
    """The cannot-connect notice alone, for the office pages (re-fetched on ``turns.changed``)."""

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
