"""The orientador's tablet (DF-01, DF-02, DF-04, WA-01): home, the pending block, the two-step
registration, and the day's intakes (list, self-refreshing table, detail)."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from core import selectors as core_selectors
from core.permissions import RoleRequiredMixin
from core.roles import Role, can_see_personal_data, user_has_role
from core.views import form_add_errors
from desborde import selectors, services
from desborde.forms import IntakeForm, TransactionStepForm
from desborde.models import IntakeMode
from desborde.views.common import OrientadorMixin

NO_OFFICE = "Su usuario no tiene oficina asignada. Pida a su gestor que la configure."


def _mode(value: str | None) -> str:
    return value if value in IntakeMode.values else IntakeMode.FORMULARIO_WEB


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
