"""The silencio-administrativo-positivo queue page (LEG-02, issue 16): ``/silencio-positivo/``.

The unit's gestores and asignadores see their unit's pending records, most urgent first, and
record each recognition from its row; the gestor de oficina sees their office's, read only. A
second tab lists the recognised ones (who, when, the act, its evidence)."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core.forms import BootstrapWidgetsMixin, form_add_errors
from core.models import SapCase
from core.permissions import RoleRequiredMixin
from core.selectors.sap import QUEUE_ROLES, sap_queue_for_user
from core.services.sap import (
    ACT_REFERENCE_REQUIRED,
    EVIDENCE_LABEL,
    NOT_IN_QUEUE,
    RECOGNISE_ROLES,
    bogota_moment,
    sap_can_recognise,
    sap_hours_left,
    sap_is_expired,
    sap_is_urgent,
    sap_recognise,
)
from core.views_common import status_for

TABS = {"pendiente": "Pendientes", "reconocido": "Reconocidos"}


class SapRecognitionForm(BootstrapWidgetsMixin, forms.Form):
    act_reference = forms.CharField(
        label="Referencia del acto de reconocimiento",
        max_length=80,
        help_text="Número de la resolución u oficio que reconoce los efectos del silencio.",
        error_messages={
            "required": ACT_REFERENCE_REQUIRED,
            "max_length": "Escriba la referencia del acto en máximo 80 caracteres.",
        },
    )
    notes = forms.CharField(
        label="Observaciones", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(
        label="Evidencia (opcional)",
        required=False,
        help_text=f"El acto escaneado: {EVIDENCE_LABEL}.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, case_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"id_sap{case_id}_%s")
        super().__init__(*args, **kwargs)


@dataclass
class SapRow:
    record: SapCase
    hours_left: int
    expired: bool
    urgent: bool
    began: str
    deadline: str
    recognised: str
    form: SapRecognitionForm | None

    @property
    def hours_ago(self) -> int:
        return -self.hours_left


def render_queue(request, *, state: str = "pendiente", bound=None, status: int = 200):
    """The page; ``bound`` is (case_id, form) of a refused recognition, shown open with its
    errors and the input kept."""
    now = timezone.now()
    can_recognise = sap_can_recognise(request.user)
    rows = []
    for record in sap_queue_for_user(user=request.user, state=state):
        form = None
        if can_recognise and record.recognised_at is None:
            if bound is not None and bound[0] == record.case_id:
                form = bound[1]
            else:
                form = SapRecognitionForm(case_id=record.case_id)
        hours_left = sap_hours_left(record, now)
        rows.append(
            SapRow(
                record=record,
                hours_left=hours_left,
                expired=sap_is_expired(record, now),
                urgent=sap_is_urgent(record, now),
                began=bogota_moment(record.began_at),
                deadline=bogota_moment(record.deadline),
                recognised=bogota_moment(record.recognised_at),
                form=form,
            )
        )
    # A refusal whose row is not on the page (e.g. recognised meanwhile: 409) is said on top.
    shown = bound is not None and any(row.form is bound[1] for row in rows)
    page_errors = list(bound[1].non_field_errors()) if bound is not None and not shown else []
    return render(
        request,
        "core/sap_queue.html",
        {
            "rows": rows,
            "page_errors": page_errors,
            "state": state,
            "tabs": TABS,
            "can_recognise": can_recognise,
            "open_case": bound[0] if bound is not None else None,
            "now_text": bogota_moment(now),
        },
        status=status,
    )


class SapQueueView(RoleRequiredMixin, View):
    allowed_roles = QUEUE_ROLES

    def get(self, request):
        state = request.GET.get("estado", "pendiente")
        if state not in TABS:
            state = "pendiente"
        return render_queue(request, state=state)


class SapRecogniseView(RoleRequiredMixin, View):
    """POST of a row's "Registrar reconocimiento" form."""

    allowed_roles = RECOGNISE_ROLES

    def post(self, request, case_id: int):
        if (
            not sap_queue_for_user(user=request.user, state="todos")
            .filter(case_id=case_id)
            .exists()
        ):
            raise Http404(NOT_IN_QUEUE)
        form = SapRecognitionForm(request.POST, request.FILES, case_id=case_id)
        status = 400
        if form.is_valid():
            try:
                record = sap_recognise(
                    case_id=case_id,
                    by=request.user,
                    act_reference=form.cleaned_data["act_reference"],
                    notes=form.cleaned_data["notes"],
                    evidence_upload=form.cleaned_data["evidence"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = status_for(exc)
            else:
                messages.success(
                    request,
                    f"Reconocimiento del silencio administrativo positivo registrado para el "
                    f"caso {record.case.number} (acto {record.act_reference}); sale de la cola.",
                )
                return redirect("core:sap_queue")
        return render_queue(request, bound=(case_id, form), status=status)
