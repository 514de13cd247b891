"""Message templates (CORE-11), sender mailboxes and notifications (CORE-12)."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .cases import Case
from .choices import Modality

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

#: The variables a template may use, and what they mean (shown to managers in admin).
TEMPLATE_VARIABLES = {
    "saludo": "Buenos días / Buenas tardes / Buenas noches, según la hora en Bogotá",
    "nombre_cliente": "nombre completo del contacto",
    "canal": "canal de atención del caso",
    "numero_caso": "número del caso",
    "motivo": "motivo PQR (detalle)",
    "dia_cita": "día de la cita (número)",
    "mes_cita": "mes de la cita (nombre)",
    "hora_cita": "hora de la cita (hh:mm a.m./p.m.)",
    "fecha_limite": "fecha límite de respuesta",
    "medio_notificacion": "medio autorizado de notificación",
    "datos_faltantes": "datos mínimos que faltan para radicar la PQR (2.7)",
}


class MessageTemplate(models.Model):
    class Kind(models.TextChoices):
        VOICEMAIL = "buzon", "guion de mensaje de voz"
        INBOX = "inbox", "mensaje por inbox"
        EMAIL = "correo", "correo electrónico"
        SMS = "sms", "mensaje de texto"

    code = models.SlugField("código", max_length=60, unique=True)
    name = models.CharField("nombre", max_length=120)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    modality = models.CharField(
        "modalidad", max_length=20, choices=Modality.choices, default=Modality.GENERAL
    )
    subject = models.CharField("asunto", max_length=200, blank=True)
    body = models.TextField(
        "texto",
        help_text="Variables: " + ", ".join("{{ " + k + " }}" for k in TEMPLATE_VARIABLES),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "plantilla de mensaje"
        verbose_name_plural = "plantillas de mensajes"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = sorted(
            {m for m in PLACEHOLDER.findall(self.subject + self.body)} - set(TEMPLATE_VARIABLES)
        )
        if unknown:
            raise ValidationError({"body": "Variables desconocidas: " + ", ".join(unknown) + "."})


class SenderMailbox(models.Model):
    """The mailbox each modality writes from (e.g. the condo administrators' mailbox)."""

    modality = models.CharField("modalidad", max_length=20, choices=Modality.choices, unique=True)
    from_email = models.EmailField("remitente")
    display_name = models.CharField("nombre visible", max_length=120, blank=True)
    reply_to = models.EmailField("responder a", blank=True)
    #: Appended to every e-mail sent from this mailbox (e.g. 2.8: the internal-client mailbox
    #: "no recibe solicitudes ni nuevos requerimientos").
    footer = models.TextField(
        "pie de todos los correos",
        blank=True,
        help_text="Se agrega al final de cada correo que sale de este buzón.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "buzón remitente"
        verbose_name_plural = "buzones remitentes"
        ordering = ["modality"]

    def __str__(self) -> str:
        return f"{self.get_modality_display()}: {self.from_email}"


class Notification(models.Model):
    """An e-mail or SMS to send; saved first, sent by a task, retried by a sweep (NFR-03)."""

    class Medium(models.TextChoices):
        EMAIL = "email", "correo electrónico"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pendiente", "pendiente"
        SENT = "enviado", "enviado"
        FAILED = "fallido", "fallido"

    medium = models.CharField("medio", max_length=10, choices=Medium.choices)
    modality = models.CharField("modalidad", max_length=20, choices=Modality.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="caso",
    )
    sender = models.CharField("remitente", max_length=200, blank=True)
    recipient = models.CharField("destinatario", max_length=254)
    subject = models.CharField("asunto", max_length=200, blank=True)
    body = models.TextField("texto")
    #: Files to attach, as storage names (e.g. the daily export of PQR-07).
    attachments = models.JSONField("adjuntos", default=list, blank=True)
    status = models.CharField(
        "estado", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    last_error = models.TextField("último error", blank=True)
    created_at = models.DateTimeField("creada", auto_now_add=True)
    sent_at = models.DateTimeField("enviada", null=True, blank=True)

    class Meta:
        verbose_name = "notificación"
        verbose_name_plural = "notificaciones"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_medium_display()} a {self.recipient} ({self.status})"


class DueAlertRun(models.Model):
    """LEG-02: the daily alert of a unit was sent on this date (makes the task safe to re-run)."""

    date = models.DateField("fecha")
    unit = models.CharField("unidad", max_length=20)
    cases = models.PositiveIntegerField("PQR incluidas", default=0)
    sent_at = models.DateTimeField("enviada", auto_now_add=True)

    class Meta:
        verbose_name = "alerta diaria de vencimientos"
        verbose_name_plural = "alertas diarias de vencimientos"
        constraints = [
            models.UniqueConstraint(fields=["date", "unit"], name="due_alert_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.unit}: {self.cases}"
