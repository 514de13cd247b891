from django.urls import path

from core import views, views_dashboard, views_sap, views_turns

app_name = "core"

urlpatterns = [
    path("", views.start, name="start"),
    path("cuenta/", views.account, name="account"),
    path("casos/", views.CaseListView.as_view(), name="case_list"),
    path("casos/mis-casos/", views.WorkbenchView.as_view(), name="workbench"),
    path("casos/mis-casos/tabla/", views.WorkbenchTableView.as_view(), name="workbench_table"),
    path("casos/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("casos/<int:pk>/intentos/", views.AttemptView.as_view(), name="attempt_log"),
    path("casos/<int:pk>/cerrar/", views.CloseView.as_view(), name="case_close"),
    path("casos/<int:pk>/reasignar/", views.ReassignView.as_view(), name="case_reassign"),
    path("casos/<int:pk>/evidencias/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path(
        "casos/<int:pk>/autorizacion-notificacion/",
        views.NotificationAuthoriseView.as_view(),
        name="notification_authorise",
    ),
    path("casos/<int:pk>/constancia/", views.ConstanciaView.as_view(), name="constancia"),
    path(
        "evidencias/<int:pk>/descargar/",
        views.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path("oficina/", views.OfficeHomeView.as_view(), name="office_home"),
    path("tablero/", views_dashboard.DashboardView.as_view(), name="dashboard"),
    path(
        "tablero/cifras/",
        views_dashboard.DashboardFiguresView.as_view(),
        name="dashboard_figures",
    ),
    path("tablero/cifras.csv", views_dashboard.DashboardCsvView.as_view(), name="dashboard_csv"),
    path("silencio-positivo/", views_sap.SapQueueView.as_view(), name="sap_queue"),
    path(
        "silencio-positivo/<int:case_id>/reconocer/",
        views_sap.SapRecogniseView.as_view(),
        name="sap_recognise",
    ),
    path("oficina/turnos/", views_turns.TurnDeskView.as_view(), name="turn_desk"),
    path("oficina/turnos/listas/", views_turns.TurnDeskListView.as_view(), name="turn_desk_lists"),
    path("oficina/turnos/avisos/", views_turns.TurnAlertsView.as_view(), name="turn_alerts"),
    path("oficina/turnos/remoto/", views_turns.TurnRemoteFieldsView.as_view(), name="turn_remote"),
    path("oficina/turnos/modulos/", views_turns.TurnKiosksView.as_view(), name="turn_desk_kiosks"),
    path(
        "oficina/turnos/modulos/vincular/",
        views_turns.TurnKioskPairView.as_view(),
        name="turn_kiosk_pair",
    ),
    path(
        "oficina/turnos/<int:pk>/atencion-virtual/",
        views_turns.TurnVirtualConsentView.as_view(),
        name="turn_virtual_consent",
    ),
    path(
        "oficina/turnos/<int:pk>/decision/",
        views_turns.TurnDecisionView.as_view(),
        name="turn_decision",
    ),
]
