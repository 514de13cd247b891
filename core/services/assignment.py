"""Round-robin assignment of pending cases to the technologists of a pool (CORE-09)."""

import unicodedata
from collections import deque

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from core.live.groups import office_group, user_group
from core.live.publish import live_publish
from core.models import AssignmentPool, Case, CaseStatus, StaffAvailability, User
from core.roles import Role, user_has_role

OPEN_ASSIGNED = (CaseStatus.ASIGNADO, CaseStatus.EN_ATENCION)


def cases_changed(*, user_ids=(), office_ids=()) -> None:
    """After commit, tell the live pages that cases were assigned, reassigned or closed: each
    technologist's "Mis casos" (``cases.changed`` to their own group) and the supported offices'
    pages (``office.cases.changed``: the orientador's intake table shows who attends). One
    message for all the users and one per office, never one per case (bulk paths)."""
    users = sorted({pk for pk in user_ids if pk})
    if users:
        live_publish([user_group(pk) for pk in users], {"type": "cases.changed"})
    for office_id in sorted({pk for pk in office_ids if pk}):
        live_publish(office_group(office_id), {"type": "office.cases.changed", "office": office_id})


def name_sort_key(user: User) -> str:
    """Alphabetical order of full name, ignoring accents and case (Álvaro, Beatriz, carlos…)."""
    name = (user.get_full_name() or user.username).strip()
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def pool_available_technologists(*, pool: AssignmentPool, day=None) -> list[User]:
    """Members of the pool who are technologists, active and available on ``day`` (today)."""
    day = day or timezone.localdate()
    available_ids = StaffAvailability.objects.filter(date=day, is_available=True).values("user_id")
    users = list(
        pool.members.filter(is_active=True, groups__name=Role.TECNOLOGO, pk__in=available_ids)
        .distinct()
        .only("id", "first_name", "last_name", "username")
    )
    return sorted(users, key=lambda u: (name_sort_key(u), u.pk))


def _rotate_after_cursor(techs: list[User], pool: AssignmentPool) -> list[User]:
    """The technologists in order, starting after the last one served by the previous round."""
    if not pool.cursor_key and pool.cursor_user_id is None:
        return techs
    cursor = (pool.cursor_key, pool.cursor_user_id or 0)
    for i, tech in enumerate(techs):
        if (name_sort_key(tech), tech.pk) > cursor:
            return techs[i:] + techs[:i]
    return techs


@transaction.atomic
def assign_pending_cases(*, pool_id: int) -> int:
    """Hand the pool's pending cases, oldest first, to its available technologists.

    Each round walks the technologists in alphabetical order from the cursor and gives each up
    to ``batch_size`` (K, 1–5) cases, skipping anyone at the open-case cap; rounds repeat until
    no case is pending or nobody can take more. Safe with many workers: the pool row is locked for
    the whole run (rounds of one pool are serial) and the pending cases are taken with
    ``select_for_update(skip_locked=True)``, so a case locked elsewhere (e.g. reassigned by hand)
    is left for the next run and never given twice. Running it again with nothing pending
    changes nothing. Every assignment is a history row with its reason.
    """
    pool = AssignmentPool.objects.select_for_update().filter(pk=pool_id, active=True).first()
    if pool is None:
        return 0
    techs = pool_available_technologists(pool=pool)
    if not techs:
        return 0
    cap = pool.max_open_cases
    room: dict[int, int | None] = {t.pk: None for t in techs}  # None: no cap
    if cap is not None:
        # A run of another pool may be counting the same technologists: lock their rows (in id
        # order, so runs never deadlock) until this run commits, or both would see the same room
        # and together pass the cap. NO KEY UPDATE does not block rows that merely point at them.
        list(
            User.objects.select_for_update(no_key=True)
            .filter(pk__in=[t.pk for t in techs])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        open_counts = dict(
            Case.objects.filter(assigned_to__in=techs, status__in=OPEN_ASSIGNED)
            .values_list("assigned_to")
            .annotate(n=Count("id"))
        )
        room = {t.pk: max(0, cap - open_counts.get(t.pk, 0)) for t in techs}
    pending_qs = (
        Case.objects.select_for_update(skip_locked=True)
        .filter(pool=pool, status=CaseStatus.ABIERTO, assigned_to__isnull=True)
        .order_by("filed_at", "id")
    )
    if cap is not None:
        pending_qs = pending_qs[: sum(room.values())]
    queue = deque(pending_qs)
    if not queue:
        return 0

    now = timezone.now()
    order = _rotate_after_cursor(techs, pool)
    changed: list[Case] = []
    last_served = None
    while queue:
        pool.round_number += 1
        served_in_round = False
        for tech in order:
            given = 0
            while queue and given < pool.batch_size and room[tech.pk] != 0:
                case = queue.popleft()
                case.assigned_to = tech
                case.status = CaseStatus.ASIGNADO
                case.assigned_at = now
                case.updated_at = now
                case._change_reason = f"asignación automática, ronda {pool.round_number}"
                case._history_user = None  # the system, not whoever's request ran the task
                changed.append(case)
                given += 1
                if room[tech.pk] is not None:
                    room[tech.pk] -= 1
            if given:
                served_in_round = True
                last_served = tech
            if not queue:
                break
        if not served_in_round:
            pool.round_number -= 1
            break

    if last_served is not None:
        pool.cursor_key = name_sort_key(last_served)
        pool.cursor_user = last_served
    # The cursor is bookkeeping, not a manager's change: no pool history row for it.
    pool.skip_history_when_saving = True
    pool.save(update_fields=["cursor_key", "cursor_user", "round_number"])
    del pool.skip_history_when_saving
    if changed:
        _write_assignments(changed, now=now)
        cases_changed(
            user_ids=[c.assigned_to_id for c in changed],
            office_ids=[c.supported_office_id for c in changed],
        )
    return len(changed)


HISTORY_OWN_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}


def _write_assignments(changed: list[Case], *, now) -> None:
    """Save the assignments and their history rows.

    On PostgreSQL: one UPDATE … FROM unnest() and one INSERT … SELECT into the history table for
    the whole batch, which is what keeps 10,000 assignments well under the 2 s target
    (``bulk_update`` builds a CASE expression per row and took 8 s). The history columns are read
    from the historical model, so the SQL follows the model. Elsewhere (SQLite demo): the
    library's ``bulk_update_with_history``.
    """
    if connection.vendor != "postgresql":
        bulk_update_with_history(
            changed,
            Case,
            ["assigned_to", "status", "assigned_at", "updated_at"],
            batch_size=2000,
            default_change_reason="asignación automática",
        )
        return
    ids = [c.pk for c in changed]
    techs = [c.assigned_to_id for c in changed]
    reasons = [c._change_reason for c in changed]
    history = Case.history.model
    columns = [f.column for f in history._meta.concrete_fields if f.name not in HISTORY_OWN_FIELDS]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    selected = ", ".join(f"c.{connection.ops.quote_name(c)}" for c in columns)
    case_table = connection.ops.quote_name(Case._meta.db_table)
    history_table = connection.ops.quote_name(history._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {case_table} AS c SET assigned_to_id = v.tech, status = %s, "
            "assigned_at = %s, updated_at = %s "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, tech) WHERE c.id = v.id",
            [CaseStatus.ASIGNADO, now, now, ids, techs],
        )
        cursor.execute(
            f"INSERT INTO {history_table} ({quoted}, history_date, history_change_reason, "
            "history_type, history_user_id) "
            f"SELECT {selected}, %s, v.reason, '~', NULL FROM {case_table} AS c "
            "JOIN unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS v(id, reason, n) "
            "ON c.id = v.id ORDER BY v.n",
            [now, ids, reasons],
        )


def pools_with_pending_cases() -> list[int]:
    return list(
        AssignmentPool.objects.filter(
            active=True,
            cases__status=CaseStatus.ABIERTO,
            cases__assigned_to__isnull=True,
        )
        .distinct()
        .values_list("pk", flat=True)
    )


@transaction.atomic
def case_reassign(*, case: Case, to_user: User, by_user: User, reason: str = "") -> Case:
    """Asignador and managers move a case to another technologist by hand (recorded)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_closed:
        raise ValidationError("El caso está cerrado; no se puede reasignar.")
    if not to_user.is_active or not user_has_role(to_user, Role.TECNOLOGO):
        raise ValidationError({"to_user": "El destinatario debe ser un tecnólogo activo."})
    if case.assigned_to_id == to_user.pk:
        raise ValidationError({"to_user": "El caso ya está asignado a ese tecnólogo."})
    previous = case.assigned_to
    case.assigned_to = to_user
    case.assigned_at = timezone.now()
    if case.status == CaseStatus.ABIERTO:
        case.status = CaseStatus.ASIGNADO
    text = f"reasignación manual de {previous or 'sin asignar'} a {to_user}"
    case._change_reason = _history_reason(text, reason)
    case._history_user = by_user
    case.save(update_fields=["assigned_to", "assigned_at", "status", "updated_at"])
    cases_changed(
        user_ids=[previous.pk if previous else None, to_user.pk],
        office_ids=[case.supported_office_id],
    )
    return case


@transaction.atomic
def cases_reassign_bulk(
    *, cases: list[Case], to_user: User, by_user: User, reason: str = ""
) -> list[Case]:
    """Move several cases to one technologist at once (PQR-08: the gestor de oficina hands out
    the exported PQR; CORE-09). All or nothing: a closed case refuses the whole request. One
    history row per case, written in bulk; the technologist gets one e-mail with the numbers.
    The caller gives cases already scoped to the user (``case_list_for_user``)."""
    from core.models import Modality, Notification
    from core.services.messaging import notification_queue

    if not cases:
        raise ValidationError({"cases": "Seleccione al menos un caso."})
    if not to_user.is_active or not user_has_role(to_user, Role.TECNOLOGO):
        raise ValidationError({"technologist": "El destinatario debe ser un tecnólogo activo."})
    locked = list(
        Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases]).order_by("pk")
    )
    closed = [c.number for c in locked if c.is_closed]
    if closed:
        raise ValidationError(
            {"cases": f"Estos casos están cerrados y no se pueden reasignar: {', '.join(closed)}."}
        )
    now = timezone.now()
    previous = [case.assigned_to_id for case in locked]
    for case in locked:
        case.assigned_to = to_user
        case.assigned_at = now
        case.updated_at = now
        if case.status == CaseStatus.ABIERTO:
            case.status = CaseStatus.ASIGNADO
    text = f"reasignación manual a {to_user}"
    bulk_update_with_history(
        locked,
        Case,
        ["assigned_to", "assigned_at", "status", "updated_at"],
        default_user=by_user,
        default_change_reason=_history_reason(text, reason),
    )
    cases_changed(
        user_ids=[*previous, to_user.pk], office_ids=[c.supported_office_id for c in locked]
    )
    if to_user.email:
        numbers = ", ".join(c.number for c in locked)
        notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.GENERAL,
            recipient=to_user.email,
            subject=f"Se le asignaron {len(locked)} casos",
            body=(
                f"{by_user.get_full_name() or by_user.username} le asignó estos casos: "
                f"{numbers}. Los encuentra en Mis casos."
            ),
        )
    return locked


#: simple_history's change-reason column holds 100 characters.
HISTORY_REASON_MAX = 100


def _history_reason(text: str, reason: str) -> str:
    full = f"{text}: {reason}" if reason else text
    return full if len(full) <= HISTORY_REASON_MAX else full[: HISTORY_REASON_MAX - 1] + "…"
