"""Video sessions in admin (issue 12): read-only, the user's unit, with how often the calls that
connected needed the TURN relay — the figure that says whether the relay is worth its cost."""

from django.contrib import admin
from django.db.models import Count, Q

from core.admin.scope import UnitScopedAdmin
from core.models import VideoSession


@admin.register(VideoSession)
class VideoSessionAdmin(UnitScopedAdmin):
    unit_field = "kiosk__office__unit"
    list_display = [
        "id",
        "created_at",
        "modality",
        "technologist",
        "kiosk",
        "turn",
        "status",
        "candidate_type",
        "end_reason",
    ]
    list_filter = ["status", "candidate_type", "modality", "provider"]
    list_select_related = ["technologist", "kiosk__office", "turn"]
    search_fields = ["technologist__username", "kiosk__label", "kiosk__office__name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in VideoSession._meta.fields]
    change_list_template = "admin/core/videosession/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            figures = changelist.queryset.aggregate(
                connected=Count("pk", filter=~Q(candidate_type="")),
                relay=Count("pk", filter=Q(candidate_type=VideoSession.CandidateType.RELAY)),
                failed=Count("pk", filter=Q(status="fallida")),
            )
            connected = figures["connected"]
            figures["relay_share"] = (
                round(100 * figures["relay"] / connected) if connected else None
            )
            response.context_data["video_figures"] = figures
        return response
