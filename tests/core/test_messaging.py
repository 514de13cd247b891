"""CORE-11 message templates and CORE-12 notifications (e-mail, SMS), with NFR-03 durability."""

import datetime as dt
import logging
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend

from core.models import MessageTemplate, Modality, Notification
from core.services.messaging import (
    case_template_context,
    notification_queue,
    notifications_send_pending,
    template_render,
)
from core.sms import LocmemSmsBackend
from core.tasks import send_notification_task
from tests.factories import CustomerFactory, make_case

pytestmark = pytest.mark.django_db

BOGOTA = ZoneInfo("America/Bogota")
CONTACT_LINES = "44 44 115 en Medellín y el Valle de Aburrá o 01 800 415 115 para otros municipios"
COPROPIEDAD_MAILBOX = "Administradorescopiedades@epm.com.co"
GENERAL_MAILBOX = "atencion.distancia@epm.com.co"


class FailingEmailBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        raise SMTPException("Servidor SMTP no disponible")


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


# --- CORE-11 templates -------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["buzon-desborde", "buzon-copropiedad"])
def test_core11_default_voicemail_templates_ship_with_the_contact_lines(code):
    """CORE-11: the voicemail scripts of 2.1 and 2.6 exist and give the service lines."""
    template = MessageTemplate.objects.get(code=code)

    assert template.kind == MessageTemplate.Kind.VOICEMAIL
    assert CONTACT_LINES in template.body


def test_core11_desborde_voicemail_rendered_with_customer_name_and_channel():
    """CORE-11 / CORE-07: the 2.1 script names the customer and the channel of the request."""
    case = make_case(
        customer=CustomerFactory(full_name="Luz Marina Ospina"), channel="desborde-whatsapp"
    )
    now = dt.datetime(2026, 9, 1, 10, 0, tzinfo=BOGOTA)

    subject, body = template_render(
        code="buzon-desborde", context=case_template_context(case=case, now=now)
    )

    assert subject == ""
    assert body.startswith("Buenos días, este es un mensaje para el/la señor (a) Luz Marina Ospina")
    assert "petición realizada a través de desborde WhatsApp." in body
    assert body.endswith(f"línea de atención {CONTACT_LINES}.")
    assert "{{" not in body


@pytest.mark.parametrize(
    ("appointment_at", "expected"),
    [
        (
            dt.datetime(2026, 12, 3, 15, 30, tzinfo=BOGOTA),
            "el día 3 de diciembre a las 3:30 p.m.",
        ),
        (
            # 14:05 UTC is 9:05 in Bogotá: the hour is given in Bogotá time.
            dt.datetime(2026, 2, 27, 14, 5, tzinfo=dt.UTC),
            "el día 27 de febrero a las 9:05 a.m.",
        ),
        (
            # 03:15 UTC on 1 August is still 31 July, 10:15 p.m., in Bogotá.
            dt.datetime(2026, 8, 1, 3, 15, tzinfo=dt.UTC),
            "el día 31 de julio a las 10:15 p.m.",
        ),
        (
            dt.datetime(2026, 5, 4, 12, 0, tzinfo=BOGOTA),
            "el día 4 de mayo a las 12:00 p.m.",
        ),
    ],
    ids=["afternoon", "utc-morning", "utc-next-day", "noon"],
)
def test_core11_copropiedad_voicemail_gives_day_month_and_hour(appointment_at, expected):
    """CORE-11: the 2.6 (condo administrators) script gives the appointment's day, Spanish
    month name and a.m./p.m. hour, in Bogotá time."""
    case = make_case(
        customer=CustomerFactory(full_name="Edificio Torres del Parque PH"),
        channel="administradores-copropiedad",
    )

    _, body = template_render(
        code="buzon-copropiedad",
        context=case_template_context(case=case, appointment_at=appointment_at),
    )

    assert "señor (a) Edificio Torres del Parque PH de parte de" in body
    assert f"atender la cita que agendó para {expected} a través de Nuestro Contact Center" in body
    assert body.endswith(f"línea de atención {CONTACT_LINES}.")


@pytest.mark.parametrize(
    ("now", "greeting"),
    [
        # 16:00 UTC = 11:00 Bogotá (in UTC it would already be afternoon).
        (dt.datetime(2026, 9, 1, 16, 0, tzinfo=dt.UTC), "Buenos días"),
        # 17:00 UTC = 12:00 Bogotá.
        (dt.datetime(2026, 9, 1, 17, 0, tzinfo=dt.UTC), "Buenas tardes"),
        # 01:00 UTC = 20:00 Bogotá the day before (in UTC it would be morning).
        (dt.datetime(2026, 9, 2, 1, 0, tzinfo=dt.UTC), "Buenas noches"),
    ],
    ids=["morning", "afternoon", "night"],
)
def test_core11_greeting_follows_bogota_time(now, greeting):
    """CORE-11 / NFR-01: the greeting depends on the hour in Bogotá, not on UTC."""
    case = make_case()

    _, body = template_render(
        code="buzon-desborde", context=case_template_context(case=case, now=now)
    )

    assert body.startswith(f"{greeting}, este es un mensaje")


def test_core11_template_with_unknown_variables_refused_in_spanish():
    """CORE-11: a manager's typo in a variable name is refused with the names it does not know."""
    template = MessageTemplate(
        code="aviso-prueba",
        name="Aviso de prueba",
        kind=MessageTemplate.Kind.EMAIL,
        subject="Caso {{ numero_caso }} {{ radicado }}",
        body="{{ saludo }} {{ nombre }}, su caso quedó registrado.",
    )

    with pytest.raises(ValidationError) as exc_info:
        template.full_clean()

    assert exc_info.value.message_dict["body"] == ["Variables desconocidas: nombre, radicado."]

    template.subject = "Caso {{ numero_caso }}"
    template.body = "{{ saludo }} {{ nombre_cliente }}, su caso quedó registrado."
    template.full_clean()  # only known variables: accepted


# --- CORE-12 notifications ---------------------------------------------------------------------


def test_core12_copropiedad_email_sent_from_the_condo_administrators_mailbox(
    django_capture_on_commit_callbacks,
):
    """CORE-12: an e-mail of the copropiedad modality leaves from its own mailbox,
    through the on-commit → task → service path, and the row is marked sent."""
    case = make_case(channel="administradores-copropiedad")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.COPROPIEDAD,
            recipient="administracion@edificio.example.com",
            subject="Constancia de su reclamación",
            body="Motivo: cobro de zonas comunes.",
            case=case,
        )

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.from_email == f"EPM Administradores de Copropiedad <{COPROPIEDAD_MAILBOX}>"
    assert message.to == ["administracion@edificio.example.com"]
    assert message.subject == "Constancia de su reclamación"
    assert message.body == "Motivo: cobro de zonas comunes."
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.case == case


def test_core12_modality_without_mailbox_uses_the_general_mailbox(
    django_capture_on_commit_callbacks,
):
    """CORE-12: a modality with no mailbox of its own writes from the general one."""
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.BALANCEO,
            recipient="tecnologo@example.com",
            subject="Balanceo de hoy",
            body="Usted apoya hoy el balanceo.",
        )

    assert [m.from_email for m in mail.outbox] == [f"EPM Atención a distancia <{GENERAL_MAILBOX}>"]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_core12_sms_goes_through_the_configured_backend(django_capture_on_commit_callbacks):
    """CORE-12: an SMS is handed to SMS_BACKEND (no e-mail is sent)."""
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            medium=Notification.Medium.SMS,
            modality=Modality.PQR_DIGITAL,
            recipient="3001234567",
            body="EPM: lo citamos para notificarle la respuesta a su PQR.",
        )

    assert LocmemSmsBackend.outbox == [
        {"to": "3001234567", "body": "EPM: lo citamos para notificarle la respuesta a su PQR."}
    ]
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sender == ""


def test_core12_failed_send_stays_pending_and_the_sweep_sends_it_later(
    django_capture_on_commit_callbacks, settings
):
    """CORE-12 / NFR-03: an SMTP failure leaves the row pending with the error; once the mail
    server works, the periodic sweep sends it, exactly once."""
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.COPROPIEDAD,
            recipient="administracion@edificio.example.com",
            subject="Constancia",
            body="Texto de la constancia.",
        )

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert notification.last_error == "Servidor SMTP no disponible"
    assert notification.sent_at is None
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send_pending() == 1

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].from_email.endswith(f"<{COPROPIEDAD_MAILBOX}>")

    assert notifications_send_pending() == 0
    assert len(mail.outbox) == 1


def test_nfr03_broker_down_notification_is_kept_pending_for_the_sweep(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """NFR-03 / CORE-12: with the broker unreachable the notification row is still saved as
    pending (nothing lost, no error to the user), and the sweep sends it later."""

    def broker_down(*args, **kwargs):
        raise OSError("[Errno 111] Connection refused")

    monkeypatch.setattr(send_notification_task, "apply_async", broker_down)

    with (
        caplog.at_level(logging.WARNING, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        notification = notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.GENERAL,
            recipient="cliente@example.com",
            subject="Su PQR",
            body="Texto.",
        )

    assert len(callbacks) == 1
    assert "Broker no disponible" in caplog.text
    stored = Notification.objects.get(pk=notification.pk)
    assert stored.status == Notification.Status.PENDING
    assert stored.attempts == 0
    assert stored.recipient == "cliente@example.com"
    assert mail.outbox == []

    assert notifications_send_pending() == 1
    stored.refresh_from_db()
    assert stored.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_core12_notification_without_recipient_refused_in_spanish():
    """CORE-12 / NFR-03: no recipient → Spanish message, no row."""
    with pytest.raises(ValidationError) as exc_info:
        notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.GENERAL,
            recipient="",
            body="Texto.",
        )

    assert exc_info.value.message_dict["recipient"] == ["Falta el destinatario del mensaje."]
    assert Notification.objects.count() == 0


# --- CORE-12 attachments (PQR-07's daily export) -----------------------------------------------


def test_core12_email_carries_its_stored_attachments_byte_for_byte(
    django_capture_on_commit_callbacks,
):
    """CORE-12 / PQR-07: files named by their storage names travel base64-encoded, unchanged
    (a CSV's BOM, its LF line ends and a CR inside a quoted cell included)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    csv_bytes = '\ufeffnúmero;motivo\nPQR-1;"línea 1\r\nlínea 2"\n'.encode()
    xlsx_bytes = b"PK\x03\x04 not really a workbook"
    csv_name = default_storage.save("pruebas/pqr-digitales-2026-11-29.csv", ContentFile(csv_bytes))
    xlsx_name = default_storage.save(
        "pruebas/pqr-digitales-2026-11-29.xlsx", ContentFile(xlsx_bytes)
    )

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.PQR_DIGITAL,
            recipient="gestor@example.com",
            subject="PQR digitales del 29/11/2026 (1)",
            body="Adjuntamos el exporte.",
            attachments=[csv_name, xlsx_name],
        )

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attachments == [csv_name, xlsx_name]
    (message,) = mail.outbox
    parts = {part.get_filename(): part for part in message.attachments}
    assert list(parts) == ["pqr-digitales-2026-11-29.csv", "pqr-digitales-2026-11-29.xlsx"]
    assert parts["pqr-digitales-2026-11-29.csv"].get_content_type() == "text/csv"
    assert parts["pqr-digitales-2026-11-29.csv"].get_payload(decode=True) == csv_bytes
    xlsx = parts["pqr-digitales-2026-11-29.xlsx"]
    assert xlsx.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx.get_payload(decode=True) == xlsx_bytes
    assert message.body == "Adjuntamos el exporte."


def test_core12_missing_attachment_keeps_the_email_pending_with_the_reason(
    django_capture_on_commit_callbacks,
):
    """CORE-12 / NFR-03: an e-mail never leaves without a file it promises; it stays pending
    with the reason, for the sweep."""
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.PQR_DIGITAL,
            recipient="gestor@example.com",
            subject="PQR digitales",
            body="Adjuntamos el exporte.",
            attachments=["pruebas/no-existe.csv"],
        )

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.last_error == "No se encontró el adjunto pruebas/no-existe.csv."
    assert mail.outbox == []


def test_core12_sms_with_attachments_refused_in_spanish():
    with pytest.raises(ValidationError) as exc_info:
        notification_queue(
            medium=Notification.Medium.SMS,
            modality=Modality.PQR_DIGITAL,
            recipient="3001234567",
            body="Texto.",
            attachments=["pruebas/a.csv"],
        )

    assert exc_info.value.message_dict == {
        "attachments": ["Solo un correo electrónico lleva adjuntos."]
    }
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_core12_a_mailbox_footer_ends_every_email_from_it_once():
    """CORE-12 / 2.8 step 2: a mailbox with a footer (the internal-client one: it takes no new
    requests) appends it to each e-mail it sends, once; other mailboxes and SMS are untouched."""
    from core.models import Modality, Notification, SenderMailbox
    from core.services.messaging import notification_queue

    SenderMailbox.objects.filter(modality=Modality.CLIENTE_INTERNO).update(
        footer="Este buzón no recibe solicitudes."
    )

    email = notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=Modality.CLIENTE_INTERNO,
        recipient="ana@example.com",
        subject="Prueba",
        body="Hola, Ana:\n\nSu cita quedó agendada.",
    )
    again = notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=Modality.CLIENTE_INTERNO,
        recipient="ana@example.com",
        subject="Prueba",
        body="Texto.\n\nEste buzón no recibe solicitudes.",
    )
    other = notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=Modality.COPROPIEDAD,
        recipient="ana@example.com",
        subject="Prueba",
        body="Texto.",
    )

    assert (
        email.body == "Hola, Ana:\n\nSu cita quedó agendada.\n\nEste buzón no recibe solicitudes."
    )
    assert again.body.count("Este buzón no recibe solicitudes.") == 1
    assert other.body == "Texto."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "age_hours", "status"),
    [
        # 451: the server asks to try later — kept pending however many attempts, for a day.
        ("451", 1, "pendiente"),
        ("451", 25, "fallido"),
        # 550: refused for good — given up after NOTIFICATION_MAX_ATTEMPTS.
        ("550", 1, "fallido"),
        ("conexión", 1, "pendiente"),
    ],
)
def test_core12_temporary_mail_failures_do_not_use_up_the_attempts(
    monkeypatch, settings, error, age_hours, status
):
    """CORE-12 / NFR-03: a mail server answering 4xx (or not reachable) for a while loses no
    notification: only permanent refusals, or a day of temporary ones, end in «fallido»."""
    import datetime as dt
    import smtplib

    from django.core.mail import EmailMessage
    from django.utils import timezone

    from core.models import Modality, Notification
    from core.services.messaging import notification_queue, notification_send

    settings.NOTIFICATION_MAX_ATTEMPTS = 5
    raised = {
        "451": smtplib.SMTPDataError(451, b"4.3.0 Intente mas tarde"),
        "550": smtplib.SMTPDataError(550, b"5.1.1 Buzon inexistente"),
        "conexión": ConnectionRefusedError(111, "Connection refused"),
    }[error]

    def refuse(self, fail_silently=False):
        raise raised

    monkeypatch.setattr(EmailMessage, "send", refuse)
    notification = notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=Modality.GENERAL,
        recipient="ana@example.com",
        subject="Prueba",
        body="Texto.",
    )
    Notification.objects.filter(pk=notification.pk).update(
        attempts=4, created_at=timezone.now() - dt.timedelta(hours=age_hours)
    )

    sent = notification_send(notification_id=notification.pk)

    assert (sent.status, sent.attempts) == (status, 5)
