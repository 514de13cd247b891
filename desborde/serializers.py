"""API shapes of the overflow modalities (2.1, 2.2). Validation here is about types only; the
rules and their Spanish messages live in ``desborde.services``."""

from rest_framework import serializers

from core.models import DocumentType, Office, TransactionType
from desborde.models import Intake, IntakeMode, OutcomeProposal

REQUIRED = {"required": "Este campo es obligatorio.", "null": "Este campo es obligatorio."}


def _text(max_length: int, *, required: bool = False) -> serializers.CharField:
    """Text whose blank value reaches the service, which says what is wrong with it."""
    extra = {} if required else {"default": ""}
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=True,
        trim_whitespace=True,
        error_messages={
            **REQUIRED,
            "max_length": f"Escriba como máximo {max_length} caracteres.",
        },
        **extra,
    )


def _name(user) -> str | None:
    return str(user) if user is not None else None


class IntakeCreateSerializer(serializers.Serializer):
    """DF-01 / WA-01: what the orientador's tablet sends (JSON, or multipart with photos)."""

    office = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.filter(active=True),
        error_messages={
            **REQUIRED,
            "does_not_exist": "La oficina no existe o no está activa.",
            "incorrect_type": "Indique la oficina por su identificador.",
        },
    )
    mode = serializers.ChoiceField(
        choices=IntakeMode.choices,
        error_messages={**REQUIRED, "invalid_choice": "Seleccione formulario web o WhatsApp."},
    )
    transaction_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TransactionType.objects.all(),  # inactive ones get the service's message
        error_messages={
            **REQUIRED,
            "does_not_exist": "El tipo de transacción no existe.",
            "invalid": "Tipo de transacción no válido.",
        },
    )
    full_name = _text(160, required=True)
    document_type = serializers.ChoiceField(
        choices=DocumentType.choices,
        error_messages={**REQUIRED, "invalid_choice": "Tipo de documento no válido."},
    )
    document_number = _text(20)
    phone = _text(20, required=True)
    contract = _text(30)
    email = _text(254)
    data_consent = serializers.BooleanField(
        default=False, error_messages={"invalid": "Indique sí o no."}
    )
    client_token = serializers.UUIDField(
        required=False,
        allow_null=True,
        error_messages={"invalid": "Identificador de envío no válido."},
    )
    photo_invoice = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=True,  # the service explains an empty file
        help_text="WhatsApp: foto de la factura o del cupón.",
    )
    photo_id = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=True,
        help_text="WhatsApp: foto del documento de identidad.",
    )

    def validate_office(self, office: Office) -> Office:
        user = self.context["request"].user
        if not user.is_superuser and office.pk != user.home_office_id:
            raise serializers.ValidationError("Solo puede registrar en su oficina.")
        return office


class IntakeSerializer(serializers.ModelSerializer):
    """DF-02: the intake with the CRM case number and the technologist who will call."""

    mode_display = serializers.CharField(source="get_mode_display", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    orientador = serializers.SerializerMethodField()
    transaction_type = serializers.CharField(source="transaction_type.code", read_only=True)
    transaction_type_name = serializers.CharField(source="transaction_type.name", read_only=True)
    case_id = serializers.IntegerField(read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    assigned_to = serializers.SerializerMethodField()
    status = serializers.CharField(source="case.status", read_only=True)
    status_display = serializers.CharField(source="case.get_status_display", read_only=True)
    pqr_numbers = serializers.SerializerMethodField(
        help_text="DF-04: el número del caso CRM una vez informado al asignador; vacío antes."
    )

    class Meta:
        model = Intake
        fields = [
            "id",
            "client_token",
            "mode",
            "mode_display",
            "office",
            "office_name",
            "zone",
            "orientador",
            "started_at",
            "transaction_type",
            "transaction_type_name",
            "full_name",
            "document_type",
            "document_number",
            "phone",
            "contract",
            "email",
            "data_consent_at",
            "data_consent_version",
            "case_id",
            "case_number",
            "assigned_to",
            "status",
            "status_display",
            "pqr_numbers",
            "reported_at",
        ]
        read_only_fields = fields

    def get_orientador(self, obj: Intake) -> str:
        return str(obj.orientador)

    def get_assigned_to(self, obj: Intake) -> str | None:
        return _name(obj.case.assigned_to)

    def get_pqr_numbers(self, obj: Intake) -> str:
        """Kept under its old name and shape (a string) for API clients: a case closes once, so
        it holds one number."""
        return obj.case.number if obj.reported_at else ""


class ProposalCreateSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")


class ProposalRespondSerializer(serializers.Serializer):
    agreed = serializers.BooleanField(
        error_messages={**REQUIRED, "invalid": "Indique si el cliente está de acuerdo."}
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ProposalSerializer(serializers.ModelSerializer):
    """WA-03: a proposed outcome and the customer's answer."""

    case_id = serializers.IntegerField(read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    customer_name = serializers.CharField(source="case.intake.full_name", read_only=True)
    office_name = serializers.CharField(source="case.intake.office.name", read_only=True)
    proposed_by = serializers.SerializerMethodField()
    response_display = serializers.CharField(source="get_response_display", read_only=True)
    responded_by = serializers.SerializerMethodField()

    class Meta:
        model = OutcomeProposal
        fields = [
            "id",
            "case_id",
            "case_number",
            "customer_name",
            "office_name",
            "text",
            "proposed_by",
            "proposed_at",
            "response",
            "response_display",
            "comment",
            "responded_by",
            "responded_at",
        ]
        read_only_fields = fields

    def get_proposed_by(self, obj: OutcomeProposal) -> str:
        return str(obj.proposed_by)

    def get_responded_by(self, obj: OutcomeProposal) -> str | None:
        return _name(obj.responded_by)
