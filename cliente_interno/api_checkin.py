"""STUB: to be written (issue 14)."""

from rest_framework.views import APIView


class CheckInView(APIView):
    pass


class NoShowView(APIView):
    pass
