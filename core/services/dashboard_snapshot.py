"""Issue 16 (NFR-01): the dashboards' figures are computed at most once a minute each, not at
every request.

A dashboard — a unit or an office, a period, on one Bogotá day — is computed by
``core.selectors.dashboard.dashboard_figures`` (14 aggregations over the unit's cases: some
40 ms with half a million cases) and kept in ``DashboardSnapshot``. The page, its refresh every
minute and the API serve the kept figures while they are younger than ``SNAPSHOT_MAX_AGE``
(one query), and compute them again otherwise. The minute's job (``core.dashboard_snapshots``)
recomputes ahead of time the dashboards someone has asked for in the last ``WATCHED_FOR``, so
a manager watching the dashboard gets figures less than a minute and a quarter old without
waiting for them; every figure says the time it was computed ("Cifras al … a las …"). Snapshots
nobody asked for in a day are deleted by the same job.

Who may see which dashboard is decided before this (``dashboard_params``): the snapshot's key is
the scope the caller was allowed, so it never serves one unit's figures to another.

The CSV download does not read snapshots: a file someone keeps is computed at that moment.
"""

import datetime as dt

from core.business_days import BOGOTA, local_date
from core.models import DashboardSnapshot, Office
from core.selectors import dashboard as dashboard_selectors
from core.selectors.dashboard import dashboard_figures

#: Figures older than this are computed again by the request that finds them.
SNAPSHOT_MAX_AGE = dt.timedelta(seconds=75)
#: The minute's job recomputes the watched snapshots older than this.
REFRESH_AFTER = dt.timedelta(seconds=30)
#: A dashboard asked for within this time is "watched": the job keeps it fresh.
WATCHED_FOR = dt.timedelta(minutes=10)
#: A snapshot's last request is written at most this often (not at every refresh).
TOUCH_EVERY = dt.timedelta(seconds=60)
#: Snapshots nobody asked for in this time are deleted.
KEEP_FOR = dt.timedelta(days=1)
#: The job recomputes at most this many dashboards a minute (the most recently asked first).
REFRESH_LIMIT = 200

#: The figures' values that are dates or a moment (JSON keeps them as ISO text).
_DATES = ("from", "to", "today")


def _key(*, unit: str, office_id: int | None, date_from: dt.date, date_to: dt.date, today):
    return (
        f"v{dashboard_selectors.FIGURES_VERSION}|{unit}|{office_id or '-'}|"
        f"{date_from.isoformat()}|{date_to.isoformat()}|{today}"
    )


def _encode(figures: dict) -> dict:
    """What is stored: ``generated_at`` to the microsecond (Django's JSON encoder keeps
    milliseconds), the dates as ISO text."""
    return {**figures, "generated_at": figures["generated_at"].isoformat()}


def _decode(figures: dict) -> dict:
    """The stored figures with their dates and moment back as ``date``/``datetime``: what
    ``dashboard_figures`` returned."""
    for name in _DATES:
        figures[name] = dt.date.fromisoformat(figures[name])
    figures["generated_at"] = dt.datetime.fromisoformat(figures["generated_at"]).astimezone(BOGOTA)
    due = figures["pqr_due"]
    due["near_due_until"] = dt.date.fromisoformat(due["near_due_until"])
    for row in due["oldest"]:
        row["due_date"] = dt.date.fromisoformat(row["due_date"])
    return figures


def _store(key: str, figures: dict, now: dt.datetime) -> None:
    """Insert or replace the snapshot of ``key`` (one statement: two requests computing the
    same dashboard at once both succeed, the later one's figures stay)."""
    DashboardSnapshot.objects.bulk_create(
        [DashboardSnapshot(key=key, figures=_encode(figures), computed_at=now, requested_at=now)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["figures", "computed_at", "requested_at"],
    )


def dashboard_figures_fresh(
    *, unit: str, office: Office | None = None, date_from: dt.date, date_to: dt.date
) -> dict:
    """The figures of ``dashboard_figures`` for this scope and period, computed less than
    ``SNAPSHOT_MAX_AGE`` ago: the kept ones (one query), or computed now and kept."""
    now = dashboard_selectors.dashboard_now()  # through the module: tests fix it
    key = _key(
        unit=unit,
        office_id=office.pk if office is not None else None,
        date_from=date_from,
        date_to=date_to,
        today=local_date(now),
    )
    kept = (
        DashboardSnapshot.objects.filter(key=key, computed_at__gt=now - SNAPSHOT_MAX_AGE)
        .values_list("pk", "figures", "requested_at")
        .first()
    )
    if kept is not None:
        pk, figures, requested_at = kept
        if requested_at < now - TOUCH_EVERY:  # still watched: the job keeps it fresh
            DashboardSnapshot.objects.filter(pk=pk).update(requested_at=now)
        return _decode(figures)
    figures = dashboard_figures(
        unit=unit, office=office, date_from=date_from, date_to=date_to, now=now
    )
    _store(key, figures, now)
    return figures


def dashboard_snapshots_refresh(*, now: dt.datetime | None = None) -> int:
    """The minute's job: recompute the snapshots of today asked for within ``WATCHED_FOR`` and
    older than ``REFRESH_AFTER`` (at most ``REFRESH_LIMIT``, the most recently asked first),
    and delete those nobody asked for within ``KEEP_FOR``. Returns how many it recomputed."""
    now = now or dashboard_selectors.dashboard_now()
    today = local_date(now)
    DashboardSnapshot.objects.filter(requested_at__lt=now - KEEP_FOR).delete()
    watched = (
        DashboardSnapshot.objects.filter(
            key__startswith=f"v{dashboard_selectors.FIGURES_VERSION}|",  # not a former shape
            requested_at__gte=now - WATCHED_FOR,
            computed_at__lt=now - REFRESH_AFTER,
        )
        .order_by("-requested_at")
        .values_list("key", "figures")[:REFRESH_LIMIT]
    )
    rows = [(key, kept) for key, kept in watched if kept.get("today") == today.isoformat()]
    office_ids = {kept["office"]["id"] for _key, kept in rows if kept.get("office")}
    offices = Office.objects.in_bulk(office_ids)
    done = 0
    for key, kept in rows:
        office = None
        if kept.get("office"):
            office = offices.get(kept["office"]["id"])
            if office is None:  # the office is gone: nothing to show any more
                continue
        figures = dashboard_figures(
            unit=kept["unit"],
            office=office,
            date_from=dt.date.fromisoformat(kept["from"]),
            date_to=dt.date.fromisoformat(kept["to"]),
            now=now,
        )
        # Not its last request: a request may have written a newer one meanwhile.
        DashboardSnapshot.objects.filter(key=key).update(figures=_encode(figures), computed_at=now)
        done += 1
    return done
