import datetime as dt
import logging
import mimetypes
import posixpath
import smtplib
from email import encoders
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.business_days import BOGOTA
from core.models import Case, MessageTemplate, Modality, Notification, SenderMailbox
from core.models.messaging import PLACEHOLDER, TEMPLATE_VARIABLES
from core.sms import get_sms_backend

log = logging.getLogger(__name__)

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def greeting(moment=None) -> str:
    hour = (moment or timezone.now()).astimezone(BOGOTA).hour
    if hour < 12:
        return "Buenos días"
    if hour < 19:
        return "Buenas tardes"
    return "Buenas noches"


def case_template_context(*, case: Case, appointment_at=None, now=None) -> dict[str, str]:
    ctx = {
        "saludo": greeting(now),
        "nombre_cliente": case.customer.full_name,
        "canal": case.channel.name,
        "numero_caso": case.number,
        "motivo": case.motive,
        "fecha_limite": f"{case.due_date:%d/%m/%Y}" if case.due_date else "",
        "medio_notificacion": case.get_notification_medium_display() or "",
        "dia_cita": "",
        "mes_cita": "",
        "hora_cita": "",
    }
    if appointment_at is not None:
        local = appointment_at.astimezone(BOGOTA)
        hour12 = local.hour % 12 or 12
        ctx["dia_cita"] = str(local.day)
        ctx["mes_cita"] = MONTHS[local.month - 1]
        ctx["hora_cita"] = f"{hour12}:{local:%M} {'a.m.' if local.hour < 12 else 'p.m.'}"
    return ctx


def template_render(*, code: str, context: dict[str, str]) -> tuple[str, str]:
    """CORE-11: (subject, body) of a manager-edited template with {{ variable }} placeholders.

    Plain substitution, not the Django template language: managers edit these texts in admin,
    and a typo must not be able to run template tags or leak other data.
    """
    try:
        template = MessageTemplate.objects.get(code=code)
    except MessageTemplate.DoesNotExist as exc:
        raise ValidationError(f"No existe la plantilla de mensaje «{code}».") from exc

    def substitute(text: str) -> str:
        return PLACEHOLDER.sub(
            lambda m: context.get(m.group(1), "") if m.group(1) in TEMPLATE_VARIABLES else m[0],
            text,
        )

    return substitute(template.subject), substitute(template.body)


def voicemail_script(*, case: Case, appointment_at=None) -> str:
    """CORE-07/CORE-11: the voicemail text for this customer, from the template the case's
    modality registered (e.g. the appointment script of 2.6), else the overflow script (2.1)."""
    from core import modalities

    code = modalities.template_code(case.modality, "voicemail")
    _, body = template_render(
        code=code, context=case_template_context(case=case, appointment_at=appointment_at)
    )
    return body


def mailbox_for(modality: str) -> SenderMailbox | None:
    """The modality's mailbox, else the general one, else None (DEFAULT_FROM_EMAIL)."""
    box = SenderMailbox.objects.filter(modality=modality).first()
    if box is None and modality != Modality.GENERAL:
        box = SenderMailbox.objects.filter(modality=Modality.GENERAL).first()
    return box


def _sender(box: SenderMailbox | None) -> str:
    if box is None:
        return settings.DEFAULT_FROM_EMAIL
    return f"{box.display_name} <{box.from_email}>" if box.display_name else box.from_email


def sender_for(modality: str) -> str:
    return _sender(mailbox_for(modality))


def with_footer(body: str, footer: str) -> str:
    """``body`` ending with the mailbox's ``footer`` (once: a body that already ends with it is
    left as it is)."""
    footer = (footer or "").strip()
    if not footer or body.rstrip().endswith(footer):
        return body
    return f"{body.rstrip()}\n\n{footer}"


@transaction.atomic
def notification_queue(
    *,
    medium: str,
    modality: str,
    recipient: str,
    body: str,
    subject: str = "",
    case: Case | None = None,
    attachments: list[str] | None = None,
) -> Notification:
    """CORE-12: save the message, then send it after commit through the worker.

    An e-mail leaves from the modality's mailbox and ends with that mailbox's footer, if it has
    one (2.8: the internal-client mailbox says it takes no new requests).

    The row is the durable record: if the broker is down the sweep task sends it later (NFR-03).
    ``attachments`` are names in the default storage (e.g. the daily export of PQR-07), read
    when the e-mail is sent, so the row stays small and a retry sends the same files.
    """
    if not recipient:
        raise ValidationError({"recipient": "Falta el destinatario del mensaje."})
    attachments = list(attachments or [])
    if attachments and medium != Notification.Medium.EMAIL:
        raise ValidationError({"attachments": "Solo un correo electrónico lleva adjuntos."})
    sender = ""
    if medium == Notification.Medium.EMAIL:
        box = mailbox_for(modality)
        sender = _sender(box)
        body = with_footer(body, box.footer if box is not None else "")
    notification = Notification(
        medium=medium,
        modality=modality,
        recipient=recipient,
        subject=subject,
        body=body,
        case=case,
        attachments=attachments,
        sender=sender,
    )
    notification.full_clean()
    notification.save()
    from core.tasks import enqueue, send_notification_task

    transaction.on_commit(lambda: enqueue(send_notification_task, notification.pk))
    return notification


#: Types the standard library may not know on a minimal system (no /etc/mime.types).
ATTACHMENT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".ics": "text/calendar",
}


def _attach_stored_file(message: EmailMessage, name: str) -> None:
    """Attach a file of the default storage under its base name, base64-encoded whatever its
    type (a CSV sent as a text part would have its line ends rewritten on the way). A missing
    file raises, so the notification stays pending with the error instead of leaving without
    its attachment."""
    if not default_storage.exists(name):
        raise FileNotFoundError(f"No se encontró el adjunto {name}.")
    with default_storage.open(name, "rb") as handle:
        content = handle.read()
    filename = posixpath.basename(name)
    ext = posixpath.splitext(filename)[1].lower()
    mimetype = ATTACHMENT_TYPES.get(ext) or mimetypes.guess_type(filename)[0]
    part = MIMEBase(*(mimetype or "application/octet-stream").split("/", 1))
    part.set_payload(content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    message.attach(part)


class RecordedEmailMessage(EmailMessage):
    """An e-mail whose MIME message is built once: the backend sends the very bytes
    ``notification_send`` then keeps in the case's expediente (Date, Message-ID and the
    multipart boundaries would differ if it were built again)."""

    _built = None

    def message(self, *args, **kwargs):
        if self._built is None:
            self._built = super().message(*args, **kwargs)
        return self._built


def _keep_sent_email(notification: Notification, message: EmailMessage) -> None:
    """COP-03 / COP-04 / CI-05: an e-mail to the case's customer (a constancia, an invitation),
    as sent, goes to the case's expediente (``constancia_email_keep`` decides which).

    In a savepoint: the message has left already, so failing to keep it must not roll the
    notification back to pending (it would be sent twice); it is logged instead."""
    if not notification.case_id:
        return
    from core.services.constancia import constancia_email_keep

    try:
        with transaction.atomic():
            constancia_email_keep(notification=notification, eml=message.message().as_bytes())
    except Exception as exc:  # noqa: BLE001 - see the docstring
        log.exception(
            "La notificación %s salió, pero no se pudo guardar el correo en el expediente: %s",
            notification.pk,
            exc,
        )


def _temporary_failure(exc: Exception) -> bool:
    """A failure that may pass by itself: the mail server's 4xx ("try again later": busy,
    greylisting, a full queue), no connection, a timeout. It does not use up the attempts."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError)


def notification_send(*, notification_id: int) -> Notification:
    """Send one pending notification; safe to run twice (a sent one is left alone). The
    e-mail of a constancia is kept in its case's expediente once sent (``_keep_sent_email``)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status == Notification.Status.SENT:
            return notification
        try:
            if notification.medium == Notification.Medium.EMAIL:
                message = RecordedEmailMessage(
                    subject=notification.subject,
                    body=notification.body,
                    from_email=notification.sender or settings.DEFAULT_FROM_EMAIL,
                    to=[notification.recipient],
                )
                box = SenderMailbox.objects.filter(modality=notification.modality).first()
                if box and box.reply_to:
                    message.reply_to = [box.reply_to]
                for name in notification.attachments:
                    _attach_stored_file(message, name)
                message.send()
            else:
                get_sms_backend().send(to=notification.recipient, body=notification.body)
        except Exception as exc:  # noqa: BLE001 - any transport failure is retried by the sweep
            log.warning("No se pudo enviar la notificación %s: %s", notification.pk, exc)
            notification.attempts += 1
            notification.last_error = str(exc)[:2000]
            give_up = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS and not (
                _temporary_failure(exc)
                and timezone.now() - notification.created_at
                < dt.timedelta(hours=settings.NOTIFICATION_RETRY_HOURS)
            )
            notification.status = (
                Notification.Status.FAILED if give_up else Notification.Status.PENDING
            )
            notification.save(update_fields=["attempts", "last_error", "status"])
            return notification
        notification.attempts += 1
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])
        if notification.medium == Notification.Medium.EMAIL:
            _keep_sent_email(notification, message)
        return notification


def notifications_send_pending(*, limit: int = 200) -> int:
    ids = list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        notification_send(notification_id=pk)
    return len(ids)
