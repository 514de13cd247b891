"""REST API of attending an internal-client appointment (2.8, CI-03, CI-04):

- ``POST /api/v1/cliente-interno/check-in/`` ``{"token", "document_number"}``: the employee of
  the booking, signed in, checks in → 201 with the turn and the waiting room's address; 403
  outside the link's window or after too many wrong numbers; 400 for a wrong number or a link
  that does not verify; 404 when the token names another employee's booking (never data);
- ``POST /api/v1/cliente-interno/bookings/{id}/no-show/``: the appointment's technologist marks
  the no-show → 200; 409 before the grace period ended; 404 for anyone else.

Validate, call a service, serialize; the services' errors go through core's handler."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cliente_interno import links, selectors
from cliente_interno.models import InternalBooking
from cliente_interno.services import checkin
from core.permissions import has_any_role
from core.roles import Role

BAD_TOKEN = "El enlace no es válido."
NOT_FOUND = "Cita no encontrada."
REQUIRED = {"required": "Este campo es obligatorio.", "blank": "Este campo es obligatorio."}


class CiCheckInSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=500,
        error_messages={**REQUIRED, "max_length": BAD_TOKEN},
        help_text='El token del enlace "Asistir a cita" (la última parte de su dirección).',
    )
    document_number = serializers.CharField(
        max_length=20,
        error_messages={
            "required": checkin.DOCUMENT_REQUIRED,
            "blank": checkin.DOCUMENT_REQUIRED,
            "max_length": "Escriba como máximo 20 caracteres.",
        },
        help_text="El número de documento con el que se agendó la cita.",
    )


class CiCheckInTurnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Número de turno (CLI-001).")
    status = serializers.CharField(help_text="Estado del turno (en_espera, llamado, …).")


class CiCheckInResultSerializer(serializers.Serializer):
    booking = serializers.IntegerField()
    turn = CiCheckInTurnSerializer()
    room_url = serializers.CharField(help_text="La sala de espera virtual del funcionario.")


class CiNoShowResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="Estado de la cita: no_asistio.")


@extend_schema(tags=["cliente interno"])
class CheckInView(APIView):
    """CI-03: the employee checks in at the "Asistir a cita" link."""

    permission_classes = [has_any_role(Role.CLIENTE_INTERNO)]

    @extend_schema(
        operation_id="v1_cliente_interno_check_in",
        request=CiCheckInSerializer,
        responses={
            201: CiCheckInResultSerializer,
            400: OpenApiResponse(
                description="Número de documento que no coincide (intento contado) o enlace "
                "no válido."
            ),
            403: OpenApiResponse(
                description="Fuera de la ventana del enlace (dice desde cuándo, o que la cita "
                "pasó) o intentos agotados."
            ),
            404: OpenApiResponse(description="La cita es de otro funcionario."),
        },
    )
    def post(self, request):
        """Check in: a turn of the "Cliente Interno" office and the waiting room. Idempotent:
        a second check-in returns the same turn."""
        serializer = CiCheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = links.booking_from_token(serializer.validated_data["token"])
        if booking is None or booking.booked_at is None:
            raise exceptions.ValidationError({"token": [BAD_TOKEN]})
        if booking.employee_id != request.user.pk:
            raise exceptions.NotFound(NOT_FOUND)
        try:
            booking = checkin.booking_check_in(
                booking=booking,
                document_number=serializer.validated_data["document_number"],
                by=request.user,
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        body = {
            "booking": booking.pk,
            "turn": booking.turn,
            "room_url": reverse("cliente_interno:room", args=[booking.pk]),
        }
        return Response(CiCheckInResultSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["cliente interno"])
class NoShowView(APIView):
    """CI-04: the technologist marks that the employee did not come."""

    permission_classes = [has_any_role(Role.TECNOLOGO)]

    @extend_schema(
        operation_id="v1_cliente_interno_bookings_no_show",
        request=None,
        responses={
            200: CiNoShowResultSerializer,
            404: OpenApiResponse(description="No es una cita de este tecnólogo."),
            409: OpenApiResponse(
                description="Antes del fin del tiempo de espera (dice desde cuándo), el "
                "funcionario ya se presentó, o la cita ya no está confirmada."
            ),
        },
    )
    def post(self, request, pk: int):
        """Mark the appointment "no asistió" (from the end of the grace period); the employee
        gets the e-mail with the link to book again. Marked already → 200, no second e-mail."""
        booking = _technologist_booking(user=request.user, pk=pk)
        try:
            booking = checkin.booking_no_show(booking=booking, by=request.user)
        except DjangoPermissionDenied:
            raise exceptions.NotFound(NOT_FOUND) from None
        return Response(
            CiNoShowResultSerializer({"id": booking.pk, "status": booking.appointment.status}).data
        )


def _technologist_booking(*, user, pk: int) -> InternalBooking:
    """The booking, only for its appointment's technologist (404 for anyone else)."""
    booking = selectors.booking_for_party(user=user, pk=pk)
    if booking is None or booking.appointment.technologist_id != user.pk:
        raise exceptions.NotFound(NOT_FOUND)
    return booking
