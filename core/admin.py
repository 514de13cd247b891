from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.models import (
    AssignmentPool,
    Case,
    Channel,
    ContactAttempt,
    Customer,
    DueAlertRun,
    Evidence,
    InitialCause,
    Kiosk,
    MessageTemplate,
    Notification,
    Office,
    Printer,
    SenderMailbox,
    StaffAvailability,
    TransactionType,
    User,
)


class KioskInline(admin.TabularInline):
    model = Kiosk
    extra = 0


class PrinterInline(admin.TabularInline):
    model = Printer
    extra = 0


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "unit",
        "zone",
        "capacity",
        "has_orientador",
        "technologist_count",
        "active",
    ]
    list_filter = ["unit", "zone", "has_orientador", "is_internal_client", "active"]
    search_fields = ["name", "code", "zone"]
    inlines = [KioskInline, PrinterInline]


@admin.register(Kiosk)
class KioskAdmin(SimpleHistoryAdmin):
    list_display = ["label", "office", "is_on"]
    list_filter = ["is_on", "office__unit"]
    list_select_related = ["office"]
    search_fields = ["label", "office__name"]


@admin.register(Printer)
class PrinterAdmin(SimpleHistoryAdmin):
    list_display = ["name", "office", "active"]
    list_filter = ["active", "office__unit"]
    list_select_related = ["office"]
    search_fields = ["name", "office__name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "home_office", "work_mode", "is_active"]
    list_filter = ["groups", "work_mode", "home_office__unit", "is_active", "is_staff"]
    list_select_related = ["home_office"]
    search_fields = ["username", "first_name", "last_name", "email", "document_number"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Atención a distancia",
            {"fields": ("document_number", "phone", "home_office", "work_mode")},
        ),
    )


@admin.register(StaffAvailability)
class StaffAvailabilityAdmin(SimpleHistoryAdmin):
    list_display = ["user", "date", "is_available", "work_mode"]
    list_filter = ["is_available", "work_mode", "date"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    date_hierarchy = "date"


@admin.register(TransactionType)
class TransactionTypeAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "eligible_overflow",
        "requires_orientador",
        "presencial_only",
        "active",
    ]
    list_filter = ["kind", "eligible_overflow", "requires_orientador", "presencial_only", "active"]
    search_fields = ["name", "code"]


@admin.register(Channel)
class ChannelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "is_digital", "active"]
    list_filter = ["is_digital", "active"]
    search_fields = ["name", "code"]


@admin.register(InitialCause)
class InitialCauseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "document_type", "document_number", "phone", "email"]
    list_filter = ["document_type"]
    search_fields = ["full_name", "document_number", "email", "phone", "mobile"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["kind", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = [
        "number",
        "kind",
        "status",
        "customer",
        "channel",
        "office",
        "supported_office",
        "assigned_to",
        "filed_at",
        "due_date",
    ]
    list_filter = ["kind", "status", "channel", "office__unit", "attention_medium"]
    list_select_related = ["customer", "channel", "office", "supported_office", "assigned_to"]
    search_fields = [
        "number",
        "customer__full_name",
        "customer__document_number",
        "contract_number",
    ]
    raw_id_fields = ["customer", "assigned_to", "created_by"]
    readonly_fields = ["number", "due_date", "created_at", "updated_at"]
    date_hierarchy = "filed_at"
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "kind", "case", "customer", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "customer", "uploaded_by"]
    search_fields = ["original_name", "case__number", "sha256"]
    readonly_fields = ["sha256", "size", "content_type", "uploaded_at", "uploaded_by"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "modality"]
    list_filter = ["kind", "modality"]
    search_fields = ["name", "code", "body"]


@admin.register(SenderMailbox)
class SenderMailboxAdmin(SimpleHistoryAdmin):
    list_display = ["modality", "from_email", "display_name", "reply_to"]
    list_filter = ["modality"]
    search_fields = ["from_email", "display_name"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "recipient",
        "medium",
        "modality",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "case",
    ]
    list_filter = ["medium", "modality", "status"]
    list_select_related = ["case"]
    search_fields = ["recipient", "subject", "case__number"]
    readonly_fields = ["created_at", "sent_at", "attempts", "last_error"]


@admin.register(AssignmentPool)
class AssignmentPoolAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "unit",
        "batch_size",
        "max_open_cases",
        "round_number",
        "cursor_user",
        "active",
    ]
    list_filter = ["unit", "active"]
    list_select_related = ["cursor_user"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]
    readonly_fields = ["cursor_key", "cursor_user", "round_number"]


@admin.register(ContactAttempt)
class ContactAttemptAdmin(SimpleHistoryAdmin):
    list_display = ["case", "sequence", "outcome", "number_dialled", "made_by", "made_at"]
    list_filter = ["outcome"]
    list_select_related = ["case", "made_by"]
    search_fields = ["case__number", "number_dialled"]
    readonly_fields = ["case", "sequence", "outcome", "number_dialled", "made_by", "made_at"]


@admin.register(DueAlertRun)
class DueAlertRunAdmin(admin.ModelAdmin):
    list_display = ["date", "unit", "cases", "sent_at"]
    list_filter = ["unit"]
    search_fields = ["unit"]
    date_hierarchy = "date"
