"""The admin's scope: the same predicate as the API and the pages (NFR-02)."""

from simple_history.admin import SimpleHistoryAdmin

from core import selectors


def user_unit(request) -> str | None:
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
        unit = user_unit(request)
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


def visible_cases(request):
    return selectors.case_list_for_user(user=request.user).values("pk")
