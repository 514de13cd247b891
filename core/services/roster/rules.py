"""The roster's rules (CEL-01): the caps per modality and the checks every roster write runs —
the day, who programs, the office, the technologist — with their Spanish messages, the office
lock and the guarded insert."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.models import Office, RemoteModality, RosterEntry, StaffAvailability, User
from core.roles import Role, user_has_role
from core.selectors.roster import roster_today, user_unit

# --- caps per modality -----------------------------------------------------------------------


@dataclass(frozen=True)
class RosterCap:
    """How many technologists may be rostered into an office on one day in one modality, and
    the rule's wording for the refusal message."""

    limit: int
    reason: str


#: ``(office) -> RosterCap | None``: the cap of a modality for an office; None, no cap.
RosterCapRule = Callable[[Office], RosterCap | None]


def celular_cap(office: Office) -> RosterCap:
    """2.3 step 1: "En oficinas con un solo tecnólogo, se podrá recibir apoyo máximo de dos
    tecnólogos simultáneamente. En oficinas con más de un tecnólogo, podrán apoyar máximo 3".
    An office that records no technologist of its own is held to the smaller cap."""
    if office.technologist_count <= 1:
        return RosterCap(
            2, "una oficina con un solo tecnólogo recibe como máximo 2 tecnólogos de apoyo"
        )
    return RosterCap(
        3, "una oficina con más de un tecnólogo recibe como máximo 3 tecnólogos de apoyo"
    )


#: The caps by modality. Asesor en línea (AL-01: the office's kiosks) and balanceo (BAL-02)
#: register theirs with ``roster_cap_register`` when they are built (issue 12).
ROSTER_CAPS: dict[str, RosterCapRule] = {RemoteModality.CELULAR: celular_cap}


def roster_cap_register(modality: str, rule: RosterCapRule) -> None:
    if modality not in RemoteModality.values:
        raise ValueError(f"Modalidad de apoyo desconocida: {modality}")
    ROSTER_CAPS[modality] = rule


def roster_cap_for(*, office: Office, modality: str) -> RosterCap | None:
    rule = ROSTER_CAPS.get(modality)
    return rule(office) if rule else None


# --- rules -----------------------------------------------------------------------------------


def _label(modality: str) -> str:
    return RemoteModality(modality).label


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _day_problem(day) -> str | None:
    if not isinstance(day, dt.date):
        return "Indique el día de la programación."
    if day < roster_today():
        return "No se puede cambiar la programación de un día que ya pasó."
    return None


def _check_day_and_modality(*, day, modality) -> None:
    errors = {}
    if modality not in RemoteModality.values:
        errors["modality"] = "Escoja una modalidad de apoyo válida."
    if problem := _day_problem(day):
        errors["day"] = problem
    if errors:
        raise ValidationError(errors)


def _check_programmer(by: User | None) -> str | None:
    """The unit ``by`` programs (None: any). Only a gestor de equipo programs the roster."""
    if by is None or by.is_superuser:
        return None
    if not user_has_role(by, Role.GESTOR):
        raise PermissionDenied("Solo el gestor de equipo programa los apoyos a distancia.")
    unit = user_unit(by)
    if not unit:
        raise PermissionDenied("Su usuario no tiene oficina: no puede programar apoyos.")
    return unit


def _office_problem(*, unit: str | None, office: Office) -> str | None:
    if unit is not None and office.unit != unit:
        return f"La oficina {office} no es de su unidad."
    if not office.active:
        return f"La oficina {office} no está activa."
    if office.is_internal_client:
        return f"{office} no es una oficina que reciba apoyo a distancia."
    return None


def _technologist_scope_problem(*, unit: str | None, technologist: User) -> str | None:
    if unit is None:
        return None
    tech_office = technologist.home_office
    if tech_office is None or tech_office.unit != unit:
        return f"{_name(technologist)} no es un tecnólogo de su unidad."
    return None


def _technologist_problems(*, technologists: list[User], day: dt.date) -> dict[int, str]:
    """Why each technologist cannot be rostered on ``day`` (CORE-02), by user id."""
    ids = [t.pk for t in technologists]
    with_role = set(
        User.objects.filter(pk__in=ids, groups__name=Role.TECNOLOGO).values_list("pk", flat=True)
    )
    available = set(
        StaffAvailability.objects.filter(user_id__in=ids, date=day, is_available=True).values_list(
            "user_id", flat=True
        )
    )
    problems = {}
    for tech in technologists:
        if not tech.is_active:
            problems[tech.pk] = f"{_name(tech)} no está activo."
        elif tech.pk not in with_role:
            problems[tech.pk] = f"{_name(tech)} no tiene el rol de tecnólogo."
        elif tech.pk not in available:
            problems[tech.pk] = (
                f"{_name(tech)} no está disponible el {day:%d/%m/%Y}: registre primero su "
                "disponibilidad de ese día."
            )
    return problems


def _lock_offices(offices: Iterable[Office]) -> dict[int, Office]:
    """Lock the offices' rows, in id order (no deadlock between two bulk saves), and return
    them fresh: their technologist count decides the cap."""
    ids = sorted({o.pk for o in offices})
    return {o.pk: o for o in Office.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _cap_message(*, office: Office, modality: str, day: dt.date, cap: RosterCap, would: int):
    return (
        f"La oficina {office} quedaría con {would} tecnólogos de apoyo por "
        f"{_label(modality)} el {day:%d/%m/%Y}: {cap.reason}."
    )


def _duplicate_message(*, technologist: User, office: Office, modality: str, day: dt.date):
    return (
        f"{_name(technologist)} ya está programado para apoyar la oficina {office} el "
        f"{day:%d/%m/%Y} por {_label(modality)}."
    )


def _create(*, day, technologist, office, modality, by) -> RosterEntry:
    entry = RosterEntry(
        day=day, technologist=technologist, office=office, modality=modality, created_by=by
    )
    entry.full_clean(validate_unique=False, validate_constraints=False)  # checked above
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:  # a duplicate the office lock did not serialise
        raise ValidationError(
            {
                "technologist": _duplicate_message(
                    technologist=technologist, office=office, modality=modality, day=day
                )
            }
        ) from exc
    return entry
