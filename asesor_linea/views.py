"""The technologist's "Asesor en línea" page (2.4, AL-01..AL-04).

- ``/asesor-linea/``: today's start-of-shift check (audio, video, printer: AL-02) while it is
  missing; per office the technologist supports today by asesor en línea (AL-01), the waiting
  turns whose customer accepted virtual attention (AL-03), oldest first with transaction and
  waiting time, how many still wait for the office's question, and the office's kiosks
  ("Conectado" / "Desconectado", busy). The list refreshes on the live socket's
  ``turns.changed`` / ``kiosks.changed`` and polls while the socket is down.
- "Anunciar": the turn and a free, connected kiosk → the turn is called to the kiosk and the
  video call rings (``asesor_linea.services.al_turn_announce``) → the attention page.
- ``/asesor-linea/turnos/<id>/``: the turn's caller only (404 for anyone else): the video call,
  the CRM case form (AL-04), the documents to the kiosk's printer and the signed scans, and
  "Terminar" with the outcome.

Views validate with a form and call the services; every turn goes through a scoped selector.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from asesor_linea import selectors, services
from asesor_linea.forms import AnnounceForm, FinishForm, PrintForm, ScanForm
from core.forms import ShiftCheckForm, TurnCaseForm, form_add_errors
from core.models import EvidenceKind, Printer, TurnStatus
from core.permissions import TechnologistMixin
from core.selectors.roster import shift_check_done
from core.services.roster import shift_check_record
from core.services.turns.documents import kiosk_turn_printer
from core.views_common import is_htmx, render_closed, status_for, video_partial
from core.views_kiosk_turn import KioskTurnPrintView, KioskTurnScanView


def _offices(request, *, printers: bool = False) -> list:
    offices = selectors.al_offices_for(technologist=request.user)
    if printers:
        active = Printer.objects.filter(active=True).order_by("name", "id")
        offices = offices.prefetch_related(
            Prefetch("printers", queryset=active, to_attr="active_printers")
        )
    return list(offices)


def _closed(request):
    return render_closed(
        request, services.NOT_ROSTERED, title="Asesor en línea", element_id="al-closed"
    )


def _groups(request, offices) -> list[dict]:
    """Per supported office: its accepted waiting turns, its kiosks, the turns not asked yet.
    Three queries whatever the number of offices, turns and kiosks."""
    user = request.user
    by_office = {o.pk: {"office": o, "turns": [], "kiosks": [], "free": []} for o in offices}
    for turn in selectors.al_waiting_turns(technologist=user):
        if turn.office_id in by_office:
            by_office[turn.office_id]["turns"].append(turn)
    for kiosk in selectors.al_kiosks_for(technologist=user):
        if kiosk.office_id in by_office:
            group = by_office[kiosk.office_id]
            group["kiosks"].append(kiosk)
            if kiosk.online and not kiosk.busy_turn and not kiosk.in_call:
                group["free"].append(kiosk)
    unasked = selectors.al_unasked_counts(technologist=user)
    groups = []
    for office in offices:
        group = by_office[office.pk]
        group["unasked"] = unasked.get(office.pk, 0)
        groups.append(group)
    return groups


def _list_context(request, offices) -> dict:
    return {
        "groups": _groups(request, offices),
        "check_done": shift_check_done(technologist=request.user, video=True),
        "active": selectors.al_active_turn_for(technologist=request.user),
        "fallback": settings.LIVE_FALLBACK_POLL_SECONDS,
        "now": timezone.now(),
    }


def render_home(request, offices, *, form=None, error: str = "", status: int = 200):
    context = _list_context(request, offices)
    if not context["check_done"]:
        form = form or ShiftCheckForm(video=True)
        offices = _offices(request, printers=True)
    context.update(offices=offices, form=form, error=error)
    return render(request, "asesor_linea/home.html", context, status=status)


@method_decorator(never_cache, name="dispatch")
class HomeView(TechnologistMixin, View):
    """AL-01..AL-03: the start-of-shift check while missing, the offices, turns and kiosks."""

    def get(self, request):
        offices = _offices(request)
        if not offices:
            return _closed(request)
        return render_home(request, offices)


class ShiftCheckView(TechnologistMixin, View):
    """AL-02 (2.4 step 2): audio, video and printer, stored per technologist and day."""

    def post(self, request):
        offices = _offices(request)
        if not offices:
            return _closed(request)
        form = ShiftCheckForm(request.POST, video=True)
        if form.is_valid():
            try:
                shift_check_record(
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
                    "Verificación de inicio de turno registrada: ya puede anunciar turnos.",
                )
                return redirect("asesor_linea:home")
        return render_home(request, offices, form=form, status=400)


@method_decorator(never_cache, name="dispatch")
class TurnsView(TechnologistMixin, View):
    """The self-refreshing part of the page (htmx: live events, polling while offline)."""

    def get(self, request):
        offices = _offices(request)
        if not offices:
            return _closed(request)
        context = _list_context(request, offices)
        return render(request, "asesor_linea/partials/_offices.html", context)


@method_decorator(never_cache, name="dispatch")
class AnnounceView(TechnologistMixin, View):
    """ "Anunciar" (AL-03): the turn to the chosen kiosk, the video call rings."""

    def post(self, request, pk: int):
        offices = _offices(request)
        if not offices:
            return _closed(request)
        turn = selectors.al_turn_for_announce(user=request.user, turn_id=pk)
        form = AnnounceForm(request.POST)
        if not form.is_valid():
            error = " ".join(e for errors in form.errors.values() for e in errors)
            return render_home(request, offices, error=error, status=400)
        kiosk = form.cleaned_data["kiosk"]
        try:
            services.al_turn_announce(turn=turn, by=request.user, kiosk=kiosk)
        except ValidationError as exc:
            turn.refresh_from_db()
            if turn.called_by_id == request.user.pk and turn.status in TurnStatus.active():
                return redirect("asesor_linea:attention", pk=turn.pk)  # a double tap
            return render_home(
                request, offices, error=" ".join(exc.messages), status=status_for(exc)
            )
        messages.success(
            request,
            f"Turno {turn.number} anunciado en {kiosk.label} de {turn.office.name}: espere a que "
            "el cliente se ubique en el módulo.",
        )
        return redirect("asesor_linea:attention", pk=turn.pk)


# --- the attention of one turn ------------------------------------------------------------------


def _after_change(request, turn):
    """After a successful write: the new working column (htmx: only the working column is
    replaced, so the video call on the page stays up; a reload would hang up and call the kiosk
    again), else back to the page."""
    if is_htmx(request):
        turn = selectors.al_turn_get_for_user(user=request.user, turn_id=turn.pk)
        return render_attention(request, turn)
    return redirect("asesor_linea:attention", pk=turn.pk)


def render_attention(request, turn, *, status: int = 200, error: str = "", **forms):
    case = turn.case
    if forms.get("case_form") is None and turn.status == TurnStatus.LLAMADO:
        forms["case_form"] = TurnCaseForm(
            initial={
                "kind": turn.transaction_type.kind,
                "transaction_type": turn.transaction_type_id,
            }
        )
    context = {
        "turn": turn,
        "case": case,
        "session": selectors.al_video_session_for(turn=turn, technologist=request.user),
        "video_partial": video_partial(),
        "error": error,
        "outcomes": services.OUTCOME_CHOICES,
        "print_form": forms.get("print_form") or PrintForm(),
        "scan_form": forms.get("scan_form") or ScanForm(),
        "case_form": forms.get("case_form"),
        "print_jobs": list(case.print_jobs.select_related("printer")) if case else [],
        "scans": list(case.evidence.filter(kind=EvidenceKind.SIGNED_SCAN).order_by("id"))
        if case
        else [],
        "printer": kiosk_turn_printer(turn),
        "partial": is_htmx(request),
    }
    template = (
        "asesor_linea/partials/_work.html" if context["partial"] else "asesor_linea/attention.html"
    )
    return render(request, template, context, status=status)


@method_decorator(never_cache, name="dispatch")
class AttentionView(TechnologistMixin, View):
    def get(self, request, pk: int):
        turn = selectors.al_turn_get_for_user(user=request.user, turn_id=pk)
        return render_attention(request, turn)


class CaseView(TechnologistMixin, View):
    """AL-04: the customer's CRM case from the turn (canal "asesor en línea")."""

    def post(self, request, pk: int):
        turn = selectors.al_turn_get_for_user(user=request.user, turn_id=pk)
        form = TurnCaseForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                case = services.al_case_open(turn=turn, by=request.user, **form.service_data())
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = status_for(exc)
            else:
                messages.success(
                    request,
                    f"Caso CRM {case.number} registrado desde el turno {turn.number} "
                    f"({case.channel.name}, {case.supported_office.name}). Envíe los documentos "
                    "a la impresora del módulo y recuerde al cliente que permanezca en la oficina "
                    "hasta firmarlos.",
                )
                return _after_change(request, turn)
        turn = selectors.al_turn_get_for_user(user=request.user, turn_id=pk)
        if turn.status != TurnStatus.LLAMADO:  # a double tap: the case is there
            return _after_change(request, turn)
        return render_attention(request, turn, case_form=form, status=status)


class FinishView(TechnologistMixin, View):
    """ "Terminar": atendido, no se presentó, devolver a la sala."""

    def post(self, request, pk: int):
        turn = selectors.al_turn_get_for_user(user=request.user, turn_id=pk)
        form = FinishForm(request.POST)
        if not form.is_valid():
            error = " ".join(e for errors in form.errors.values() for e in errors)
            return render_attention(request, turn, error=error, status=400)
        outcome = form.cleaned_data["outcome"]
        try:
            services.al_turn_finish(turn=turn, by=request.user, outcome=outcome)
        except ValidationError as exc:
            return render_attention(
                request, turn, error=" ".join(exc.messages), status=status_for(exc)
            )
        messages.success(
            request, f"Turno {turn.number} terminado: {services.KIOSK_OUTCOMES[outcome]}."
        )
        return redirect("asesor_linea:home")


class _AttentionDocumentMixin:
    """The documents of the turn on the attention page: the caller's turn, the message and the
    new working column; a refused document comes back to the page with its form."""

    def get_turn(self, request, pk: int):
        return selectors.al_turn_get_for_user(user=request.user, turn_id=pk)

    def done(self, request, turn, notice: str):
        messages.success(request, notice)
        return _after_change(request, turn)

    def refused(self, request, turn, form, status: int):
        return render_attention(request, turn, status=status, **{self.form_name: form})


class PrintView(_AttentionDocumentMixin, KioskTurnPrintView):
    """2.4 step 3: a document of the case to the kiosk's printer."""

    form_class = PrintForm

    def print_notice(self, job) -> str:
        return (
            f"«{job.title}» enviado a {job.printer.name} ({job.office.name}): avise a la "
            "oficina que los documentos están en la impresora."
        )


class ScanView(_AttentionDocumentMixin, KioskTurnScanView):
    """2.4 step 4: the signed, scanned documents into the case's expediente."""

    form_class = ScanForm
    scan_notice = "Documento firmado escaneado cargado en el expediente del cliente."
