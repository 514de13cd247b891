from django.urls import path

from asesor_linea import views

app_name = "asesor_linea"

# The technologist's asesor en línea page (2.4) and the attention of an announced turn.
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("verificacion/", views.ShiftCheckView.as_view(), name="shift_check"),
    path("turnos/", views.TurnsView.as_view(), name="turns"),
    path("turnos/<int:pk>/", views.AttentionView.as_view(), name="attention"),
    path("turnos/<int:pk>/anunciar/", views.AnnounceView.as_view(), name="announce"),
    path("turnos/<int:pk>/caso/", views.CaseView.as_view(), name="case"),
    path("turnos/<int:pk>/terminar/", views.FinishView.as_view(), name="finish"),
    path("turnos/<int:pk>/imprimir/", views.PrintView.as_view(), name="print"),
    path("turnos/<int:pk>/escaneo/", views.ScanView.as_view(), name="scan"),
]
