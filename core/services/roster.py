"""Write paths of the support roster (programación de recursos, CEL-01; AL-01 and BAL-01 plug
their caps in) and of the technologists' start-of-shift check (CEL-03 step 3, AL-02).

Every roster write goes through here, the admin and the API alike, so the rules hold whichever
door was used, with Spanish messages and nothing written on a refusal (NFR-03):

- who programs: a gestor de equipo, for the offices and technologists of their unit (a
  superuser anywhere; ``by=None`` is the system itself, e.g. the demo data);
- the day is today or later (a past day's roster is the record of who supported whom);
- the technologist is active, has the role tecnólogo and is available that day (a
  ``StaffAvailability`` row with ``is_available``, CORE-02);
- the office is active, not the "Cliente Interno" pseudo-office, and not over its cap for the
  modality that day (``ROSTER_CAPS``): for ``celular`` an office with one technologist of its
  own takes at most 2 supporters, one with more at most 3 (2.3 step 1). The office row is
  locked (``SELECT … FOR UPDATE``) while its entries are counted, so two gestores taking the
  last slot at once cannot both get it;
- a technologist is rostered once per office, day and modality.

Each technologist whose offices for a day changed gets one e-mail listing them (2.3 step 1:
"informar … por correo electrónico a qué oficinas brindarán apoyo"), through core's
notification queue: the row is written in the same transaction and sent after commit by the
worker, so a dead broker only delays it (NFR-03). ``RosterNotice`` keeps what was last sent:
a save that changes nothing sends nothing, a change sends one new e-mail, a bulk save sends one
per technologist, and a technologist left with no offices is told the day was withdrawn.
"""

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import (
    Modality,
    Notification,
    Office,
    RemoteModality,
    RosterEntry,
    RosterNotice,
    ShiftCheck,
    StaffAvailability,
    User,
)
from core.roles import Role, user_has_role
from core.selectors.roster import roster_counts, roster_today, user_unit
from core.services.messaging import notification_queue

log = logging.getLogger(__name__)

WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


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


# --- the e-mail ------------------------------------------------------------------------------


def _signature(entries: list[RosterEntry]) -> str:
    """What the technologist was told: their (modality, office) pairs of the day. Office ids,
    not names: a renamed office is not a new roster. Long rosters are hashed to fit."""
    text = ";".join(sorted(f"{e.modality}:{e.office_id}" for e in entries))
    if len(text) > RosterNotice._meta.get_field("signature").max_length:
        text = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return text


def _roster_email(*, technologist: User, day: dt.date, entries: list[RosterEntry]):
    when = f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"
    greeting = f"Hola, {technologist.first_name or technologist.username}:"
    if not entries:
        return (
            f"Programación de apoyo retirada — {day:%d/%m/%Y}",
            f"{greeting}\n\nSu programación de apoyo a distancia del {when} fue retirada: ese "
            "día no tiene oficinas asignadas para apoyar.\n",
        )
    lines = "\n".join(
        f"- {e.office.name} ({e.office.code}, zona {e.office.zone}): {_label(e.modality)}"
        for e in entries
    )
    return (
        f"Programación de apoyo — {day:%d/%m/%Y}",
        f"{greeting}\n\nEl {when} usted apoya a distancia estas oficinas:\n\n{lines}\n\n"
        "Antes de contactar a los clientes verifique el audio de su equipo y que la impresora "
        "de cada oficina que apoya esté configurada, y regístrelo en la verificación de inicio "
        "de turno.\n\nEste correo reemplaza cualquier programación anterior de ese día.\n",
    )


def roster_notify(*, day: dt.date, technologists: Iterable[User]) -> int:
    """Queue one e-mail per technologist whose offices of ``day`` differ from what their last
    e-mail said (``RosterNotice``); returns how many were queued. Runs inside the caller's
    transaction: the notice rows are locked (created first if missing) in id order before the
    entries are read, so two saves for the same technologist at once cannot both send the same
    news or miss each other's change. A technologist without e-mail is skipped (logged) and
    keeps their old notice, so they are told once they have one."""
    techs = {t.pk: t for t in technologists}
    if not techs:
        return 0
    ids = sorted(techs)
    now = timezone.now()
    had_notice = set(
        RosterNotice.objects.filter(day=day, technologist_id__in=ids).values_list(
            "technologist_id", flat=True
        )
    )
    RosterNotice.objects.bulk_create(
        [RosterNotice(day=day, technologist_id=pk, signature="", sent_at=now) for pk in ids],
        ignore_conflicts=True,
    )
    notices = {
        n.technologist_id: n
        for n in RosterNotice.objects.select_for_update()
        .filter(day=day, technologist_id__in=ids)
        .order_by("technologist_id")
    }
    entries: dict[int, list[RosterEntry]] = defaultdict(list)
    for entry in (
        RosterEntry.objects.filter(day=day, technologist_id__in=ids)
        .select_related("office")
        .order_by("office__name", "modality", "id")
    ):
        entries[entry.technologist_id].append(entry)

    queued = 0
    for pk in ids:
        notice, tech = notices[pk], techs[pk]
        signature = _signature(entries[pk])
        if signature == notice.signature:
            if not signature and pk not in had_notice:
                notice.delete()  # nothing was ever sent: no notice to keep
            continue
        if not tech.email:
            log.warning("El tecnólogo %s no tiene correo: no se le avisó su programación.", pk)
            if not notice.signature and pk not in had_notice:
                notice.delete()
            continue
        subject, body = _roster_email(technologist=tech, day=day, entries=entries[pk])
        notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.GENERAL,
            recipient=tech.email,
            subject=subject,
            body=body,
        )
        notice.signature, notice.sent_at = signature, now
        notice.save(update_fields=["signature", "sent_at"])
        queued += 1
    return queued


# --- the start-of-shift check ----------------------------------------------------------------


@transaction.atomic
def shift_check_record(*, technologist, audio: bool, printer: bool, day=None) -> ShiftCheck:
    """CEL-03 step 3 / AL-02: the technologist confirms, before contacting customers, that the
    audio works and the supported office's printer is configured. Both must be confirmed
    (``ValidationError`` with Spanish messages by field, nothing written). One check per
    technologist and day (today in Bogotá by default): confirming again updates it."""
    errors = {}
    if audio is not True:
        errors["audio"] = "Confirme que el audio de su equipo funciona."
    if printer is not True:
        errors["printer"] = (
            "Confirme que la impresora de la oficina que apoya está configurada en su equipo."
        )
    if errors:
        raise ValidationError(errors)
    if not (technologist.is_active and user_has_role(technologist, Role.TECNOLOGO)):
        raise ValidationError("Solo un tecnólogo registra la verificación de inicio de turno.")
    day = day or roster_today()
    now = timezone.now()
    check, created = ShiftCheck.objects.select_for_update().get_or_create(
        technologist=technologist,
        day=day,
        defaults={"audio_ok": True, "printer_ok": True, "checked_at": now},
    )
    if not created:
        check.audio_ok = check.printer_ok = True
        check.checked_at = now
        check.save(update_fields=["audio_ok", "printer_ok", "checked_at"])
    return check
