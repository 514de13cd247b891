from django.urls import path

from copropiedad import views

app_name = "copropiedad"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("agenda/", views.SlotsView.as_view(), name="slots"),
    path("agenda/reservar/", views.HoldView.as_view(), name="hold"),
    path("agenda/liberar/", views.ReleaseView.as_view(), name="release"),
    path("datos/", views.AdministratorView.as_view(), name="administrator"),
    path("casos/<int:pk>/", views.ConfirmationView.as_view(), name="confirmation"),
    path("citas/", views.AppointmentListView.as_view(), name="appointments"),
    path("citas/<int:pk>/reprogramar/", views.RescheduleView.as_view(), name="reschedule"),
    path("citas/<int:pk>/cancelar/", views.CancelView.as_view(), name="cancel"),
]
