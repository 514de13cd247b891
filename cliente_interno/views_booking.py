"""STUB: to be written (issue 14)."""

from django.views import View


class HomeView(View):
    pass


class SlotsView(View):
    pass


class HoldView(View):
    pass


class ReleaseView(View):
    pass


class ReserveView(View):
    pass


class ConfirmationView(View):
    pass
