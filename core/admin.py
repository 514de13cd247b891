"""Django admin: configuration for the roles that own it, and a read-only window on cases.

Every admin of a model that belongs to a unit, an office or a case goes through the same scope
as the API and the pages (``core.selectors``): rows outside it are absent from the lists and
refused on the change, delete and history pages (NFR-02). Cases, contact attempts, evidence and
customers are read-only for everybody but superusers, and a case's state never changes here:
it changes through the services (call protocol, closing, reassignment on the case page)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core import selectors
from core.models import (
    AssignmentPool,
    Case,
    Channel,
    ContactAttempt,
    ContactDetail,
    Customer,
    DueAlertRun,
    Evidence,
    InitialCause,
    Kiosk,
    MessageTemplate,
    Notification,
    Office,
    Printer,
    PrintJob,
    SenderMailbox,
    StaffAvailability,
    TransactionType,
    User,
)
from core.privacy import mask_phone
from core.roles import can_see_personal_data


def _unit(request) -> str | None:
    office = getattr(request.user, "home_office", None)
    return office.unit if office else None


class ScopedAdmin(SimpleHistoryAdmin):
    """An admin whose rows are limited to the user's scope (``scope``), also on the change,
    delete and history pages — simple_history's history pages look objects up without the
    admin's queryset, so the check is made on the object itself."""

    def scope(self, request, qs):
        return qs.none()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else self.scope(request, qs)

    def in_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        checked = request.__dict__.setdefault("_admin_in_scope", {})
        key = (self.model._meta.label, obj.pk)
        if key not in checked:
            checked[key] = self.get_queryset(request).filter(pk=obj.pk).exists()
        return checked[key]

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)


class UnitScopedAdmin(ScopedAdmin):
    """Rows of the user's unit (``unit_field``): what a gestor or asignador manages."""

    unit_field = "unit"

    def scope(self, request, qs):
        unit = _unit(request)
        return qs.filter(**{self.unit_field: unit}) if unit else qs.none()


class RecordAdmin(ScopedAdmin):
    """Records of the case work (cases, attempts, evidence, customers): read-only for everybody
    but superusers; never added here; history cannot be reverted."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def revert_disabled(self, request, obj=None) -> bool:
        return True


def _visible_cases(request):
    return selectors.case_list_for_user(user=request.user).values("pk")


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
        return obj is None or request.user.is_superuser or obj.unit == _unit(request)

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


class ContactDetailInline(admin.TabularInline):
    model = ContactDetail
    extra = 0
    fields = ["kind", "value", "case", "given_by", "given_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(RecordAdmin):
    """Contacts of the cases the user may see, and only for roles that need personal data.
    Changes by superusers only; staff update contact data through the audited service."""

    list_display = ["full_name", "document_type", "document_number", "phone", "email"]
    list_filter = ["document_type"]
    search_fields = ["full_name", "document_number", "email", "phone", "mobile"]
    inlines = [ContactDetailInline]

    def scope(self, request, qs):
        if not can_see_personal_data(request.user):
            return qs.none()
        return qs.filter(pk__in=selectors.customer_list_for_user(user=request.user).values("pk"))


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["kind", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


#: Case fields that are the customer's personal data (NFR-02).
CASE_PERSONAL_FIELDS = {
    "property_address",
    "contact_phone",
    "contact_email",
    "notification_email",
    "notification_mobile",
    "notification_address",
}


@admin.register(Case)
class CaseAdmin(RecordAdmin):
    """Cases in the user's scope, read-only; superusers may correct the CRM fields, never the
    state, the assignment or the dates (they change through the services)."""

    list_display = [
        "number",
        "kind",
        "status",
        "customer_name",
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
    readonly_fields = [
        "number",
        "status",
        "assigned_to",
        "assigned_at",
        "closed_at",
        "filed_at",
        "due_date",
        "pool",
        "created_by",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "filed_at"
    inlines = [EvidenceInline]

    def scope(self, request, qs):
        q = selectors.case_scope_q(request.user)
        return qs if q is None else qs.filter(q)

    @admin.display(description="contacto", ordering="customer__full_name")
    def customer_name(self, obj) -> str:
        return obj.customer.full_name

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if can_see_personal_data(request.user):
            return fields
        return [f for f in fields if f not in CASE_PERSONAL_FIELDS and f != "customer"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if can_see_personal_data(request.user) else [*fields, "customer_name"]

    def get_search_fields(self, request):
        if can_see_personal_data(request.user):
            return self.search_fields
        return ["number", "customer__full_name", "contract_number"]


@admin.register(Evidence)
class EvidenceAdmin(RecordAdmin):
    """Evidence of the cases the user may see, read-only; the file opens through the scoped
    download page, never by its storage path."""

    list_display = ["original_name", "kind", "case", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["case", "uploaded_by"]
    search_fields = ["original_name", "case__number", "sha256"]
    fields = [
        "case",
        "kind",
        "original_name",
        "download",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields

    def scope(self, request, qs):
        return qs.filter(case__in=_visible_cases(request))

    @admin.display(description="archivo")
    def download(self, obj) -> str:
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Descargar</a>', reverse("core:evidence_download", args=[obj.pk])
        )


@admin.register(PrintJob)
class PrintJobAdmin(RecordAdmin):
    """The print queues (WA-04, CEL-04): the documents of the cases the user may see and of the
    user's office queue, read-only; the steps happen on the queue page or the API."""

    list_display = [
        "title",
        "case",
        "office",
        "printer",
        "sent_at",
        "printed_at",
        "belongs_confirmed",
        "handed_at",
    ]
    list_filter = ["office__unit", "office", "belongs_confirmed"]
    list_select_related = ["case", "office", "printer"]
    search_fields = ["title", "case__number"]
    fields = [
        "case",
        "office",
        "printer",
        "title",
        "document",
        "sent_by",
        "sent_at",
        "printed_at",
        "belongs_confirmed",
        "signatures_taken",
        "fingerprints_taken",
        "handed_at",
    ]
    readonly_fields = fields

    def scope(self, request, qs):
        queue = selectors.print_job_list_for_user(user=request.user).values("pk")
        return qs.filter(Q(case__in=_visible_cases(request)) | Q(pk__in=queue))


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


@admin.register(ContactAttempt)
class ContactAttemptAdmin(RecordAdmin):
    """Attempts of the cases the user may see, read-only; the number masked for roles that see
    the customer's name only."""

    list_display = ["case", "sequence", "outcome", "number_dialled", "made_by", "made_at"]
    list_filter = ["outcome"]
    list_select_related = ["case", "made_by"]
    search_fields = ["case__number"]
    fields = ["case", "sequence", "outcome", "number_dialled", "made_by", "made_at"]
    readonly_fields = fields

    def scope(self, request, qs):
        return qs.filter(case__in=_visible_cases(request))

    def _number_field(self, request) -> str:
        return "number_dialled" if can_see_personal_data(request.user) else "masked_number"

    def get_list_display(self, request):
        return [
            self._number_field(request) if f == "number_dialled" else f for f in self.list_display
        ]

    def get_fields(self, request, obj=None):
        return [self._number_field(request) if f == "number_dialled" else f for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="número marcado")
    def masked_number(self, obj) -> str:
        return mask_phone(obj.number_dialled)


@admin.register(DueAlertRun)
class DueAlertRunAdmin(admin.ModelAdmin):
    list_display = ["date", "unit", "cases", "sent_at"]
    list_filter = ["unit"]
    search_fields = ["unit"]
    date_hierarchy = "date"
