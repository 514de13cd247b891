"""Colombian business days (días hábiles) and the PQR response term (LEG-01).

Ley 142 de 1994, art. 158: the utility answers a PQR within 15 días hábiles from its filing.
The filing day itself is not counted; Saturdays, Sundays and national holidays (the ``holidays``
package, pinned, which includes the holidays moved to Monday by Ley 51 de 1983 and later laws)
are skipped. Dates are taken in America/Bogota.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BOGOTA = ZoneInfo("America/Bogota")
PQR_RESPONSE_BUSINESS_DAYS = 15


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CO", years=year, language="es")


def is_holiday(day: dt.date) -> bool:
    """A Colombian national holiday (the same calendar as LEG-01)."""
    return day in _holidays_for(day.year)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th business day after ``start`` (``start`` itself is not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (negative when end < start)."""
    if end < start:
        return -business_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count


def local_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("Se esperaba una fecha y hora con zona horaria.")
    return moment.astimezone(BOGOTA).date()


def pqr_due_date(filed_at: dt.datetime) -> dt.date:
    """LEG-01: the 15th business day after the filing date in Bogotá."""
    return add_business_days(local_date(filed_at), PQR_RESPONSE_BUSINESS_DAYS)


def bogota_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants a Bogotá calendar day starts and the next one starts (aware datetimes): a
    filter ``start <= t < end`` selects what happened on that day in Colombia, whatever UTC says."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BOGOTA)
    return start, start + dt.timedelta(days=1)


def clock_text(moment: dt.datetime) -> str:
    """The time of ``moment`` in Bogotá as the project writes it: "9:30 a.m.", "12:00 p.m."."""
    local = moment.astimezone(BOGOTA)
    return f"{local.hour % 12 or 12}:{local:%M} {'a.m.' if local.hour < 12 else 'p.m.'}"
