from django.urls import path

from balanceo import views

app_name = "balanceo"

# The technologist's balancing page (2.5): seat, video call, the matched customer's attention.
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("verificacion/", views.ShiftCheckView.as_view(), name="shift_check"),
    path("puesto/", views.SeatView.as_view(), name="seat"),
    path("disponibilidad/", views.AvailabilityView.as_view(), name="availability"),
    path("atencion/", views.AttentionView.as_view(), name="attention"),
    path("turnos/<int:pk>/caso/", views.CaseOpenView.as_view(), name="case_open"),
    path("turnos/<int:pk>/terminar/", views.FinishView.as_view(), name="finish"),
    path("turnos/<int:pk>/imprimir/", views.PrintView.as_view(), name="print"),
    path("turnos/<int:pk>/escaneo/", views.ScanView.as_view(), name="scan"),
]
