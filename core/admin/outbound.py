"""The outbox of messages to customers through the networks (2.7), read-only: superusers and
gestores follow what went out, what is retrying and what waits for a person. States change only
through ``core.services.outbound`` (the worker, the sweep, "marcar como enviado")."""

from django.contrib import admin

from core.models import OutboundMessage
from core.roles import Role, user_has_role


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "purpose",
        "provider",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "sent_by",
    ]
    list_filter = ["status", "provider", "channel", "purpose"]
    list_select_related = ["sent_by", "created_by", "subject_type"]
    search_fields = ["idempotency_key", "recipient", "provider_message_id", "body"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "idempotency_key",
        "provider",
        "channel",
        "recipient",
        "purpose",
        "body",
        "status",
        "human_reason",
        "reply_window_ends_at",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_message_id",
        "sent_at",
        "sent_by",
        "created_by",
        "created_at",
        "subject_type",
        "subject_id",
    ]
    fields = readonly_fields

    def _allowed(self, request) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or user_has_role(user, Role.GESTOR)))

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
