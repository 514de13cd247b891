from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import (
    AssignmentPool,
    AttentionMedium,
    Case,
    CaseKind,
    Channel,
    ContactAttempt,
    Customer,
    DocumentType,
    Evidence,
    EvidenceKind,
    InitialCause,
    Kiosk,
    NotificationMedium,
    Office,
    PqrType,
    Printer,
    TransactionType,
)
from core.privacy import mask_phone
from core.services.calls import MAX_ATTEMPTS, NEXT_STEPS, case_protocol
from core.services.closing import CLOSE_OUTCOME_CHOICES


class KioskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kiosk
        fields = ["id", "label", "is_on"]


class PrinterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Printer
        fields = ["id", "name", "active"]


class OfficeSerializer(serializers.ModelSerializer):
    unit_display = serializers.CharField(source="get_unit_display", read_only=True)
    kiosks = KioskSerializer(many=True, read_only=True)
    printers = PrinterSerializer(many=True, read_only=True)

    class Meta:
        model = Office
        fields = [
            "id",
            "name",
            "code",
            "unit",
            "unit_display",
            "zone",
            "capacity",
            "has_orientador",
            "technologist_count",
            "is_internal_client",
            "kiosks",
            "printers",
        ]


class TransactionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransactionType
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "eligible_overflow",
            "requires_orientador",
            "presencial_only",
        ]


class CustomerSerializer(serializers.ModelSerializer):
    """A contact. Found by document outside the caller's cases (``restricted``), it shows only
    what registering needs — that it exists, and its name — and no phones, e-mail or address."""

    phone = serializers.CharField(read_only=True, allow_null=True)
    mobile = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, allow_null=True)
    address = serializers.CharField(read_only=True, allow_null=True)
    restricted = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "document_type",
            "document_number",
            "full_name",
            "phone",
            "mobile",
            "email",
            "address",
            "is_legal_entity",
            "restricted",
        ]

    def get_restricted(self, obj) -> bool:
        return obj.pk in self.context.get("restricted_ids", ())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["restricted"]:
            for field in CUSTOMER_CONTACT_FIELDS:
                data[field] = None
        return data


CUSTOMER_CONTACT_FIELDS = ("phone", "mobile", "email", "address")


class CustomerContactUpdateSerializer(serializers.Serializer):
    """An explicit change of the customer's record; the reason goes to its history."""

    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=80)


class CaseListSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.full_name", read_only=True)
    channel = serializers.CharField(source="channel.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    transaction_type = serializers.CharField(
        source="transaction_type.name", read_only=True, default=None, allow_null=True
    )
    office = serializers.CharField(
        source="office.name", read_only=True, default=None, allow_null=True
    )
    supported_office = serializers.CharField(
        source="supported_office.name", read_only=True, default=None, allow_null=True
    )
    assigned_to = serializers.CharField(
        source="assigned_to.get_full_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "pqr_type",
            "status",
            "status_display",
            "customer_name",
            "transaction_type",
            "channel",
            "turn_number",
            "attention_medium",
            "office",
            "supported_office",
            "assigned_to",
            "filed_at",
            "due_date",
        ]


#: simple_history's labels ("Created", "Changed", "Deleted") have no Spanish catalog; through
#: DRF's catalog "Created" would even read "Fecha de creación".
HISTORY_TYPE_LABELS = {"+": "creación", "~": "modificación", "-": "eliminación"}


class HistoryEntrySerializer(serializers.Serializer):
    date = serializers.DateTimeField(source="history_date")
    user = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    status = serializers.CharField()

    def get_user(self, obj) -> str | None:
        return obj.history_user.get_full_name() if obj.history_user else None

    def get_type(self, obj) -> str:
        return HISTORY_TYPE_LABELS.get(obj.history_type, obj.history_type)


class EvidenceSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.get_full_name", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "kind_display",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]


class CustomerNameSerializer(serializers.ModelSerializer):
    """What a role without need of personal data sees of a case's customer (NFR-02)."""

    class Meta:
        model = Customer
        fields = ["id", "full_name"]


class CaseCustomerSerializer(serializers.Serializer):
    """Schema only: a case's customer as its detail shows it — id and full name to every role,
    the document and contact fields only to the roles that see personal data (NFR-02)."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    document_type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
    document_number = serializers.CharField(required=False)
    phone = serializers.CharField(required=False, allow_null=True)
    mobile = serializers.CharField(required=False, allow_null=True)
    email = serializers.CharField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_null=True)
    is_legal_entity = serializers.BooleanField(required=False)
    restricted = serializers.BooleanField(required=False)


class CaseProtocolSerializer(serializers.Serializer):
    """The call protocol of the case (CORE-07, issue 13 item 6): what is due next."""

    attempts_left = serializers.IntegerField(
        min_value=0, max_value=MAX_ATTEMPTS, help_text="Llamadas que aún se pueden hacer (0 a 3)."
    )
    next_step = serializers.ChoiceField(
        choices=[(step, step) for step in NEXT_STEPS],
        allow_null=True,
        help_text="llamar, mensaje_de_voz (tras tres llamadas sin contestar) o cerrar (el "
        "cliente contestó o fue atendido por video); null si el caso está cerrado.",
    )
    voicemail_script = serializers.CharField(
        allow_blank=True,
        help_text="El mensaje de voz que se debe dejar cuando next_step es mensaje_de_voz; "
        "vacío en otro caso.",
    )
    answered = serializers.BooleanField(help_text="El cliente contestó (o fue atendido por video).")
    by_video = serializers.BooleanField(help_text="Atendido por video en el módulo.")


class CaseDetailSerializer(CaseListSerializer):
    customer = serializers.SerializerMethodField()
    initial_cause = serializers.CharField(
        source="initial_cause.name", read_only=True, default=None, allow_null=True
    )
    history = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    attempts = serializers.SerializerMethodField()
    protocol = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "customer",
            "contract_number",
            "property_address",
            "initial_cause",
            "motive",
            "notification_medium",
            "closed_at",
            "history",
            "evidence",
            "attempts",
            "protocol",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("personal_data"):
            data.pop("property_address", None)  # personal data (NFR-02)
        return data

    @extend_schema_field(CaseCustomerSerializer)
    def get_customer(self, obj) -> dict:
        if self.context.get("personal_data"):
            return CustomerSerializer(obj.customer).data
        return CustomerNameSerializer(obj.customer).data

    def get_attempts(self, obj) -> list[dict]:
        return ContactAttemptSerializer(
            self.context["attempts"], many=True, context=self.context
        ).data

    def get_history(self, obj) -> list[dict]:
        return HistoryEntrySerializer(self.context["history"], many=True).data

    def get_evidence(self, obj) -> list[dict]:
        return EvidenceSerializer(self.context["evidence"], many=True).data

    @extend_schema_field(CaseProtocolSerializer)
    def get_protocol(self, obj) -> dict:
        return CaseProtocolSerializer(case_protocol(obj, self.context.get("attempts"))).data


class ContactAttemptSerializer(serializers.ModelSerializer):
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    made_by = serializers.CharField(source="made_by.get_full_name", read_only=True)

    class Meta:
        model = ContactAttempt
        fields = [
            "id",
            "sequence",
            "outcome",
            "outcome_display",
            "number_dialled",
            "made_by",
            "made_at",
        ]
        read_only_fields = ["id", "sequence", "made_by", "made_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("personal_data", True):
            # NFR-02: roles that see the customer's name only get the number masked.
            data["number_dialled"] = mask_phone(data["number_dialled"])
        return data


class AttemptCreateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=ContactAttempt.Outcome.choices,
        error_messages={"invalid_choice": "Resultado de la llamada no válido."},
    )
    number_dialled = serializers.CharField(max_length=20)


class EvidenceCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    file = serializers.FileField()


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CLOSE_OUTCOME_CHOICES)
    turn_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    attention_medium = serializers.ChoiceField(choices=AttentionMedium.choices, required=False)
    channel = serializers.SlugRelatedField(
        slug_field="code", queryset=Channel.objects.filter(active=True), required=False
    )
    office = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.filter(active=True), required=False
    )
    supported_office = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.filter(active=True), required=False, allow_null=True
    )
    initial_cause = serializers.SlugRelatedField(
        slug_field="code", queryset=InitialCause.objects.filter(active=True), required=False
    )
    motive = serializers.CharField(required=False, allow_blank=True)
    notification_medium = serializers.ChoiceField(
        choices=NotificationMedium.choices, required=False, allow_blank=True
    )
    notification_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    notification_email_consent = serializers.BooleanField(required=False)
    notification_mobile = serializers.CharField(required=False, allow_blank=True)
    notification_address = serializers.CharField(required=False, allow_blank=True)


class ReassignSerializer(serializers.Serializer):
    to_user = serializers.IntegerField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BulkReassignSerializer(serializers.Serializer):
    """PQR-08: several cases of the caller's scope to one technologist of their unit."""

    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )
    technologist = serializers.IntegerField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CustomerInputSerializer(serializers.Serializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    document_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    full_name = serializers.CharField(max_length=160)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CaseCreateSerializer(serializers.Serializer):
    customer = CustomerInputSerializer()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    pqr_type = serializers.ChoiceField(choices=PqrType.choices, required=False, allow_blank=True)
    channel = serializers.SlugRelatedField(
        slug_field="code", queryset=Channel.objects.filter(active=True)
    )
    transaction_type = serializers.SlugRelatedField(
        slug_field="code", queryset=TransactionType.objects.filter(active=True), required=False
    )
    initial_cause = serializers.SlugRelatedField(
        slug_field="code", queryset=InitialCause.objects.filter(active=True), required=False
    )
    contract_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    property_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    motive = serializers.CharField(required=False, allow_blank=True)
    turn_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    attention_medium = serializers.ChoiceField(choices=AttentionMedium.choices, required=False)
    office = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.filter(active=True), required=False
    )
    supported_office = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.filter(active=True), required=False
    )
    pool = serializers.SlugRelatedField(
        slug_field="code", queryset=AssignmentPool.objects.filter(active=True), required=False
    )
