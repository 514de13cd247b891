"""REST API of the silencio-administrativo-positivo queue (LEG-02, issue 16), under ``/api/v1/``:

- ``GET /sap/`` (``?estado=pendiente|reconocido|todos``, default ``pendiente``): the queue in
  the caller's scope, most urgent first — gestor/asignador their unit's, gestor de oficina their
  office's (read only);
- ``POST /sap/{case_id}/recognise/`` (JSON or multipart): a gestor or asignador of the record's
  unit records the recognition — ``act_reference`` (required), ``notes``, ``evidence`` (a file,
  optional) — and the case leaves the pending queue.

Another unit's record answers 404 like a missing one (NFR-02), a record already recognised 409,
bad input 400 with Spanish messages per field (``core.api_errors``)."""

from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_turn_case import text_field
from core.models import SapCase
from core.permissions import has_any_role
from core.selectors.sap import QUEUE_ROLES, STATE_INVALID, STATES, sap_queue_for_user
from core.services.sap import RECOGNISE_ROLES, sap_hours_left, sap_is_expired, sap_recognise

# --- serializers ---------------------------------------------------------------------------


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


class SapCaseSerializer(serializers.ModelSerializer):
    """A record of the queue: the case, the 72-hour clock, who must act, the recognition."""

    case_id = serializers.IntegerField(read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    customer = serializers.CharField(
        source="case.customer.full_name", read_only=True, help_text="Nombre del cliente."
    )
    pqr_type = serializers.CharField(source="case.pqr_type", read_only=True)
    office = serializers.SerializerMethodField()
    filed_at = serializers.DateTimeField(source="case.filed_at", read_only=True)
    hours_left = serializers.SerializerMethodField()
    expired = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    answered_late = serializers.SerializerMethodField()
    recognised_by = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = SapCase
        fields = [
            "case_id",
            "case_number",
            "customer",
            "pqr_type",
            "office",
            "filed_at",
            "due_date",
            "began_at",
            "deadline",
            "hours_left",
            "expired",
            "responsible",
            "unit",
            "answered_at",
            "answered_late",
            "recognised_at",
            "recognised_by",
            "act_reference",
            "notes",
            "evidence",
        ]
        read_only_fields = fields

    def _now(self):
        now = self.context.get("now")
        if now is None:
            now = self.context["now"] = timezone.now()
        return now

    def get_office(self, obj: SapCase) -> str | None:
        office = obj.case.supported_office or obj.case.office
        return office.name if office else None

    def get_hours_left(self, obj: SapCase) -> int:
        """Horas enteras que quedan (redondeadas hacia abajo); negativas si ya venció."""
        return sap_hours_left(obj, self._now())

    def get_expired(self, obj: SapCase) -> bool:
        return sap_is_expired(obj, self._now())

    def get_responsible(self, obj: SapCase) -> str | None:
        """El tecnólogo asignado al caso, o null si está sin asignar."""
        return _name(obj.case.assigned_to)

    def get_answered_late(self, obj: SapCase) -> bool:
        return obj.answered_at is not None

    def get_recognised_by(self, obj: SapCase) -> str | None:
        return _name(obj.recognised_by)

    def get_evidence(self, obj: SapCase) -> str | None:
        """Enlace de descarga de la evidencia del reconocimiento, o null."""
        if obj.evidence_id is None:
            return None
        return reverse("core:evidence_download", args=[obj.evidence_id])


class SapRecogniseSerializer(serializers.Serializer):
    """The recognition; the service says what is wrong with a blank reference or a file."""

    act_reference = text_field(80)
    notes = text_field(2000)
    evidence = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=True,
        help_text="El acto de reconocimiento escaneado: PDF o imagen (jpg, png). Opcional.",
        error_messages={
            "invalid": "Envíe la evidencia como archivo (multipart/form-data).",
            "no_name": "El archivo de evidencia no tiene nombre.",
        },
    )


# --- views ---------------------------------------------------------------------------------

STATE_PARAM = OpenApiParameter(
    "estado",
    OpenApiTypes.STR,
    enum=sorted(STATES),
    description="pendiente (por defecto), reconocido o todos.",
)


@extend_schema(tags=["silencio administrativo positivo"])
class SapQueueView(generics.ListAPIView):
    """LEG-02: the PQR past their legal term whose silencio administrativo positivo must be
    recognised within 72 hours, most urgent first."""

    serializer_class = SapCaseSerializer
    permission_classes = [has_any_role(*QUEUE_ROLES)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return SapCase.objects.none()
        state = self.request.query_params.get("estado", "pendiente").strip() or "pendiente"
        return sap_queue_for_user(user=self.request.user, state=state)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        operation_id="v1_sap_list",
        parameters=[STATE_PARAM],
        responses={
            200: SapCaseSerializer(many=True),
            400: OpenApiResponse(description=STATE_INVALID),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["silencio administrativo positivo"])
class SapRecogniseView(APIView):
    """LEG-02: record the recognition of a PQR's silencio administrativo positivo."""

    permission_classes = [has_any_role(*RECOGNISE_ROLES)]

    @extend_schema(
        operation_id="v1_sap_recognise",
        request={
            "multipart/form-data": SapRecogniseSerializer,
            "application/json": SapRecogniseSerializer,
        },
        responses={
            200: SapCaseSerializer,
            400: OpenApiResponse(
                description="Mensajes por campo: falta la referencia del acto, archivo no "
                "permitido…"
            ),
            403: OpenApiResponse(
                description="Solo el gestor de equipo o el asignador reconocen el silencio."
            ),
            404: OpenApiResponse(
                description="El caso no está en la cola de silencio administrativo positivo "
                "(o es de otra unidad)."
            ),
            409: OpenApiResponse(description="El silencio de este caso ya fue reconocido."),
        },
    )
    def post(self, request, case_id: int):
        serializer = SapRecogniseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sap_recognise(
            case_id=case_id,
            by=request.user,
            act_reference=data.get("act_reference", ""),
            notes=data.get("notes", ""),
            evidence_upload=data.get("evidence"),
        )
        record = sap_queue_for_user(user=request.user, state="todos").get(case_id=case_id)
        return Response(SapCaseSerializer(record, context={"now": timezone.now()}).data)


urlpatterns = [
    path("sap/", SapQueueView.as_view(), name="sap-list"),
    path("sap/<int:case_id>/recognise/", SapRecogniseView.as_view(), name="sap-recognise"),
]
