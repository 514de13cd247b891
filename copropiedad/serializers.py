"""API shapes of condo administrators (2.6). Validation here is about types only; the rules and
their Spanish messages (NIT, document, phone, e-mail, financiación) are the services'."""

import datetime as dt

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_agenda import StartField
from core.api_turn_case import REQUIRED, text_field
from core.models import Appointment, DocumentType, InitialCause, PqrType, TransactionType, User
from core.roles import Role

#: Dates a request may name (a datetime near the limits of Python's range overflows when it is
#: moved to another time zone).
FIRST_YEAR, LAST_YEAR = 2000, 2999


def required_text(max_length: int) -> serializers.CharField:
    """Text that must be sent; a blank one reaches the service, which says what is missing."""
    return text_field(max_length, required=True)


class RequirementSerializer(serializers.Serializer):
    """The administrator and the requirement (2.6 step 1): the copropiedad, the person, what
    they need."""

    nit = required_text(20)
    copropiedad = required_text(200)
    full_name = required_text(160)
    document_type = serializers.ChoiceField(
        choices=DocumentType.choices,
        error_messages={**REQUIRED, "invalid_choice": "Tipo de documento no válido."},
    )
    document_number = required_text(30)
    phone = required_text(30)
    email = required_text(254)
    transaction_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TransactionType.objects.all(),  # an inactive one gets the service's message
        error_messages={
            **REQUIRED,
            "does_not_exist": "El tipo de transacción no existe.",
            "invalid": "Tipo de transacción no válido.",
        },
        help_text="Código del tipo de transacción (financiación / refinanciación: 400).",
    )
    motive = serializers.CharField(
        allow_blank=True,
        trim_whitespace=True,
        max_length=4000,
        error_messages={**REQUIRED, "max_length": "Escriba como máximo 4000 caracteres."},
    )
    pqr_type = serializers.ChoiceField(
        choices=PqrType.choices,
        required=False,
        default=PqrType.PETICION,
        error_messages={"invalid_choice": "Indique petición, queja o reclamo."},
        help_text="Por defecto, petición.",
    )


class AppointmentBookSerializer(RequirementSerializer):
    """COP-01: the hold of a free slot (``POST /api/v1/agenda/holds/``) and the requirement."""

    hold = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            **REQUIRED,
            "invalid": "Indique la reserva de horario por su identificador.",
            "min_value": "No existe esa reserva de horario.",
            "max_value": "No existe esa reserva de horario.",
        },
    )


class PhoneSolutionSerializer(RequirementSerializer):
    """COP-01: the requirement solved on the phone by the Contact Center (no appointment)."""

    phone = text_field(30)
    email = text_field(254)
    solution = serializers.CharField(
        allow_blank=True,
        trim_whitespace=True,
        max_length=4000,
        error_messages={**REQUIRED, "max_length": "Escriba como máximo 4000 caracteres."},
    )
    initial_cause = serializers.SlugRelatedField(
        slug_field="code",
        queryset=InitialCause.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "does_not_exist": "La causa inicial no existe.",
            "invalid": "Causa inicial no válida.",
        },
        help_text="Código de la causa inicial; por defecto, información general.",
    )


def _datetime_in_range(value: dt.datetime) -> dt.datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise serializers.ValidationError(
            f"Fecha fuera de rango: entre {FIRST_YEAR} y {LAST_YEAR}."
        )
    return value


class RescheduleSerializer(serializers.Serializer):
    """A slot as ``GET /api/v1/agenda/slots/?type=copropiedad`` gives it."""

    start = StartField(
        error_messages={
            **REQUIRED,
            "invalid": "Fecha y hora no válidas: use el formato AAAA-MM-DDTHH:MM.",
            "overflow": f"Fecha fuera de rango: entre {FIRST_YEAR} y {LAST_YEAR}.",
        },
        validators=[_datetime_in_range],
    )
    technologist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, groups__name=Role.TECNOLOGO),
        error_messages={
            **REQUIRED,
            "does_not_exist": "Ese tecnólogo no existe o no está activo.",
            "incorrect_type": "Indique el tecnólogo por su identificador.",
        },
    )


class AppointmentSerializer(serializers.ModelSerializer):
    """An appointment as the creador sees it in the day's list and after each action."""

    technologist_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    uid = serializers.CharField(source="ics_uid", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    number = serializers.CharField(source="case.number", read_only=True, default=None)
    administrator = serializers.CharField(
        source="case.customer.full_name", read_only=True, default=None
    )
    copropiedad = serializers.SerializerMethodField()
    nit = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "start",
            "end",
            "technologist",
            "technologist_name",
            "status",
            "status_display",
            "uid",
            "sequence",
            "case",
            "number",
            "administrator",
            "copropiedad",
            "nit",
        ]
        read_only_fields = fields

    def get_technologist_name(self, obj: Appointment) -> str:
        return obj.technologist.get_full_name() or obj.technologist.username

    def _copropiedad(self, obj: Appointment):
        condo = getattr(obj.case, "condo", None) if obj.case_id else None
        return condo.copropiedad if condo else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_copropiedad(self, obj: Appointment) -> str | None:
        copropiedad = self._copropiedad(obj)
        return copropiedad.name if copropiedad else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_nit(self, obj: Appointment) -> str | None:
        copropiedad = self._copropiedad(obj)
        return copropiedad.nit if copropiedad else None


class BookingSerializer(serializers.Serializer):
    """The answer to a booking: the case and its appointment."""

    number = serializers.CharField()
    case = serializers.IntegerField()
    appointment = AppointmentSerializer()


class PhoneSolutionResultSerializer(serializers.Serializer):
    number = serializers.CharField()
    case = serializers.IntegerField()
    status = serializers.CharField()
