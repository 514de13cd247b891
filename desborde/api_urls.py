from rest_framework.routers import SimpleRouter

from desborde import api

router = SimpleRouter()
router.register("intakes", api.IntakeViewSet, basename="desborde-intake")
router.register("cases", api.OverflowCaseViewSet, basename="desborde-case")
router.register("proposals", api.ProposalViewSet, basename="desborde-proposal")
router.register("print-jobs", api.PrintJobViewSet, basename="desborde-printjob")

urlpatterns = router.urls
