"""The office turns in admin (CEL-02): a read-only window for the unit's gestores, with each
turn's events. Turns change only through ``core.services.turns`` (desk, booth, API); the mobile
is shown masked (the booth alone shows it whole)."""

from django.contrib import admin

from core.admin.scope import user_unit
from core.models import Turn, TurnEvent
from core.privacy import mask_phone


class TurnEventInline(admin.TabularInline):
    model = TurnEvent
    extra = 0
    fields = ["at", "kind", "by", "note"]
    readonly_fields = fields
    can_delete = False
    ordering = ["at", "id"]

    def has_view_permission(self, request, obj=None) -> bool:
        # The events are part of the turn: whoever may see the turn sees them.
        return request.user.has_perm("core.view_turn")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Turn)
class TurnAdmin(admin.ModelAdmin):
    """Turns of the user's unit (superusers: all), read-only for everybody."""

    list_display = [
        "number",
        "office",
        "day",
        "transaction_type",
        "status",
        "accepts_remote",
        "needs_office_check",
        "virtual_consent",
        "called_by",
        "kiosk",
        "created_at",
    ]
    list_filter = [
        "status",
        "accepts_remote",
        "needs_office_check",
        "virtual_consent",
        "office__unit",
        "day",
    ]
    list_select_related = ["office", "transaction_type", "called_by", "kiosk"]
    search_fields = ["number", "office__name", "office__code"]
    date_hierarchy = "day"
    fields = [
        "number",
        "office",
        "day",
        "sequence",
        "transaction_type",
        "status",
        "accepts_remote",
        "masked_mobile",
        "needs_office_check",
        "virtual_consent",
        "virtual_consent_by",
        "kiosk",
        "announced_at",
        "created_by",
        "created_at",
        "called_by",
        "called_at",
        "attention_started_at",
        "finished_at",
        "case",
    ]
    readonly_fields = fields
    inlines = [TurnEventInline]

    @admin.display(description="celular")
    def masked_mobile(self, obj: Turn) -> str:
        return mask_phone(obj.mobile) or "—"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        unit = user_unit(request)
        return qs.filter(office__unit=unit) if unit else qs.none()

    def _in_scope(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
