from django.urls import path

from asesor_linea import api

# Included at /api/v1/asesor-linea/ (config/urls.py).
urlpatterns = [
    path("turns/", api.TurnsOverviewView.as_view(), name="api_al_turns"),
    path(
        "turns/<int:turn_id>/announce/",
        api.TurnAnnounceView.as_view(),
        name="api_al_turn_announce",
    ),
    path("turns/<int:turn_id>/case/", api.TurnCaseView.as_view(), name="api_al_turn_case"),
    path("turns/<int:turn_id>/finish/", api.TurnFinishView.as_view(), name="api_al_turn_finish"),
]
