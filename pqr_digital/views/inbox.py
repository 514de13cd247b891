from django.urls import path
from django.views import View

from core.permissions import RoleRequiredMixin
from core.roles import Role


class InboxView(RoleRequiredMixin, View):
    allowed_roles = (Role.CREADOR,)


urlpatterns = [path("", InboxView.as_view(), name="inbox")]
