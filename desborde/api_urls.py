from django.urls import path
from rest_framework.routers import SimpleRouter

from desborde import api

router = SimpleRouter()
router.register("intakes", api.IntakeViewSet, basename="desborde-intake")
router.register("cases", api.OverflowCaseViewSet, basename="desborde-case")
router.register("proposals", api.ProposalViewSet, basename="desborde-proposal")
# WA-04's old paths, kept for one release: core's print queue views (core.api_printing).
router.register("print-jobs", api.LegacyPrintJobViewSet, basename="desborde-printjob")

urlpatterns = [
    path(
        "cases/<int:case_id>/print-jobs/",
        api.LegacyCasePrintJobViewSet.as_view({"post": "create"}),
        name="desborde-case-print-jobs",
    ),
    *router.urls,
]
