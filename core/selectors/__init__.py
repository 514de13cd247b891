"""Read paths: every list and object lookup goes through the role filter here (NFR-02)."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from core.models import (
    Case,
    CaseStatus,
    ContactAttempt,
    Customer,
    Evidence,
    EvidenceKind,
    Office,
    PrintJob,
    TransactionType,
    User,
)
from core.roles import (
    CUSTOMER_ROLES,
    OFFICE_ROLES,
    PRINT_QUEUE_ROLES,
    UNIT_ROLES,
    Role,
    user_roles,
)
from core.services.retention import evidence_with_retention_state


def case_scope_q(user) -> Q | None:
    """The cases a user may see, as a filter; None means all (superuser)."""
    if user.is_superuser:
        return None
    roles = user_roles(user)
    q = Q(pk__in=[])
    if Role.TECNOLOGO in roles:
        q |= Q(assigned_to=user)
    if Role.CREADOR in roles:
        q |= Q(created_by=user)
    office = getattr(user, "home_office", None)
    if office is not None:
        if roles & set(UNIT_ROLES):
            q |= Q(office__unit=office.unit) | Q(supported_office__unit=office.unit)
        if roles & set(OFFICE_ROLES):
            q |= Q(office=office) | Q(supported_office=office)
    from core import modalities

    for scope in modalities.case_scopes():
        extra = scope(user, roles)
        if extra is not None:
            q |= extra
    return q


def case_list_for_user(*, user) -> QuerySet[Case]:
    qs = Case.objects.select_related(
        "customer",
        "channel",
        "transaction_type",
        "initial_cause",
        "office",
        "supported_office",
        "assigned_to",
    ).order_by("filed_at", "id")
    q = case_scope_q(user)
    return qs if q is None else qs.filter(q)


def case_get_for_user(*, user, case_id: int) -> Case:
    """404 for a missing case and for a case the user may not see alike."""
    case = case_list_for_user(user=user).filter(pk=case_id).first()
    if case is None:
        raise Http404("Caso no encontrado.")
    return case


def workbench_cases_for_user(*, user) -> QuerySet[Case]:
    """CORE-10 "Mis casos": the technologist's open assigned cases, oldest first."""
    return (
        Case.objects.filter(
            assigned_to=user, status__in=[CaseStatus.ASIGNADO, CaseStatus.EN_ATENCION]
        )
        .select_related("customer", "channel", "transaction_type", "supported_office")
        .order_by("filed_at", "id")
    )


def case_attempts(*, case: Case) -> list[ContactAttempt]:
    return list(case.attempts.select_related("made_by").order_by("sequence"))


def technologists_for_reassignment(*, user) -> QuerySet:
    """Technologists a manager may hand a case to: of their unit (superuser: all)."""
    qs = User.objects.filter(groups__name=Role.TECNOLOGO, is_active=True).select_related(
        "home_office"
    )
    office = getattr(user, "home_office", None)
    if not user.is_superuser and office is not None:
        qs = qs.filter(home_office__unit=office.unit)
    return qs.order_by("first_name", "last_name", "id").distinct()


def case_history(*, case: Case):
    return case.history.select_related("history_user").order_by("-history_date", "-history_id")


def evidence_for_case(*, case: Case) -> QuerySet[Evidence]:
    # PQR-06: ``retention_state`` says which recordings are past their term (not linked).
    return evidence_with_retention_state(
        case.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")
    )


def evidence_get_for_user(*, user, evidence_id: int) -> Evidence:
    """CORE-08: an evidence file is visible only through a case the user may see, or as a
    document sent to the print queue of the user's office (WA-04, CEL-04)."""
    visible_cases = case_list_for_user(user=user).values("pk")
    visible = Q(case__in=visible_cases)
    printing_office = _print_queue_office_id(user)
    if printing_office is not None:
        visible |= Q(
            pk__in=PrintJob.objects.filter(office_id=printing_office).values("document_id")
        )
    evidence = (
        Evidence.objects.select_related("case", "uploaded_by")
        .filter(visible, pk=evidence_id)
        .first()
    )
    if evidence is None:
        raise Http404("Evidencia no encontrada.")
    return evidence


def customer_list_for_user(*, user) -> QuerySet[Customer]:
    """Customers of the cases the user can see; registering roles may also look one up by
    document (the API requires both document filters for contacts outside their cases)."""
    qs = Customer.objects.order_by("full_name", "id")
    if user.is_superuser:
        return qs
    if not (user_roles(user) & set(CUSTOMER_ROLES)):
        return qs.none()
    visible_cases = case_list_for_user(user=user)
    return qs.filter(pk__in=visible_cases.values("customer_id"))


def customer_lookup_by_document(*, user, document_type: str, document_number: str):
    if not (user.is_superuser or user_roles(user) & {Role.ORIENTADOR, Role.CREADOR}):
        return Customer.objects.none()
    return Customer.objects.filter(document_type=document_type, document_number=document_number)


def customer_get_for_update(*, user, customer_id) -> Customer:
    """A contact the user may update: one of a case assigned to them (superuser: any)."""
    qs = Customer.objects.all()
    if not user.is_superuser:
        qs = qs.filter(cases__assigned_to=user)
    try:
        customer = qs.filter(pk=int(customer_id)).distinct().first()
    except (TypeError, ValueError):
        customer = None
    if customer is None:
        raise Http404("Contacto no encontrado.")
    return customer


def office_list() -> QuerySet[Office]:
    return Office.objects.filter(active=True).prefetch_related("kiosks", "printers")


def transaction_type_list() -> QuerySet[TransactionType]:
    return TransactionType.objects.filter(active=True)


# --- the office print queue (WA-04, CEL-04, AL-04, BAL-04) ----------------------------------


def _print_queue_office_id(user) -> int | None:
    """The office whose print queue the user works (orientador, encargado), if any."""
    if user_roles(user) & set(PRINT_QUEUE_ROLES):
        return getattr(user, "home_office_id", None)
    return None


def print_job_list_for_user(*, user, working: bool = False) -> QuerySet[PrintJob]:
    """The orientador and the encargado see (and work) their office's print queue; the
    technologist follows the documents of the cases assigned to them (not ``working``)."""
    qs = PrintJob.objects.select_related(
        "office", "printer", "case", "case__customer", "document", "sent_by"
    )
    if user.is_superuser:
        return qs
    q = Q(pk__in=[])
    office_id = _print_queue_office_id(user)
    if office_id is not None:
        q |= Q(office_id=office_id)
    if Role.TECNOLOGO in user_roles(user) and not working:
        q |= Q(case__assigned_to=user)
    return qs.filter(q)


def _print_jobs_to_work(*, user) -> QuerySet[PrintJob]:
    """The office's print jobs, with the signed scans already on each case."""
    scans = Evidence.objects.filter(kind=EvidenceKind.SIGNED_SCAN).order_by("uploaded_at", "id")
    return print_job_list_for_user(user=user, working=True).prefetch_related(
        Prefetch("case__evidence", queryset=scans, to_attr="signed_scans")
    )


def print_job_queue_for_user(*, user) -> QuerySet[PrintJob]:
    """The office's documents not yet handed to the customer, oldest first."""
    return _print_jobs_to_work(user=user).filter(handed_at__isnull=True).order_by("sent_at", "id")


def print_job_get_for_user(*, user, job_id: int) -> PrintJob:
    """A job of the user's office queue; 404 for missing and for another office's alike."""
    job = _print_jobs_to_work(user=user).filter(pk=job_id).first()
    if job is None:
        raise Http404("Documento no encontrado en la cola de impresión.")
    return job
