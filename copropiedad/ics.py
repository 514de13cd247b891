"""The calendar invitation (RFC 5545 / iTIP) of a condo administrator's appointment (2.6 step 1)
and the e-mail that carries it.

One ``VEVENT`` per appointment, identified by the appointment's stable ``UID``: the first e-mail
carries ``METHOD:REQUEST`` with ``SEQUENCE`` 0, a reschedule the same UID with a higher SEQUENCE
(calendar clients then move the event instead of adding a second one), a cancellation
``METHOD:CANCEL`` with ``STATUS:CANCELLED`` and a higher SEQUENCE (clients remove it). Times are
written in America/Bogota with its ``VTIMEZONE``. The organizer is the condo administrators'
mailbox: every e-mail of this modality leaves from it (2.6 step 2, CORE-12).

The e-mail's text is written here, not as a manager-edited ``MessageTemplate`` (CORE-11): a new
template needs a data migration, left for later."""

import datetime as dt
import logging
from email.utils import parseaddr

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from copropiedad.models import CondoCase
from core.business_days import BOGOTA
from core.models import Appointment, Case, Modality, Notification
from core.reference_data import CONTACT_LINES
from core.services.messaging import (
    MONTHS,
    case_template_context,
    notification_queue,
    sender_for,
)

log = logging.getLogger(__name__)

PRODID = "-//EPM//Atencion a distancia - Administradores de Copropiedad//ES"
REQUEST, CANCEL = "REQUEST", "CANCEL"
ATTACHMENT_NAME = "cita-epm.ics"


def organizer() -> tuple[str, str]:
    """(name, address) of the mailbox this modality's e-mails leave from."""
    name, address = parseaddr(sender_for(Modality.COPROPIEDAD))
    return name, address


def appointment_ics(
    *,
    appointment: Appointment,
    case: Case,
    attendee_email: str,
    attendee_name: str,
    method: str = REQUEST,
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics of ``appointment`` as it is now (its UID, SEQUENCE, start and end)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Método de calendario no soportado: {method}")
    now = now or timezone.now()
    org_name, org_address = organizer()

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
    event.add("summary", f"Cita telefónica con EPM — caso {case.number}")
    event.add("description", _description(case))
    event.add("location", "Llamada telefónica de EPM")
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


def _description(case: Case) -> str:
    lines = [f"Caso: {case.number}"]
    if case.motive:
        lines.append(f"Motivo: {case.motive}")
    lines.append(
        "Un tecnólogo de EPM lo llamará el día y la hora de la cita para atender su(s) PQR."
    )
    lines.append(f"Línea de atención: {CONTACT_LINES}.")
    return "\n".join(lines)


def ics_store(*, appointment: Appointment, content: bytes) -> str:
    """Store the .ics under ``citas/<uid>-<sequence>/cita-epm.ics`` (one file per version of
    the invitation; the administrator sees the attachment as ``cita-epm.ics``) and return its
    storage name, what ``notification_queue`` takes as an attachment."""
    return default_storage.save(
        f"citas/{appointment.uid}-{appointment.sequence}/{ATTACHMENT_NAME}", ContentFile(content)
    )


# --- the e-mail that carries it -------------------------------------------------------------------

CONFIRMED, RESCHEDULED, CANCELLED = "confirmada", "reprogramada", "cancelada"


def _when(moment: dt.datetime) -> str:
    """ "12 de marzo de 2026 a las 9:30 a.m." (Bogotá)."""
    local = moment.astimezone(BOGOTA)
    hour12 = local.hour % 12 or 12
    meridian = "a.m." if local.hour < 12 else "p.m."
    day = f"{local.day} de {MONTHS[local.month - 1]} de {local.year}"
    return f"{day} a las {hour12}:{local:%M} {meridian}"


def invitation_message(
    *, appointment: Appointment, case: Case, kind: str, now: dt.datetime | None = None
) -> tuple[str, str]:
    """(subject, body) of the e-mail to the administrator, in Spanish."""
    context = case_template_context(case=case, appointment_at=appointment.start, now=now)
    copropiedad = CondoCase.objects.select_related("copropiedad").get(case=case).copropiedad
    when = _when(appointment.start)
    lines = f"nuestra línea de atención {CONTACT_LINES}."
    greeting = f"{context['saludo']}, {context['nombre_cliente']}:"
    if kind == CANCELLED:
        subject = f"Su cita con EPM fue cancelada — caso {case.number}"
        paragraphs = [
            greeting,
            f"Su cita con EPM del {when} (hora de Colombia), para atender la PQR de la "
            f"copropiedad {copropiedad.name}, fue cancelada. Adjuntamos la cancelación para su "
            "calendario.",
            f"Número del caso: {case.number}.",
            f"Si desea agendar una nueva cita, comuníquese con {lines}",
        ]
    else:
        subject = (
            f"Confirmación de su cita con EPM — caso {case.number}"
            if kind == CONFIRMED
            else f"Su cita con EPM fue reprogramada — caso {case.number}"
        )
        state = "quedó agendada" if kind == CONFIRMED else "fue reprogramada"
        phone = case.contact_phone or case.customer.mobile or case.customer.phone
        paragraphs = [
            greeting,
            f"Su cita con EPM para atender la PQR de la copropiedad {copropiedad.name} "
            f"(NIT {copropiedad.nit}) {state} para el {when} (hora de Colombia).",
            "Ese día, a esa hora, un tecnólogo de EPM lo llamará"
            + (f" al número {phone}." if phone else "."),
            f"Número del caso: {case.number}.\nMotivo: {case.motive}",
            "Adjuntamos la invitación para su calendario.",
            f"Si necesita cambiar o cancelar la cita, comuníquese con {lines}",
        ]
    paragraphs.append("EPM — Administradores de Copropiedad")
    return subject, "\n\n".join(paragraphs)


def invitation_send(
    *, appointment: Appointment, case: Case, kind: str, now: dt.datetime | None = None
) -> Notification | None:
    """Store the .ics of the appointment as it is now and queue the e-mail from the condo
    mailbox (sent by the worker after commit, CORE-12)."""
    recipient = case.contact_email or case.customer.email
    if not recipient:
        log.warning("El caso %s no tiene correo: no se envía la cita %s.", case.number, kind)
        return None
    content = appointment_ics(
        appointment=appointment,
        case=case,
        attendee_email=recipient,
        attendee_name=case.customer.full_name,
        method=CANCEL if kind == CANCELLED else REQUEST,
        now=now,
    )
    name = ics_store(appointment=appointment, content=content)
    subject, body = invitation_message(appointment=appointment, case=case, kind=kind, now=now)
    return notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=Modality.COPROPIEDAD,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        case=case,
        attachments=[name],
    )
