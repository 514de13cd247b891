from django.contrib import admin

from core.admin.scope import SafeHistoryAdmin
from desborde.models import Intake, OutcomeProposal


@admin.register(Intake)
class IntakeAdmin(SafeHistoryAdmin):
    list_display = [
        "case",
        "mode",
        "full_name",
        "office",
        "orientador",
        "started_at",
        "pqr_number",
        "reported_at",
    ]
    list_filter = ["mode", "office__unit", "office", ("reported_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case", "office", "orientador"]
    search_fields = ["full_name", "document_number", "case__number", "contract"]
    date_hierarchy = "started_at"
    readonly_fields = ["client_token", "data_consent_at", "data_consent_version", "reported_at"]

    @admin.display(description="PQR registrada", ordering="case__number")
    def pqr_number(self, intake: Intake) -> str:
        """DF-04: the case number once reported to the asignador."""
        return intake.case.number if intake.reported_at else "—"


@admin.register(OutcomeProposal)
class OutcomeProposalAdmin(SafeHistoryAdmin):
    list_display = ["case", "response", "proposed_by", "proposed_at", "responded_by"]
    list_filter = ["response"]
    list_select_related = ["case", "proposed_by", "responded_by"]
    search_fields = ["case__number", "text", "comment"]
