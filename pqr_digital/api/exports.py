"""REST API of the daily export of digital PQR (PQR-07), under /api/v1/pqr-digital/.

``exports/`` lists the exports; ``exports/{date}.csv`` and ``exports/{date}.xlsx`` stream the
files, building the export when it is missing (a past Bogotá day, or ``AAAA-MM-DD_AAAA-MM-DD``
for a range of up to 31 days). Roles: mesa, gestor de oficina, gestor; of them only the
Unidad Canales Regional's (``user_handles_digital_pqr``) get data: the list is empty and the
files answer 404 for the others, like the page (NFR-02). A date that is not a date is 400, a
path that does not look like one is 404 (it matches no route).
"""

import datetime as dt
import json

from django.http import Http404
from django.urls import re_path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from core.permissions import has_any_role
from pqr_digital import selectors
from pqr_digital.models import DigitalPqrExport
from pqr_digital.scopes import DIGITAL_PQR_ROLES as EXPORT_ROLES
from pqr_digital.scopes import user_handles_digital_pqr
from pqr_digital.services import export as services
from pqr_digital.views.exports import export_file_response

DAY = r"\d{4}-\d{2}-\d{2}"
PERIOD = rf"{DAY}(?:_{DAY})?"


def export_period(export: DigitalPqrExport) -> str:
    if export.date_from == export.date_to:
        return f"{export.date_from:%Y-%m-%d}"
    return f"{export.date_from:%Y-%m-%d}_{export.date_to:%Y-%m-%d}"


class ExportSerializer(serializers.ModelSerializer):
    """An export: its day (or range), how many PQR, when it was built and e-mailed, and the
    API links of its two files."""

    date = serializers.SerializerMethodField(help_text="AAAA-MM-DD de un exporte de un día.")
    csv = serializers.SerializerMethodField(help_text="Descarga del CSV (separador «;»).")
    xlsx = serializers.SerializerMethodField(help_text="Descarga del Excel.")

    class Meta:
        model = DigitalPqrExport
        fields = ["date", "date_from", "date_to", "rows", "built_at", "emailed_at", "csv", "xlsx"]
        read_only_fields = fields

    def get_date(self, obj: DigitalPqrExport) -> str | None:
        return f"{obj.date_from:%Y-%m-%d}" if obj.date_from == obj.date_to else None

    def get_csv(self, obj: DigitalPqrExport) -> str:
        return reverse("pqr-digital-export-csv", args=[export_period(obj)])

    def get_xlsx(self, obj: DigitalPqrExport) -> str:
        return reverse("pqr-digital-export-xlsx", args=[export_period(obj)])


@extend_schema(tags=["pqr-digital"])
class ExportListApi(generics.ListAPIView):
    """PQR-07: the exports of digital PQR, newest first (empty outside the Unidad Canales
    Regional)."""

    serializer_class = ExportSerializer
    permission_classes = [has_any_role(*EXPORT_ROLES)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return DigitalPqrExport.objects.none()
        return selectors.export_list_for_user(user=self.request.user)


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type (Accept: text/csv); an error still reads as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        # An error (a dict) is JSON, and says so: not labelled as the file the client asked for.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode()


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(_FileRenderer):
    media_type = services.XLSX_CONTENT_TYPE
    format = "xlsx"


def _period(raw: str) -> tuple[dt.date, dt.date]:
    first, _, last = raw.partition("_")
    try:
        date_from = dt.date.fromisoformat(first)
        date_to = dt.date.fromisoformat(last) if last else date_from
    except ValueError as exc:
        raise ValidationError({"date": ["Fecha no válida: use el formato AAAA-MM-DD."]}) from exc
    return date_from, date_to


PERIOD_PARAMETER = OpenApiParameter(
    "date",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Día de Bogotá AAAA-MM-DD (ya terminado), o rango AAAA-MM-DD_AAAA-MM-DD de hasta "
    "31 días.",
    pattern=f"^{PERIOD}$",
)
FILE_ERRORS = {
    400: OpenApiResponse(description="Fecha no válida, de hoy o futura, o rango demasiado largo."),
    404: OpenApiResponse(description="Su usuario no es de la Unidad Canales Regional."),
}


class _ExportFileApi(APIView):
    permission_classes = [has_any_role(*EXPORT_ROLES)]
    fmt = "csv"

    def get(self, request, date: str):
        return self.export_file(request, date)

    def export_file(self, request, date: str):
        date_from, date_to = _period(date)
        if not user_handles_digital_pqr(request.user):
            raise Http404("No existe el exporte.")
        export = selectors.export_find_for_user(
            user=request.user, date_from=date_from, date_to=date_to
        )
        if export is None or not (export.csv_file and export.xlsx_file):
            export = services.export_build(date_from=date_from, date_to=date_to, by=request.user)
        return export_file_response(export, self.fmt)


@extend_schema(tags=["pqr-digital"])
class ExportCsvApi(_ExportFileApi):
    """PQR-07: the CSV of a day (built now if it was not): UTF-8 with BOM, «;», documents,
    contracts and phones as ="…" so Excel keeps their leading zeros."""

    renderer_classes = [JSONRenderer, CsvRenderer]
    fmt = "csv"

    @extend_schema(
        operation_id="v1_pqr_digital_exports_csv",
        parameters=[PERIOD_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, **FILE_ERRORS},
    )
    def get(self, request, date: str):
        return self.export_file(request, date)


@extend_schema(tags=["pqr-digital"])
class ExportXlsxApi(_ExportFileApi):
    """PQR-07: the Excel workbook of a day (built now if it was not)."""

    renderer_classes = [JSONRenderer, XlsxRenderer]
    fmt = "xlsx"

    @extend_schema(
        operation_id="v1_pqr_digital_exports_xlsx",
        parameters=[PERIOD_PARAMETER],
        responses={(200, services.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, **FILE_ERRORS},
    )
    def get(self, request, date: str):
        return self.export_file(request, date)


urlpatterns = [
    re_path(r"^exports/$", ExportListApi.as_view(), name="pqr-digital-export-list"),
    re_path(
        rf"^exports/(?P<date>{PERIOD})\.csv$", ExportCsvApi.as_view(), name="pqr-digital-export-csv"
    ),
    re_path(
        rf"^exports/(?P<date>{PERIOD})\.xlsx$",
        ExportXlsxApi.as_view(),
        name="pqr-digital-export-xlsx",
    ),
]
