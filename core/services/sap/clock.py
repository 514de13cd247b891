"""LEG-02: the 72-hour clock of the silencio administrativo positivo, and how it is shown."""

import datetime as dt
import math

from django.conf import settings
from django.urls import reverse

from core.business_days import BOGOTA, clock_text
from core.models import SapCase
from core.roles import Role, user_has_role

#: Decreto 2150 de 1995, art. 123: the silence's effects are recognised within 72 hours.
SAP_HOURS = 72
#: The first alert goes when this many hours (or fewer) remain.
ALERT_HOURS = 24
#: The queue page's path, as config/urls.py mounts core.urls (``core:sap_queue``).
#: Roles that recognise a silence (the unit's managers); the gestor de oficina only reads.
RECOGNISE_ROLES = (Role.GESTOR, Role.ASIGNADOR)


# --- the clock ------------------------------------------------------------------------------


def sap_began_at(due_date: dt.date) -> dt.datetime:
    """00:00 in Bogotá of the day after the due date: when the term ended."""
    return dt.datetime.combine(due_date + dt.timedelta(days=1), dt.time.min, tzinfo=BOGOTA)


def sap_deadline(due_date: dt.date) -> dt.datetime:
    """72 calendar hours after the term ended (weekends and holidays included)."""
    return sap_began_at(due_date) + dt.timedelta(hours=SAP_HOURS)


def sap_hours_left(record: SapCase, now: dt.datetime) -> int:
    """Whole hours left to recognise: rounded up while time is left ("Quedan 24 h" means 24
    hours or fewer, as the orange badge and the alert count them: 24 h 30 min left is 25),
    rounded down once the deadline has passed (-3 means "vencido hace 3 h" or a bit more)."""
    hours = (record.deadline - now).total_seconds() / 3600
    return math.ceil(hours) if hours > 0 else math.floor(hours)


def sap_is_expired(record: SapCase, now: dt.datetime) -> bool:
    return now >= record.deadline


def sap_is_urgent(record: SapCase, now: dt.datetime) -> bool:
    """24 hours or fewer left, not yet expired (the page's orange badge, the first alert)."""
    return not sap_is_expired(record, now) and record.deadline - now <= dt.timedelta(
        hours=ALERT_HOURS
    )


def bogota_moment(moment: dt.datetime | None) -> str:
    """ "05/12/2026 12:00 a.m." in Bogotá time (the project's a.m./p.m. style)."""
    if moment is None:
        return ""
    return f"{moment.astimezone(BOGOTA):%d/%m/%Y} {clock_text(moment)}"


def sap_queue_url() -> str:
    """Absolute link to the queue page, for e-mails (SITE_URL + path)."""
    return f"{settings.SITE_URL}{reverse('core:sap_queue')}"


def sap_can_recognise(user) -> bool:
    return bool(user.is_superuser or user_has_role(user, *RECOGNISE_ROLES))
