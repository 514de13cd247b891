"""PQR-08: the gestor de oficina (and the Profesional Comercial) of the Unidad Canales Regional
hands the exported digital PQR to technologists, one or many at a time."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from core import selectors as core_selectors
from core.business_days import bogota_day_bounds
from core.forms import BootstrapWidgetsMixin, ReassignForm
from core.models import CaseStatus
from core.permissions import RoleRequiredMixin
from core.roles import Role
from core.services.assignment import cases_reassign_bulk
from core.views import due_state
from pqr_digital.models import DigitalChannel
from pqr_digital.scopes import digital_pqr_list_for_user, user_handles_digital_pqr

#: What the "estado" filter offers: the open digital PQR not yet handed out (the default), the
#: ones already with a technologist, or every open one.
ASSIGNMENT_FILTERS = [
    ("sin_asignar", "Sin asignar"),
    ("asignadas", "Asignadas, sin cerrar"),
    ("abiertas", "Todas las abiertas"),
]


class OfficePqrFilterForm(BootstrapWidgetsMixin, forms.Form):
    asignacion = forms.ChoiceField(
        label="Asignación", choices=ASSIGNMENT_FILTERS, required=False, initial="sin_asignar"
    )
    canal = forms.ChoiceField(
        label="Canal", choices=[("", "Todos los canales"), *DigitalChannel.choices], required=False
    )
    desde = forms.DateField(
        label="Radicadas desde",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Ingrese una fecha válida."},
    )
    hasta = forms.DateField(
        label="Radicadas hasta",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Ingrese una fecha válida."},
    )
    tecnologo = forms.ModelChoiceField(
        label="Tecnólogo", queryset=None, required=False, empty_label="Cualquier tecnólogo"
    )
    buscar = forms.CharField(label="Número de PQR o contacto", max_length=60, required=False)

    def __init__(self, *args, technologists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tecnologo"].queryset = technologists

    def clean(self):
        data = super().clean()
        if data.get("desde") and data.get("hasta") and data["desde"] > data["hasta"]:
            raise ValidationError("La fecha «desde» no puede ser posterior a la fecha «hasta».")
        return data


class BulkReassignForm(BootstrapWidgetsMixin, ReassignForm):
    """Core's reassignment form (technologist, reason), for several PQR at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].label = "Reasignar a"


def _selected_ids(request) -> list[int]:
    try:
        return sorted({int(value) for value in request.POST.getlist("casos")})
    except ValueError as exc:
        raise Http404("Caso no encontrado.") from exc


class OfficePqrView(RoleRequiredMixin, View):
    """The exported digital PQR of the unit: filter, select, hand to a technologist."""

    allowed_roles = (Role.GESTOR_OFICINA, Role.GESTOR)
    template_name = "pqr_digital/office_pqr.html"

    def get(self, request):
        technologists = core_selectors.technologists_for_reassignment(user=request.user)
        return self.render_page(
            request,
            filters=OfficePqrFilterForm(request.GET or None, technologists=technologists),
            form=BulkReassignForm(technologists=technologists),
        )

    def post(self, request):
        technologists = core_selectors.technologists_for_reassignment(user=request.user)
        form = BulkReassignForm(request.POST, technologists=technologists)
        ids = _selected_ids(request)
        filters = OfficePqrFilterForm(request.GET or None, technologists=technologists)
        if not ids:
            form.add_error(None, "Seleccione al menos una PQR.")
        if not form.is_valid():
            return self.render_page(request, filters=filters, form=form, selected=ids, status=400)
        # Every selected PQR must be one the user sees: another unit's answers 404 (NFR-02).
        cases = list(digital_pqr_list_for_user(user=request.user).filter(pk__in=ids))
        if len(cases) != len(ids):
            raise Http404("Caso no encontrado.")
        to_user = form.cleaned_data["to_user"]
        try:
            with transaction.atomic():
                moved = cases_reassign_bulk(
                    cases=cases,
                    to_user=to_user,
                    by_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_page(request, filters=filters, form=form, selected=ids, status=400)
        name = to_user.get_full_name() or to_user.username
        numbers = ", ".join(case.number for case in moved)
        messages.success(request, f"Se reasignaron {len(moved)} PQR a {name}: {numbers}.")
        query = request.GET.urlencode()
        return redirect(reverse("pqr_digital:office_pqr") + (f"?{query}" if query else ""))

    def render_page(self, request, *, filters, form, selected=(), status=200):
        handles = user_handles_digital_pqr(request.user)
        qs = digital_pqr_list_for_user(user=request.user)
        if filters.is_bound and filters.is_valid():
            qs = _apply_filters(qs, filters.cleaned_data)
        elif not filters.is_bound:
            qs = _apply_filters(qs, {"asignacion": "sin_asignar"})
        else:
            qs = qs.none()
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        today = timezone.localdate()
        rows = [(case, due_state(case.due_date, today)) for case in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            self.template_name,
            {
                "handles": handles,
                "filters": filters,
                "form": form,
                "rows": rows,
                "page": page,
                "selected": set(selected),
                "query": query.urlencode(),
            },
            status=status,
        )


def _apply_filters(qs, data: dict):
    assignment = data.get("asignacion") or "sin_asignar"
    if assignment == "sin_asignar":
        qs = qs.filter(assigned_to__isnull=True, status=CaseStatus.ABIERTO)
    elif assignment == "asignadas":
        qs = qs.filter(assigned_to__isnull=False).exclude(status__in=CaseStatus.closed())
    else:
        qs = qs.exclude(status__in=CaseStatus.closed())
    if data.get("canal"):
        qs = qs.filter(digital_interaction__channel=data["canal"])
    if data.get("desde"):
        qs = qs.filter(filed_at__gte=bogota_day_bounds(data["desde"])[0])
    if data.get("hasta"):
        qs = qs.filter(filed_at__lt=bogota_day_bounds(data["hasta"])[1])
    if data.get("tecnologo"):
        qs = qs.filter(assigned_to=data["tecnologo"])
    if data.get("buscar"):
        term = data["buscar"].strip()
        qs = qs.filter(Q(number__icontains=term) | Q(customer__full_name__icontains=term))
    return qs


urlpatterns = [path("reasignacion/", OfficePqrView.as_view(), name="office_pqr")]
