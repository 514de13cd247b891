"""REST API of balancing (2.5, BAL-01..BAL-04), included at ``/api/v1/balanceo/``.

- ``GET status/`` — the caller's seat (available, idle since), the turn and video call they are
  on, and the offices they support today (gestor: their unit's balancing offices) with waiting
  accepted customers, capacity (BAL-02), kiosks on and free, calls in progress and
  ``needs_kiosk_on`` (customers wait and no kiosk is on: the encargado must turn one on).
- ``POST availability/`` ``{"available": true|false}`` — "Disponible para balanceo" / "Pausar";
  available needs today's balanceo roster and shift check (audio, video, printer): 409 else.
- ``POST turns/{id}/case/`` — the matched customer's CRM case (BAL-04) → 201.
- ``POST turns/{id}/finish/`` ``{"outcome": "atendido"|"no_se_presento"|"devolver"}`` — ends
  the attention; the next customer is matched at once.

Technologists only (the status also for gestores); a turn the caller was not matched to answers
404 like a missing one. Validation here is about types; the rules and their Spanish messages
are the services' (``balanceo.services``), errors through ``core.api_errors``."""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from balanceo import selectors, services
from core.api_turn_case import (
    REQUIRED,
    KioskFinishSerializer,
    TurnCaseCreateSerializer,
    TurnCaseCustomerSerializer,
    case_kind_field,
)
from core.models import Case, Turn
from core.parsers import JSONBodyParser
from core.permissions import has_any_role
from core.roles import Role, user_has_role
from core.selectors import case_get_for_user
from core.selectors.roster import shift_check_done

# --- serializers ---------------------------------------------------------------------------


class SeatSerializer(serializers.Serializer):
    rostered = serializers.BooleanField(help_text="En la programación de balanceo de hoy.")
    shift_check_done = serializers.BooleanField(
        help_text="Verificación de hoy con audio, video e impresora."
    )
    available = serializers.BooleanField(help_text="Disponible para balanceo (no en pausa).")
    idle_since = serializers.DateTimeField(
        allow_null=True, help_text="Libre desde: el que lleva más tiempo libre recibe primero."
    )
    paused_reason = serializers.CharField(
        help_text="Por qué el sistema pausó la disponibilidad (vacío si no la pausó).",
    )


class MatchedTurnSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="llamado, en_atencion, atendido, en_espera o no_se_presento."
    )
    status_display = serializers.CharField(source="get_status_display")
    office_name = serializers.CharField(source="office.name")
    kiosk_label = serializers.SerializerMethodField()
    case_number = serializers.SerializerMethodField()

    class Meta:
        model = Turn
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "office",
            "office_name",
            "kiosk",
            "kiosk_label",
            "transaction_type",
            "case",
            "case_number",
            "called_at",
        ]
        read_only_fields = fields

    def get_kiosk_label(self, obj) -> str:
        return obj.kiosk.label if obj.kiosk_id else ""

    def get_case_number(self, obj) -> str:
        return obj.case.number if obj.case_id else ""


class VideoSessionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField(source="status")
    kiosk = serializers.IntegerField(source="kiosk_id", allow_null=True)
    turn = serializers.IntegerField(source="turn_id", allow_null=True)


class OfficeStateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="office_id")
    name = serializers.CharField()
    code = serializers.CharField()
    technologist_count = serializers.IntegerField()
    waiting = serializers.IntegerField(
        help_text="Turnos en espera cuyo cliente aceptó la atención virtual."
    )
    kiosks_on = serializers.IntegerField(help_text="Módulos conectados (encendidos).")
    kiosks_free = serializers.IntegerField(help_text="Módulos conectados sin turno ni llamada.")
    in_progress = serializers.IntegerField(help_text="Atenciones en módulos en curso.")
    capacity = serializers.IntegerField(
        help_text="Máximo de tecnólogos a la vez (BAL-02): 2 con un solo tecnólogo, si no los "
        "módulos conectados."
    )
    needs_kiosk_on = serializers.BooleanField(
        help_text="Hay clientes esperando y ningún módulo encendido: pedir al encargado que "
        "encienda uno."
    )


class StatusSerializer(serializers.Serializer):
    seat = SeatSerializer(allow_null=True)
    turn = MatchedTurnSerializer(allow_null=True)
    video_session = VideoSessionRefSerializer(allow_null=True)
    offices = OfficeStateSerializer(many=True)


class AvailabilitySerializer(serializers.Serializer):
    available = serializers.BooleanField(
        error_messages={
            **REQUIRED,
            "invalid": "Indique si queda disponible (true) o en pausa (false).",
        }
    )


class BalanceCaseSerializer(TurnCaseCreateSerializer):
    customer = TurnCaseCustomerSerializer(
        error_messages={**REQUIRED, "invalid": "Ingrese los datos del cliente."}
    )
    kind = case_kind_field("PQR → canal «asesor en línea»; PED → canal «Balanceo automático».")


class BalanceCaseCreatedSerializer(serializers.ModelSerializer):
    """The case opened from the turn (BAL-04)."""

    kind = serializers.CharField(read_only=True, help_text="PQR o PED (pedido).")
    pqr_type = serializers.CharField(read_only=True, help_text="peticion, queja, reclamo o «».")
    status = serializers.CharField(read_only=True, help_text="Estado del caso (asignado …).")
    modality = serializers.CharField(read_only=True, help_text="balanceo")
    attention_medium = serializers.CharField(read_only=True, help_text="verbal")
    channel = serializers.CharField(source="channel.name", read_only=True)
    channel_code = serializers.CharField(source="channel.code", read_only=True)
    supported_office = serializers.IntegerField(source="supported_office_id", read_only=True)
    supported_office_name = serializers.CharField(source="supported_office.name", read_only=True)
    office = serializers.IntegerField(source="office_id", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "pqr_type",
            "status",
            "modality",
            "channel",
            "channel_code",
            "turn_number",
            "attention_medium",
            "office",
            "supported_office",
            "supported_office_name",
        ]
        read_only_fields = fields


# --- views ---------------------------------------------------------------------------------


def status_payload(user) -> dict:
    is_technologist = user_has_role(user, Role.TECNOLOGO)
    seat = selectors.seat_for(technologist=user) if is_technologist else None
    return {
        "seat": {
            "rostered": selectors.balance_rostered(technologist=user),
            "shift_check_done": shift_check_done(technologist=user, video=True),
            "available": bool(seat and seat.available),
            "idle_since": seat.idle_since if seat else None,
            "paused_reason": seat.paused_reason if seat and not seat.available else "",
        }
        if is_technologist
        else None,
        "turn": selectors.balance_current_turn(technologist=user) if is_technologist else None,
        "video_session": selectors.balance_current_session(technologist=user)
        if is_technologist
        else None,
        "offices": selectors.balance_status_offices_for(user=user),
    }


@extend_schema(tags=["balanceo"])
class StatusView(APIView):
    permission_classes = [has_any_role(Role.TECNOLOGO, Role.GESTOR)]

    @extend_schema(operation_id="v1_balanceo_status", responses={200: StatusSerializer})
    def get(self, request):
        """BAL-01..BAL-03: my seat and match, and today's balancing offices with their capacity
        and whether a kiosk must be turned on."""
        return Response(StatusSerializer(status_payload(request.user)).data)


@extend_schema(tags=["balanceo"])
class AvailabilityView(APIView):
    permission_classes = [has_any_role(Role.TECNOLOGO)]
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="v1_balanceo_availability",
        request=AvailabilitySerializer,
        responses={
            200: StatusSerializer,
            400: OpenApiResponse(description="Mensajes en español por campo."),
            409: OpenApiResponse(
                description="No está en la programación de balanceo de hoy, o falta la "
                "verificación de inicio de turno (audio, video e impresora)."
            ),
        },
    )
    def post(self, request):
        """ "Disponible para balanceo" (true) / "Pausar" (false); answers the new status."""
        serializer = AvailabilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.balance_availability_set(
            technologist=request.user, available=serializer.validated_data["available"]
        )
        return Response(StatusSerializer(status_payload(request.user)).data)


@extend_schema(tags=["balanceo"])
class CaseCreateView(APIView):
    permission_classes = [has_any_role(Role.TECNOLOGO)]
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="v1_balanceo_turns_case",
        request=BalanceCaseSerializer,
        responses={
            201: BalanceCaseCreatedSerializer,
            400: OpenApiResponse(description="Mensajes en español por campo."),
            404: OpenApiResponse(description="El turno no existe o no le fue asignado."),
            409: OpenApiResponse(description="El turno ya no está llamado (caso ya abierto)."),
        },
    )
    def post(self, request, turn_id: int):
        """BAL-04: open the CRM case of the customer matched to me (PQR → asesor en línea,
        pedido → Balanceo automático; supported office = the turn's)."""
        turn = selectors.balance_turn_get_for_user(user=request.user, turn_id=turn_id)
        serializer = BalanceCaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.balance_case_open(turn=turn, by=request.user, **serializer.validated_data)
        case = case_get_for_user(user=request.user, case_id=case.pk)
        return Response(BalanceCaseCreatedSerializer(case).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["balanceo"])
class FinishView(APIView):
    permission_classes = [has_any_role(Role.TECNOLOGO)]
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="v1_balanceo_turns_finish",
        request=KioskFinishSerializer,
        responses={
            200: MatchedTurnSerializer,
            400: OpenApiResponse(description="Resultado no válido."),
            404: OpenApiResponse(description="El turno no existe o no le fue asignado."),
            409: OpenApiResponse(description="El estado del turno no lo permite."),
        },
    )
    def post(self, request, turn_id: int):
        """ "Terminar": the attention ends (video call ended, kiosk free) and I am matched to
        the next waiting customer at once."""
        turn = selectors.balance_turn_get_for_user(user=request.user, turn_id=turn_id)
        serializer = KioskFinishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.balance_turn_finish(
            turn=turn, by=request.user, outcome=serializer.validated_data["outcome"]
        )
        # "devolver" leaves the turn to nobody: read it back by id, not through the holder.
        turn = Turn.objects.select_related("office", "kiosk", "case").get(pk=turn.pk)
        return Response(MatchedTurnSerializer(turn).data)


urlpatterns = [
    path("status/", StatusView.as_view(), name="api_balanceo_status"),
    path("availability/", AvailabilityView.as_view(), name="api_balanceo_availability"),
    path("turns/<int:turn_id>/case/", CaseCreateView.as_view(), name="api_balanceo_turn_case"),
    path("turns/<int:turn_id>/finish/", FinishView.as_view(), name="api_balanceo_turn_finish"),
]
