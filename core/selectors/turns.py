"""Read paths of the office turns (CEL-02) and the virtual booth (CEL-03), scoped by role.

Office staff (orientador, encargado) see their own office's turns; a technologist sees the turns
of the offices they support today (the roster) and the turns they called; the unit's gestores see
their unit's (admin). Anything else answers 404 like a missing turn (NFR-02)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import (
    Office,
    RemoteModality,
    TransactionType,
    Turn,
    TurnStatus,
)
from core.roles import PRINT_QUEUE_ROLES, Role, user_roles
from core.selectors.roster import roster_entries_for
from core.services.turns import NOT_FOUND, turn_eligible_remote

#: The turns an office still has to serve in person or at a distance, in arrival order.
WAITING = (TurnStatus.EN_ESPERA, TurnStatus.DEVUELTO_A_SALA)


def _rostered_offices(*, technologist, day: dt.date, modality: str | None = None):
    return roster_entries_for(technologist=technologist, day=day, modality=modality).values(
        "office_id"
    )


def turn_scope_q(user) -> Q | None:
    """The turns a user may see, as a filter; None means all (superuser)."""
    if user.is_superuser:
        return None
    roles = user_roles(user)
    q = Q(pk__in=[])
    office = getattr(user, "home_office", None)
    if office is not None and roles & set(PRINT_QUEUE_ROLES):
        q |= Q(office_id=office.pk)
    if office is not None and Role.GESTOR in roles:
        q |= Q(office__unit=office.unit)
    if Role.TECNOLOGO in roles:
        today = timezone.localdate()
        q |= Q(called_by=user) | Q(
            day=today, office_id__in=_rostered_offices(technologist=user, day=today)
        )
    return q


def turn_list_for_user(*, user) -> QuerySet[Turn]:
    qs = Turn.objects.select_related("office", "transaction_type", "called_by")
    scope = turn_scope_q(user)
    return qs if scope is None else qs.filter(scope)


def turn_get_for_user(*, user, turn_id) -> Turn:
    """A turn the user may see, or 404 alike for missing and out of scope."""
    try:
        turn_id = int(turn_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    turn = turn_list_for_user(user=user).filter(pk=turn_id).first()
    if turn is None:
        raise Http404(NOT_FOUND)
    return turn


def booth_turns_for(*, technologist, day: dt.date | None = None) -> QuerySet[Turn]:
    """The virtual booth's list (CEL-03): waiting turns that accepted remote attention and are
    not being checked by the office, of the offices the technologist supports by cellphone
    today, oldest first."""
    day = day or timezone.localdate()
    return (
        Turn.objects.filter(
            day=day,
            status=TurnStatus.EN_ESPERA,
            accepts_remote=True,
            needs_office_check=False,
            office_id__in=_rostered_offices(
                technologist=technologist, day=day, modality=RemoteModality.CELULAR
            ),
        )
        .select_related("office", "transaction_type")
        .order_by("created_at", "id")
    )


def office_turns_for_day(*, office: Office, day: dt.date | None = None) -> QuerySet[Turn]:
    """The turn desk's list: every turn the office gave that day, in arrival order."""
    return (
        Turn.objects.filter(office=office, day=day or timezone.localdate())
        .select_related("transaction_type", "called_by")
        .order_by("created_at", "id")
    )


def office_queue(*, office: Office, day: dt.date | None = None) -> QuerySet[Turn]:
    """Who is still waiting in the office, in arrival order: a turn the customer took back
    from remote attention keeps its place here."""
    return office_turns_for_day(office=office, day=day).filter(status__in=WAITING)


def office_turns_to_check(*, office: Office, day: dt.date | None = None) -> QuerySet[Turn]:
    """Turns whose remote call could not connect: the office checks with the customer and
    decides cellphone or in person (CEL-03)."""
    return office_turns_for_day(office=office, day=day).filter(
        status=TurnStatus.EN_ESPERA, needs_office_check=True
    )


def turn_transaction_types(*, office: Office) -> list[tuple[TransactionType, bool]]:
    """The catalogue's active transactions and whether each may be attended by cellphone in
    ``office`` (CEL-02)."""
    return [
        (tt, turn_eligible_remote(office=office, transaction_type=tt))
        for tt in TransactionType.objects.filter(active=True).order_by("name")
    ]
