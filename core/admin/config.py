"""Configuration screens: offices, kiosks, printers, staff and availability, catalogue, templates,
mailboxes, notifications, pools — editable by the roles that own them, in their unit."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import BooleanField, Case, When

from core.admin.scope import SafeHistoryAdmin, UnitScopedAdmin, user_unit
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
class OfficeAdmin(SafeHistoryAdmin):
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


class KioskAdminForm(forms.ModelForm):
    class Meta:
        model = Kiosk
        fields = ["office", "label", "printer", "active"]

    def clean(self):
        cleaned = super().clean()
        office, printer = cleaned.get("office"), cleaned.get("printer")
        if printer is not None and office is not None and printer.office_id != office.pk:
            self.add_error(
                "printer", "La impresora del módulo debe ser de la misma oficina del módulo."
            )
        return cleaned


@admin.register(Kiosk)
class KioskAdmin(UnitScopedAdmin):
    """Kiosks (CORE-01): office, label, printer, active. Its connection ("conectado" — the
    kiosk page open with a recent heartbeat) and its pairing are read-only here: an encargado
    pairs it with the code the kiosk page shows; "Desvincular" makes its device log out."""

    unit_field = "office__unit"
    form = KioskAdminForm

    list_display = ["label", "office", "printer", "active", "estado", "last_seen_at", "vinculado"]
    list_filter = ["is_on", "active", "office__unit"]
    list_select_related = ["office", "printer", "paired_by"]
    search_fields = ["label", "office__name"]
    readonly_fields = ["estado", "last_seen_at", "vinculado", "paired_by", "paired_at"]
    fieldsets = [
        (None, {"fields": ["office", "label", "printer", "active"]}),
        ("Estado", {"fields": ["estado", "last_seen_at", "vinculado", "paired_by", "paired_at"]}),
    ]
    actions = ["unpair"]

    def get_queryset(self, request):
        from core.services.kiosks import kiosk_online_q

        return (
            super()
            .get_queryset(request)
            .annotate(
                online=Case(
                    When(kiosk_online_q(), then=True), default=False, output_field=BooleanField()
                )
            )
        )

    @admin.display(description="estado", boolean=False, ordering="online")
    def estado(self, obj) -> str:
        return "Conectado" if getattr(obj, "online", False) else "Desconectado"

    @admin.display(description="vinculado", boolean=True)
    def vinculado(self, obj) -> bool:
        return obj.is_paired

    @admin.action(description="Desvincular los módulos seleccionados", permissions=["change"])
    def unpair(self, request, queryset):
        from core.services.kiosks import kiosk_unpair

        count = 0
        for kiosk in queryset:
            kiosk_unpair(kiosk=kiosk)
            count += 1
        self.message_user(
            request,
            f"{count} módulo(s) desvinculado(s): su página pedirá un código nuevo.",
            messages.SUCCESS,
        )


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


def unit_staff(request, qs):
    """The staff a non-superuser may pick in a form: their own unit's (NFR-02)."""
    if request.user.is_superuser:
        return qs
    unit = user_unit(request)
    return qs.filter(home_office__unit=unit) if unit else qs.none()


@admin.register(StaffAvailability)
class StaffAvailabilityAdmin(UnitScopedAdmin):
    unit_field = "user__home_office__unit"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = unit_staff(request, User.objects.filter(is_active=True))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    list_display = ["user", "date", "is_available", "work_mode"]
    list_filter = ["is_available", "work_mode", "date"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    date_hierarchy = "date"


@admin.register(TransactionType)
class TransactionTypeAdmin(SafeHistoryAdmin):
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
class ChannelAdmin(SafeHistoryAdmin):
    list_display = ["name", "code", "is_digital", "active"]
    list_filter = ["is_digital", "active"]
    search_fields = ["name", "code"]


@admin.register(InitialCause)
class InitialCauseAdmin(SafeHistoryAdmin):
    list_display = ["name", "code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(SafeHistoryAdmin):
    list_display = ["name", "code", "kind", "modality"]
    list_filter = ["kind", "modality"]
    search_fields = ["name", "code", "body"]


@admin.register(SenderMailbox)
class SenderMailboxAdmin(SafeHistoryAdmin):
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

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = unit_staff(request, User.objects.filter(is_active=True))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "unit"]

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.unit = user_unit(request) or ""  # a gestor's pool is their unit's
        super().save_model(request, obj, form, change)


@admin.register(DueAlertRun)
class DueAlertRunAdmin(admin.ModelAdmin):
    list_display = ["date", "unit", "cases", "sent_at"]
    list_filter = ["unit"]
    search_fields = ["unit"]
    date_hierarchy = "date"
