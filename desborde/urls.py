from django.urls import path

from desborde.views import booth, intake, print_queue, whatsapp

app_name = "desborde"

# Pages of the overflow modalities (orientador's tablet, intake list, confirmations, print queue;
# the technologist's virtual booth of 2.3).
urlpatterns = [
    path("", intake.HomeView.as_view(), name="home"),
    path("pendientes/", intake.PendingView.as_view(), name="pending"),
    path("registro/", intake.RegisterView.as_view(), name="register"),
    path("registros/", intake.IntakeListView.as_view(), name="intake_list"),
    path("registros/tabla/", intake.IntakeTableView.as_view(), name="intake_table"),
    path("registros/<int:pk>/", intake.IntakeDetailView.as_view(), name="intake_detail"),
    path("propuestas/<int:pk>/", whatsapp.ProposalView.as_view(), name="proposal"),
    path("impresion/", print_queue.PrintQueueView.as_view(), name="print_queue"),
    path("impresion/<int:pk>/escaneo/", print_queue.PrintScanView.as_view(), name="print_scan"),
    path("impresion/<int:pk>/<slug:step>/", print_queue.PrintStepView.as_view(), name="print_step"),
    path("casos/<int:pk>/propuesta/", whatsapp.CaseProposeView.as_view(), name="case_propose"),
    path("casos/<int:pk>/imprimir/", whatsapp.CasePrintView.as_view(), name="case_print"),
    path("taquilla/", booth.BoothView.as_view(), name="booth"),
    path("taquilla/verificacion/", booth.ShiftCheckView.as_view(), name="booth_shift_check"),
    path("taquilla/turnos/", booth.BoothTurnsView.as_view(), name="booth_turns"),
    path("taquilla/turnos/<int:pk>/", booth.CallView.as_view(), name="booth_call"),
    path("taquilla/turnos/<int:pk>/llamar/", booth.TurnTakeView.as_view(), name="booth_take"),
    path("taquilla/turnos/<int:pk>/resultado/", booth.OutcomeView.as_view(), name="booth_outcome"),
]
