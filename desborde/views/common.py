"""What the overflow pages share: the orientador-only mixin and the status of a refused write."""

from django.core.exceptions import ValidationError

from core.exceptions import ProtocolConflict
from core.permissions import RoleRequiredMixin
from core.roles import Role


def status_for(exc: ValidationError) -> int:
    """409 when the request is valid but the state does not allow it, 400 for bad input."""
    return 409 if isinstance(exc, ProtocolConflict) else 400


class OrientadorMixin(RoleRequiredMixin):
    allowed_roles = (Role.ORIENTADOR,)
