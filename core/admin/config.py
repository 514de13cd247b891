"""Configuration screens: offices, kiosks, printers, staff and availability, catalogue, templates,
mailboxes, notifications, pools — editable by the roles that own them, in their unit."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.admin.scope import UnitScopedAdmin, user_unit
from core.models import (
    AssignmentPool,
    Channel,
    DueAlertRun,
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
    """Every office is listed (they are no secret); a gestor changes those of their unit."""

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

    def _own(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or obj.unit == user_unit(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._own(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._own(request, obj)


@admin.register(Kiosk)
class KioskAdmin(UnitScopedAdmin):
    unit_field = "office__unit"

    list_display = ["label", "office", "is_on"]
    list_filter = ["is_on", "office__unit"]
    list_select_related = ["office"]
    search_fields = ["label", "office__name"]


@admin.register(Printer)
class PrinterAdmin(UnitScopedAdmin):
    unit_field = "office__unit"

    list_display = ["name", "office", "active"]
    list_filter = ["active", "office__unit"]
    list_select_related = ["office"]
    search_fields = ["name", "office__name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, UnitScopedAdmin):
    """Staff of the user's unit."""

    unit_field = "home_office__unit"

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
class StaffAvailabilityAdmin(UnitScopedAdmin):
    unit_field = "user__home_office__unit"

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
class AssignmentPoolAdmin(UnitScopedAdmin):
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


@admin.register(DueAlertRun)
class DueAlertRunAdmin(admin.ModelAdmin):
    list_display = ["date", "unit", "cases", "sent_at"]
    list_filter = ["unit"]
    search_fields = ["unit"]
    date_hierarchy = "date"
