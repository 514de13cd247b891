"""STUB: to be written (issue 14)."""

from django.views import View


class AttendView(View):
    pass


class WaitingRoomView(View):
    pass
