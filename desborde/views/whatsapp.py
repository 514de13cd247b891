"""The WhatsApp loop on both sides (WA-03, WA-04): the orientador records the customer's answer
to a proposed outcome; on the case panel the assigned technologist sends the proposal and the
documents to print at the intake's office."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from core import selectors as core_selectors
from core.permissions import TechnologistMixin
from core.services import printing
from core.views import form_add_errors, render_case_page
from core.views_common import status_for
from desborde import selectors, services
from desborde.forms import PrintSendForm, ProposalForm, ProposalResponseForm
from desborde.models import OutcomeProposal
from desborde.views.common import OrientadorMixin


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
                status = status_for(exc)
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


# --- The technologist's side, on the case page -------------------------------------------------


class CaseProposeView(TechnologistMixin, View):
    """WA-03: the assigned technologist sends the proposed outcome to the orientador."""

    def post(self, request, pk: int):
        case = core_selectors.case_get_for_user(user=request.user, case_id=pk)
        form = ProposalForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.outcome_propose(case=case, by=request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = status_for(exc)
            else:
                messages.success(
                    request,
                    "Propuesta de cierre enviada al orientador; espere la respuesta del cliente.",
                )
                return redirect("core:case_detail", pk=case.pk)
        return render_case_page(request, case, proposal_form=form, status=status)


class CasePrintView(TechnologistMixin, View):
    """WA-04: the assigned technologist sends a final document to the printer of the office the
    case is supported in (the intake's office)."""

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
                status = status_for(exc)
            else:
                messages.success(
                    request, f"«{job.title}» enviado a la cola de impresión de {job.office.name}."
                )
                return redirect("core:case_detail", pk=case.pk)
        # The messages go next to the fields of the form, which keeps what was typed.
        return render_case_page(request, case, print_form=form, status=status)
