"""REST API of the office turns (CEL-02) and the virtual booth's turns (CEL-03): validate, call
a service or a selector, serialize.

- ``POST /api/v1/offices/{id}/turns/`` — give a turn. The office's orientadores and encargados,
  and the external turn system, which signs in with the token of a user of that office with one
  of those roles (e.g. an encargado account for the kiosk). Another office answers 404.
- ``GET /api/v1/booth/turns/`` — the technologist's booth list, with the mobiles (personal data
  shown only here and in the take).
- ``POST /api/v1/turns/{id}/take/`` — "Llamar": 200 with the number to dial, 409 when another
  technologist got it first.
- ``POST /api/v1/turns/{id}/office-decision/`` — the office decides after a call that could not
  connect.
- ``POST /api/v1/turns/{id}/virtual-consent/`` — AL-03: the office asked the waiting customer
  whether they accept virtual attention at a kiosk (``{"accepts": true|false}``).

The booth's endpoints need today's start-of-shift check (CEL-03 step 3) besides the role. Errors
go through ``core.api_errors``; turns out of the caller's scope answer 404 like missing ones.
"""

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Office, TransactionType, Turn
from core.permissions import has_any_role
from core.roles import PRINT_QUEUE_ROLES, STAFF_ROLES, Role
from core.selectors.roster import shift_check_done
from core.selectors.turns import booth_turns_for, turn_get_for_user
from core.services import turns as turn_services
from core.services.turns.kiosk import CONSENT_INVALID

REQUIRED = {"required": "Este campo es obligatorio.", "null": "Este campo es obligatorio."}
OFFICE_NOT_FOUND = "Oficina no encontrada."
SHIFT_CHECK_MISSING = (
    "Antes de usar la taquilla virtual registre hoy la verificación de inicio de turno "
    "(audio e impresora de la oficina que apoya)."
)
STATUS_HELP = (
    "en_espera, llamado, en_atencion, atendido, devuelto_a_sala, no_se_presento o cancelado."
)


class ShiftCheckDone(BasePermission):
    """CEL-03 step 3: the technologist confirmed audio and printer today."""

    message = SHIFT_CHECK_MISSING

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        return shift_check_done(technologist=user, day=timezone.localdate())


# --- serializers ---------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "Tipo de transacción del catálogo: su identificador o su código "
        "(p. ej. «duplicado-de-factura»).",
    }
)
class TransactionTypeRefField(serializers.Field):
    default_error_messages = {
        **REQUIRED,
        "invalid": "Indique el tipo de transacción por su identificador o su código.",
        "does_not_exist": "El tipo de transacción no existe.",
    }

    def to_internal_value(self, data) -> TransactionType:
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        value = str(data).strip()
        if not value:
            self.fail("required")
        lookup = {"pk": int(value)} if value.isdigit() else {"code": value}
        found = TransactionType.objects.filter(**lookup).first()
        if found is None:
            self.fail("does_not_exist")
        return found

    def to_representation(self, value) -> int:
        return value.pk


class TurnCreateSerializer(serializers.Serializer):
    transaction_type = TransactionTypeRefField()
    accepts_remote = serializers.BooleanField(
        required=False,
        default=False,
        error_messages={"invalid": "Indique si el cliente acepta la atención a distancia."},
        help_text="¿Acepta atención a distancia por celular? (solo transacciones elegibles en "
        "la oficina).",
    )
    mobile = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=30,
        help_text="Celular colombiano del cliente, obligatorio si acepta la atención a distancia.",
    )


class TurnCreatedSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = Turn
        fields = ["id", "number", "status"]
        read_only_fields = fields


class TurnSerializer(serializers.ModelSerializer):
    """A turn as the office sees it (no mobile)."""

    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    transaction_type_name = serializers.CharField(source="transaction_type.name", read_only=True)
    virtual_consent = serializers.CharField(
        read_only=True,
        help_text="AL-03: «» sin preguntar, «acepta» o «rechaza» la atención virtual en un módulo.",
    )
    kiosk_label = serializers.CharField(
        source="kiosk.label",
        read_only=True,
        allow_null=True,
        help_text="El módulo al que se llamó el turno (p. ej. «Módulo 2»), o null.",
    )

    class Meta:
        model = Turn
        fields = [
            "id",
            "number",
            "day",
            "status",
            "status_display",
            "office",
            "office_name",
            "transaction_type",
            "transaction_type_name",
            "accepts_remote",
            "needs_office_check",
            "created_at",
            "called_at",
            "virtual_consent",
            "kiosk",
            "kiosk_label",
        ]
        read_only_fields = fields


class BoothTurnSerializer(TurnSerializer):
    """A turn as the supporting technologist sees it: the mobile and what to dial."""

    dial = serializers.SerializerMethodField(
        help_text="Lo que se marca desde Skype empresarial: 003 y el celular (0033112223344)."
    )

    class Meta(TurnSerializer.Meta):
        fields = [*TurnSerializer.Meta.fields, "mobile", "dial"]
        read_only_fields = fields

    def get_dial(self, obj: Turn) -> str:
        return turn_services.turn_dial(obj.mobile)


class VirtualConsentSerializer(serializers.Serializer):
    accepts = serializers.BooleanField(
        error_messages={**REQUIRED, "invalid": CONSENT_INVALID},
        help_text="¿Acepta atención virtual en un módulo? true o false.",
    )

    def to_internal_value(self, data):
        # Only a JSON boolean: "sí", 1 or "true" as text are refused, not guessed.
        value = data.get("accepts") if isinstance(data, dict) else None
        if value is not None and not isinstance(value, bool):
            raise serializers.ValidationError({"accepts": [CONSENT_INVALID]})
        return super().to_internal_value(data)


class OfficeDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=list(turn_services.DECISIONS.items()),
        error_messages={**REQUIRED, "invalid_choice": turn_services.DECISION_INVALID},
    )


# --- views ---------------------------------------------------------------------------------


def _office_for_turns(user, office_id: int) -> Office:
    """The office the caller gives turns for: their own (orientador, encargado); 404 else."""
    office = Office.objects.filter(pk=office_id, active=True).first()
    if office is None or not (user.is_superuser or user.home_office_id == office.pk):
        raise Http404(OFFICE_NOT_FOUND)
    return office


@extend_schema(tags=["turnos"])
class OfficeTurnCreateView(APIView):
    permission_classes = [has_any_role(*PRINT_QUEUE_ROLES)]

    @extend_schema(
        operation_id="v1_offices_turns_create",
        request=TurnCreateSerializer,
        responses={
            201: TurnCreatedSerializer,
            400: OpenApiResponse(description="Mensajes por campo (p. ej. celular no válido)."),
            404: OpenApiResponse(description="Oficina que no es la del usuario."),
        },
    )
    def post(self, request, office_id: int):
        """Give a turn (CEL-02): number of the office and day; a customer who accepts remote
        attention by cellphone leaves a mobile."""
        office = _office_for_turns(request.user, office_id)
        serializer = TurnCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        turn = turn_services.turn_create(
            office=office, by=request.user, **serializer.validated_data
        )
        return Response(TurnCreatedSerializer(turn).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["turnos"])
class BoothTurnListView(generics.ListAPIView):
    """The virtual booth (CEL-03): waiting turns that accepted remote attention in the offices
    the caller supports by cellphone today, oldest first, with the mobile to dial."""

    permission_classes = [has_any_role(Role.TECNOLOGO), ShiftCheckDone]
    serializer_class = BoothTurnSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Turn.objects.none()
        return booth_turns_for(technologist=self.request.user)

    @extend_schema(operation_id="v1_booth_turns_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["turnos"])
class TurnTakeView(APIView):
    permission_classes = [has_any_role(Role.TECNOLOGO), ShiftCheckDone]

    @extend_schema(
        operation_id="v1_turns_take",
        request=None,
        responses={
            200: BoothTurnSerializer,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Otro tecnólogo ya tomó el turno, o usted ya "
                "tiene uno llamado o en atención.",
            ),
        },
    )
    def post(self, request, turn_id: int):
        """ "Llamar": take a waiting turn atomically; the answer has the number to dial."""
        turn = turn_get_for_user(user=request.user, turn_id=turn_id)
        turn = turn_services.turn_take(turn=turn, by=request.user)
        turn = turn_get_for_user(user=request.user, turn_id=turn.pk)
        return Response(BoothTurnSerializer(turn).data)


@extend_schema(tags=["turnos"])
class TurnOfficeDecisionView(APIView):
    permission_classes = [has_any_role(*PRINT_QUEUE_ROLES)]

    @extend_schema(
        operation_id="v1_turns_office_decision",
        request=OfficeDecisionSerializer,
        responses={
            200: TurnSerializer,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="El turno no está pendiente de validar."
            ),
        },
    )
    def post(self, request, turn_id: int):
        """After a call that could not connect, the office checked with the customer:
        «celular» back to the booth's list, «presencial» off it."""
        turn = turn_get_for_user(user=request.user, turn_id=turn_id)
        serializer = OfficeDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        turn = turn_services.turn_office_decision(
            turn=turn, decision=serializer.validated_data["decision"], by=request.user
        )
        turn = turn_get_for_user(user=request.user, turn_id=turn.pk)
        return Response(TurnSerializer(turn).data)


@extend_schema(tags=["turnos"])
class TurnVirtualConsentView(APIView):
    # Any staff role reaches the service, which answers 404 to whoever is not the turn's office
    # staff (a technologist, another office) as for a missing turn.
    permission_classes = [has_any_role(*STAFF_ROLES)]

    @extend_schema(
        operation_id="v1_turns_virtual_consent",
        request=VirtualConsentSerializer,
        responses={
            200: TurnSerializer,
            400: OpenApiResponse(description="«accepts» falta o no es true/false."),
            404: OpenApiResponse(description="Turno de otra oficina, o rol que no pregunta."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="El turno ya no está en espera."),
        },
    )
    def post(self, request, turn_id: int):
        """AL-03: the office asked the waiting customer «¿Acepta atención virtual en un
        módulo?»: true → the turn can be called to a kiosk; false → it waits for in-person
        attention."""
        turn = turn_get_for_user(user=request.user, turn_id=turn_id)
        serializer = VirtualConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        turn = turn_services.turn_virtual_consent(
            turn=turn, accepts=serializer.validated_data["accepts"], by=request.user
        )
        turn = turn_get_for_user(user=request.user, turn_id=turn.pk)
        return Response(TurnSerializer(turn).data)


urlpatterns = [
    path(
        "offices/<int:office_id>/turns/",
        OfficeTurnCreateView.as_view(),
        name="api_office_turns",
    ),
    path("booth/turns/", BoothTurnListView.as_view(), name="api_booth_turns"),
    path("turns/<int:turn_id>/take/", TurnTakeView.as_view(), name="api_turn_take"),
    path(
        "turns/<int:turn_id>/office-decision/",
        TurnOfficeDecisionView.as_view(),
        name="api_turn_office_decision",
    ),
    path(
        "turns/<int:turn_id>/virtual-consent/",
        TurnVirtualConsentView.as_view(),
        name="api_turn_virtual_consent",
    ),
]
