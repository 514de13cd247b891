"""Internal clients (2.8) in Django admin: the bookings, read-mostly.

Bookings change only through the services (hold, reserve, check-in, call, no-show), which keep
the agenda, the turn and the consents consistent; admin is for looking them up. Seen by
superusers and gestores (Profesional Comercial, with admin access) — the roles have no model
permission on this model, so access is decided by role here, as in ``pqr_digital.admin`` —
and a gestor sees only the bookings served by the technologists of their unit (NFR-02, the
same scope as core's appointments admin)."""

from django.contrib import admin

from cliente_interno.models import InternalBooking
from core.admin.scope import user_unit
from core.roles import Role, user_has_role


def _may_see(request) -> bool:
    user = request.user
    return (
        user.is_active and user.is_staff and (user.is_superuser or user_has_role(user, Role.GESTOR))
    )


@admin.register(InternalBooking)
class InternalBookingAdmin(admin.ModelAdmin):
    list_display = [
        "start",
        "employee",
        "transaction_type",
        "status",
        "checked_in",
        "technologist",
        "booked_at",
    ]
    list_filter = [
        "appointment__status",
        ("transaction_type", admin.RelatedOnlyFieldListFilter),
        ("booked_at", admin.EmptyFieldListFilter),
        ("checked_in_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = [
        "appointment",
        "appointment__technologist",
        "employee",
        "transaction_type",
    ]
    search_fields = [
        "employee__username",
        "employee__first_name",
        "employee__last_name",
        "full_name",
        "document_number",
        "appointment__case__number",
    ]
    date_hierarchy = "appointment__start"
    ordering = ["-appointment__start", "-id"]
    fields = [
        "appointment",
        "employee",
        "transaction_type",
        "document_type",
        "document_number",
        "full_name",
        "email",
        "mobile",
        "relation",
        "contract_number",
        "property_address",
        "motive",
        "terms_accepted_at",
        "data_consent_at",
        "booked_at",
        "checkin_failures",
        "checked_in_at",
        "turn",
        "no_show_notified_at",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        unit = user_unit(request)
        if not (_may_see(request) and unit):
            return qs.none()
        return qs.filter(appointment__technologist__home_office__unit=unit)

    def has_module_permission(self, request) -> bool:
        return _may_see(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _may_see(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="inicio", ordering="appointment__start")
    def start(self, obj: InternalBooking):
        return obj.appointment.start

    @admin.display(description="estado", ordering="appointment__status")
    def status(self, obj: InternalBooking) -> str:
        return obj.appointment.get_status_display()

    @admin.display(description="tecnólogo", ordering="appointment__technologist__first_name")
    def technologist(self, obj: InternalBooking):
        return obj.appointment.technologist

    @admin.display(description="se presentó", boolean=True, ordering="checked_in_at")
    def checked_in(self, obj: InternalBooking) -> bool:
        return obj.checked_in_at is not None
