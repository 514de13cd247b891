from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Case, Customer, Evidence, Kiosk, Office, Printer, TransactionType


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
        ]


class CaseListSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.full_name", read_only=True)
    channel = serializers.CharField(source="channel.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    transaction_type = serializers.CharField(
        source="transaction_type.name", read_only=True, default=None
    )
    office = serializers.CharField(source="office.name", read_only=True, default=None)
    supported_office = serializers.CharField(
        source="supported_office.name", read_only=True, default=None
    )
    assigned_to = serializers.CharField(
        source="assigned_to.get_full_name", read_only=True, default=None
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


class CaseDetailSerializer(CaseListSerializer):
    customer = serializers.SerializerMethodField()
    initial_cause = serializers.CharField(source="initial_cause.name", read_only=True, default=None)
    history = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

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
        ]

    @extend_schema_field(CustomerSerializer)
    def get_customer(self, obj) -> dict:
        if self.context.get("personal_data"):
            return CustomerSerializer(obj.customer).data
        return CustomerNameSerializer(obj.customer).data

    def get_history(self, obj) -> list[dict]:
        return HistoryEntrySerializer(self.context["history"], many=True).data

    def get_evidence(self, obj) -> list[dict]:
        return EvidenceSerializer(self.context["evidence"], many=True).data
