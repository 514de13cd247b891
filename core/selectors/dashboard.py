"""The managers' dashboard (issue 16 item 2; LEG-01, LEG-02, NFR-01, NFR-02): every figure of a
unit — or of one office — computed in PostgreSQL with a fixed number of queries, whatever the
number of cases (GROUP BY, conditional ``Count``, ``Min``/``Max``/``Avg``; no loop over cases in
Python: the Python loops below walk the grouped rows, a few dozen at most).

Who sees what (``dashboard_scope``): the gestor de equipo and the asignador, their unit (the unit
of their home office) and any office of it; the gestor de oficina, their home office only; the
superuser, any unit (``?unit=``). Anything else is refused with a Spanish message, never with
another unit's figures.

A case belongs to the unit when its office or its supported office is one of the unit's, or —
without either — when its modality names the unit (the digital PQR belong to the Unidad Canales
Regional: ``core.modalities`` ``case_unit``). Like the case list (``case_scope_q``), a case whose
office and supported office are in different units counts in both units' dashboards. The office
view counts the cases whose office or supported office is that office.

The queries (``DASHBOARD_QUERIES``): the offices (with their active kiosks, for the asesor en
línea cap), open cases by state × modality, open PQR by due state, the SAP queue, the ten most
urgent PQR, today's turns per office, the technologists, their assignments, closures and cases
in attention of today (three), today's roster per office × modality, and the period's closed
cases per modality (three: the days already rolled into ``CaseDailyStats`` by the nightly
``core.dashboard_rollup``, those days' rollup rows, the other days' cases).
The case queries read only columns of the dashboard's indexes (``Case.Meta.indexes``, migration
0033), so PostgreSQL answers them with index-only scans — and count a column of the index
(``Count("status")``…), not the primary key, for the same reason.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
)
from django.utils import timezone

from core.business_days import BOGOTA, add_business_days, bogota_day_bounds, local_date
from core.models import (
    Case,
    CaseDailyStats,
    CaseKind,
    CaseStatus,
    DashboardRollupDay,
    Modality,
    Office,
    RemoteModality,
    RosterEntry,
    SapCase,
    Turn,
    Unit,
    User,
)
from core.roles import Role, user_roles
from core.selectors.turns import WAITING
from core.services.deadlines import NEAR_DUE_BUSINESS_DAYS
from core.services.roster.rules import roster_cap_for

#: Roles that open the dashboard of their whole unit, and of their own office.
DASHBOARD_UNIT_ROLES = (Role.GESTOR, Role.ASIGNADOR)
DASHBOARD_OFFICE_ROLES = (Role.GESTOR_OFICINA,)
DASHBOARD_ROLES = DASHBOARD_UNIT_ROLES + DASHBOARD_OFFICE_ROLES
#: Queries of ``dashboard_figures`` (tests assert it with 100 and with 10,000 cases).
DASHBOARD_QUERIES = 14  # the period's figures: the rolled days, the rollup, the live cases
#: The shape of ``dashboard_figures``' result: raise it when a key is added, renamed or removed,
#: so the figures kept by ``core.services.dashboard_snapshot`` under the old shape are not served.
FIGURES_VERSION = 1

#: The states of an open case, spelled as the partial indexes of ``Case.Meta`` spell them (the
#: planner uses a partial index only when the query repeats its condition).
OPEN_STATUSES = [CaseStatus.ABIERTO, CaseStatus.ASIGNADO, CaseStatus.EN_ATENCION]
OLDEST_LIMIT = 10
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)

DENIED_ROLE = "Su rol no tiene acceso al tablero."
DENIED_NO_OFFICE = "Su usuario no tiene oficina asignada: pida a su gestor que la configure."
DENIED_UNIT = "No puede ver el tablero de otra unidad: solo el de la {unit}."
DENIED_OFFICE_UNIT = "La oficina {office} no es de su unidad: no puede ver su tablero."
DENIED_OTHER_OFFICE = "Solo puede ver el tablero de su oficina, {office}."
BAD_UNIT = "Unidad no válida: use «metropolitano» o «regional»."
BAD_OFFICE = "Indique la oficina por su número de identificación."
NO_OFFICE = "La oficina indicada no existe."
BAD_DATE = "Indique la fecha con el formato AAAA-MM-DD."
DATE_RANGE = "La fecha debe estar entre el 01/01/2000 y el 31/12/2099."
FROM_AFTER_TO = "La fecha inicial no puede ser posterior a la fecha final."
PERIOD_TOO_LONG = "El periodo no puede pasar de 366 días."

#: The due states of a PQR, most urgent last (codes of the API, labels of the page).
DUE_STATES = {
    "a_tiempo": "a tiempo",
    "proxima": f"vence en {NEAR_DUE_BUSINESS_DAYS} días hábiles o menos",
    "vencida": "vencida",
    "en_sap": "en silencio administrativo positivo",
}


@dataclass(frozen=True)
class DashboardScope:
    unit: str
    office: Office | None = None


def dashboard_now() -> dt.datetime:
    """The moment the figures are of (a function, so a test can fix it)."""
    return timezone.now()


# --- who sees what --------------------------------------------------------------------------


def _office_param(raw) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if not 0 < value < 2**31:
        raise ValidationError({"office": BAD_OFFICE})
    return value


def dashboard_scope(*, user, unit=None, office=None) -> DashboardScope:
    """The unit (and office) whose figures ``user`` asked for, if they may see them.

    ``unit``/``office`` are the raw query values (``?unit=``, ``?office=``). Bad values →
    ``ValidationError`` (400); another unit, another office, another role → ``PermissionDenied``
    (403) with the reason in Spanish."""
    if unit not in (None, "") and unit not in Unit.values:
        raise ValidationError({"unit": BAD_UNIT})
    office_id = _office_param(office)
    roles = user_roles(user)
    home = getattr(user, "home_office", None)
    if not (user.is_superuser or roles & set(DASHBOARD_ROLES)):
        raise PermissionDenied(DENIED_ROLE)
    chosen = None
    if office_id is not None:
        chosen = Office.objects.filter(pk=office_id).first()
        if chosen is None:
            raise ValidationError({"office": NO_OFFICE})
    if user.is_superuser:
        target = unit or (chosen.unit if chosen else (home.unit if home else Unit.METROPOLITANO))
        if chosen is not None and chosen.unit != target:
            raise ValidationError(
                {"office": f"La oficina {chosen} no es de la {Unit(target).label}."}
            )
        return DashboardScope(unit=target, office=chosen)
    if home is None:
        raise PermissionDenied(DENIED_NO_OFFICE)
    if unit and unit != home.unit:
        raise PermissionDenied(DENIED_UNIT.format(unit=Unit(home.unit).label))
    if roles & set(DASHBOARD_UNIT_ROLES):
        if chosen is not None and chosen.unit != home.unit:
            raise PermissionDenied(DENIED_OFFICE_UNIT.format(office=chosen))
        return DashboardScope(unit=home.unit, office=chosen)
    # gestor de oficina: always their own office.
    if chosen is not None and chosen.pk != home.pk:
        raise PermissionDenied(DENIED_OTHER_OFFICE.format(office=home))
    return DashboardScope(unit=home.unit, office=home)


def dashboard_params(*, user, params) -> tuple[DashboardScope, dt.date, dt.date]:
    """The scope and period a request asks for (``unit``, ``office``, ``from``, ``to`` of the
    page's or the API's query string): what both answer with; raises ``ValidationError`` per
    field (400) and ``PermissionDenied`` (403)."""
    scope = dashboard_scope(user=user, unit=params.get("unit"), office=params.get("office"))
    date_from, date_to = dashboard_period(date_from=params.get("from"), date_to=params.get("to"))
    return scope, date_from, date_to


def dashboard_period(*, date_from=None, date_to=None, today: dt.date | None = None):
    """``(date_from, date_to)`` from the raw ``?from=``/``?to=`` (ISO dates); by default the
    last 30 days up to today. Bad dates, ``from`` after ``to`` or more than 366 days →
    ``ValidationError`` with Spanish messages by field."""
    today = today or local_date(timezone.now())
    errors = {}
    parsed = {}
    for field, raw, default in (
        ("from", date_from, today - dt.timedelta(days=DEFAULT_PERIOD_DAYS)),
        ("to", date_to, today),
    ):
        if raw in (None, ""):
            parsed[field] = default
            continue
        if isinstance(raw, dt.date):
            value = raw
        else:
            try:
                value = dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                errors[field] = BAD_DATE
                continue
        if not FIRST_DAY <= value <= LAST_DAY:
            errors[field] = DATE_RANGE
            continue
        parsed[field] = value
    if not errors:
        if parsed["from"] > parsed["to"]:
            errors["from"] = FROM_AFTER_TO
        elif (parsed["to"] - parsed["from"]).days + 1 > MAX_PERIOD_DAYS:
            errors["to"] = PERIOD_TOO_LONG
    if errors:
        raise ValidationError(errors)
    return parsed["from"], parsed["to"]


# --- the figures ----------------------------------------------------------------------------


def _modalities_of_unit(unit: str) -> list[str]:
    """The modalities whose cases without office belong to ``unit``: those whose registration's
    ``case_unit`` names a fixed unit (asked with an unsaved case of the modality), so the unit
    is a SQL condition (``modality IN …``) instead of a call per case."""
    from core import modalities

    return [
        registration.modality
        for registration in modalities.registrations()
        if registration.case_unit is not None
        and registration.case_unit(Case(modality=registration.modality)) == unit
    ]


def _case_q(*, unit: str, office: Office | None, office_ids: list[int]) -> Q:
    if office is not None:
        return Q(office_id=office.pk) | Q(supported_office_id=office.pk)
    q = Q(office_id__in=office_ids) | Q(supported_office_id__in=office_ids)
    fixed = _modalities_of_unit(unit)
    if fixed:
        q |= Q(office__isnull=True, supported_office__isnull=True, modality__in=fixed)
    return q


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _minutes(delta: dt.timedelta | None) -> int | None:
    if delta is None:
        return None
    return max(0, int(delta.total_seconds() // 60))


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _pending_sap():
    return SapCase.objects.filter(case=OuterRef("pk"), recognised_at__isnull=True)


def _open_cases(cases) -> dict:
    rows = (
        cases.filter(status__in=OPEN_STATUSES)
        .values("status", "modality")
        .annotate(n=Count("status"))
        .order_by()
    )
    by_status: dict[str, int] = {}
    by_modality: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_modality[row["modality"]] = by_modality.get(row["modality"], 0) + row["n"]
    return {
        "by_status": [
            {"status": s, "label": _label(CaseStatus, s), "count": by_status.get(s, 0)}
            for s in OPEN_STATUSES
        ],
        "by_modality": [
            {"modality": m, "label": _label(Modality, m), "count": by_modality[m]}
            for m in Modality.values
            if by_modality.get(m)
        ],
        "total": sum(by_status.values()),
    }


def _pqr_due(cases, *, scope: DashboardScope, today: dt.date) -> dict:
    horizon = add_business_days(today, NEAR_DUE_BUSINESS_DAYS)
    open_pqr = cases.filter(status__in=OPEN_STATUSES, kind=CaseKind.PQR)
    counts = open_pqr.filter(~Exists(_pending_sap())).aggregate(
        on_time=Count("due_date", filter=Q(due_date__gt=horizon)),
        near_due=Count("due_date", filter=Q(due_date__gte=today, due_date__lte=horizon)),
        past_due=Count("due_date", filter=Q(due_date__lt=today)),
    )
    sap = SapCase.objects.filter(recognised_at__isnull=True)
    if scope.office is not None:
        sap = sap.filter(Q(case__office=scope.office) | Q(case__supported_office=scope.office))
    else:
        sap = sap.filter(unit=scope.unit)
    in_sap = sap.count()
    oldest = []
    urgent_ids = open_pqr.order_by("due_date", "filed_at", "pk").values("pk")[:OLDEST_LIMIT]
    for case in (
        Case.objects.filter(pk__in=urgent_ids)
        .annotate(in_sap=Exists(_pending_sap()))
        .select_related("assigned_to")
        .order_by("due_date", "filed_at", "pk")
    ):
        if case.in_sap:
            state = "en_sap"
        elif case.due_date < today:
            state = "vencida"
        elif case.due_date <= horizon:
            state = "proxima"
        else:
            state = "a_tiempo"
        who = case.assigned_to
        oldest.append(
            {
                "case_id": case.pk,
                "number": case.number,
                "due_date": case.due_date,
                "state": state,
                "state_label": DUE_STATES[state],
                "assigned_to": (who.get_full_name() or who.username) if who else None,
            }
        )
    return {**counts, "in_sap": in_sap, "near_due_until": horizon, "oldest": oldest}


def _waiting_turns(*, office_ids: list[int], today: dt.date, now: dt.datetime) -> list[dict]:
    waiting = Q(status__in=WAITING)
    rows = (
        Turn.objects.filter(day=today, office_id__in=office_ids)
        .values("office_id", "office__name")
        .annotate(waiting=Count("pk", filter=waiting), since=Min("created_at", filter=waiting))
        .order_by("office__name", "office_id")
    )
    return [
        {
            "office_id": row["office_id"],
            "office": row["office__name"],
            "waiting": row["waiting"],
            "longest_wait_minutes": _minutes(now - row["since"]) if row["since"] else None,
        }
        for row in rows
    ]


def _technologists(*, scope: DashboardScope, today: dt.date, now: dt.datetime) -> list[dict]:
    start, end = bogota_day_bounds(today)
    technologists = User.objects.filter(groups__name=Role.TECNOLOGO, is_active=True)
    if scope.office is not None:
        technologists = technologists.filter(home_office=scope.office)
    else:
        technologists = technologists.filter(home_office__unit=scope.unit)
    people = list(
        technologists.order_by("first_name", "last_name", "pk").values(
            "pk", "first_name", "last_name", "username"
        )
    )
    # Today's cases of anyone, grouped by technologist (a row per technologist at most) and
    # kept for the people above — three index-only scans of small ranges (today's assignments,
    # today's closures, the cases in attention), never every case of every technologist.
    with_tech = Case.objects.filter(assigned_to__isnull=False).order_by()
    assigned = {
        row["assigned_to"]: row
        for row in with_tech.filter(assigned_at__gte=start, assigned_at__lt=end)
        .values("assigned_to")
        .annotate(n=Count("assigned_at"), last=Max("assigned_at"))
    }
    closed = {
        row["assigned_to"]: row
        for row in with_tech.filter(closed_at__gte=start, closed_at__lt=end)
        .values("assigned_to")
        .annotate(n=Count("closed_at"), last=Max("closed_at"))
    }
    attending = dict(
        with_tech.filter(status=CaseStatus.EN_ATENCION)
        .values("assigned_to")
        .annotate(n=Count("status"))
        .values_list("assigned_to", "n")
    )
    rows = []
    for person in people:
        pk = person["pk"]
        last_assigned = assigned.get(pk, {}).get("last")
        last_closed = closed.get(pk, {}).get("last")
        last = max((t for t in (last_assigned, last_closed) if t), default=None)
        if attending.get(pk):
            idle = 0
        elif last is None:
            idle = None
        else:
            idle = _minutes(now - last)
        rows.append(
            {
                "id": pk,
                "name": _name(person["first_name"], person["last_name"], person["username"]),
                "assigned_today": assigned.get(pk, {}).get("n", 0),
                "in_attention": attending.get(pk, 0),
                "closed_today": closed.get(pk, {}).get("n", 0),
                "idle_minutes": idle,
            }
        )
    return rows


def _supporters(*, offices: dict[int, Office], today: dt.date) -> list[dict]:
    rows = (
        RosterEntry.objects.filter(day=today, office_id__in=list(offices))
        .values("office_id", "modality")
        .annotate(rostered=Count("pk"))
        .order_by()
    )
    order = {m: i for i, m in enumerate(RemoteModality.values)}
    result = []
    for row in rows:
        office = offices[row["office_id"]]
        cap = roster_cap_for(office=office, modality=row["modality"])
        result.append(
            {
                "office_id": office.pk,
                "office": office.name,
                "modality": row["modality"],
                "label": _label(RemoteModality, row["modality"]),
                "rostered": row["rostered"],
                "cap": cap.limit if cap else None,
            }
        )
    result.sort(key=lambda r: (r["office"], order.get(r["modality"], 99)))
    return result


def _day_runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as maximal runs of consecutive days, ``(first, last)`` each."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _any_of(conditions: list[Q], empty: Q) -> Q:
    """The OR of ``conditions``, or ``empty`` (a condition no row meets, still one SQL query:
    the query count must not depend on the data)."""
    q = Q()
    for condition in conditions:
        q |= condition
    return q if conditions else empty


def _performance(cases, *, scope_q: Q, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """The period's closed cases per modality (closed, first contact, average handling).

    The days of the period already rolled (``DashboardRollupDay``, ``core.services.
    dashboard_rollup``) are read from ``CaseDailyStats`` — scoped by ``scope_q``, the cases'
    own condition (``_case_q``), since the rollup keeps the office, the supported office and
    the modality of the cases —, the other days (normally only today) from the cases. Three
    queries whatever the data: the rolled days of the period, the rollup's sums per modality,
    the live cases' sums per modality; the two are added here (a handful of rows). The average
    is the summed handling time over the handled cases, as an ``AVG`` over every case would
    give it, to the microsecond.
    """
    rolled = list(
        DashboardRollupDay.objects.filter(day__gte=date_from, day__lte=date_to)
        .order_by("day")
        .values_list("day", flat=True)
    )
    rolled_set = set(rolled)
    live = [
        date_from + dt.timedelta(days=i)
        for i in range((date_to - date_from).days + 1)
        if date_from + dt.timedelta(days=i) not in rolled_set
    ]
    rolled_q = _any_of(
        [Q(day__gte=first, day__lte=last) for first, last in _day_runs(rolled)],
        Q(day__gt=date_to, day__lt=date_to),
    )
    end = bogota_day_bounds(date_to)[1]
    live_q = _any_of(
        [
            Q(closed_at__gte=bogota_day_bounds(first)[0], closed_at__lt=bogota_day_bounds(last)[1])
            for first, last in _day_runs(live)
        ],
        Q(closed_at__gte=end, closed_at__lt=end),
    )
    from_rollup = (
        CaseDailyStats.objects.filter(scope_q, rolled_q)
        .values("modality")
        .annotate(
            n_closed=Sum("closed"),
            n_first=Sum("first_contact"),
            n_handled=Sum("handled"),
            handling=Sum("handling"),
        )
        .order_by()
    )
    handling = ExpressionWrapper(F("closed_at") - F("assigned_at"), output_field=DurationField())
    from_cases = (
        cases.filter(live_q)
        .values("modality")
        .annotate(
            n_closed=Count("closed_at"),
            n_first=Count("closed_at", filter=Q(status=CaseStatus.CERRADO_PRIMER_CONTACTO)),
            n_handled=Count("assigned_at"),
            handling=Sum(handling),
        )
        .order_by()
    )
    sums: dict[str, list] = {}
    for row in [*from_rollup, *from_cases]:
        total = sums.setdefault(row["modality"], [0, 0, 0, dt.timedelta(0)])
        total[0] += row["n_closed"] or 0
        total[1] += row["n_first"] or 0
        total[2] += row["n_handled"] or 0
        total[3] += row["handling"] or dt.timedelta(0)
    rows = {
        modality: (closed, first, handling / handled if handled else None)
        for modality, (closed, first, handled, handling) in sums.items()
    }
    result = []
    for modality in Modality.values:
        closed, first_contact, avg = rows.get(modality, (0, 0, None))
        if not closed:
            continue
        result.append(
            {
                "modality": modality,
                "label": _label(Modality, modality),
                "closed": closed,
                "first_contact": first_contact,
                "fcr_rate": round(first_contact / closed, 4),
                "avg_handling_minutes": round(avg.total_seconds() / 60, 1)
                if avg is not None
                else None,
            }
        )
    return result


def dashboard_figures(
    *,
    unit: str,
    office: Office | None = None,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
) -> dict:
    """Every figure of the dashboard of ``unit`` (or of ``office``, one of its offices) — the
    keys are the API's contract (``core.api_dashboard``). Today is ``now``'s Bogotá date; the
    period ``[date_from, date_to]`` is of Bogotá dates (``closed_at`` in it). Always
    ``DASHBOARD_QUERIES`` queries."""
    now = now or dashboard_now()
    today = local_date(now)
    offices_qs = Office.objects.annotate(
        active_kiosks=Count("kiosks", filter=Q(kiosks__active=True))
    ).order_by("name", "pk")
    offices_qs = (
        offices_qs.filter(pk=office.pk) if office is not None else offices_qs.filter(unit=unit)
    )
    offices = {o.pk: o for o in offices_qs}
    office_ids = list(offices)
    case_q = _case_q(unit=unit, office=office, office_ids=office_ids)
    cases = Case.objects.filter(case_q)
    scope = DashboardScope(unit=unit, office=office)
    return {
        "unit": unit,
        "unit_label": _label(Unit, unit),
        "office": {"id": office.pk, "name": office.name} if office is not None else None,
        "from": date_from,
        "to": date_to,
        "today": today,
        "generated_at": now.astimezone(BOGOTA),
        "open_cases": _open_cases(cases),
        "pqr_due": _pqr_due(cases, scope=scope, today=today),
        "waiting_turns": _waiting_turns(office_ids=office_ids, today=today, now=now),
        "technologists": _technologists(scope=scope, today=today, now=now),
        "supporters": _supporters(offices=offices, today=today),
        "performance": _performance(cases, scope_q=case_q, date_from=date_from, date_to=date_to),
    }


# --- the CSV (long format) ------------------------------------------------------------------


def dashboard_rows(figures: dict) -> list[tuple[str, str, str, object]]:
    """The figures as (section, subject, measure, value) rows: the CSV download."""
    rows: list[tuple[str, str, str, object]] = []
    add = rows.append
    for row in figures["open_cases"]["by_status"]:
        add(("casos abiertos por estado", row["label"], "casos", row["count"]))
    for row in figures["open_cases"]["by_modality"]:
        add(("casos abiertos por modalidad", row["label"], "casos", row["count"]))
    add(("casos abiertos", "total", "casos", figures["open_cases"]["total"]))
    due = figures["pqr_due"]
    for key, label in (
        ("on_time", "a tiempo"),
        ("near_due", DUE_STATES["proxima"]),
        ("past_due", "vencidas"),
        ("in_sap", "en silencio administrativo positivo"),
    ):
        add(("PQR abiertas por vencimiento", label, "PQR", due[key]))
    for row in due["oldest"]:
        add(("PQR más urgentes", row["number"], "fecha límite", row["due_date"].isoformat()))
    for row in figures["waiting_turns"]:
        add(("turnos en espera", row["office"], "en espera", row["waiting"]))
        add(
            (
                "turnos en espera",
                row["office"],
                "espera más larga (minutos)",
                row["longest_wait_minutes"],
            )
        )
    for row in figures["technologists"]:
        add(("tecnólogos hoy", row["name"], "asignados hoy", row["assigned_today"]))
        add(("tecnólogos hoy", row["name"], "en atención", row["in_attention"]))
        add(("tecnólogos hoy", row["name"], "cerrados hoy", row["closed_today"]))
        add(("tecnólogos hoy", row["name"], "minutos sin actividad", row["idle_minutes"]))
    for row in figures["supporters"]:
        subject = f"{row['office']} — {row['label']}"
        add(("apoyos programados hoy", subject, "programados", row["rostered"]))
        add(("apoyos programados hoy", subject, "máximo", row["cap"]))
    for row in figures["performance"]:
        add(("desempeño del periodo", row["label"], "cerrados", row["closed"]))
        add(("desempeño del periodo", row["label"], "primer contacto", row["first_contact"]))
        add(("desempeño del periodo", row["label"], "tasa de primer contacto", row["fcr_rate"]))
        add(
            (
                "desempeño del periodo",
                row["label"],
                "tiempo medio de atención (minutos)",
                row["avg_handling_minutes"],
            )
        )
    return rows
