"""Role checks for pages and the API; default is deny (NFR-02)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from core.roles import PRINT_QUEUE_ROLES, Role, user_has_role


class DenyAll(BasePermission):
    """The API's default: an endpoint that forgot to declare its roles answers nothing."""

    message = "Acceso denegado."

    def has_permission(self, request, view) -> bool:
        return False


def has_any_role(*roles: str) -> type[BasePermission]:
    class HasAnyRole(BasePermission):
        message = "Su rol no tiene acceso a este recurso."

        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(
                user
                and user.is_authenticated
                and (user.is_superuser or user_has_role(user, *roles))
            )

    HasAnyRole.__name__ = "HasAnyRole_" + "_".join(roles)
    return HasAnyRole


class RoleRequiredMixin(LoginRequiredMixin):
    """Pages: anonymous → login; authenticated without one of ``allowed_roles`` → 403."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (request.user.is_superuser or user_has_role(request.user, *self.allowed_roles)):
            raise PermissionDenied("Su rol no tiene acceso a esta página.")
        return super().dispatch(request, *args, **kwargs)


class OfficeStaffMixin(RoleRequiredMixin):
    """Pages of an office's staff: the orientador and the encargado (its turns, its print queue,
    WA-04, CEL-02/04)."""

    allowed_roles = PRINT_QUEUE_ROLES


class TechnologistMixin(RoleRequiredMixin):
    """Pages of the technologist's remote modalities (asesor en línea, balanceo, the booth)."""

    allowed_roles = (Role.TECNOLOGO,)
