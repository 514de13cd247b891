"""2.7 in Django admin: the interactions (read-mostly), the providers' raw deliveries and the
daily exports (read-only). Seen by superusers and gestores (Profesional Comercial, with admin
access); the roles have no model permissions on these models, so access is decided by role
here.

The creadores work the interactions in their inbox (/pqr-digital/), through the services;
admin is for looking back (history included), not for changing states."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin.scope import SafeHistoryAdmin
from core.roles import Role, user_has_role
from pqr_digital.models import DigitalPqrExport, InboundMessage, Interaction
from pqr_digital.scopes import user_handles_digital_pqr


def _may_see(request) -> bool:
    user = request.user
    return (
        user.is_active and user.is_staff and (user.is_superuser or user_has_role(user, Role.GESTOR))
    )


class GestorReadOnlyAdmin(SafeHistoryAdmin):
    """Visible to superusers and gestores (the Contact Center's inbox belongs to no office or
    unit: no row filter beyond the role); never added, changed or deleted here."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if _may_see(request) else qs.none()

    def has_module_permission(self, request) -> bool:
        return _may_see(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_see(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def revert_disabled(self, request, obj=None) -> bool:
        return True


@admin.register(Interaction)
class InteractionAdmin(GestorReadOnlyAdmin):
    """Read-mostly: superusers may correct the data the user gave (a typo in the name or the
    contract), with history; states, messages and the PQR change only through the services."""

    list_display = [
        "arrived_at",
        "channel",
        "author_handle",
        "status",
        "full_name",
        "handled_by",
        "case",
        "info_requested_at",
        "closed_at",
    ]
    list_filter = ["status", "channel", "provider", "premises", "holder", "cannot_receive_messages"]
    list_select_related = ["handled_by", "case", "closed_by"]
    search_fields = [
        "author_handle",
        "full_name",
        "document_number",
        "contract",
        "property_address",
        "case__number",
        "text",
    ]
    date_hierarchy = "arrived_at"
    #: What a superuser may correct; everything else is read-only.
    correctable = {"author_handle", "full_name", "contract", "property_address", "motive"}

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.correctable]


@admin.register(InboundMessage)
class InboundMessageAdmin(GestorReadOnlyAdmin):
    list_display = [
        "received_at",
        "provider",
        "channel",
        "sender_name",
        "sender_id",
        "processed_at",
        "interaction",
    ]
    list_filter = ["provider", "channel", ("processed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["interaction"]
    search_fields = ["provider_message_id", "sender_id", "sender_name", "text"]
    date_hierarchy = "received_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(DigitalPqrExport)
class DigitalPqrExportAdmin(GestorReadOnlyAdmin):
    """The exports hold the Regional unit's PQR with personal data: only the users who handle
    them (``user_handles_digital_pqr``) see them, and the files download through the scoped
    pages, never their storage path."""

    list_display = ["date_from", "date_to", "rows", "built_at", "built_by", "emailed_at"]
    list_filter = [("emailed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["built_by"]
    search_fields = ["built_by__username", "built_by__first_name", "built_by__last_name"]
    date_hierarchy = "date_from"
    fields = ["date_from", "date_to", "rows", "built_at", "built_by", "emailed_at", "files"]

    def _handles(self, request) -> bool:
        return _may_see(request) and user_handles_digital_pqr(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if self._handles(request) else qs.none()

    def has_module_permission(self, request) -> bool:
        return self._handles(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._handles(request)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="archivos")
    def files(self, obj):
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">Excel</a>',
            reverse("pqr_digital:export_csv", args=[obj.pk]),
            reverse("pqr_digital:export_xlsx", args=[obj.pk]),
        )
