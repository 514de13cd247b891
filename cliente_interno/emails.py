"""The e-mail that confirms an internal client's booking (2.8 step 2, CI-02): the "Asistir a
cita" link, the calendar invitation (.ics, core's ``agenda_ics``) and the mailbox notice.

Every e-mail of this modality leaves from the internal-client mailbox
(``notification_queue(modality=cliente_interno)`` picks the sender, CORE-12), and that mailbox
takes no requests: core appends the mailbox's footer to each of its e-mails
(``reference_data.MAILBOX_NOTICE``, editable in admin).

The text is written here, not as a manager-edited ``MessageTemplate`` (CORE-11): a new template
needs a data migration, left for later, as in 2.6."""

import datetime as dt

from django.conf import settings

from cliente_interno import links
from cliente_interno.models import InternalBooking
from core.models import Modality, Notification
from core.services.agenda_ics import appointment_ics, ics_store, organizer, when_text
from core.services.messaging import greeting, notification_queue

SIGNATURE = "EPM — Atención Cliente Interno"
SUMMARY = "Cita por video con EPM"
LOCATION = "Videollamada EPM — enlace «Asistir a cita»"


def _technologist_name(booking: InternalBooking) -> str:
    tech = booking.appointment.technologist
    return tech.get_full_name() or tech.username


def _description(booking: InternalBooking, url: str) -> str:
    early = settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES
    return "\n".join(
        [
            f"Transacción: {booking.transaction_type.name}",
            f"Asistir a cita: {url}",
            f"El enlace funciona desde {early} minutos antes de la hora de la cita; le pediremos "
            "el número de documento con el que hizo la reserva.",
        ]
    )


def confirmation_message(
    *, booking: InternalBooking, url: str, now: dt.datetime | None = None
) -> tuple[str, str]:
    """(subject, body) of the confirmation, in Spanish."""
    early = settings.CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES
    when = when_text(booking.appointment.start)
    mailbox = organizer(Modality.CLIENTE_INTERNO)[1]
    subject = f"Confirmación de su cita por video con EPM — {when}"
    paragraphs = [
        f"{greeting(now)}, {booking.full_name}:",
        f"Su cita por video con EPM quedó agendada para el {when} (hora de Colombia).\n"
        f"Transacción: {booking.transaction_type.name}.\n"
        f"Lo atenderá: {_technologist_name(booking)}.",
        f"Para asistir, abra el enlace «Asistir a cita»:\n{url}",
        f"El enlace funciona desde {early} minutos antes de la hora de la cita. Al abrirlo le "
        "pediremos el número de documento con el que hizo la reserva; luego entrará a una sala "
        "de espera virtual que le pedirá permiso para usar la cámara y el micrófono.",
        "Adjuntamos la invitación para su calendario.",
        "Si no encuentra nuestros mensajes en la bandeja de entrada, revise la carpeta de correo "
        f"no deseado (spam) y agregue {mailbox} a sus contactos.",
        SIGNATURE,
    ]
    return subject, "\n\n".join(paragraphs)


def booking_confirmation_send(
    *, booking: InternalBooking, now: dt.datetime | None = None
) -> Notification:
    """Store the .ics of the booking's appointment and queue the confirmation e-mail to the
    e-mail given when reserving (sent by the worker after commit)."""
    url = links.absolute_url(links.attend_path(booking))
    content = appointment_ics(
        appointment=booking.appointment,
        modality=Modality.CLIENTE_INTERNO,
        attendee_email=booking.email,
        attendee_name=booking.full_name,
        summary=SUMMARY,
        description=_description(booking, url),
        location=LOCATION,
        now=now,
    )
    name = ics_store(appointment=booking.appointment, content=content)
    subject, body = confirmation_message(booking=booking, url=url, now=now)
    return notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=Modality.CLIENTE_INTERNO,
        recipient=booking.email,
        subject=subject[:200],
        body=body,
        attachments=[name],
    )
