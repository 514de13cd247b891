"""REST API of the attention of an internal-client appointment (2.8, CI-04, CI-05), under
``/api/v1/cliente-interno/``:

- ``POST bookings/{id}/call/`` — the appointment's technologist calls the checked-in employee's
  turn: the CRM case opens and the video call rings → 200 with the turn, the case, the video
  session and the room's page; 409 when the employee has not checked in or the turn was
  called already;
- ``GET bookings/{id}/documents/`` — the documents the two parties exchanged, oldest first;
- ``POST bookings/{id}/documents/`` (multipart ``file``) — either party sends one → 201; 400
  with core's Spanish message for a file of a type or size not accepted.

The technologist and the internal-client employee only (``has_any_role``); a booking the user
is not a party of answers 404 like a missing one (NFR-02). The rules are the service's
(``cliente_interno.services.attention``); its errors go through ``core.api_errors``."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cliente_interno.models import InternalBooking
from cliente_interno.selectors import booking_for_party
from cliente_interno.services import attention
from core.api_turn_case import REQUIRED
from core.models import Evidence, Turn, VideoSession, VideoSessionStatus
from core.permissions import has_any_role
from core.roles import Role

PARTIES = [has_any_role(Role.TECNOLOGO, Role.CLIENTE_INTERNO)]
#: "Llamar turno" is the technologist's: the employee gets 403 like any other role.
TECHNOLOGIST = [has_any_role(Role.TECNOLOGO)]
NOT_FOUND = OpenApiResponse(
    description="La cita no existe o usted no es ni su funcionario ni su tecnólogo."
)

# --- serializers ---------------------------------------------------------------------------


class CiTurnSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Turn
        fields = ["id", "number", "status", "status_display", "called_at", "attention_started_at"]
        read_only_fields = fields


class CiCaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Número del caso CRM (PQR-AAAA-NNNNNN o PED-…).")


class CiCallSerializer(serializers.Serializer):
    booking = serializers.IntegerField()
    turn = CiTurnSerializer()
    case = CiCaseRefSerializer()
    video_session = serializers.IntegerField(
        allow_null=True, help_text="La videollamada que está timbrando."
    )
    room_url = serializers.CharField(help_text="La página de la sala del tecnólogo.")


class CiDocumentSerializer(serializers.ModelSerializer):
    """A document of the appointment. ``uploaded_by`` says which party sent it."""

    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.SerializerMethodField(
        help_text="«funcionario» o «tecnólogo»: quién lo envió."
    )
    url = serializers.SerializerMethodField(help_text="Descarga (solo para las dos partes).")

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "content_type", "uploaded_by", "uploaded_at", "url"]
        read_only_fields = fields

    def get_uploaded_by(self, obj) -> str:
        booking = self.context["booking"]
        return "funcionario" if obj.uploaded_by_id == booking.employee_id else "tecnólogo"

    def get_url(self, obj) -> str:
        return reverse("cliente_interno:document", args=[self.context["booking"].pk, obj.token])


class CiDocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service explains an empty file
        error_messages={**REQUIRED, "invalid": "Adjunte el documento."},
        help_text="PDF, imagen (jpg, png) o audio; el tamaño máximo es el de las evidencias.",
    )


# --- views ---------------------------------------------------------------------------------


def _booking(request, pk: int) -> InternalBooking:
    booking = booking_for_party(user=request.user, pk=pk)
    if booking is None:
        raise NotFound(attention.NOT_FOUND)
    return booking


@extend_schema(tags=["cliente-interno"])
class CallView(APIView):
    permission_classes = TECHNOLOGIST

    @extend_schema(
        operation_id="v1_cliente_interno_bookings_call",
        request=None,
        responses={
            200: CiCallSerializer,
            404: NOT_FOUND,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="El funcionario aún no se ha presentado, el turno ya fue llamado, "
                "la cita no está confirmada o usted ya atiende otro turno o videollamada.",
            ),
        },
    )
    def post(self, request, pk: int):
        """CI-04 "Llamar turno": the appointment's technologist calls the employee who checked
        in; the case opens (CI-05 CRM fields) and the video call rings on both pages."""
        booking = attention.booking_call(booking=_booking(request, pk), by=request.user)
        session = (
            VideoSession.objects.filter(
                turn_id=booking.turn_id, status__in=VideoSessionStatus.open()
            )
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        case = booking.appointment.case
        data = {
            "booking": booking.pk,
            "turn": booking.turn,
            "case": {"id": case.pk, "number": case.number},
            "video_session": session,
            "room_url": reverse("cliente_interno:technologist_room", args=[booking.pk]),
        }
        return Response(CiCallSerializer(data).data)


@extend_schema(tags=["cliente-interno"])
class DocumentListCreateView(APIView):
    permission_classes = PARTIES
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="v1_cliente_interno_bookings_documents_list",
        responses={200: CiDocumentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        """CI-05: the documents both parties sent in the appointment, oldest first (empty
        before the call)."""
        booking = _booking(request, pk)
        documents = attention.booking_documents(booking)
        return Response(
            CiDocumentSerializer(documents, many=True, context={"booking": booking}).data
        )

    @extend_schema(
        operation_id="v1_cliente_interno_bookings_documents_create",
        request={"multipart/form-data": CiDocumentUploadSerializer},
        responses={
            201: CiDocumentSerializer,
            400: OpenApiResponse(description="Tipo o tamaño de archivo no permitido."),
            404: NOT_FOUND,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="La cita aún no está en atención, o su caso ya está cerrado.",
            ),
        },
    )
    def post(self, request, pk: int):
        """CI-05: either party sends a document; it is kept in the case's expediente and both
        parties' lists refresh."""
        booking = _booking(request, pk)
        serializer = CiDocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evidence = attention.booking_document_add(
            booking=booking, by=request.user, upload=serializer.validated_data["file"]
        )
        return Response(
            CiDocumentSerializer(evidence, context={"booking": booking}).data,
            status=status.HTTP_201_CREATED,
        )
