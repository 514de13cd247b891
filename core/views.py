from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core import selectors
from core.business_days import business_days_between
from core.forms import EvidenceUploadForm
from core.models import CaseStatus
from core.permissions import RoleRequiredMixin
from core.roles import (
    EVIDENCE_ROLES,
    STAFF_ROLES,
    Role,
    can_see_personal_data,
    start_page_for,
    user_has_role,
)
from core.services.evidence import evidence_attach

NEAR_DUE_BUSINESS_DAYS = 3


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """After login each role lands on its own start page."""
    return redirect(start_page_for(request.user))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "core/account.html")


def due_state(due_date, today) -> str:
    """'vencida', 'proxima' (within NEAR_DUE_BUSINESS_DAYS) or '' — LEG-02's mark."""
    if due_date is None:
        return ""
    if due_date < today:
        return "vencida"
    if business_days_between(today, due_date) <= NEAR_DUE_BUSINESS_DAYS:
        return "proxima"
    return ""


class CaseListView(RoleRequiredMixin, View):
    allowed_roles = STAFF_ROLES

    def get(self, request):
        qs = selectors.case_list_for_user(user=request.user)
        status = request.GET.get("estado", "")
        if status:
            qs = qs.filter(status=status)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        today = timezone.localdate()
        rows = [(case, due_state(case.due_date, today)) for case in page.object_list]
        title = "Mis casos" if user_has_role(request.user, Role.TECNOLOGO) else "Casos"
        return render(
            request,
            "core/case_list.html",
            {
                "page": page,
                "rows": rows,
                "title": title,
                "status": status,
                "status_choices": CaseStatus.choices,
            },
        )


class CaseDetailView(RoleRequiredMixin, View):
    allowed_roles = STAFF_ROLES

    def get(self, request, pk: int, form: EvidenceUploadForm | None = None, status: int = 200):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        can_upload = request.user.is_superuser or user_has_role(request.user, *EVIDENCE_ROLES)
        context = {
            "case": case,
            "history": selectors.case_history(case=case),
            "evidence": selectors.evidence_for_case(case=case),
            "due_state": due_state(case.due_date, timezone.localdate()),
            "personal_data": can_see_personal_data(request.user),
            "form": form or (EvidenceUploadForm() if can_upload else None),
        }
        return render(request, "core/case_detail.html", context, status=status)


class EvidenceUploadView(RoleRequiredMixin, View):
    allowed_roles = EVIDENCE_ROLES

    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        form = EvidenceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evidence_attach(
                    case=case,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    uploaded_by=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, "Evidencia cargada en el expediente.")
                return redirect("core:case_detail", pk=case.pk)
        return CaseDetailView().get(request, pk=pk, form=form, status=400)


class EvidenceDownloadView(RoleRequiredMixin, View):
    allowed_roles = STAFF_ROLES

    def get(self, request, pk: int):
        evidence = selectors.evidence_get_for_user(user=request.user, evidence_id=pk)
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )


class OfficeHomeView(RoleRequiredMixin, View):
    allowed_roles = (Role.ORIENTADOR, Role.ENCARGADO)

    def get(self, request):
        office = request.user.home_office
        cases = selectors.case_list_for_user(user=request.user).filter(
            filed_at__date=timezone.localdate()
        )
        kiosks = office.kiosks.all() if office else []
        printers = office.printers.all() if office else []
        return render(
            request,
            "core/office_home.html",
            {"office": office, "cases": cases, "kiosks": kiosks, "printers": printers},
        )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: database must answer; an unreachable broker is reported."""
    from django.conf import settings

    body = {"status": "ok", "database": "ok", "broker": "no configurado"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001
        body.update(status="error", database=f"error: {exc.__class__.__name__}")
        status = 503
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            ).ping()
            body["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            body["broker"] = f"inalcanzable: {exc.__class__.__name__}"
    return JsonResponse(body, status=status)
