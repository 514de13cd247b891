"""REST API of asesor en línea (2.4, AL-01..AL-04), under ``/api/v1/asesor-linea/``:

- ``GET turns/`` — the offices the caller supports today by asesor en línea, each with its
  waiting turns whose customer accepted virtual attention (oldest first), how many still wait
  for the office's question, and its kiosks ("conectado" now, busy or free); with whether
  today's start-of-shift check (audio, video, printer) is done;
- ``POST turns/{id}/announce/`` ``{"kiosk": id}`` — "Anunciar": the turn is called to the kiosk
  and the video call rings → 201 ``{"turn": {...}, "video_session": id}``;
- ``POST turns/{id}/case/`` — the customer's CRM case from the turn (canal "asesor en línea")
  → 201 with the case;
- ``POST turns/{id}/finish/`` ``{"outcome": "atendido" | "no_se_presento" | "devolver"}`` → 200
  with the turn.

Technologists only (``has_any_role``). A turn of an office the caller does not support today,
or (for case and finish) one they did not announce, answers 404 like a missing one (NFR-02).
The rules and their Spanish messages are the services' (``asesor_linea.services``); errors go
through ``core.api_errors``: 400 by field, 409 when the state does not allow it (kiosk
"desconectado" or busy, customer without consent, turn taken, start-of-shift check missing)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from asesor_linea import selectors, services
from core.api_turn_case import (
    REQUIRED,
    KioskFinishSerializer,
    TurnCaseCreateSerializer,
    case_kind_field,
)
from core.api_turns import TurnSerializer
from core.models import Case, Kiosk, Turn
from core.parsers import JSONBodyParser
from core.permissions import has_any_role
from core.roles import Role
from core.selectors import case_get_for_user
from core.selectors.roster import shift_check_done

# --- serializers ---------------------------------------------------------------------------


class AlTurnSerializer(TurnSerializer):
    """A turn as the asesor en línea sees it: the office's answer and the kiosk it was called
    to (no personal data)."""

    kiosk_label = serializers.CharField(source="kiosk.label", read_only=True, default=None)

    class Meta(TurnSerializer.Meta):
        fields = [
            *TurnSerializer.Meta.fields,
            "virtual_consent",
            "kiosk",
            "kiosk_label",
            "announced_at",
        ]
        read_only_fields = fields


class AlKioskSerializer(serializers.ModelSerializer):
    online = serializers.BooleanField(read_only=True, help_text="«Conectado» ahora.")
    busy_turn = serializers.CharField(
        read_only=True, allow_null=True, help_text="El turno que atiende, si alguno."
    )
    in_call = serializers.BooleanField(read_only=True, help_text="Tiene una videollamada abierta.")
    free = serializers.SerializerMethodField(help_text="Conectado y libre: se le puede anunciar.")

    class Meta:
        model = Kiosk
        fields = ["id", "label", "online", "busy_turn", "in_call", "free"]
        read_only_fields = fields

    def get_free(self, obj) -> bool:
        return bool(obj.online and not obj.busy_turn and not obj.in_call)


class AlOfficeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="office.pk")
    name = serializers.CharField(source="office.name")
    unasked = serializers.IntegerField(
        help_text="Turnos en espera a los que la oficina aún no preguntó por la atención virtual."
    )
    kiosks = AlKioskSerializer(many=True)
    turns = AlTurnSerializer(many=True)


class AlTurnsOverviewSerializer(serializers.Serializer):
    shift_check_done = serializers.BooleanField(
        help_text="Hoy registró la verificación de inicio de turno con audio, video e impresora."
    )
    offices = AlOfficeSerializer(many=True)


class AlAnnounceSerializer(serializers.Serializer):
    kiosk = serializers.PrimaryKeyRelatedField(
        queryset=Kiosk.objects.filter(active=True).select_related("office"),
        error_messages={
            **REQUIRED,
            "does_not_exist": "El módulo no existe.",
            "incorrect_type": "Indique el módulo por su identificador.",
        },
    )


class AlAnnouncedSerializer(serializers.Serializer):
    turn = AlTurnSerializer()
    video_session = serializers.IntegerField(help_text="La videollamada que está timbrando.")


class AlCaseCreateSerializer(TurnCaseCreateSerializer):
    kind = case_kind_field("PQR y PED: canal «asesor en línea».")


class AlCaseSerializer(serializers.ModelSerializer):
    """The case opened from the turn (AL-04)."""

    channel = serializers.CharField(source="channel.name", read_only=True)
    channel_code = serializers.CharField(source="channel.code", read_only=True)
    supported_office = serializers.IntegerField(source="supported_office_id", read_only=True)
    supported_office_name = serializers.CharField(source="supported_office.name", read_only=True)
    office = serializers.IntegerField(source="office_id", read_only=True)
    assigned_to = serializers.IntegerField(source="assigned_to_id", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "pqr_type",
            "status",
            "channel",
            "channel_code",
            "turn_number",
            "attention_medium",
            "office",
            "supported_office",
            "supported_office_name",
            "assigned_to",
        ]
        read_only_fields = fields


# --- views ---------------------------------------------------------------------------------

ONLY_TECHNOLOGISTS = [has_any_role(Role.TECNOLOGO)]
NOT_FOUND = OpenApiResponse(
    description="El turno no existe, no es de una oficina que apoya hoy o no lo anunció usted."
)


def _turn_read(turn_id: int) -> Turn:
    return Turn.objects.select_related("office", "transaction_type", "kiosk").get(pk=turn_id)


@extend_schema(tags=["asesor en línea"])
class TurnsOverviewView(APIView):
    permission_classes = ONLY_TECHNOLOGISTS

    @extend_schema(operation_id="v1_asesor_linea_turns_list", responses=AlTurnsOverviewSerializer)
    def get(self, request):
        """AL-01 / AL-03: per office the caller supports today by asesor en línea, the turns
        whose customer accepted virtual attention (oldest first), how many the office has not
        asked yet, and its kiosks. Empty when the caller is not rostered today."""
        user = request.user
        offices = list(selectors.al_offices_for(technologist=user))
        groups = {o.pk: {"office": o, "turns": [], "kiosks": []} for o in offices}
        for turn in selectors.al_waiting_turns(technologist=user):
            groups[turn.office_id]["turns"].append(turn)
        for kiosk in selectors.al_kiosks_for(technologist=user):
            groups[kiosk.office_id]["kiosks"].append(kiosk)
        unasked = selectors.al_unasked_counts(technologist=user)
        data = {
            "shift_check_done": shift_check_done(technologist=user, video=True),
            "offices": [{**groups[o.pk], "unasked": unasked.get(o.pk, 0)} for o in offices],
        }
        return Response(AlTurnsOverviewSerializer(data).data)


@extend_schema(tags=["asesor en línea"])
class TurnAnnounceView(APIView):
    permission_classes = ONLY_TECHNOLOGISTS
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="v1_asesor_linea_turns_announce",
        request=AlAnnounceSerializer,
        responses={
            201: AlAnnouncedSerializer,
            400: OpenApiResponse(description="Mensajes por campo (p. ej. módulo de otra oficina)."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Módulo desconectado u ocupado, cliente sin aceptar la atención "
                "virtual, turno ya tomado, o falta la verificación de inicio de turno.",
            ),
        },
    )
    def post(self, request, turn_id: int):
        """ "Anunciar" (AL-03): call the turn to the kiosk and ring it (video call)."""
        turn = selectors.al_turn_for_announce(user=request.user, turn_id=turn_id)
        serializer = AlAnnounceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        turn, session = services.al_turn_announce(
            turn=turn, by=request.user, kiosk=serializer.validated_data["kiosk"]
        )
        data = {"turn": _turn_read(turn.pk), "video_session": session.pk}
        return Response(AlAnnouncedSerializer(data).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["asesor en línea"])
class TurnCaseView(APIView):
    permission_classes = ONLY_TECHNOLOGISTS
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="v1_asesor_linea_turns_case",
        request=AlCaseCreateSerializer,
        responses={
            201: AlCaseSerializer,
            400: OpenApiResponse(description="Mensajes en español por campo."),
            404: NOT_FOUND,
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="El turno no está llamado."),
        },
    )
    def post(self, request, turn_id: int):
        """AL-04: the customer's CRM case from the turn: canal «asesor en línea», oficina a la
        que se apoya / de atención = the turn's office."""
        turn = selectors.al_turn_get_for_user(user=request.user, turn_id=turn_id)
        serializer = AlCaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.al_case_open(turn=turn, by=request.user, **serializer.validated_data)
        case = case_get_for_user(user=request.user, case_id=case.pk)
        return Response(AlCaseSerializer(case).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["asesor en línea"])
class TurnFinishView(APIView):
    permission_classes = ONLY_TECHNOLOGISTS
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="v1_asesor_linea_turns_finish",
        request=KioskFinishSerializer,
        responses={
            200: AlTurnSerializer,
            400: OpenApiResponse(description="Resultado no válido."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, description="El estado del turno no permite ese resultado."
            ),
        },
    )
    def post(self, request, turn_id: int):
        """ "Terminar": atendido (with its case), no se presentó, or back to the waiting room;
        the video call ends and the kiosk is free."""
        turn = selectors.al_turn_get_for_user(user=request.user, turn_id=turn_id)
        serializer = KioskFinishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.al_turn_finish(
            turn=turn, by=request.user, outcome=serializer.validated_data["outcome"]
        )
        return Response(AlTurnSerializer(_turn_read(turn.pk)).data)
