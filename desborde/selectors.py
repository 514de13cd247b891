"""Read paths of the overflow pages: every list and object lookup is scoped here (NFR-02).

Orientadores see their home office's intakes, proposals and print queue; asignadores see the
intakes of their unit. A row outside the scope answers 404 like a missing one.
"""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import Evidence, EvidenceKind, TransactionType
from core.roles import Role, user_roles
from desborde.models import Intake, OutcomeProposal, PrintJob


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day as an aware [start, end) range, so the (office, started_at) index is used."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def intake_scope_q(user) -> Q | None:
    """The intakes a user may see, as a filter; None means all (superuser)."""
    if user.is_superuser:
        return None
    roles = user_roles(user)
    office = getattr(user, "home_office", None)
    q = Q(pk__in=[])
    if office is None:
        return q
    if Role.ASIGNADOR in roles:
        q |= Q(office__unit=office.unit)
    if Role.ORIENTADOR in roles:
        q |= Q(office=office)
    return q


def _intakes() -> QuerySet[Intake]:
    return Intake.objects.select_related(
        "office", "transaction_type", "orientador", "case", "case__assigned_to"
    )


def intake_list_for_user(*, user, day: dt.date | None = None) -> QuerySet[Intake]:
    """DF-02: the day's intakes (today by default) of the user's office or unit, newest first."""
    start, end = _day_bounds(day or timezone.localdate())
    qs = _intakes().filter(started_at__gte=start, started_at__lt=end)
    q = intake_scope_q(user)
    qs = qs if q is None else qs.filter(q)
    return qs.order_by("-started_at", "-id")


def intake_get_for_user(*, user, intake_id: int) -> Intake:
    qs = _intakes().select_related("case__customer")
    q = intake_scope_q(user)
    intake = (qs if q is None else qs.filter(q)).filter(pk=intake_id).first()
    if intake is None:
        raise Http404("Registro no encontrado.")
    return intake


def _orientador_office_q(user, prefix: str) -> Q | None:
    """Rows of the orientador's home office (``prefix`` is the path to the office)."""
    if user.is_superuser:
        return None
    office_id = getattr(user, "home_office_id", None)
    if office_id is None or Role.ORIENTADOR not in user_roles(user):
        return Q(pk__in=[])
    return Q(**{prefix: office_id})


def proposal_list_pending_for_user(*, user) -> QuerySet[OutcomeProposal]:
    """WA-03: proposals of the office's WhatsApp cases waiting for the customer's answer."""
    qs = OutcomeProposal.objects.filter(response=OutcomeProposal.Response.PENDING).select_related(
        "case", "case__customer", "case__intake", "proposed_by"
    )
    q = _orientador_office_q(user, "case__intake__office")
    qs = qs if q is None else qs.filter(q)
    return qs.order_by("proposed_at", "id")


def proposal_get_for_user(*, user, proposal_id: int) -> OutcomeProposal:
    qs = OutcomeProposal.objects.select_related(
        "case",
        "case__customer",
        "case__intake",
        "case__intake__office",
        "proposed_by",
        "responded_by",
    )
    q = _orientador_office_q(user, "case__intake__office")
    proposal = (qs if q is None else qs.filter(q)).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("Propuesta no encontrada.")
    return proposal


def _print_jobs() -> QuerySet[PrintJob]:
    scans = Evidence.objects.filter(kind=EvidenceKind.SIGNED_SCAN).order_by("uploaded_at", "id")
    return PrintJob.objects.select_related("case", "case__customer", "document").prefetch_related(
        Prefetch("case__evidence", queryset=scans, to_attr="signed_scans")
    )


def print_job_queue_for_user(*, user) -> QuerySet[PrintJob]:
    """WA-04: the office's documents not yet handed to the customer, oldest first."""
    qs = _print_jobs().filter(handed_at__isnull=True)
    q = _orientador_office_q(user, "office")
    qs = qs if q is None else qs.filter(q)
    return qs.order_by("sent_at", "id")


def print_job_get_for_user(*, user, job_id: int) -> PrintJob:
    q = _orientador_office_q(user, "office")
    qs = _print_jobs()
    job = (qs if q is None else qs.filter(q)).filter(pk=job_id).first()
    if job is None:
        raise Http404("Documento no encontrado en la cola de impresión.")
    return job


def transaction_types_for_intake() -> QuerySet[TransactionType]:
    """Step 1 offers every active transaction; the service decides which go by overflow."""
    return TransactionType.objects.filter(active=True).order_by("name")
