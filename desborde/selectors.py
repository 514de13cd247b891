"""Read paths of the overflow pages: every list and object lookup is scoped here (NFR-02).

Orientadores see their home office's intakes and proposals; asignadores see the
intakes of their unit. A row outside the scope answers 404 like a missing one.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import TransactionType
from core.roles import Role, user_roles
from desborde.models import Intake, OutcomeProposal


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


def intake_scope_for_user(*, user) -> QuerySet[Intake]:
    q = intake_scope_q(user)
    return _intakes() if q is None else _intakes().filter(q)


def intake_list_for_user(*, user, day: dt.date | None = None) -> QuerySet[Intake]:
    """DF-02: the day's intakes (today by default) of the user's office or unit, newest first."""
    start, end = _day_bounds(day or timezone.localdate())
    qs = intake_scope_for_user(user=user).filter(started_at__gte=start, started_at__lt=end)
    return qs.order_by("-started_at", "-id")


def intake_get_for_user(*, user, intake_id: int) -> Intake:
    qs = _intakes().select_related("case__customer")
    q = intake_scope_q(user)
    intake = (qs if q is None else qs.filter(q)).filter(pk=intake_id).first()
    if intake is None:
        raise Http404("Registro no encontrado.")
    return intake


def proposal_list_for_user(*, user, answering: bool = False) -> QuerySet[OutcomeProposal]:
    """WA-03: the orientador sees (and answers) the proposals of their office's intakes; the
    technologist sees those of the cases assigned to them."""
    qs = OutcomeProposal.objects.select_related(
        "case", "case__intake", "case__intake__office", "proposed_by", "responded_by"
    )
    if user.is_superuser:
        return qs
    roles = user_roles(user)
    q = Q(pk__in=[])
    if Role.ORIENTADOR in roles and user.home_office_id:
        q |= Q(case__intake__office_id=user.home_office_id)
    if Role.TECNOLOGO in roles and not answering:
        q |= Q(case__assigned_to=user)
    return qs.filter(q)


def proposal_list_pending_for_user(*, user) -> QuerySet[OutcomeProposal]:
    """WA-03: proposals of the office's WhatsApp cases waiting for the customer's answer."""
    return (
        proposal_list_for_user(user=user, answering=True)
        .filter(response=OutcomeProposal.Response.PENDING)
        .select_related("case__customer")
        .order_by("proposed_at", "id")
    )


def proposal_get_for_user(*, user, proposal_id: int) -> OutcomeProposal:
    qs = proposal_list_for_user(user=user, answering=True).select_related("case__customer")
    proposal = qs.filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404("Propuesta no encontrada.")
    return proposal


def transaction_types_for_intake() -> QuerySet[TransactionType]:
    """Step 1 offers every active transaction; the service decides which go by overflow."""
    return TransactionType.objects.filter(active=True).order_by("name")
