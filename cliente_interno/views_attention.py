"""STUB: to be written (issue 14)."""

from django.views import View


class DayView(View):
    pass


class CallView(View):
    pass


class NoShowView(View):
    pass


class TechnologistRoomView(View):
    pass


class DocumentDownloadView(View):
    pass
