from django.urls import path

from desborde import views

app_name = "desborde"

# Pages of the overflow modalities (orientador's tablet, intake list, confirmations, print queue).
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("pendientes/", views.PendingView.as_view(), name="pending"),
    path("registro/", views.RegisterView.as_view(), name="register"),
    path("registros/", views.IntakeListView.as_view(), name="intake_list"),
    path("registros/tabla/", views.IntakeTableView.as_view(), name="intake_table"),
    path("registros/<int:pk>/", views.IntakeDetailView.as_view(), name="intake_detail"),
    path("propuestas/<int:pk>/", views.ProposalView.as_view(), name="proposal"),
    path("impresion/", views.PrintQueueView.as_view(), name="print_queue"),
    path("impresion/<int:pk>/escaneo/", views.PrintScanView.as_view(), name="print_scan"),
    path("impresion/<int:pk>/<slug:step>/", views.PrintStepView.as_view(), name="print_step"),
    path("casos/<int:pk>/propuesta/", views.CaseProposeView.as_view(), name="case_propose"),
    path("casos/<int:pk>/imprimir/", views.CasePrintView.as_view(), name="case_print"),
]
