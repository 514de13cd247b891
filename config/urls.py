from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView, DefaultRouter

from core import api as core_api
from core import api_printing
from core.api_auth import TokenLogoutView, TokenObtainView
from core.permissions import has_any_role
from core.roles import STAFF_ROLES
from core.views import healthz


class ApiRootView(APIRootView):
    """The API's index of links: staff roles, like the resources it lists (NFR-02, NFR-04)."""

    permission_classes = [has_any_role(*STAFF_ROLES)]


router = DefaultRouter()
router.APIRootView = ApiRootView
router.register("offices", core_api.OfficeViewSet, basename="office")
router.register("transaction-types", core_api.TransactionTypeViewSet, basename="transactiontype")
router.register("customers", core_api.CustomerViewSet, basename="customer")
router.register("cases", core_api.CaseViewSet, basename="case")
router.register("print-jobs", api_printing.PrintJobViewSet, basename="printjob")

admin.site.site_header = "Atención a distancia — administración"
admin.site.site_title = "Atención a distancia"

handler404 = "core.api_errors.not_found"
handler500 = "core.api_errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/auth/token/", TokenObtainView.as_view(), name="api_token"),
    path("api/v1/auth/logout/", TokenLogoutView.as_view(), name="api_logout"),
    path("api/v1/desborde/", include("desborde.api_urls")),
    path("api/v1/pqr-digital/", include("pqr_digital.api_urls")),
    # Issue 11: the support roster and shift checks, office turns (core), the cellphone
    # outcome of a turn (desborde, 2.3).
    path("api/v1/", include("core.api_roster")),
    path("api/v1/", include("core.api_turns")),
    path("api/v1/", include("desborde.api_cellphone")),
    # Issue 12: kiosks, the waiting-room display and video (core); asesor en línea; balanceo.
    path("api/v1/", include("core.api_live")),
    path("api/v1/asesor-linea/", include("asesor_linea.api_urls")),
    path("api/v1/balanceo/", include("balanceo.api_urls")),
    # Issue 13: the agenda and the constancia (core); condo administrators (2.6).
    path("api/v1/", include("core.api_agenda")),
    path("api/v1/", include("core.api_constancia")),
    path("api/v1/copropiedad/", include("copropiedad.api_urls")),
    # Issue 14: internal clients' video appointments (2.8).
    path("api/v1/cliente-interno/", include("cliente_interno.api_urls")),
    path(
        "api/v1/cases/<int:case_id>/print-jobs/",
        api_printing.case_print_job_send,
        name="case-print-jobs",
    ),
    # Issue 16: the silencio-administrativo-positivo queue (LEG-02).
    path("api/v1/", include("core.api_sap")),
    # Issue 16: the managers' dashboard (core).
    path("api/v1/", include("core.api_dashboard")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "api/docs/",
        # Swagger UI's page runs an inline script: the only view without the CSP header (NFR-02).
        csp_exempt()(
            SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[AllowAny])
        ),
        name="api_docs",
    ),
    path("desborde/", include("desborde.urls")),
    path("pqr-digital/", include("pqr_digital.urls")),
    path("asesor-linea/", include("asesor_linea.urls")),
    path("balanceo/", include("balanceo.urls")),
    path("copropiedad/", include("copropiedad.urls")),
    path("cliente-interno/", include("cliente_interno.urls")),
    path("", include("core.urls_live")),
    path("", include("core.urls")),
]

if settings.BENCH_VIEWS:
    urlpatterns += [path("bench/", include("bench.urls"))]
