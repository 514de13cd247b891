"""The admin's scope: the same predicate as the API and the pages (NFR-02)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from core import selectors


class SafeHistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin with its version page closed to writers who may not write.

    django-simple-history (3.13) saves a POST to ``…/history/<version>/`` for anyone who may
    only *view* the object: a gestor de oficina made themselves superuser that way. Here a POST
    needs the change permission on the object (the admin's own, scoped) and reverting allowed;
    a version id that is not a number, or a model that keeps no history, is a 404 (it was a
    500). Every admin of the project derives from this class, never from SimpleHistoryAdmin."""

    def _keeps_history(self) -> bool:
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def history_view(self, request, object_id, extra_context=None):
        if not self._keeps_history():
            raise Http404("Este registro no guarda historial.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self._keeps_history() or not str(version_id).isdigit():
            raise Http404("No existe esa versión.")
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is None
                or self.revert_disabled(request, obj)
                or not self.has_change_permission(request, obj)
            ):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def user_unit(request) -> str | None:
    office = getattr(request.user, "home_office", None)
    return office.unit if office else None


class ScopedAdmin(SafeHistoryAdmin):
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
