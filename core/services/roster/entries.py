"""Adding, copying and removing roster entries (CEL-01): one, several at once, a whole day, all
under the rules of ``rules`` and followed by the technologists' e-mails."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import RosterEntry, User
from core.selectors.roster import roster_counts, roster_today
from core.services.roster.notices import roster_notify
from core.services.roster.rules import (
    _cap_message,
    _check_day_and_modality,
    _check_programmer,
    _create,
    _day_problem,
    _duplicate_message,
    _lock_offices,
    _office_problem,
    _technologist_problems,
    _technologist_scope_problem,
    roster_cap_for,
)

# --- the roster ------------------------------------------------------------------------------


@transaction.atomic
def roster_entry_add(*, day, technologist, office, modality, by) -> RosterEntry:
    """CEL-01: roster ``technologist`` to support ``office`` on ``day`` in ``modality``.

    Refusals are ``ValidationError`` by field (``day``, ``modality``, ``technologist``,
    ``office``) with Spanish messages; nothing is written. The technologist gets an e-mail with
    their offices of the day (after commit)."""
    _check_day_and_modality(day=day, modality=modality)
    unit = _check_programmer(by)
    errors = {}
    if problem := _office_problem(unit=unit, office=office):
        errors["office"] = problem
    problem = _technologist_scope_problem(unit=unit, technologist=technologist)
    problem = problem or _technologist_problems(technologists=[technologist], day=day).get(
        technologist.pk
    )
    if problem:
        errors["technologist"] = problem
    if errors:
        raise ValidationError(errors)

    office = _lock_offices([office])[office.pk]
    if RosterEntry.objects.filter(
        day=day, technologist=technologist, office=office, modality=modality
    ).exists():
        raise ValidationError(
            {
                "technologist": _duplicate_message(
                    technologist=technologist, office=office, modality=modality, day=day
                )
            }
        )
    cap = roster_cap_for(office=office, modality=modality)
    if cap is not None:
        taken = RosterEntry.objects.filter(day=day, office=office, modality=modality).count()
        if taken + 1 > cap.limit:
            raise ValidationError(
                {
                    "office": _cap_message(
                        office=office, modality=modality, day=day, cap=cap, would=taken + 1
                    )
                }
            )
    entry = _create(day=day, technologist=technologist, office=office, modality=modality, by=by)
    roster_notify(day=day, technologists=[technologist])
    return entry


def _unique(items: Iterable) -> list:
    seen, out = set(), []
    for item in items:
        if item.pk not in seen:
            seen.add(item.pk)
            out.append(item)
    return out


@transaction.atomic
def roster_entries_add_bulk(*, day, technologists, offices, modality, by) -> list[RosterEntry]:
    """CEL-01 "Programar varios": every technologist × every office on ``day`` in
    ``modality``, all or nothing.

    A pair already rostered is left as it is (the gestor re-ticks a grid; that is not an
    error); any other refusal — a technologist unavailable, an office over its cap counting the
    new entries — refuses the whole save with one message per problem (``ValidationError``
    with a list) and writes nothing. Returns the entries created. Each technologist whose
    offices changed gets one e-mail, however many entries were added for them."""
    _check_day_and_modality(day=day, modality=modality)
    unit = _check_programmer(by)
    technologists, offices = _unique(technologists), _unique(offices)
    errors: list[str] = []
    if not technologists:
        errors.append("Escoja al menos un tecnólogo.")
    if not offices:
        errors.append("Escoja al menos una oficina.")
    if errors:
        raise ValidationError(errors)
    errors.extend(filter(None, (_office_problem(unit=unit, office=o) for o in offices)))
    tech_problems = _technologist_problems(technologists=technologists, day=day)
    for tech in technologists:
        problem = _technologist_scope_problem(unit=unit, technologist=tech)
        if problem or tech.pk in tech_problems:
            errors.append(problem or tech_problems[tech.pk])
    if errors:
        raise ValidationError(errors)

    locked = _lock_offices(offices)
    existing = set(
        RosterEntry.objects.filter(
            day=day, modality=modality, office__in=offices, technologist__in=technologists
        ).values_list("technologist_id", "office_id")
    )
    taken = roster_counts(day=day, modality=modality, offices=list(locked))
    to_create = [
        (tech, locked[office.pk])
        for office in offices
        for tech in technologists
        if (tech.pk, office.pk) not in existing
    ]
    new_per_office: dict[int, int] = defaultdict(int)
    for _, office in to_create:
        new_per_office[office.pk] += 1
    for office_id, new in new_per_office.items():
        office = locked[office_id]
        cap = roster_cap_for(office=office, modality=modality)
        if cap is not None and taken.get(office_id, 0) + new > cap.limit:
            errors.append(
                _cap_message(
                    office=office,
                    modality=modality,
                    day=day,
                    cap=cap,
                    would=taken.get(office_id, 0) + new,
                )
            )
    if errors:
        raise ValidationError(errors)

    created = [
        _create(day=day, technologist=tech, office=office, modality=modality, by=by)
        for tech, office in to_create
    ]
    roster_notify(day=day, technologists=_unique(tech for tech, _ in to_create))
    return created


@dataclass
class RosterCopyResult:
    created: list[RosterEntry] = field(default_factory=list)
    #: (the entry of the source day that was not copied, why)
    skipped: list[tuple[RosterEntry, str]] = field(default_factory=list)


@transaction.atomic
def roster_copy_day(*, from_day, to_day, by) -> RosterCopyResult:
    """ "Copiar programación de ayer": the roster of ``from_day`` of the user's unit (superuser
    or system: every unit) becomes ``to_day``'s, entry by entry.

    Unlike the bulk save this is not all or nothing: a gestor copying yesterday wants the
    rest of the roster even if one technologist is off today. An entry that would break a rule
    on ``to_day`` (technologist unavailable or inactive, office over its cap, already rostered)
    is not copied and comes back in ``skipped`` with the reason. Entries are taken office by
    office in the order they were created, so when an office's cap is lower than yesterday's
    entries the first programmed keep their place. One e-mail per technologist whose offices
    changed."""
    errors = {}
    if problem := _day_problem(to_day):
        errors["to_day"] = problem
    if not isinstance(from_day, dt.date):
        errors["from_day"] = "Indique el día que se copia."
    elif from_day == to_day:
        errors["from_day"] = "Escoja un día de origen distinto del día destino."
    if errors:
        raise ValidationError(errors)
    unit = _check_programmer(by)
    source = RosterEntry.objects.filter(day=from_day).select_related(
        "technologist", "technologist__home_office", "office"
    )
    if unit is not None:
        source = source.filter(office__unit=unit)
    source = list(source.order_by("office__name", "office_id", "created_at", "id"))
    result = RosterCopyResult()
    if not source:
        return result

    techs = _unique(e.technologist for e in source)
    tech_problems = _technologist_problems(technologists=techs, day=to_day)
    locked = _lock_offices(e.office for e in source)
    existing = set(
        RosterEntry.objects.filter(day=to_day, office_id__in=list(locked)).values_list(
            "technologist_id", "office_id", "modality"
        )
    )
    taken: dict[tuple[int, str], int] = defaultdict(int)
    for _, office_id, modality in existing:
        taken[office_id, modality] += 1

    for entry in source:
        office = locked[entry.office_id]
        tech = entry.technologist
        reason = (
            _office_problem(unit=unit, office=office)
            or _technologist_scope_problem(unit=unit, technologist=tech)
            or tech_problems.get(tech.pk)
        )
        if reason is None and (tech.pk, office.pk, entry.modality) in existing:
            reason = _duplicate_message(
                technologist=tech, office=office, modality=entry.modality, day=to_day
            )
        cap = roster_cap_for(office=office, modality=entry.modality)
        if reason is None and cap is not None and taken[office.pk, entry.modality] >= cap.limit:
            reason = _cap_message(
                office=office,
                modality=entry.modality,
                day=to_day,
                cap=cap,
                would=taken[office.pk, entry.modality] + 1,
            )
        if reason is not None:
            result.skipped.append((entry, reason))
            continue
        result.created.append(
            _create(day=to_day, technologist=tech, office=office, modality=entry.modality, by=by)
        )
        existing.add((tech.pk, office.pk, entry.modality))
        taken[office.pk, entry.modality] += 1
    roster_notify(day=to_day, technologists=_unique(e.technologist for e in result.created))
    return result


@transaction.atomic
def roster_entries_delete(*, entries: Iterable[RosterEntry], by) -> int:
    """Remove roster entries (all or nothing): a gestor, of their unit, of today or later.
    Each technologist concerned gets one e-mail with the offices they still support that day,
    or, if none is left, that their roster for the day was withdrawn. Returns how many were
    deleted (an entry deleted meanwhile by someone else is not counted)."""
    entries = list(entries)
    unit = _check_programmer(by)
    errors = []
    for entry in entries:
        if unit is not None and entry.office.unit != unit:
            errors.append(f"La oficina {entry.office} no es de su unidad.")
        elif entry.day < roster_today():
            errors.append(
                f"La programación del {entry.day:%d/%m/%Y} ya pasó: no se puede eliminar."
            )
    if errors:
        raise ValidationError(sorted(set(errors)))
    locked = list(
        RosterEntry.objects.select_for_update()
        .filter(pk__in=[e.pk for e in entries])
        .select_related("technologist")
        .order_by("pk")
    )
    by_day: dict[dt.date, list[User]] = defaultdict(list)
    for entry in locked:
        by_day[entry.day].append(entry.technologist)
        entry.delete()
    for day, techs in sorted(by_day.items()):
        roster_notify(day=day, technologists=_unique(techs))
    return len(locked)


def roster_entry_delete(*, entry: RosterEntry, by) -> None:
    """Remove one roster entry; see ``roster_entries_delete``."""
    roster_entries_delete(entries=[entry], by=by)
