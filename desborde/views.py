"""Pages of the overflow modalities (2.1, 2.2): the orientador's tablet (home, registration, the
day's intakes, the customer's answer to a proposed outcome, the print queue) and the
technologist's side of the loop on the case page.

Views only validate input with a form, call one service or selector and render; every write is in
``desborde.services`` (the print queue's in ``core.services.printing``) and every lookup is scoped
in ``desborde.selectors`` / ``core.selectors``.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from core import selectors as core_selectors
from core.exceptions import ProtocolConflict
from core.models import PrintStep
from core.permissions import RoleRequiredMixin
from core.roles import Role, can_see_personal_data, user_has_role
from core.services import printing
from core.views import form_add_errors, render_case_page
from desborde import selectors, services
from desborde.forms import (
    IntakeForm,
    PrintScanForm,
    PrintSendForm,
    PrintVerifyForm,
    ProposalForm,
    ProposalResponseForm,
    TransactionStepForm,
)
from desborde.models import IntakeMode, OutcomeProposal

NO_OFFICE = "Su usuario no tiene oficina asignada. Pida a su gestor que la configure."


def _status_for(exc: ValidationError) -> int:
    """409 when the request is valid but the state does not allow it, 400 for bad input."""
    return 409 if isinstance(exc, ProtocolConflict) else 400


def _mode(value: str | None) -> str:
    return value if value in IntakeMode.values else IntakeMode.FORMULARIO_WEB


class OrientadorMixin(RoleRequiredMixin):
    allowed_roles = (Role.ORIENTADOR,)


# --- The orientador's tablet -------------------------------------------------------------------


def _pending_context(request) -> dict:
    return {
        "proposals": list(selectors.proposal_list_pending_for_user(user=request.user)),
        "print_count": core_selectors.print_job_queue_for_user(user=request.user).count(),
    }


def _intake_table_context(request) -> dict:
    return {
        "intakes": list(selectors.intake_list_for_user(user=request.user)),
        "personal_data": can_see_personal_data(request.user),
        "show_office": request.user.is_superuser or user_has_role(request.user, Role.ASIGNADOR),
        "refresh_seconds": settings.WORKBENCH_REFRESH_SECONDS,
    }


class HomeView(OrientadorMixin, View):
    """The orientador's start page: new intakes, today's intakes, proposals, print queue."""

    def get(self, request):
        context = {
            "office": request.user.home_office,
            **_pending_context(request),
            **_intake_table_context(request),
        }
        return render(request, "desborde/home.html", context)


class PendingView(OrientadorMixin, View):
    """The home page's self-refreshing block (htmx): proposals waiting, documents to print."""

    def get(self, request):
        return render(request, "desborde/partials/_pending.html", _pending_context(request))


class IntakeListView(RoleRequiredMixin, View):
    """DF-02 / DF-04: today's intakes of the office (orientador) or the unit (asignador)."""

    allowed_roles = (Role.ORIENTADOR, Role.ASIGNADOR)
    template_name = "desborde/intake_list.html"

    def get(self, request):
        context = {"office": request.user.home_office, **_intake_table_context(request)}
        return render(request, self.template_name, context)


class IntakeTableView(IntakeListView):
    template_name = "desborde/partials/_intake_table.html"


class IntakeDetailView(RoleRequiredMixin, View):
    """After registering: the CRM case number and who will attend the customer (DF-02)."""

    allowed_roles = (Role.ORIENTADOR, Role.ASIGNADOR)

    def get(self, request, pk: int):
        intake = selectors.intake_get_for_user(user=request.user, intake_id=pk)
        return render(
            request,
            "desborde/intake_detail.html",
            {
                "intake": intake,
                "case": intake.case,
                "personal_data": can_see_personal_data(request.user),
                "refresh_seconds": settings.WORKBENCH_REFRESH_SECONDS,
            },
        )


class RegisterView(OrientadorMixin, View):
    """DF-01 / WA-01: step 1 asks the transaction; only an eligible one opens step 2.

    Step 2 carries a ``client_token`` generated when it is rendered: a double tap (or a resent
    form) returns the intake already stored instead of a second one.
    """

    template_name = "desborde/register.html"

    def get(self, request):
        mode = _mode(request.GET.get("modo"))
        form = TransactionStepForm(initial={"mode": mode})
        return self._render(request, step=1, form=form, mode=mode)

    def post(self, request):
        if request.user.home_office is None:
            messages.error(request, NO_OFFICE)
            return redirect("desborde:home")
        if request.POST.get("paso") == "2":
            return self._step_two(request)
        form = TransactionStepForm(request.POST)
        mode = _mode(request.POST.get("mode"))
        if form.is_valid():
            transaction_type = form.cleaned_data["transaction_type"]
            try:
                services.transaction_check_eligible(transaction_type=transaction_type)
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                intake_form = IntakeForm(
                    initial={
                        "mode": form.cleaned_data["mode"],
                        "transaction_type": transaction_type.pk,
                        "client_token": uuid.uuid4(),
                    }
                )
                return self._render(
                    request,
                    step=2,
                    form=intake_form,
                    mode=form.cleaned_data["mode"],
                    transaction_type=transaction_type,
                )
        return self._render(request, step=1, form=form, mode=mode, status=400)

    def _step_two(self, request):
        form = IntakeForm(request.POST, request.FILES)
        mode = _mode(request.POST.get("mode"))
        if form.is_valid():
            try:
                intake, created = services.intake_create(
                    orientador=request.user, office=request.user.home_office, **form.service_data()
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                if created:
                    messages.success(request, f"Cliente registrado: caso CRM {intake.case.number}.")
                else:
                    messages.info(
                        request,
                        f"Este registro ya se había guardado: caso CRM {intake.case.number}.",
                    )
                return redirect("desborde:intake_detail", pk=intake.pk)
        transaction_type = (
            selectors.transaction_types_for_intake()
            .filter(pk=_int(form["transaction_type"].value()))
            .first()
        )
        return self._render(
            request,
            step=2,
            form=form,
            mode=mode,
            transaction_type=transaction_type,
            status=400,
        )

    def _render(self, request, *, step, form, mode, transaction_type=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "step": step,
                "form": form,
                "mode": mode,
                "mode_label": IntakeMode(mode).label,
                "is_whatsapp": mode == IntakeMode.WHATSAPP,
                "transaction_type": transaction_type,
                "office": request.user.home_office,
            },
            status=status,
        )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ProposalView(OrientadorMixin, View):
    """WA-03: the orientador records whether the customer agrees with the proposed outcome."""

    def get(self, request, pk: int):
        proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=pk)
        return self._render(request, proposal, ProposalResponseForm())

    def post(self, request, pk: int):
        proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=pk)
        form = ProposalResponseForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                proposal = services.outcome_respond(
                    proposal=proposal,
                    by=request.user,
                    agreed=form.agreed,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = _status_for(exc)
            else:
                messages.success(
                    request,
                    f"Respuesta registrada para el caso {proposal.case.number}: el cliente está "
                    f"{proposal.get_response_display()}.",
                )
                return redirect("desborde:home")
        return self._render(request, proposal, form, status=status)

    def _render(self, request, proposal, form, status=200):
        return render(
            request,
            "desborde/proposal.html",
            {
                "proposal": proposal,
                "case": proposal.case,
                "intake": proposal.case.intake,
                "form": form,
                "pending": proposal.response == OutcomeProposal.Response.PENDING,
            },
            status=status,
        )


class PrintQueueView(OrientadorMixin, View):
    """WA-04: the office's documents to print, verify, scan and hand to the customer."""

    def get(self, request):
        return render_print_queue(request)


def render_print_queue(request, *, errors: dict | None = None, status: int = 200):
    jobs = list(core_selectors.print_job_queue_for_user(user=request.user))
    for job in jobs:
        job.errors = (errors or {}).get(job.pk, [])
    return render(
        request,
        "desborde/print_queue.html",
        {"office": request.user.home_office, "jobs": jobs},
        status=status,
    )


class PrintStepView(OrientadorMixin, View):
    """WA-04: "impreso", "verificado" (with signatures / fingerprints) or "entregado"."""

    def post(self, request, pk: int, step: str):
        if step not in PrintStep.values:
            raise Http404("Paso no válido.")
        job = core_selectors.print_job_get_for_user(user=request.user, job_id=pk)
        form = PrintVerifyForm(request.POST)
        form.is_valid()  # two optional checkboxes: always valid
        try:
            printing.print_job_update(
                job=job,
                by=request.user,
                step=step,
                signatures=form.cleaned_data.get("signatures", False),
                fingerprints=form.cleaned_data.get("fingerprints", False),
            )
        except ValidationError as exc:
            return render_print_queue(
                request, errors={job.pk: exc.messages}, status=_status_for(exc)
            )
        messages.success(request, f"{job.title} (caso {job.case.number}): {PRINT_DONE[step]}.")
        return redirect("desborde:print_queue")


PRINT_DONE = {
    PrintStep.IMPRESO: "marcado como impreso",
    PrintStep.VERIFICADO: "verificado que corresponde al caso",
    PrintStep.ENTREGADO: "entregado al cliente",
}


class PrintScanView(OrientadorMixin, View):
    """WA-04: the signed, scanned document goes to the case's expediente."""

    def post(self, request, pk: int):
        job = core_selectors.print_job_get_for_user(user=request.user, job_id=pk)
        form = PrintScanForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            return render_print_queue(request, errors={job.pk: errors}, status=400)
        try:
            printing.print_job_scan(job=job, by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            return render_print_queue(
                request, errors={job.pk: exc.messages}, status=_status_for(exc)
            )
        messages.success(
            request,
            f"Documento escaneado cargado en el expediente del caso {job.case.number}.",
        )
        return redirect("desborde:print_queue")


# --- The technologist's side, on the case page -------------------------------------------------


class CaseProposeView(RoleRequiredMixin, View):
    """WA-03: the assigned technologist sends the proposed outcome to the orientador."""

    allowed_roles = (Role.TECNOLOGO,)

    def post(self, request, pk: int):
        case = core_selectors.case_get_for_user(user=request.user, case_id=pk)
        form = ProposalForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.outcome_propose(case=case, by=request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = _status_for(exc)
            else:
                messages.success(
                    request,
                    "Propuesta de cierre enviada al orientador; espere la respuesta del cliente.",
                )
                return redirect("core:case_detail", pk=case.pk)
        return render_case_page(request, case, proposal_form=form, status=status)


class CasePrintView(RoleRequiredMixin, View):
    """WA-04: the assigned technologist sends a final document to the printer of the office the
    case is supported in (the intake's office)."""

    allowed_roles = (Role.TECNOLOGO,)

    def post(self, request, pk: int):
        case = core_selectors.case_get_for_user(user=request.user, case_id=pk)
        form = PrintSendForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                job = printing.print_job_send(
                    case=case,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = _status_for(exc)
            else:
                messages.success(
                    request, f"«{job.title}» enviado a la cola de impresión de {job.office.name}."
                )
                return redirect("core:case_detail", pk=case.pk)
        # The messages go next to the fields of the form, which keeps what was typed.
        return render_case_page(request, case, print_form=form, status=status)
