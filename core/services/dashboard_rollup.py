"""Issue 16 (NFR-01): the nightly rollup of the dashboard's period figures.

The dashboard's performance figures (closed cases, first contact, average handling per
modality over a period) used to read every case closed in the period at each request. A past
Bogotá day never changes — a case gets ``closed_at`` only when it is closed, at that moment
(``core.services.closing``), so once a day is over nothing is ever added to it or taken from it —
so each past day is summed once, here, into ``CaseDailyStats`` (per office × supported office ×
modality) and marked in ``DashboardRollupDay``; the dashboard reads those rows for the rolled
days of a period and the cases themselves only for the days not rolled (normally today).
"""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from core.business_days import bogota_day_bounds, local_date
from core.models import Case, CaseDailyStats, CaseStatus, DashboardRollupDay

LOCK_KEY = "core.dashboard_rollup"


@transaction.atomic
def dashboard_rollup(*, until: dt.date | None = None) -> int:
    """Roll every day not rolled yet, from the day after the last rolled day (or, the first
    time, from the Bogotá day of the first closure) up to ``until`` (default and at most:
    yesterday in Bogotá — today is never rolled, its cases are still being closed). Returns the
    number of days rolled (0 when there is nothing to roll).

    PostgreSQL only (on SQLite nothing is rolled and the figures are read from the cases).
    Set-based: one ``INSERT … SELECT … GROUP BY`` over the whole range and one insert of the
    range's markers (``generate_series``: days without closures are marked too), in one
    transaction. Idempotent and safe with two runs at once: a transaction-level advisory lock
    serialises them, the second one then finds the days rolled; the range's rows are deleted
    before they are written, so a range rolled again is replaced, never doubled.
    """
    if connection.vendor != "postgresql":
        return 0  # the zero-setup demo (SQLite): the dashboard reads the cases every time
    yesterday = local_date(timezone.now()) - dt.timedelta(days=1)
    last_day = min(until, yesterday) if until is not None else yesterday
    stats = CaseDailyStats._meta.db_table
    days = DashboardRollupDay._meta.db_table
    cases = Case._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LOCK_KEY])
        cur.execute(f"SELECT max(day) FROM {days}")
        (rolled_until,) = cur.fetchone()
        if rolled_until is not None:
            first_day = rolled_until + dt.timedelta(days=1)
        else:
            cur.execute(
                f"SELECT (min(closed_at) AT TIME ZONE 'America/Bogota')::date FROM {cases} "
                "WHERE closed_at IS NOT NULL"
            )
            (first_day,) = cur.fetchone()
        if first_day is None or first_day > last_day:
            return 0
        start, end = bogota_day_bounds(first_day)[0], bogota_day_bounds(last_day)[1]
        cur.execute(f"DELETE FROM {stats} WHERE day BETWEEN %s AND %s", [first_day, last_day])
        cur.execute(
            f"INSERT INTO {stats} (day, office_id, supported_office_id, modality, closed, "
            "first_contact, handled, handling) "
            "SELECT (closed_at AT TIME ZONE 'America/Bogota')::date, office_id, "
            "supported_office_id, modality, count(*), count(*) FILTER (WHERE status = %s), "
            "count(assigned_at), coalesce(sum(closed_at - assigned_at), interval '0') "
            f"FROM {cases} WHERE closed_at >= %s AND closed_at < %s "
            "GROUP BY 1, 2, 3, 4",
            [CaseStatus.CERRADO_PRIMER_CONTACTO.value, start, end],
        )
        cur.execute(
            f"INSERT INTO {days} (day, rolled_at) "
            "SELECT d::date, now() FROM generate_series(%s::date, %s::date, interval '1 day') d "
            "ON CONFLICT (day) DO UPDATE SET rolled_at = EXCLUDED.rolled_at",
            [first_day, last_day],
        )
    return (last_day - first_day).days + 1
