"""Read paths of the support roster (CEL-01, AL-01, BAL-01) and the start-of-shift check
(CEL-03 step 3, AL-02), with the role filter of NFR-02:

- a gestor de equipo and an asignador see the roster, the technologists and the checks of
  their unit (the unit of their home office);
- a technologist sees their own entries and checks;
- a superuser sees everything; every other role, nothing.

Only a gestor de equipo (or a superuser) programs: ``roster_entries_manageable`` and the
``roster_*_programmable`` lists are what the admin forms and the API offer them."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.business_days import BOGOTA
from core.models import Office, RosterEntry, ShiftCheck, StaffAvailability, User
from core.roles import Role, user_roles

#: Roles that see the roster of their whole unit.
ROSTER_UNIT_ROLES = (Role.GESTOR, Role.ASIGNADOR)


def roster_today() -> dt.date:
    """Today in Bogotá: the roster's day and the start-of-shift check's day."""
    return timezone.localdate(timezone=BOGOTA)


def user_unit(user) -> str | None:
    office = getattr(user, "home_office", None)
    return office.unit if office else None


# --- the contract the booth and the other modalities use ------------------------------------


def roster_entries_for(
    *, technologist, day, modality=None, office_id=None
) -> QuerySet[RosterEntry]:
    """The technologist's roster entries of ``day`` (of one modality, of one office — a value
    or an ``OuterRef`` — when given): the one lookup behind the booth, turn scopes and takes."""
    entries = RosterEntry.objects.filter(technologist=technologist, day=day)
    if modality:
        entries = entries.filter(modality=modality)
    if office_id is not None:
        entries = entries.filter(office_id=office_id)
    return entries


def roster_offices_for(*, technologist, day, modality) -> QuerySet[Office]:
    """The offices ``technologist`` supports on ``day`` in ``modality`` (CEL-03: what the
    virtual booth shows), by name."""
    return Office.objects.filter(
        pk__in=roster_entries_for(technologist=technologist, day=day, modality=modality).values(
            "office_id"
        )
    ).order_by("name", "id")


def shift_check_done(*, technologist, day: dt.date | None = None, video: bool = False) -> bool:
    """CEL-03 step 3: the technologist confirmed audio and the printer on ``day`` (today by
    default); ``video=True`` for the video modalities (asesor en línea AL-02, balanceo 2.5 step
    2), whose check also confirms the camera."""
    checks = ShiftCheck.objects.filter(
        technologist=technologist,
        day=day or timezone.localdate(),
        audio_ok=True,
        printer_ok=True,
    )
    if video:
        checks = checks.filter(video_ok=True)
    return checks.exists()


# --- the roster -------------------------------------------------------------------------------


def shift_check_done_q():
    return Exists(
        ShiftCheck.objects.filter(
            technologist=OuterRef("technologist"),
            day=OuterRef("day"),
            audio_ok=True,
            printer_ok=True,
        )
    )


def roster_scope_q(user) -> Q | None:
    """The roster entries ``user`` may see, as a filter; None means all (superuser)."""
    if user.is_superuser:
        return None
    roles = user_roles(user)
    q = Q(pk__in=[])
    unit = user_unit(user)
    if unit and roles & set(ROSTER_UNIT_ROLES):
        q |= Q(office__unit=unit)
    if Role.TECNOLOGO in roles:
        q |= Q(technologist=user)
    return q


def roster_list_for_user(*, user, day: dt.date | None = None) -> QuerySet[RosterEntry]:
    """Entries in the user's scope (of ``day`` when given), with whether the technologist did
    the start-of-shift check that day (``shift_check_done``)."""
    qs = RosterEntry.objects.select_related(
        "technologist", "technologist__home_office", "office", "created_by"
    ).annotate(shift_check_done=shift_check_done_q())
    if day is not None:
        qs = qs.filter(day=day)
    q = roster_scope_q(user)
    qs = qs if q is None else qs.filter(q)
    return qs.order_by("day", "office__name", "technologist__first_name", "id")


def roster_entry_get_for_user(*, user, entry_id) -> RosterEntry:
    """404 for a missing entry and for one the user may not see alike."""
    entry = roster_list_for_user(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("Programación no encontrada.")
    return entry


def roster_entries_manageable(*, user) -> QuerySet[RosterEntry]:
    """Entries ``user`` may delete: a gestor de equipo, those of their unit's offices."""
    qs = RosterEntry.objects.select_related("technologist", "office")
    if user.is_superuser:
        return qs
    unit = user_unit(user)
    if not unit or Role.GESTOR not in user_roles(user):
        return qs.none()
    return qs.filter(office__unit=unit)


def roster_entry_get_for_manage(*, user, entry_id) -> RosterEntry:
    entry = roster_entries_manageable(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("Programación no encontrada.")
    return entry


def roster_counts(*, day: dt.date, modality: str, offices) -> dict[int, int]:
    """Rostered supporters per office id on ``day`` in ``modality``."""
    rows = (
        RosterEntry.objects.filter(day=day, modality=modality, office__in=offices)
        .values("office_id")
        .annotate(n=Count("id"))
    )
    return {row["office_id"]: row["n"] for row in rows}


# --- who can be programmed, and where -------------------------------------------------------


def _available_q(day: dt.date):
    return Exists(
        StaffAvailability.objects.filter(user=OuterRef("pk"), date=day, is_available=True)
    )


def technologist_list_for_user(*, user, day: dt.date | None = None) -> QuerySet[User]:
    """Active technologists of the user's unit (superuser: all), with ``available`` for
    ``day`` (default today, CORE-02). For gestores and asignadores; other roles: none."""
    qs = (
        User.objects.filter(groups__name=Role.TECNOLOGO, is_active=True)
        .select_related("home_office")
        .annotate(available=_available_q(day or roster_today()))
        .order_by("first_name", "last_name", "id")
    )
    if user.is_superuser:
        return qs
    unit = user_unit(user)
    if not unit or not user_roles(user) & set(ROSTER_UNIT_ROLES):
        return qs.none()
    return qs.filter(home_office__unit=unit)


def roster_technologists_programmable(*, user, day: dt.date | None = None) -> QuerySet[User]:
    """The technologists a gestor de equipo may roster (their unit's; superuser: all)."""
    if not (user.is_superuser or Role.GESTOR in user_roles(user)):
        return User.objects.none()
    return technologist_list_for_user(user=user, day=day)


def roster_offices_programmable(*, user) -> QuerySet[Office]:
    """The active offices a gestor de equipo may roster supporters into (their unit's; not
    the "Cliente Interno" pseudo-office, which is no office to support)."""
    qs = Office.objects.filter(active=True, is_internal_client=False).order_by("name", "id")
    if user.is_superuser:
        return qs
    unit = user_unit(user)
    if not unit or Role.GESTOR not in user_roles(user):
        return qs.none()
    return qs.filter(unit=unit)


# --- the start-of-shift check ----------------------------------------------------------------


def shift_check_list_for_user(*, user, day: dt.date | None = None) -> QuerySet[ShiftCheck]:
    """Checks in the user's scope: a gestor's or asignador's unit, a technologist's own."""
    qs = ShiftCheck.objects.select_related("technologist", "technologist__home_office")
    if day is not None:
        qs = qs.filter(day=day)
    qs = qs.order_by("-day", "technologist__first_name", "technologist__last_name", "id")
    if user.is_superuser:
        return qs
    roles = user_roles(user)
    q = Q(pk__in=[])
    unit = user_unit(user)
    if unit and roles & set(ROSTER_UNIT_ROLES):
        q |= Q(technologist__home_office__unit=unit)
    if Role.TECNOLOGO in roles:
        q |= Q(technologist=user)
    return qs.filter(q)
