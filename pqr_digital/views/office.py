from django.urls import path
from django.views import View

from core.permissions import RoleRequiredMixin
from core.roles import Role


class OfficePqrView(RoleRequiredMixin, View):
    allowed_roles = (Role.GESTOR_OFICINA, Role.GESTOR)


urlpatterns = [path("reasignacion/", OfficePqrView.as_view(), name="office_pqr")]
