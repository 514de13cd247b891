"""What the overflow pages share: the orientador-only mixin (the status of a refused write is
core's ``core.views_common.status_for``)."""

from core.permissions import RoleRequiredMixin
from core.roles import Role


class OrientadorMixin(RoleRequiredMixin):
    allowed_roles = (Role.ORIENTADOR,)
