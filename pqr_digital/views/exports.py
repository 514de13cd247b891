"""PQR-07: the help desk's page of daily exports of digital PQR (2.7 step 2).

The Unidad Canales Regional's mesa de ayuda lands here; its gestores de oficina and gestores
(who get the export by e-mail) may come too. They list the exports by day, download the CSV or
the Excel file, and build one for any past day or range. A mesa, gestor de oficina or gestor
of another unit gets the page with an explanation and no data; their downloads answer 404
(NFR-02).
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views import View

from core.forms import BootstrapWidgetsMixin
from core.permissions import RoleRequiredMixin
from core.views import form_add_errors
from pqr_digital import selectors
from pqr_digital.scopes import DIGITAL_PQR_ROLES as EXPORT_ROLES
from pqr_digital.scopes import user_handles_digital_pqr
from pqr_digital.services import export as services

#: Who may open the page; of them, only those ``user_handles_digital_pqr`` see data.
PAGE_SIZE = 31
FILE_TYPES = {"csv": services.CSV_CONTENT_TYPE, "xlsx": services.XLSX_CONTENT_TYPE}
NOT_REGIONAL = (
    "Los exportes de PQR digitales son de la Unidad Canales Regional: los consultan su mesa de "
    "ayuda, sus gestores de oficina y sus gestores (procedimiento 2.7, paso 2)."
)


class ExportRangeForm(BootstrapWidgetsMixin, forms.Form):
    date_from = forms.DateField(
        label="Día (o desde)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indique el día a exportar.", "invalid": "Fecha no válida."},
    )
    date_to = forms.DateField(
        label="Hasta (opcional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Fecha no válida."},
    )

    def __init__(self, *args, yesterday: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs["max"] = yesterday.isoformat()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and not data.get("date_to"):
            data["date_to"] = data["date_from"]
        return data


def _not_regional_reason(user) -> str:
    office = getattr(user, "home_office", None)
    if office is None:
        return "Su usuario no tiene oficina asignada; pida a un administrador que la configure."
    return f"Su oficina, {office.name}, pertenece a la {office.get_unit_display()}."


class ExportListView(RoleRequiredMixin, View):
    """The exports by day, newest first, with their downloads and the on-demand form."""

    allowed_roles = EXPORT_ROLES
    template_name = "pqr_digital/export_list.html"

    def get(self, request):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        form = ExportRangeForm(initial={"date_from": yesterday}, yesterday=yesterday)
        return self._render(request, form)

    def post(self, request):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        form = ExportRangeForm(request.POST, yesterday=yesterday)
        if not user_handles_digital_pqr(request.user):
            return self._render(request, form, status=403)
        if form.is_valid():
            try:
                export = services.export_build(
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                    by=request.user,
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                label = services.export_label(export)
                if export.built_now:
                    messages.success(request, f"Exporte del {label} generado: {export.rows} PQR.")
                else:
                    messages.info(
                        request,
                        f"El exporte del {label} ya existía ({export.rows} PQR); descárguelo "
                        "abajo o use «Regenerar» si se radicaron PQR después.",
                    )
                return redirect("pqr_digital:export_list")
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        handles = user_handles_digital_pqr(request.user)
        context = {"form": form, "handles": handles, "max_days": services.EXPORT_MAX_DAYS}
        if handles:
            page = Paginator(selectors.export_list_for_user(user=request.user), PAGE_SIZE)
            context["page"] = page.get_page(request.GET.get("page"))
            context["schedule"] = selectors.export_daily_schedule()
        else:
            context["not_regional"] = NOT_REGIONAL
            context["reason"] = _not_regional_reason(request.user)
        return render(request, self.template_name, context, status=status)


class ExportRebuildView(RoleRequiredMixin, View):
    """Build an export again, when PQR of its days were registered after it was built."""

    allowed_roles = EXPORT_ROLES

    def post(self, request, pk: int):
        export = selectors.export_get_for_user(user=request.user, export_id=pk)
        label = services.export_label(export)
        try:
            export = services.export_build(
                date_from=export.date_from, date_to=export.date_to, by=request.user, rebuild=True
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if export.built_now:
                messages.success(request, f"Exporte del {label} regenerado: {export.rows} PQR.")
            else:
                messages.info(
                    request,
                    f"El exporte del {label} ya estaba al día ({export.rows} PQR): no se "
                    "radicaron PQR de esos días después de generarlo.",
                )
        return redirect("pqr_digital:export_list")


class ExportDownloadView(RoleRequiredMixin, View):
    """The stored file, streamed, named after its days (pqr-digitales-2026-11-29.csv)."""

    allowed_roles = EXPORT_ROLES

    def get(self, request, pk: int, fmt: str):
        export = selectors.export_get_for_user(user=request.user, export_id=pk)
        return export_file_response(export, fmt)


def export_file_response(export, fmt: str) -> FileResponse:
    field = export.csv_file if fmt == "csv" else export.xlsx_file
    if not field or not field.storage.exists(field.name):
        raise Http404("El archivo del exporte no está disponible.")
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=services.export_filename(export, fmt),
        content_type=FILE_TYPES[fmt],
    )


urlpatterns = [
    path("exportes/", ExportListView.as_view(), name="export_list"),
    path("exportes/<int:pk>/regenerar/", ExportRebuildView.as_view(), name="export_rebuild"),
    *[
        path(f"exportes/<int:pk>/{fmt}/", ExportDownloadView.as_view(), {"fmt": fmt}, name=name)
        for fmt, name in (("csv", "export_csv"), ("xlsx", "export_xlsx"))
    ],
]
