"""Records of the case work — contacts, cases, evidence, print jobs, contact attempts: in the
user's scope, read-only for everybody but superusers."""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from core import selectors
from core.admin.scope import RecordAdmin, visible_cases
from core.models import (
    Case,
    ContactAttempt,
    ContactDetail,
    Customer,
    Evidence,
    PrintJob,
)
from core.privacy import mask_phone
from core.roles import can_see_personal_data


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
        return qs.filter(case__in=visible_cases(request))

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
        return qs.filter(Q(case__in=visible_cases(request)) | Q(pk__in=queue))


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
        return qs.filter(case__in=visible_cases(request))

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
