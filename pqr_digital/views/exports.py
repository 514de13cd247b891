from django.urls import path
from django.views import View

from core.permissions import RoleRequiredMixin
from core.roles import Role


class ExportListView(RoleRequiredMixin, View):
    allowed_roles = (Role.MESA,)


urlpatterns = [path("exportes/", ExportListView.as_view(), name="export_list")]
