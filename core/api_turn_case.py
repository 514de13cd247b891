"""API pieces shared by the endpoints that open the case of a turn attended by video at a kiosk
(``/api/v1/asesor-linea/`` and ``/api/v1/balanceo/``): text fields whose blank value reaches the
service (which says what is wrong), the customer at the kiosk, and "Terminar"'s outcome."""

from rest_framework import serializers

from core.models import CaseKind, DocumentType, PqrType, TransactionType
from core.services.turns.kiosk import KIOSK_OUTCOME_INVALID, KIOSK_OUTCOMES

REQUIRED = {"required": "Este campo es obligatorio.", "null": "Este campo es obligatorio."}


def text_field(max_length: int, *, required: bool = False) -> serializers.CharField:
    """Text whose blank value reaches the service, which says what is wrong with it."""
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=True,
        trim_whitespace=True,
        error_messages={**REQUIRED, "max_length": f"Escriba como máximo {max_length} caracteres."},
        **({} if required else {"default": ""}),
    )


class TurnCaseCustomerSerializer(serializers.Serializer):
    """The customer at the kiosk (CORE-03); the document, name, phone and e-mail rules are the
    service's and come back by field."""

    document_type = serializers.ChoiceField(
        choices=DocumentType.choices,
        error_messages={**REQUIRED, "invalid_choice": "Tipo de documento no válido."},
    )
    document_number = text_field(30)
    full_name = text_field(160, required=True)
    mobile = text_field(30)
    email = text_field(254)


def case_kind_field(help_text: str) -> serializers.ChoiceField:
    """PQR or pedido; ``help_text`` names the channel each gets in the modality."""
    return serializers.ChoiceField(
        choices=CaseKind.choices,
        error_messages={**REQUIRED, "invalid_choice": "Indique «PQR» o «PED» (pedido)."},
        help_text=help_text,
    )


def pqr_type_field():
    """Petición, queja or reclamo; blank for a pedido."""
    return serializers.ChoiceField(
        choices=PqrType.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": "Indique petición, queja o reclamo."},
    )


def transaction_type_field():
    """The transaction by its code; the turn's when absent."""
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=TransactionType.objects.all(),  # an inactive one gets the service's message
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "does_not_exist": "El tipo de transacción no existe.",
            "invalid": "Tipo de transacción no válido.",
        },
        help_text="Código del tipo de transacción; por defecto, la del turno.",
    )


class TurnCaseCreateSerializer(serializers.Serializer):
    """The case of the turn: the customer and their requirement. A modality's subclass sets
    ``kind`` (``case_kind_field`` with its channels) and may set ``customer``'s messages."""

    customer = TurnCaseCustomerSerializer(error_messages=REQUIRED)
    pqr_type = pqr_type_field()
    transaction_type = transaction_type_field()
    motive = serializers.CharField(required=False, allow_blank=True, default="")
    contract_number = text_field(30)


class KioskFinishSerializer(serializers.Serializer):
    """ "Terminar" a kiosk attention (core's ``turn_kiosk_finish``)."""

    # A plain string checked here, not a choice field: its enum would collide in the OpenAPI
    # schema with the other "outcome" fields of the API (desborde's call outcome).
    outcome = serializers.CharField(
        error_messages={**REQUIRED, "blank": KIOSK_OUTCOME_INVALID},
        help_text="«atendido» (con el caso registrado), «no_se_presento» o «devolver».",
    )

    def validate_outcome(self, value: str) -> str:
        if value not in KIOSK_OUTCOMES:
            raise serializers.ValidationError(KIOSK_OUTCOME_INVALID)
        return value
