"""2.7: interactions from social networks, chats and Contact Center calls, the raw inbound
deliveries of the providers, and the help desk's daily exports."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.models import Case, DocumentType, OutboundMessage


class DigitalChannel(models.TextChoices):
    """The networks of 2.7; the label is the CRM channel's exact label (PQR-03)."""

    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TWITTER = "twitter", "Twitter"
    WHATSAPP = "whatsapp", "WhatsApp"
    CHAT_EPM = "chat_epm", "Chat EPM"
    CONTACT_CENTER = "contact_center", "Contact Center"


#: The CRM channel (core.Channel code) of each network.
CASE_CHANNEL = {
    DigitalChannel.FACEBOOK: "facebook",
    DigitalChannel.INSTAGRAM: "instagram",
    DigitalChannel.TWITTER: "twitter",
    DigitalChannel.WHATSAPP: "whatsapp",
    DigitalChannel.CHAT_EPM: "chat-epm",
    DigitalChannel.CONTACT_CENTER: "contact-center",
}

#: Networks whose PQR needs the screenshot of the interaction as evidence (PQR-06).
SCREENSHOT_CHANNELS = (
    DigitalChannel.FACEBOOK,
    DigitalChannel.INSTAGRAM,
    DigitalChannel.TWITTER,
    DigitalChannel.WHATSAPP,
    DigitalChannel.CHAT_EPM,
)


class Interaction(models.Model):
    """A mention, a chat, a message or a call that may become a PQR (PQR-01)."""

    class Status(models.TextChoices):
        OPEN = "abierta", "abierta"
        WAITING_INFO = "esperando_informacion", "esperando información del usuario"
        PQR_CREATED = "pqr_creada", "PQR radicada"
        REDIRECTED_WRITTEN = "redirigida_escrito", "redirigida a canal escrito"
        REDIRECTED_OTHER = "redirigida_otros_canales", "redirigida a canales que acrediten relación"
        UNATTENDED = "no_atendida", "no atendida por falta de información"

        @classmethod
        def open_values(cls) -> list[str]:
            return [cls.OPEN, cls.WAITING_INFO]

    class Premises(models.TextChoices):
        RESIDENTIAL = "residencial", "residencial"
        NON_RESIDENTIAL = "no_residencial", "no residencial (comercial)"

    class Holder(models.TextChoices):
        NATURAL = "natural", "persona natural"
        LEGAL = "juridica", "persona jurídica (NIT / empresa)"

    channel = models.CharField("canal", max_length=20, choices=DigitalChannel.choices)
    author_handle = models.CharField("usuario en la red", max_length=200, blank=True)
    text = models.TextField("texto")
    arrived_at = models.DateTimeField("llegó", db_index=True)
    status = models.CharField("estado", max_length=30, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pqr_interactions",
        verbose_name="creador de experiencia",
    )
    # The minimum content of PQR-02, as the user gave it.
    full_name = models.CharField("nombre", max_length=160, blank=True)
    document_type = models.CharField(
        "tipo de documento", max_length=6, choices=DocumentType.choices, blank=True
    )
    document_number = models.CharField("número de identificación", max_length=20, blank=True)
    contract = models.CharField("contrato", max_length=30, blank=True)
    property_address = models.CharField("dirección del inmueble", max_length=200, blank=True)
    motive = models.TextField("motivo de la petición", blank=True)
    # PQR-04 / PQR-05 answers given when the PQR was requested.
    sewerage_not_provided = models.BooleanField("alcantarillado no prestado", default=False)
    sewerage_payments = models.BooleanField("hay pagos del alcantarillado", default=False)
    premises = models.CharField(
        "tipo de inmueble", max_length=15, choices=Premises.choices, blank=True
    )
    holder = models.CharField("titular", max_length=10, choices=Holder.choices, blank=True)
    relation_to_premises = models.CharField(
        "relación del solicitante con el inmueble", max_length=300, blank=True
    )
    # Contact Center calls (PQR-06): the recording is kept by the Contact Center for 6 months.
    recording_ref = models.CharField("referencia de la grabación", max_length=120, blank=True)
    recording_retained_until = models.DateField("grabación conservada hasta", null=True, blank=True)
    # Where the provider said it came from (Meta's sender id, the WhatsApp number…).
    provider = models.CharField("proveedor", max_length=20, default="manual")
    provider_sender_id = models.CharField("remitente en el proveedor", max_length=200, blank=True)
    last_inbound_at = models.DateTimeField("último mensaje del usuario", null=True, blank=True)
    cannot_receive_messages = models.BooleanField("no recibe mensajes", default=False)
    info_requested_at = models.DateTimeField("información solicitada", null=True, blank=True)
    info_answered_at = models.DateTimeField("usuario respondió", null=True, blank=True)
    closed_at = models.DateTimeField("cerrada", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cerrada por",
    )
    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="digital_interaction",
        verbose_name="PQR",
    )
    created_at = models.DateTimeField("registrada", auto_now_add=True)
    updated_at = models.DateTimeField("actualizada", auto_now=True)
    messages = GenericRelation(
        OutboundMessage, content_type_field="subject_type", object_id_field="subject_id"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "interacción"
        verbose_name_plural = "interacciones"
        ordering = ["arrived_at", "id"]
        indexes = [
            models.Index(
                fields=["arrived_at", "id"],
                condition=Q(status__in=["abierta", "esperando_informacion"]),
                name="interaction_open_idx",
            ),
            models.Index(
                fields=["provider", "channel", "provider_sender_id"], name="interaction_sender_idx"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_channel_display()} {self.author_handle or ''} ({self.get_status_display()})"
        )

    @property
    def is_open(self) -> bool:
        return self.status in self.Status.open_values()


class InboundMessage(models.Model):
    """One message delivered by a provider's webhook, stored once per provider message id
    (providers re-deliver), processed by a task into an interaction."""

    provider = models.CharField("proveedor", max_length=20)
    provider_message_id = models.CharField("identificador del mensaje", max_length=200)
    channel = models.CharField("canal", max_length=20, choices=DigitalChannel.choices)
    sender_id = models.CharField("remitente", max_length=200)
    sender_name = models.CharField("nombre del remitente", max_length=200, blank=True)
    text = models.TextField("texto", blank=True)
    sent_at = models.DateTimeField("enviado por el usuario")
    payload = models.JSONField("contenido recibido", default=dict)
    received_at = models.DateTimeField("recibido", auto_now_add=True)
    processed_at = models.DateTimeField("procesado", null=True, blank=True)
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name="interacción",
    )

    class Meta:
        verbose_name = "mensaje recibido"
        verbose_name_plural = "mensajes recibidos"
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"], name="inbound_once_per_provider_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at", "id"],
                condition=Q(processed_at__isnull=True),
                name="inbound_unprocessed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_message_id}"


def export_upload_to(instance, filename: str) -> str:
    return f"pqr_digital/exportes/{instance.date_from:%Y/%m}/{filename}"


class DigitalPqrExport(models.Model):
    """PQR-07: the digital-channel PQR filed on a Bogotá day (or a range of days), as CSV and
    XLSX, built once and kept."""

    date_from = models.DateField("desde")
    date_to = models.DateField("hasta")
    rows = models.PositiveIntegerField("PQR", default=0)
    csv_file = models.FileField("CSV", upload_to=export_upload_to, blank=True)
    xlsx_file = models.FileField("Excel", upload_to=export_upload_to, blank=True)
    built_at = models.DateTimeField("generado", null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="generado por",
    )
    emailed_at = models.DateTimeField("enviado por correo", null=True, blank=True)

    class Meta:
        verbose_name = "exporte diario de PQR digitales"
        verbose_name_plural = "exportes diarios de PQR digitales"
        ordering = ["-date_from", "-date_to"]
        constraints = [
            models.UniqueConstraint(fields=["date_from", "date_to"], name="export_once_per_range"),
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="export_range_ordered"
            ),
        ]

    def __str__(self) -> str:
        if self.date_from == self.date_to:
            return f"Exporte {self.date_from:%Y-%m-%d} ({self.rows})"
        return f"Exporte {self.date_from:%Y-%m-%d} a {self.date_to:%Y-%m-%d} ({self.rows})"

    @property
    def is_single_day(self) -> bool:
        return self.date_from == self.date_to
