"""The e-mail that carries a condo administrator's calendar invitation (2.6 step 1); the .ics
itself is core's (``core.services.agenda_ics``).

Every e-mail of this modality leaves from the condo administrators' mailbox (2.6 step 2,
CORE-12).

The e-mail's text is written here, not as a manager-edited ``MessageTemplate`` (CORE-11): a new
template needs a data migration, left for later."""

import datetime as dt
import logging

from copropiedad.models import CondoCase
from core.models import Appointment, Case, Modality, Notification
from core.reference_data import CONTACT_LINES
from core.services.agenda_ics import CANCEL, REQUEST, appointment_ics, ics_store, when_text
from core.services.messaging import case_template_context, notification_queue

log = logging.getLogger(__name__)

SUMMARY = "Cita telefónica con EPM — caso {number}"
LOCATION = "Llamada telefónica de EPM"


def _description(case: Case) -> str:
    lines = [f"Caso: {case.number}"]
    if case.motive:
        lines.append(f"Motivo: {case.motive}")
    lines.append(
        "Un tecnólogo de EPM lo llamará el día y la hora de la cita para atender su(s) PQR."
    )
    lines.append(f"Línea de atención: {CONTACT_LINES}.")
    return "\n".join(lines)


# --- the e-mail that carries it -------------------------------------------------------------------

CONFIRMED, RESCHEDULED, CANCELLED = "confirmada", "reprogramada", "cancelada"


def invitation_message(
    *, appointment: Appointment, case: Case, kind: str, now: dt.datetime | None = None
) -> tuple[str, str]:
    """(subject, body) of the e-mail to the administrator, in Spanish."""
    context = case_template_context(case=case, appointment_at=appointment.start, now=now)
    copropiedad = CondoCase.objects.select_related("copropiedad").get(case=case).copropiedad
    when = when_text(appointment.start)
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
        modality=Modality.COPROPIEDAD,
        attendee_email=recipient,
        attendee_name=case.customer.full_name,
        summary=SUMMARY.format(number=case.number),
        description=_description(case),
        location=LOCATION,
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
