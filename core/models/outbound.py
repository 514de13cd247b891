"""The outbox of messages to customers through a network's inbox (WhatsApp, Messenger,
Instagram, X…): saved first, sent by a provider from a worker, with an idempotency key, retries
and the reply window of the network; what cannot go out automatically waits for a person."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class OutboundMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pendiente", "pendiente de envío automático"
        SENDING = "enviando", "enviando"
        SENT = "enviado", "enviado"
        HUMAN = "envio_manual", "para envío manual"

    #: A unique key per logical message (e.g. ``pqr-digital:12:solicitud-informacion``): the same
    #: message queued twice is one row, sent at most once.
    idempotency_key = models.CharField("clave de idempotencia", max_length=120, unique=True)
    provider = models.CharField("proveedor", max_length=20)
    channel = models.CharField("red o canal", max_length=20)
    recipient = models.CharField("destinatario (identificador en la red)", max_length=200)
    purpose = models.CharField("propósito", max_length=40)
    body = models.TextField("texto")
    status = models.CharField(
        "estado", max_length=15, choices=Status.choices, default=Status.PENDING
    )
    #: Why a person must send it: the manual provider, outside the reply window, retries spent.
    human_reason = models.CharField("motivo del envío manual", max_length=300, blank=True)
    #: The end of the network's customer-service window (24 h after the customer's last
    #: message); None when the channel has none.
    reply_window_ends_at = models.DateTimeField(
        "fin de la ventana de respuesta", null=True, blank=True
    )
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    next_attempt_at = models.DateTimeField("próximo intento", null=True, blank=True)
    last_error = models.TextField("último error", blank=True)
    provider_message_id = models.CharField(
        "identificador del proveedor", max_length=200, blank=True
    )
    sent_at = models.DateTimeField("enviado", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enviado a mano por",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="creado por",
    )
    created_at = models.DateTimeField("creado", auto_now_add=True)
    # What the message is about (an interaction of pqr_digital, a case…): core imports no app.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        verbose_name = "mensaje saliente"
        verbose_name_plural = "mensajes salientes"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pendiente"),
                name="outbound_due_idx",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="outbound_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.get_status_display()}"
