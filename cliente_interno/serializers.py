"""API shapes of internal clients' booking (2.8, CI-01). Validation here is about types only;
the rules and their Spanish messages (transaction offered, document, e-mail, mobile, consents)
are the services' (``cliente_interno.services.booking``). Their schema components are named
``Internal…``: core's agenda and 2.6 have a ``Slot``, a ``Hold`` and a ``Booking`` of their own."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from cliente_interno.models import InternalBooking
from core.api_agenda import DATE_ERRORS, REQUIRED, StartField
from core.api_turn_case import text_field
from core.models import TransactionType

TRANSACTION_ERRORS = {
    **REQUIRED,
    "does_not_exist": "No existe ese tipo de transacción.",
    "invalid": "Indique la transacción por su código.",
}
ID_ERRORS = "Indique {what} por su identificador."


def _transaction_type_field(**kwargs) -> serializers.SlugRelatedField:
    """A transaction by its code; one not offered (financiación) gets the service's message."""
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=TransactionType.objects.all(),
        error_messages=TRANSACTION_ERRORS,
        **kwargs,
    )


def _id_field(what: str, **kwargs) -> serializers.IntegerField:
    message = ID_ERRORS.format(what=what)
    return serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            **REQUIRED,
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_string_length": message,
        },
        **kwargs,
    )


def _consent_field(help_text: str) -> serializers.BooleanField:
    return serializers.BooleanField(
        required=False,
        allow_null=True,  # null is "not given": the service says what is missing
        default=False,
        error_messages={"invalid": "Indique true o false."},
        help_text=help_text,
    )


@extend_schema_serializer(component_name="InternalSlotQuery")
class SlotQuerySerializer(serializers.Serializer):
    transaction_type = _transaction_type_field(help_text="Código de la transacción.")
    date = serializers.DateField(error_messages=DATE_ERRORS, help_text="Día (AAAA-MM-DD).")


@extend_schema_serializer(component_name="InternalSlot")
class SlotSerializer(serializers.Serializer):
    """A free slot; post ``start`` and ``technologist`` back (with the transaction) to hold it."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    technologist = serializers.IntegerField(source="technologist_id")
    technologist_name = serializers.CharField()


@extend_schema_serializer(component_name="InternalSlotConflict")
class ConflictSerializer(serializers.Serializer):
    """409: the slot is no longer available; the next free slots to choose from."""

    detail = serializers.CharField()
    next_slots = SlotSerializer(many=True)


@extend_schema_serializer(component_name="InternalHoldCreate")
class HoldCreateSerializer(serializers.Serializer):
    transaction_type = _transaction_type_field(help_text="Código de la transacción.")
    start = StartField(help_text="Inicio, como lo da la lista de horarios.")
    technologist = _id_field(
        "el tecnólogo", help_text="Identificador del tecnólogo, como lo da la lista de horarios."
    )


@extend_schema_serializer(component_name="InternalHold")
class HoldSerializer(serializers.ModelSerializer):
    """A held slot: it is the employee's until ``expires_at``; reserve it by posting its ``id``
    as ``hold`` to ``/bookings/``."""

    expires_at = serializers.DateTimeField(
        source="appointment.held_until", read_only=True, allow_null=True
    )
    start = serializers.DateTimeField(source="appointment.start", read_only=True)
    end = serializers.DateTimeField(source="appointment.end", read_only=True)
    technologist = serializers.IntegerField(source="appointment.technologist_id", read_only=True)
    technologist_name = serializers.SerializerMethodField()
    transaction_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = InternalBooking
        fields = [
            "id",
            "expires_at",
            "start",
            "end",
            "technologist",
            "technologist_name",
            "transaction_type",
        ]
        read_only_fields = fields

    def get_technologist_name(self, obj: InternalBooking) -> str:
        tech = obj.appointment.technologist
        return tech.get_full_name() or tech.username


@extend_schema_serializer(component_name="InternalBookingCreate")
class BookingCreateSerializer(serializers.Serializer):
    """CI-01: the hold (``POST /holds/``), the personal data and both consents."""

    hold = _id_field("la reserva de horario")
    document_type = text_field(10, required=True)
    document_number = text_field(30, required=True)
    full_name = text_field(200, required=True)
    email = text_field(254, required=True)
    mobile = text_field(30, required=True)
    relation = text_field(12, required=True)
    contract_number = text_field(30)
    property_address = text_field(200)
    motive = text_field(4000)
    terms_accepted = _consent_field("Acepta los términos y condiciones (obligatorio).")
    data_consent = _consent_field(
        "Autoriza el tratamiento de sus datos personales, Ley 1581 de 2012 (obligatorio)."
    )


@extend_schema_serializer(component_name="InternalBooking")
class BookingSerializer(serializers.ModelSerializer):
    """A booking as its employee and its technologist see it."""

    status = serializers.CharField(source="appointment.status", read_only=True)
    start = serializers.DateTimeField(source="appointment.start", read_only=True)
    end = serializers.DateTimeField(source="appointment.end", read_only=True)
    transaction_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    transaction_type_name = serializers.CharField(source="transaction_type.name", read_only=True)
    technologist = serializers.IntegerField(source="appointment.technologist_id", read_only=True)
    technologist_name = serializers.SerializerMethodField()
    employee_name = serializers.SerializerMethodField()
    turn_number = serializers.CharField(source="turn.number", read_only=True, default=None)
    case_number = serializers.CharField(
        source="appointment.case.number", read_only=True, default=None
    )
    state = serializers.SerializerMethodField(
        help_text="pendiente, en_espera (se presentó y espera), en_atencion, atendida, "
        "no_asistio o cancelada."
    )
    turn_status = serializers.CharField(source="turn.status", read_only=True, default=None)
    room_url = serializers.SerializerMethodField()

    class Meta:
        model = InternalBooking
        fields = [
            "id",
            "status",
            "start",
            "end",
            "transaction_type",
            "transaction_type_name",
            "technologist",
            "technologist_name",
            "employee_name",
            "document_type",
            "document_number",
            "email",
            "mobile",
            "relation",
            "checked_in_at",
            "turn_number",
            "turn_status",
            "case_number",
            "state",
            "room_url",
        ]
        read_only_fields = fields

    def get_state(self, obj: InternalBooking) -> str:
        from cliente_interno.services.attention import booking_state

        return booking_state(obj)

    def get_technologist_name(self, obj: InternalBooking) -> str:
        tech = obj.appointment.technologist
        return tech.get_full_name() or tech.username

    def get_employee_name(self, obj: InternalBooking) -> str:
        return obj.full_name or obj.employee.get_full_name() or obj.employee.username

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_room_url(self, obj: InternalBooking) -> str | None:
        """The employee's room; for the appointment's technologist, theirs."""
        request = self.context.get("request")
        user_id = getattr(getattr(request, "user", None), "pk", None)
        if user_id is not None and user_id == obj.appointment.technologist_id:
            return reverse("cliente_interno:technologist_room", args=[obj.pk])
        return reverse("cliente_interno:room", args=[obj.pk])
