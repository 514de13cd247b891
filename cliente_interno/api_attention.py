"""STUB: to be written (issue 14)."""

from rest_framework.views import APIView


class CallView(APIView):
    pass


class DocumentListCreateView(APIView):
    pass
