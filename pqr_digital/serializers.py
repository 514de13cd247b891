"""API shapes of 2.7's interactions. Validation here is about types only; the rules and their
Spanish messages live in ``pqr_digital.services.interactions``."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Case, NotificationMedium, OutboundMessage
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services.interactions import (
    Purpose,
    interaction_missing_fields,
    missing_text,
    needs_screenshot,
)

REQUIRED = {"required": "Este campo es obligatorio.", "null": "Este campo es obligatorio."}
BOOLEAN = {"invalid": "Indique verdadero o falso."}


def _text(max_length: int | None = None, *, required: bool = False, default=""):
    """Text whose blank value reaches the service, which says what is wrong with it.
    ``default=None``: a field sent only to change it (absent, it is left as it is)."""
    extra = {"default": default} if not required and default is not None else {}
    messages = dict(REQUIRED)
    if max_length:
        extra["max_length"] = max_length
        messages["max_length"] = f"Escriba como máximo {max_length} caracteres."
    return serializers.CharField(
        required=required,
        allow_blank=True,
        trim_whitespace=True,
        error_messages={**messages, "invalid": "Escriba un texto."},
        **extra,
    )


def _optional(max_length: int | None = None) -> serializers.CharField:
    return _text(max_length, default=None)


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


class InteractionDataMixin(serializers.Serializer):
    """PQR-02's minimum data (and the handle, the call's recording), each optional."""

    author_handle = _optional(200)
    full_name = _optional(160)
    document_type = _optional(6)
    document_number = _optional(30)
    contract = _optional(30)
    property_address = _optional(200)
    motive = _optional()
    recording_ref = _optional(120)


class InteractionCreateSerializer(InteractionDataMixin):
    """PQR-01: what the creador registers by hand."""

    channel = serializers.ChoiceField(
        choices=DigitalChannel.choices,
        error_messages={
            **REQUIRED,
            "invalid_choice": "Seleccione la red o el canal: facebook, instagram, twitter, "
            "whatsapp, chat_epm o contact_center.",
        },
        help_text="contact_center: solo llamadas del grupo «Orientación a la factura».",
    )
    text = _text(required=True)
    arrived_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        error_messages={"invalid": "Fecha y hora no válidas: use el formato ISO 8601."},
        help_text="Cuándo llegó; por defecto, ahora.",
    )


class InteractionUpdateSerializer(InteractionDataMixin):
    """Complete the minimum data (only the fields sent change)."""


class PqrCreateSerializer(InteractionDataMixin):
    """PQR-03..05: the rule questions, and any minimum data still missing."""

    sewerage_not_provided = serializers.BooleanField(
        default=False,
        error_messages=BOOLEAN,
        help_text="El reclamo es por servicio de alcantarillado no prestado (PQR-04).",
    )
    sewerage_payments = serializers.BooleanField(
        default=False,
        error_messages=BOOLEAN,
        help_text="El cliente ha pagado ese servicio no prestado (devolución: canal escrito).",
    )
    premises = serializers.ChoiceField(
        choices=Interaction.Premises.choices,
        default=Interaction.Premises.RESIDENTIAL,
        error_messages={"invalid_choice": "Indique residencial o no_residencial."},
    )
    holder = serializers.ChoiceField(
        choices=Interaction.Holder.choices,
        default=Interaction.Holder.NATURAL,
        error_messages={"invalid_choice": "Indique natural o juridica."},
    )
    relation_to_premises = _text(300)
    notification_medium = serializers.ChoiceField(
        choices=NotificationMedium.choices,
        default="",
        allow_blank=True,
        error_messages={"invalid_choice": "Medio de notificación no válido."},
        help_text="CORE-13: medio autorizado para notificar la respuesta (opcional).",
    )
    notification_email = _text(254)
    notification_email_consent = serializers.BooleanField(default=False, error_messages=BOOLEAN)
    notification_mobile = _text(20)
    notification_address = _text(200)


class CloseUnansweredSerializer(serializers.Serializer):
    cannot_receive_messages = serializers.BooleanField(
        default=False,
        error_messages=BOOLEAN,
        help_text="El usuario tiene deshabilitada la opción de recibir mensajes: se cierra sin "
        "mensaje y queda registrado.",
    )


class ScreenshotSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service explains an empty file
        error_messages={**REQUIRED, "invalid": "Adjunte la imagen de la interacción."},
        help_text="Imagen (png, jpg) o PDF de la interacción con el mensaje del número de PQR.",
    )


class OutboundMessageSerializer(serializers.ModelSerializer):
    """A message to the user: what was said, how it goes out and whether it went (PQR-06)."""

    purpose_display = serializers.SerializerMethodField()
    # Plain text in the schema: an enum named "status" would collide with the case's.
    status = serializers.CharField(
        read_only=True, help_text="pendiente, enviando, enviado o envio_manual."
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.SerializerMethodField()
    sent_by = serializers.SerializerMethodField()

    class Meta:
        model = OutboundMessage
        fields = [
            "id",
            "purpose",
            "purpose_display",
            "provider",
            "channel",
            "recipient",
            "body",
            "status",
            "status_display",
            "human_reason",
            "reply_window_ends_at",
            "created_at",
            "created_by",
            "sent_at",
            "sent_by",
        ]
        read_only_fields = fields

    def get_purpose_display(self, obj) -> str:
        return Purpose.LABELS.get(obj.purpose, obj.purpose)

    def get_created_by(self, obj) -> str | None:
        return _name(obj.created_by) if obj.created_by_id else None

    def get_sent_by(self, obj) -> str | None:
        return _name(obj.sent_by) if obj.sent_by_id else None


class CaseRefSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "status", "status_display", "due_date"]
        read_only_fields = fields


class InteractionSerializer(serializers.ModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="abierta, esperando_informacion, pqr_creada, redirigida_escrito, "
        "redirigida_otros_canales o no_atendida.",
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    missing = serializers.SerializerMethodField(
        help_text="PQR-02: datos mínimos que faltan (nombres de campo)."
    )
    missing_display = serializers.SerializerMethodField()
    handled_by = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    needs_screenshot = serializers.SerializerMethodField(
        help_text="PQR-06: la captura de la interacción es obligatoria en el caso."
    )
    has_screenshot = serializers.SerializerMethodField()

    class Meta:
        model = Interaction
        fields = [
            "id",
            "channel",
            "channel_display",
            "author_handle",
            "text",
            "arrived_at",
            "status",
            "status_display",
            "missing",
            "missing_display",
            "handled_by",
            "full_name",
            "document_type",
            "document_number",
            "contract",
            "property_address",
            "motive",
            "sewerage_not_provided",
            "sewerage_payments",
            "premises",
            "holder",
            "relation_to_premises",
            "recording_ref",
            "recording_retained_until",
            "provider",
            "cannot_receive_messages",
            "last_inbound_at",
            "info_requested_at",
            "info_answered_at",
            "closed_at",
            "case",
            "needs_screenshot",
            "has_screenshot",
        ]
        read_only_fields = fields
        # Read-only model fields lose allow_blank, so the schema's enums left out the "" that
        # an interaction without these answers has.
        extra_kwargs = {
            name: {"allow_blank": True} for name in ("document_type", "premises", "holder")
        }

    def get_missing(self, obj) -> list[str]:
        return interaction_missing_fields(obj) if obj.is_open else []

    def get_missing_display(self, obj) -> str:
        return missing_text(self.get_missing(obj))

    def get_handled_by(self, obj) -> str | None:
        return _name(obj.handled_by) if obj.handled_by_id else None

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_case(self, obj) -> dict | None:
        return CaseRefSerializer(obj.case).data if obj.case_id else None

    def get_needs_screenshot(self, obj) -> bool:
        return needs_screenshot(obj)

    def get_has_screenshot(self, obj) -> bool:
        return bool(getattr(obj, "has_screenshot", False))


class InteractionDetailSerializer(InteractionSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(InteractionSerializer.Meta):
        fields = [*InteractionSerializer.Meta.fields, "messages"]
        read_only_fields = fields

    @extend_schema_field(OutboundMessageSerializer(many=True))
    def get_messages(self, obj) -> list[dict]:
        return OutboundMessageSerializer(self.context.get("messages", []), many=True).data


class DigitalPqrSerializer(serializers.ModelSerializer):
    """The PQR just filed (PQR-03), with what the creador still has to do (PQR-06)."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    channel = serializers.CharField(source="channel.name", read_only=True)
    initial_cause = serializers.CharField(source="initial_cause.name", read_only=True)
    customer_name = serializers.CharField(source="customer.full_name", read_only=True)
    customer_document_type = serializers.CharField(source="customer.document_type", read_only=True)
    interaction = serializers.IntegerField(source="digital_interaction.pk", read_only=True)
    screenshot_required = serializers.SerializerMethodField(
        help_text="PQR-06: falta adjuntar la captura de la interacción "
        "(POST …/interactions/{id}/screenshot/)."
    )
    filed_message = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "pqr_type",
            "status",
            "status_display",
            "channel",
            "initial_cause",
            "motive",
            "contract_number",
            "customer_name",
            "customer_document_type",
            "filed_at",
            "due_date",
            "interaction",
            "screenshot_required",
            "filed_message",
        ]
        read_only_fields = fields

    def get_screenshot_required(self, obj) -> bool:
        return needs_screenshot(obj.digital_interaction)

    @extend_schema_field(OutboundMessageSerializer(allow_null=True))
    def get_filed_message(self, obj) -> dict | None:
        message = self.context.get("filed_message")
        return OutboundMessageSerializer(message).data if message else None
