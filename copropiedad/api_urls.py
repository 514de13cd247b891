"""/api/v1/copropiedad/: condo administrators' appointments and phone solutions (2.6, COP-01)."""

from rest_framework.routers import SimpleRouter

from copropiedad import api

router = SimpleRouter()
router.register("appointments", api.AppointmentViewSet, basename="copropiedad-appointment")
router.register("phone-solutions", api.PhoneSolutionViewSet, basename="copropiedad-phone-solution")

urlpatterns = router.urls
