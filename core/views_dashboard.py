"""The managers' dashboard pages (issue 16 item 2; LEG-02, NFR-01, NFR-02):

- ``/tablero/`` (``core:dashboard``): the period form (from/to; the superuser also picks the
  unit; unit managers may narrow to one office) and every figure as SVG charts with their
  tables beside them (``core.templatetags.charts``);
- ``/tablero/cifras/`` (``core:dashboard_figures``): the figures alone — the page's block
  re-fetches it every ``REFRESH_SECONDS`` with htmx, so the dashboard stays live on a screen
  (both serve the figures computed within the last minute or so:
  ``core.services.dashboard_snapshot``);
- ``/tablero/cifras.csv`` (``core:dashboard_csv``): the same figures in long format (section,
  office/technologist/modality, measure, value), UTF-8 with BOM and ``;`` so Excel with
  Colombian regional settings opens it with its accents and columns (computed at that moment).

Scope and period are the selector's (``core.selectors.dashboard``): bad input → 400 with the
Spanish message, another unit/office or role → 403 with the reason, never figures."""

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View

from core.models import Office, Unit
from core.permissions import RoleRequiredMixin
from core.roles import user_has_role
from core.selectors import dashboard as dashboard_selectors
from core.selectors.dashboard import DASHBOARD_ROLES, DASHBOARD_UNIT_ROLES
from core.services.dashboard_snapshot import dashboard_figures_fresh

REFRESH_SECONDS = 60
#: The SAP queue's page (LEG-02), built beside this one: its URL name when it is mounted.
CSV_HEADER = ["sección", "oficina/tecnólogo/modalidad", "medida", "valor"]
CSV_DELIMITER = ";"
BOM = "\ufeff"
#: A CSV cell starting with one of these is a formula to Excel (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

DUE_SEGMENTS = [
    ("on_time", "a tiempo", "#198754"),
    ("near_due", "próximas a vencer", "#ffc107"),
    ("past_due", "vencidas", "#dc3545"),
    ("in_sap", "en SAP", "#212529"),
]
LOAD_SEGMENTS = [
    ("in_attention", "en atención", "#0d6efd"),
    ("closed_today", "cerrados hoy", "#198754"),
]
ROSTER_SEGMENTS = [
    ("rostered", "programados", "#198754"),
    ("free", "cupos libres", "#dee2e6"),
]


class _DashboardMixin(RoleRequiredMixin):
    allowed_roles = DASHBOARD_ROLES

    def resolve(self, request):
        """(scope, from, to) of the request; raises ValidationError / PermissionDenied."""
        return dashboard_selectors.dashboard_params(user=request.user, params=request.GET)

    def query(self, request, scope, date_from, date_to) -> str:
        """The resolved parameters, for the fragment's and the CSV's links."""
        params = {"from": date_from.isoformat(), "to": date_to.isoformat()}
        if request.user.is_superuser:
            params["unit"] = scope.unit
        if scope.office is not None and not self.office_fixed(request):
            params["office"] = scope.office.pk
        return urlencode(params)

    def office_fixed(self, request) -> bool:
        """The gestor de oficina always sees their office: no office choice."""
        user = request.user
        return not (user.is_superuser or user_has_role(user, *DASHBOARD_UNIT_ROLES))

    def figures_context(self, figures: dict) -> dict:
        due = figures["pqr_due"]
        due_rows = [{"label": "PQR abiertas", **{k: due[k] for k, _l, _c in DUE_SEGMENTS}}]
        supporters = [
            {
                **row,
                "name": f"{row['office']} — {row['label']}",
                "free": max((row["cap"] or 0) - row["rostered"], 0),
                "over": row["cap"] is not None and row["rostered"] > row["cap"],
            }
            for row in figures["supporters"]
        ]
        performance = [
            {
                **row,
                "fcr_percent": round(row["fcr_rate"] * 100, 1)
                if row["fcr_rate"] is not None
                else None,
            }
            for row in figures["performance"]
        ]
        return {
            "figures": figures,
            "due_rows": due_rows,
            "due_segments": DUE_SEGMENTS,
            "load_segments": LOAD_SEGMENTS,
            "roster_segments": ROSTER_SEGMENTS,
            "supporters": supporters,
            "performance": performance,
            "sap_url": reverse("core:sap_queue"),
        }


class DashboardView(_DashboardMixin, View):
    template_name = "core/dashboard.html"

    def get(self, request):
        context = {
            "refresh_seconds": REFRESH_SECONDS,
            "values": {k: request.GET.get(k, "") for k in ("from", "to", "unit", "office")},
            "is_superuser": request.user.is_superuser,
            "units": Unit.choices,
            "office_fixed": self.office_fixed(request),
        }
        try:
            scope, date_from, date_to = self.resolve(request)
        except PermissionDenied as exc:
            context["denied"] = str(exc) or dashboard_selectors.DENIED_ROLE
            return render(request, self.template_name, context, status=403)
        except ValidationError as exc:
            context["errors"] = exc.message_dict
            return render(request, self.template_name, context, status=400)
        figures = dashboard_figures_fresh(
            unit=scope.unit, office=scope.office, date_from=date_from, date_to=date_to
        )
        context.update(self.figures_context(figures))
        context.update(
            {
                "scope": scope,
                "values": {
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                    "unit": scope.unit,
                    "office": scope.office.pk if scope.office else "",
                },
                "offices": []
                if context["office_fixed"]
                else list(Office.objects.filter(unit=scope.unit).order_by("name")),
                "query": self.query(request, scope, date_from, date_to),
            }
        )
        return render(request, self.template_name, context)


class DashboardFiguresView(_DashboardMixin, View):
    """The figures block alone: what the page re-fetches every minute."""

    template_name = "core/partials/dashboard_figures.html"

    def get(self, request):
        try:
            scope, date_from, date_to = self.resolve(request)
        except PermissionDenied as exc:
            return render(
                request,
                "core/partials/dashboard_figures.html",
                {"denied": str(exc) or dashboard_selectors.DENIED_ROLE},
                status=403,
            )
        except ValidationError as exc:
            return render(request, self.template_name, {"errors": exc.message_dict}, status=400)
        figures = dashboard_figures_fresh(
            unit=scope.unit, office=scope.office, date_from=date_from, date_to=date_to
        )
        return render(request, self.template_name, self.figures_context(figures))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class DashboardCsvView(_DashboardMixin, View):
    """The figures in long format, for Excel (UTF-8 with BOM, ``;``, decimal comma)."""

    def get(self, request):
        try:
            scope, date_from, date_to = self.resolve(request)
        except PermissionDenied as exc:
            return HttpResponse(
                str(exc) or dashboard_selectors.DENIED_ROLE,
                status=403,
                content_type="text/plain; charset=utf-8",
            )
        except ValidationError as exc:
            text = " ".join(m for messages in exc.message_dict.values() for m in messages)
            return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
        figures = dashboard_selectors.dashboard_figures(
            unit=scope.unit, office=scope.office, date_from=date_from, date_to=date_to
        )
        out = io.StringIO()
        out.write(BOM)
        writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for row in dashboard_selectors.dashboard_rows(figures):
            writer.writerow([_cell(v) for v in row])
        name = f"tablero-{scope.unit}"
        if scope.office is not None:
            name += f"-oficina-{scope.office.pk}"
        stamp = timezone.localtime(figures["generated_at"]).strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{name}-{date_from:%Y%m%d}-{date_to:%Y%m%d}-{stamp}.csv"'
        )
        return response


#: The pages' routes, for core/urls.py (``core`` namespace).
