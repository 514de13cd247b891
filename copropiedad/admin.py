"""Admin of condo administrators (2.6): the copropiedades (managers correct a name there) and
the condo cases (read-only, in the user's case scope: the services write them)."""

from django.contrib import admin

from copropiedad.models import CondoCase, Copropiedad
from core.admin.scope import visible_cases


def _scoped(request, qs):
    """Condo cases of the cases the user may see (NFR-02: the same predicate as the API)."""
    return qs if request.user.is_superuser else qs.filter(case__in=visible_cases(request))


class CondoCaseInline(admin.TabularInline):
    model = CondoCase
    fields = ["case", "solved_by_phone", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request).select_related("case", "created_by"))


@admin.register(Copropiedad)
class CopropiedadAdmin(admin.ModelAdmin):
    list_display = ["name", "nit", "created_at"]
    search_fields = ["name", "nit"]
    readonly_fields = ["created_at"]
    inlines = [CondoCaseInline]


@admin.register(CondoCase)
class CondoCaseAdmin(admin.ModelAdmin):
    list_display = ["case", "copropiedad", "solved_by_phone", "created_by", "created_at"]
    list_filter = ["solved_by_phone", "case__status"]
    list_select_related = ["case", "copropiedad", "created_by"]
    search_fields = ["case__number", "copropiedad__nit", "copropiedad__name"]
    date_hierarchy = "created_at"
    readonly_fields = ["case", "copropiedad", "solved_by_phone", "created_by", "created_at"]

    def get_queryset(self, request):
        return _scoped(request, super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
