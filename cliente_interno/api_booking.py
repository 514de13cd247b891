"""STUB: to be written (issue 14)."""

from rest_framework.views import APIView


class SlotListView(APIView):
    pass


class HoldCreateView(APIView):
    pass


class HoldDeleteView(APIView):
    pass


class BookingListCreateView(APIView):
    pass


class BookingDetailView(APIView):
    pass
