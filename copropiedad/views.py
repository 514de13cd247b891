"""Pages of condo administrators (filled in by issue 13)."""

from django.http import HttpResponse
from django.views import View

from core.permissions import RoleRequiredMixin
from core.roles import Role


class HomeView(RoleRequiredMixin, View):
    allowed_roles = (Role.CREADOR,)

    def get(self, request):
        return HttpResponse("")
