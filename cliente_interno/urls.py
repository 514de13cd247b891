"""Pages of internal clients (2.8): the employee books (``views_booking``), attends at the link
and waits in the room (``views_checkin``); the technologist serves (``views_attention``)."""

from django.urls import path

from cliente_interno import views_attention, views_booking, views_checkin

app_name = "cliente_interno"
urlpatterns = [
    # The employee: book (CI-01).
    path("", views_booking.HomeView.as_view(), name="home"),
    path("agendar/", views_booking.SlotsView.as_view(), name="slots"),
    path("agendar/retener/", views_booking.HoldView.as_view(), name="hold"),
    path("agendar/liberar/", views_booking.ReleaseView.as_view(), name="release"),
    path("agendar/datos/", views_booking.ReserveView.as_view(), name="reserve"),
    path("citas/<int:pk>/", views_booking.ConfirmationView.as_view(), name="confirmation"),
    # The employee: attend (CI-02, CI-03).
    path("asistir/<str:token>/", views_checkin.AttendView.as_view(), name="attend"),
    path("sala/<int:pk>/", views_checkin.WaitingRoomView.as_view(), name="room"),
    # The technologist (CI-04, CI-05).
    path("tecnologo/", views_attention.DayView.as_view(), name="day"),
    path("tecnologo/citas/<int:pk>/llamar/", views_attention.CallView.as_view(), name="call"),
    path(
        "tecnologo/citas/<int:pk>/no-asistio/",
        views_attention.NoShowView.as_view(),
        name="no_show",
    ),
    path(
        "tecnologo/citas/<int:pk>/video/",
        views_attention.VideoAgainView.as_view(),
        name="video_again",
    ),
    path(
        "tecnologo/citas/<int:pk>/sala/",
        views_attention.TechnologistRoomView.as_view(),
        name="technologist_room",
    ),
    # Both parties: a document of the appointment.
    path(
        "citas/<int:pk>/documentos/<str:token>/",
        views_attention.DocumentDownloadView.as_view(),
        name="document",
    ),
]
