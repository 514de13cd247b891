"""/api/v1/cliente-interno/ (2.8): slots, holds and bookings (``api_booking``), check-in and the
no-show (``api_checkin``), the call and the documents of the appointment (``api_attention``)."""

from django.urls import path

from cliente_interno import api_attention, api_booking, api_checkin

urlpatterns = [
    path("slots/", api_booking.SlotListView.as_view(), name="ci-slots"),
    path("holds/", api_booking.HoldCreateView.as_view(), name="ci-holds"),
    path("holds/<int:pk>/", api_booking.HoldDeleteView.as_view(), name="ci-hold"),
    path("bookings/", api_booking.BookingListCreateView.as_view(), name="ci-bookings"),
    path("bookings/<int:pk>/", api_booking.BookingDetailView.as_view(), name="ci-booking"),
    path("check-in/", api_checkin.CheckInView.as_view(), name="ci-check-in"),
    path(
        "bookings/<int:pk>/no-show/",
        api_checkin.NoShowView.as_view(),
        name="ci-booking-no-show",
    ),
    path("bookings/<int:pk>/call/", api_attention.CallView.as_view(), name="ci-booking-call"),
    path(
        "bookings/<int:pk>/documents/",
        api_attention.DocumentListCreateView.as_view(),
        name="ci-booking-documents",
    ),
]
