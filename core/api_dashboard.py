"""REST API of the managers' dashboard (issue 16 item 3; LEG-02, NFR-02, NFR-04), under
``/api/v1/``:

- ``GET /dashboard/?unit=…&office=…&from=AAAA-MM-DD&to=AAAA-MM-DD``: every figure of the
  dashboard (``core.selectors.dashboard.dashboard_figures``) — for the gestor de equipo and the
  asignador, their unit (or one office of it); for the gestor de oficina, their office; for a
  superuser, any unit. By default the caller's unit and the last 30 days up to today.

Bad dates, ``from`` after ``to``, a period over 366 days, an unknown unit or office → 400 with
Spanish messages by field; another unit or office, another role → 403 with the reason."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import CaseStatus, Modality, RemoteModality, Unit
from core.permissions import has_any_role
from core.selectors import dashboard as dashboard_selectors
from core.services.dashboard_snapshot import dashboard_figures_fresh

# --- serializers (the contract; they also document the schema) -----------------------------


class _StatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class _ModalityCountSerializer(serializers.Serializer):
    modality = serializers.ChoiceField(choices=Modality.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class _OpenCasesSerializer(serializers.Serializer):
    by_status = _StatusCountSerializer(many=True)
    by_modality = _ModalityCountSerializer(many=True)
    total = serializers.IntegerField()


class _UrgentPqrSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    number = serializers.CharField()
    due_date = serializers.DateField()
    state = serializers.ChoiceField(
        choices=list(dashboard_selectors.DUE_STATES.items()),
        help_text="a_tiempo, proxima (vence en 3 días hábiles o menos), vencida, en_sap.",
    )
    state_label = serializers.CharField()
    assigned_to = serializers.CharField(allow_null=True)


class _PqrDueSerializer(serializers.Serializer):
    on_time = serializers.IntegerField(help_text="PQR abiertas que vencen después del horizonte.")
    near_due = serializers.IntegerField(
        help_text="PQR abiertas que vencen entre hoy y 3 días hábiles después."
    )
    past_due = serializers.IntegerField(
        help_text="PQR abiertas con fecha límite anterior a hoy que no están en la cola SAP."
    )
    in_sap = serializers.IntegerField(
        help_text="Casos de la cola de silencio administrativo positivo sin reconocer "
        "(abiertos o respondidos fuera de término)."
    )
    near_due_until = serializers.DateField()
    oldest = _UrgentPqrSerializer(many=True)


class _WaitingTurnsSerializer(serializers.Serializer):
    office_id = serializers.IntegerField()
    office = serializers.CharField()
    waiting = serializers.IntegerField()
    longest_wait_minutes = serializers.IntegerField(allow_null=True)


class _TechnologistSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    assigned_today = serializers.IntegerField()
    in_attention = serializers.IntegerField()
    closed_today = serializers.IntegerField()
    idle_minutes = serializers.IntegerField(allow_null=True)


class _SupportersSerializer(serializers.Serializer):
    office_id = serializers.IntegerField()
    office = serializers.CharField()
    modality = serializers.ChoiceField(choices=RemoteModality.choices)
    label = serializers.CharField()
    rostered = serializers.IntegerField()
    cap = serializers.IntegerField(allow_null=True)


class _PerformanceSerializer(serializers.Serializer):
    modality = serializers.ChoiceField(choices=Modality.choices)
    label = serializers.CharField()
    closed = serializers.IntegerField()
    first_contact = serializers.IntegerField()
    fcr_rate = serializers.FloatField(allow_null=True, min_value=0, max_value=1)
    avg_handling_minutes = serializers.FloatField(allow_null=True)


class _OfficeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(choices=Unit.choices)
    unit_label = serializers.CharField()
    office = _OfficeRefSerializer(allow_null=True)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    generated_at = serializers.DateTimeField()
    open_cases = _OpenCasesSerializer()
    pqr_due = _PqrDueSerializer()
    waiting_turns = _WaitingTurnsSerializer(many=True)
    technologists = _TechnologistSerializer(many=True)
    supporters = _SupportersSerializer(many=True)
    performance = _PerformanceSerializer(many=True)

    def get_fields(self):
        # "from" is a Python keyword: the two period fields are renamed here.
        fields = super().get_fields()
        fields["from"] = fields.pop("date_from")
        fields["to"] = fields.pop("date_to")
        return fields


# --- the view --------------------------------------------------------------------------------


DASHBOARD_ROLES_TEXT = "gestor de equipo, asignador, gestor de oficina"


class DashboardView(APIView):
    """The figures of the managers' dashboard (LEG-02, issue 16)."""

    permission_classes = [has_any_role(*dashboard_selectors.DASHBOARD_ROLES)]

    @extend_schema(
        operation_id="v1_dashboard_retrieve",
        tags=["tablero"],
        parameters=[
            OpenApiParameter(
                "unit",
                OpenApiTypes.STR,
                enum=Unit.values,
                description="Unidad (solo el superusuario elige; por defecto la del usuario).",
            ),
            OpenApiParameter(
                "office",
                OpenApiTypes.INT,
                description="Solo esta oficina de la unidad (el gestor de oficina: la suya).",
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="Inicio del periodo de desempeño (AAAA-MM-DD; por defecto hace 30 "
                "días).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description="Fin del periodo, incluido (AAAA-MM-DD; por defecto hoy). Máximo 366 "
                "días.",
            ),
        ],
        responses={
            200: DashboardSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Mensajes por campo: fecha no válida, inicio posterior al fin, "
                "periodo de más de 366 días, unidad u oficina que no existe.",
            ),
            403: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=f"Solo {DASHBOARD_ROLES_TEXT}; otra unidad u otra oficina: "
                "«detail» dice por qué.",
            ),
        },
    )
    def get(self, request):
        """Every figure of the caller's unit (or office) and the chosen period, as computed
        within the last minute or so (``generated_at``; ``core.services.dashboard_snapshot``)."""
        # A bad unit, office or period is a ValidationError per field: the project's API handler
        # (core.api_errors) answers it 400 with the Spanish messages.
        scope, date_from, date_to = dashboard_selectors.dashboard_params(
            user=request.user, params=request.query_params
        )
        figures = dashboard_figures_fresh(
            unit=scope.unit, office=scope.office, date_from=date_from, date_to=date_to
        )
        return Response(DashboardSerializer(figures).data)


urlpatterns = [path("dashboard/", DashboardView.as_view(), name="api_dashboard")]
