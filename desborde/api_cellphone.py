"""REST API of the overflow by cellphone (2.3, CEL-03, CEL-04): what the customer said when the
technologist called a turn from the virtual booth. Included at ``/api/v1/``.

``POST /api/v1/turns/{id}/outcome/``: ``acepta`` (with the customer and the requirement) opens
the CRM case from the turn → 201 with the case; ``rechaza`` → the turn goes back to the waiting
room in its place, ``no_conecta`` → the office is told → 200 with the turn. Only the
technologist who took the turn may record it (anyone else: 404); a turn not being called → 409.
Validation here is about types; the rules and their Spanish messages are the service's
(``desborde.services.cellphone``)."""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_turn_case import pqr_type_field, transaction_type_field
from core.api_turns import TurnSerializer
from core.models import Case, CaseKind, DocumentType
from core.parsers import JSONBodyParser
from core.permissions import has_any_role
from core.roles import Role
from core.selectors import case_get_for_user
from core.selectors.turns import turn_get_for_user
from desborde.serializers import REQUIRED, _text
from desborde.services import cellphone


class OutcomeCustomerSerializer(serializers.Serializer):
    """The customer as the technologist registers them on the phone (CORE-03). The document,
    name and mobile rules are the service's: their messages come back by field
    (``document_number``, ``full_name``, ``mobile``)."""

    document_type = serializers.ChoiceField(
        choices=DocumentType.choices,
        error_messages={**REQUIRED, "invalid_choice": "Tipo de documento no válido."},
    )
    document_number = _text(30)
    full_name = _text(160, required=True)
    mobile = _text(30)
    email = _text(254)


class TurnOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=cellphone.OUTCOME_CHOICES,
        error_messages={
            **REQUIRED,
            "invalid_choice": "Indique «acepta», «rechaza» o «no_conecta».",
        },
    )
    customer = OutcomeCustomerSerializer(
        required=False, help_text="Solo con «acepta»: el cliente que se registra."
    )
    kind = serializers.ChoiceField(
        choices=CaseKind.choices,
        required=False,
        error_messages={"invalid_choice": "Indique «PQR» o «PED» (pedido)."},
        help_text="Solo con «acepta». PQR → canal «desborde»; PED → canal «desborde celular».",
    )
    pqr_type = pqr_type_field()
    transaction_type = transaction_type_field()
    motive = serializers.CharField(required=False, allow_blank=True, default="")
    contract_number = _text(30)

    def validate(self, attrs):
        if attrs["outcome"] == cellphone.OUTCOME_ACCEPTS:
            errors = {}
            if "customer" not in attrs:
                errors["customer"] = ["Ingrese los datos del cliente (documento y nombre)."]
            if "kind" not in attrs:
                errors["kind"] = ["Indique si el requerimiento es una PQR o un pedido."]
            if errors:
                raise serializers.ValidationError(errors)
        return attrs

    def case_data(self) -> dict:
        data = dict(self.validated_data)
        data.pop("outcome")
        return data


class OutcomeCaseSerializer(serializers.ModelSerializer):
    """The case opened from the turn (CEL-04)."""

    channel = serializers.CharField(source="channel.name", read_only=True)
    channel_code = serializers.CharField(source="channel.code", read_only=True)
    supported_office = serializers.IntegerField(source="supported_office_id", read_only=True)
    supported_office_name = serializers.CharField(source="supported_office.name", read_only=True)
    office = serializers.IntegerField(source="office_id", read_only=True)
    turn = serializers.SerializerMethodField()

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
            "turn",
        ]

    def get_turn(self, obj) -> int:
        return self.context["turn"].pk


@extend_schema(tags=["turnos"])
class TurnOutcomeView(APIView):
    """CEL-03 / CEL-04: record what the customer said on the phone."""

    permission_classes = [has_any_role(Role.TECNOLOGO)]
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="v1_turns_outcome",
        request=TurnOutcomeSerializer,
        responses={
            201: OpenApiResponse(OutcomeCaseSerializer, description="«acepta»: el caso abierto."),
            200: OpenApiResponse(TurnSerializer, description="«rechaza» / «no_conecta»: el turno."),
            400: OpenApiResponse(description="Mensajes en español por campo."),
            404: OpenApiResponse(description="El turno no existe o no lo llamó usted."),
            409: OpenApiResponse(description="El turno no está llamado: su estado no lo permite."),
        },
    )
    def post(self, request, turn_id: int):
        """What the customer said when the technologist called the turn (CEL-03); «acepta»
        opens the CRM case from the turn (CEL-04)."""
        turn = cellphone.cellphone_turn_get_for_user(user=request.user, turn_id=turn_id)
        serializer = TurnOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        turn, case = cellphone.cellphone_outcome_record(
            turn=turn,
            by=request.user,
            outcome=serializer.validated_data["outcome"],
            **(
                serializer.case_data()
                if serializer.validated_data["outcome"] == cellphone.OUTCOME_ACCEPTS
                else {}
            ),
        )
        if case is not None:
            case = case_get_for_user(user=request.user, case_id=case.pk)
            return Response(
                OutcomeCaseSerializer(case, context={"turn": turn}).data,
                status=status.HTTP_201_CREATED,
            )
        turn = turn_get_for_user(user=request.user, turn_id=turn.pk)
        return Response(TurnSerializer(turn).data)


urlpatterns = [
    path("turns/<int:turn_id>/outcome/", TurnOutcomeView.as_view(), name="api_turn_outcome"),
]
