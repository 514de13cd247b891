"""The calendar invitation of an appointment (RFC 5545 / iTIP), shared by every modality that
books appointments (2.6 condo administrators, 2.8 internal clients).

One ``VEVENT`` per appointment, identified by the appointment's stable ``UID``: the first e-mail
carries ``METHOD:REQUEST`` with ``SEQUENCE`` 0, a reschedule the same UID with a higher SEQUENCE
(calendar clients then move the event instead of adding a second one), a cancellation
``METHOD:CANCEL`` with ``STATUS:CANCELLED`` and a higher SEQUENCE (clients remove it). Times are
written in America/Bogota with its ``VTIMEZONE``. The organizer is the mailbox of the
appointment's modality (``sender_for``, CORE-12): the e-mail that carries the .ics leaves from it.
The modality writes the summary, description and location; this module writes the rest."""

import datetime as dt
from email.utils import parseaddr

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from core.business_days import BOGOTA, clock_text
from core.models import Appointment
from core.services.messaging import MONTHS, sender_for

PRODID = "-//EPM//Atencion a distancia//ES"
REQUEST, CANCEL = "REQUEST", "CANCEL"
ATTACHMENT_NAME = "cita-epm.ics"


def organizer(modality: str) -> tuple[str, str]:
    """(name, address) of the mailbox the modality's e-mails leave from."""
    return parseaddr(sender_for(modality))


def appointment_ics(
    *,
    appointment: Appointment,
    modality: str,
    attendee_email: str,
    attendee_name: str,
    summary: str,
    description: str,
    location: str,
    method: str = REQUEST,
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics of ``appointment`` as it is now (its UID, SEQUENCE, start and end)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Método de calendario no soportado: {method}")
    now = now or timezone.now()
    org_name, org_address = organizer(modality)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", appointment.ics_uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", appointment.start.astimezone(BOGOTA))
    event.add("dtend", appointment.end.astimezone(BOGOTA))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", location)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")

    org = vCalAddress(f"mailto:{org_address}")
    if org_name:
        org.params["cn"] = vText(org_name)
    event.add("organizer", org)

    attendee = vCalAddress(f"mailto:{attendee_email}")
    if attendee_name:
        attendee.params["cn"] = vText(attendee_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)

    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_store(*, appointment: Appointment, content: bytes) -> str:
    """Store the .ics under ``citas/<uid>-<sequence>/cita-epm.ics`` (one file per version of
    the invitation; the recipient sees the attachment as ``cita-epm.ics``) and return its
    storage name, what ``notification_queue`` takes as an attachment."""
    return default_storage.save(
        f"citas/{appointment.uid}-{appointment.sequence}/{ATTACHMENT_NAME}", ContentFile(content)
    )


def when_text(moment: dt.datetime) -> str:
    """ "12 de marzo de 2026 a las 9:30 a.m." (Bogotá)."""
    local = moment.astimezone(BOGOTA)
    day = f"{local.day} de {MONTHS[local.month - 1]} de {local.year}"
    return f"{day} a las {clock_text(local)}"
