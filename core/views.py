from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseGone, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from core import modalities, selectors
from core.business_days import business_days_between
from core.forms import (
    AttemptForm,
    CloseForm,
    EvidenceUploadForm,
    NotificationAuthorisationForm,
    ReassignForm,
    form_add_errors,
)
from core.models import CaseStatus, ContactAttempt, Notification, NotificationMedium
from core.permissions import RoleRequiredMixin
from core.roles import (
    EVIDENCE_ROLES,
    REASSIGN_ROLES,
    STAFF_ROLES,
    Role,
    can_see_personal_data,
    start_page_for,
    user_has_role,
)
from core.selectors.agenda import technologist_day_appointments
from core.selectors.turns import office_turns_to_check
from core.services import calls, closing, retention
from core.services import constancia as constancia_services
from core.services.assignment import case_reassign
from core.services.deadlines import NEAR_DUE_BUSINESS_DAYS
from core.services.turns import DECISIONS
from core.views_common import status_for

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


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
        return render(
            request,
            "core/case_list.html",
            {
                "page": page,
                "rows": rows,
                "title": "Casos",
                "status": status,
                "status_choices": CaseStatus.choices,
            },
        )


class WorkbenchView(RoleRequiredMixin, View):
    """CORE-10 "Mis casos": open assigned cases, oldest first; the table refreshes by itself
    when the user's cases are assigned, reassigned or closed (live ``cases.changed``)."""

    allowed_roles = (Role.TECNOLOGO,)
    template_name = "core/workbench.html"

    def get(self, request):
        today = timezone.localdate()
        rows = [
            (case, due_state(case.due_date, today))
            for case in selectors.workbench_cases_for_user(user=request.user)
        ]
        return render(request, self.template_name, self.context(request, rows=rows, today=today))

    def context(self, request, *, rows, today) -> dict:
        """The table's rows; the full page also gets today's appointments (issue 13: "Citas de
        hoy", with the reminder AGENDA_REMINDER_MINUTES before each start)."""
        return {
            "rows": rows,
            "appointments": technologist_day_appointments(technologist=request.user, day=today),
            "reminder_minutes": settings.AGENDA_REMINDER_MINUTES,
            "now": timezone.now(),
        }


class WorkbenchTableView(WorkbenchView):
    template_name = "core/partials/_workbench_table.html"

    def context(self, request, *, rows, today) -> dict:
        return {"rows": rows}


def render_case_page(request, case, *, status=200, **forms):
    """The case page: customer, CRM fields, due date, protocol, evidence, history."""
    is_assignee = case.assigned_to_id == request.user.pk
    attempts = selectors.case_attempts(case=case)
    protocol = calls.case_protocol(case, attempts)
    script = protocol["voicemail_script"] if is_assignee else ""
    can_upload = request.user.is_superuser or user_has_role(request.user, *EVIDENCE_ROLES)
    can_reassign = not case.is_closed and (
        request.user.is_superuser or user_has_role(request.user, *REASSIGN_ROLES)
    )
    initial_close = {
        "turn_number": case.turn_number,
        "attention_medium": case.attention_medium,
        "channel": case.channel_id,
        "office": case.office_id or request.user.home_office_id,
        "supported_office": case.supported_office_id,
        "initial_cause": case.initial_cause_id,
        "motive": case.motive,
        # An authorisation recorded before closing (COP-03) is what the close form shows: a
        # blank form would erase it, and the constancia sent for it.
        "notification_medium": case.notification_medium,
        "notification_email": case.notification_email,
        "notification_email_consent": case.notification_email_consent,
        "notification_mobile": case.notification_mobile,
        "notification_address": case.notification_address,
    }
    context = {
        "case": case,
        "history": selectors.case_history(case=case),
        "evidence": selectors.evidence_for_case(case=case),
        "attempts": attempts,
        "protocol": protocol,
        "is_assignee": is_assignee,
        "script": script,
        "number_to_dial": case.contact_phone or case.customer.mobile or case.customer.phone,
        "outcomes": ContactAttempt.Outcome.choices,
        "due_state": due_state(case.due_date, timezone.localdate()),
        "personal_data": can_see_personal_data(request.user),
        "form": forms.get("form") or (EvidenceUploadForm() if can_upload else None),
        "attempt_form": forms.get("attempt_form"),
        "close_form": forms.get("close_form") or CloseForm(initial=initial_close),
        "panels": [
            panel
            for provider in modalities.case_panels(case.modality)
            if (panel := provider(request, case, forms))
        ],
        "reassign_form": forms.get("reassign_form")
        or (
            ReassignForm(technologists=selectors.technologists_for_reassignment(user=request.user))
            if can_reassign
            else None
        ),
    }
    return render(request, "core/case_detail.html", context, status=status)


class CaseDetailView(RoleRequiredMixin, View):
    allowed_roles = STAFF_ROLES

    def get(self, request, pk: int):
        return render_case_page(request, selectors.case_get_for_user(user=request.user, case_id=pk))


class EvidenceUploadView(RoleRequiredMixin, View):
    allowed_roles = EVIDENCE_ROLES

    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        form = EvidenceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evidence = closing.case_evidence_add(
                    case=case,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    by=request.user,
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                if closing.closed_by_voicemail(evidence):
                    messages.success(
                        request, "Mensaje de voz publicado; caso cerrado sin contacto."
                    )
                else:
                    messages.success(request, "Evidencia cargada en el expediente.")
                return redirect("core:case_detail", pk=case.pk)
        return render_case_page(request, case, form=form, status=400)


class AttemptView(RoleRequiredMixin, View):
    """CORE-07: one button per call outcome."""

    allowed_roles = (Role.TECNOLOGO,)

    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        form = AttemptForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                attempt = calls.attempt_log(case=case, by=request.user, **form.cleaned_data)
            except calls.ProtocolConflict as exc:
                form_add_errors(form, exc)
                status = 409
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.info(
                    request,
                    f"Intento {attempt.sequence} registrado: {attempt.get_outcome_display()}.",
                )
                return redirect("core:case_detail", pk=case.pk)
        return render_case_page(request, case, attempt_form=form, status=status)


class CloseView(RoleRequiredMixin, View):
    allowed_roles = (Role.TECNOLOGO,)

    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                closing.case_close(
                    case=case,
                    by=request.user,
                    outcome=form.cleaned_data["outcome"],
                    **form.crm_data(),
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, "Caso registrado y cerrado.")
                return redirect("core:workbench")
        return render_case_page(request, case, close_form=form, status=400)


class ReassignView(RoleRequiredMixin, View):
    allowed_roles = REASSIGN_ROLES

    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        form = ReassignForm(
            request.POST,
            technologists=selectors.technologists_for_reassignment(user=request.user),
        )
        if form.is_valid():
            try:
                case_reassign(
                    case=case,
                    to_user=form.cleaned_data["to_user"],
                    by_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
            else:
                messages.success(request, f"Caso reasignado a {form.cleaned_data['to_user']}.")
                return redirect("core:case_detail", pk=case.pk)
        return render_case_page(request, case, reassign_form=form, status=400)


class EvidenceDownloadView(RoleRequiredMixin, View):
    allowed_roles = STAFF_ROLES

    def get(self, request, pk: int):
        evidence = selectors.evidence_get_for_user(user=request.user, evidence_id=pk)
        # PQR-06: a recording past its term is not served (flagged) or no longer exists (purged).
        notice = retention.evidence_retention_notice(evidence=evidence)
        if notice:
            return HttpResponseGone(notice, content_type="text/plain; charset=utf-8")
        # ?ver=1 opens a PDF or an image in the browser (to print it); anything else downloads.
        inline = request.GET.get("ver") == "1" and evidence.content_type in INLINE_TYPES
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=not inline,
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
        to_check = list(office_turns_to_check(office=office)) if office else []
        return render(
            request,
            "core/office_home.html",
            {
                "office": office,
                "cases": cases,
                "kiosks": kiosks,
                "printers": printers,
                # CEL-03: calls that could not connect, live (core.views_turns)
                "to_check": to_check,
                "decisions": DECISIONS,
                "next": request.path,
            },
        )


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: database must answer; an unreachable broker is reported."""
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


# --- Notification authorisation and constancia (CORE-13, COP-03, CI-05) ----------------------

CONSTANCIA_PANEL = "core/partials/_constancia_panel.html"


def constancia_panel(request, case, forms) -> dict:
    """The context of ``core/partials/_constancia_panel.html`` for a modality's case panel: the
    authorisation form (the assigned technologist of an open case only), the constancias sent
    (one query, with their PDF and e-mail) and the errors of a refused constancia."""
    can_act = (
        case.assigned_to_id == request.user.pk
        and not case.is_closed
        and user_has_role(request.user, Role.TECNOLOGO)
    )
    constancias = list(case.constancias.select_related("evidence", "notification"))
    labels = dict(NotificationMedium.choices)
    return {
        "case": case,
        "can_act": can_act,
        "form": forms.get("authorisation_form")
        or (NotificationAuthorisationForm.for_case(case) if can_act else None),
        "rows": [(item, labels.get(item.medium, item.medium)) for item in constancias],
        "pending": any(
            item.notification.status == Notification.Status.PENDING for item in constancias
        ),
        "errors": forms.get("constancia_errors") or [],
    }


class NotificationAuthoriseView(RoleRequiredMixin, View):
    """CORE-13: the assigned technologist records the medium the customer authorised."""

    allowed_roles = (Role.TECNOLOGO,)

    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        form = NotificationAuthorisationForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                case = constancia_services.case_notification_authorise(
                    case=case, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form_add_errors(form, exc)
                status = status_for(exc)
            else:
                messages.success(
                    request,
                    "Autorización de notificación registrada: "
                    f"{case.get_notification_medium_display()}.",
                )
                return redirect("core:case_detail", pk=case.pk)
        return render_case_page(request, case, authorisation_form=form, status=status)


class ConstanciaView(RoleRequiredMixin, View):
    """COP-03: "Generar y enviar constancia" (POST); GET answers the panel's list of constancias
    (htmx, while one waits for the mail server)."""

    allowed_roles = (Role.TECNOLOGO,)

    def get(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        return render(
            request,
            CONSTANCIA_PANEL,
            {"constancia": constancia_panel(request, case, {}), "list_only": True, "case": case},
        )

    def post(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        try:
            sent = constancia_services.constancia_send(case=case, by=request.user)
        except ValidationError as exc:
            return render_case_page(
                request, case, constancia_errors=exc.messages, status=status_for(exc)
            )
        except constancia_services.ConstanciaPdfUnavailable as exc:
            return render_case_page(request, case, constancia_errors=[str(exc)], status=503)
        messages.success(
            request,
            "Constancia generada: el correo con el PDF sale hacia "
            f"{sent.notification.recipient} desde el buzón de la modalidad.",
        )
        return redirect("core:case_detail", pk=case.pk)
