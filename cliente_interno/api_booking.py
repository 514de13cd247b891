"""REST API of internal clients' booking (2.8, CI-01), under ``/api/v1/cliente-interno/``:
validate, call a service or a selector, serialize.

- ``GET slots/?transaction_type=<code>&date=AAAA-MM-DD``: the free slots of that day (Bogotá);
- ``POST holds/`` ``{"transaction_type", "start", "technologist"}``: hold one (201 with
  ``expires_at``); 409 when someone else took it, with ``next_slots``;
- ``DELETE holds/{id}/``: give it back (204); only its employee (404 for anyone else);
- ``POST bookings/`` ``{"hold", personal data, "terms_accepted", "data_consent"}``: reserve
  (201); 409 when the hold expired (with ``next_slots``); 400 per field, consents included;
- ``GET bookings/``: an employee's own bookings, or a technologist's day (``?date=``);
- ``GET bookings/{id}/``: for its employee or its technologist (404 for anyone else).

The employee (role cliente_interno) books; other roles get 403. Service errors become 400 / 409
in ``core.api_errors``; the 409 of a slot no longer available is answered here, with the next
free slots to choose from."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cliente_interno import selectors
from cliente_interno.models import InternalBooking
from cliente_interno.serializers import (
    BookingCreateSerializer,
    BookingSerializer,
    ConflictSerializer,
    HoldCreateSerializer,
    HoldSerializer,
    SlotQuerySerializer,
    SlotSerializer,
)
from cliente_interno.services import booking as services
from core.business_days import BOGOTA
from core.models import User
from core.permissions import has_any_role
from core.roles import Role, user_has_role
from core.services import agenda

EMPLOYEE_ONLY = [has_any_role(Role.CLIENTE_INTERNO)]
EMPLOYEE_OR_TECHNOLOGIST = [has_any_role(Role.CLIENTE_INTERNO, Role.TECNOLOGO)]
BOOKING_NOT_FOUND = "Cita no encontrada."
#: Dates a request may name.
FIRST_YEAR, LAST_YEAR = 2000, 2999


def _slots(slots) -> list[dict]:
    return SlotSerializer(slots, many=True).data


def _conflict(exc: services.SlotUnavailable) -> Response:
    body = {"detail": " ".join(exc.messages), "next_slots": _slots(exc.next_slots)}
    return Response(body, status=status.HTTP_409_CONFLICT)


def _own_hold(user, pk: int) -> InternalBooking | None:
    return (
        InternalBooking.objects.select_related(
            "appointment", "appointment__type", "appointment__technologist", "transaction_type"
        )
        .filter(pk=pk, employee=user)
        .first()
    )


def _day(request) -> dt.date:
    raw = request.query_params.get("date")
    if not raw:
        return timezone.localtime(timezone.now(), BOGOTA).date()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"date": ["Indique la fecha con el formato AAAA-MM-DD."]}) from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            {"date": [f"Fecha fuera de rango: entre {FIRST_YEAR} y {LAST_YEAR}."]}
        )
    return day


@extend_schema(tags=["cliente-interno"])
class SlotListView(APIView):
    permission_classes = EMPLOYEE_ONLY

    @extend_schema(
        operation_id="v1_cliente_interno_slots_list",
        parameters=[
            OpenApiParameter(
                "transaction_type", OpenApiTypes.STR, required=True, description="Código."
            ),
            OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="Día."),
        ],
        responses={
            200: SlotSerializer(many=True),
            400: OpenApiResponse(
                description="Fecha ausente o no válida; transacción que no existe o que no se "
                "agenda (financiación: solo presencial)."
            ),
        },
    )
    def get(self, request):
        """CI-01: the free slots of a day for video appointments of internal clients."""
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.transaction_type_check(query.validated_data["transaction_type"])
        slots = agenda.agenda_free_slots(
            appointment_type=services.appointment_type(), day=query.validated_data["date"]
        )
        return Response(_slots(slots))


@extend_schema(tags=["cliente-interno"])
class HoldCreateView(APIView):
    permission_classes = EMPLOYEE_ONLY

    @extend_schema(
        operation_id="v1_cliente_interno_holds_create",
        request=HoldCreateSerializer,
        responses={
            201: HoldSerializer,
            400: OpenApiResponse(description="Mensajes por campo: no es un horario de la agenda."),
            409: OpenApiResponse(
                ConflictSerializer, description="Otra persona tomó ese horario: los siguientes."
            ),
        },
    )
    def post(self, request):
        """CI-01: hold a free slot while the employee gives their data (``expires_at``)."""
        serializer = HoldCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        technologist = User.objects.filter(pk=data["technologist"], is_active=True).first()
        if technologist is None:
            raise ValidationError({"technologist": [services.NOT_A_TECHNOLOGIST]})
        try:
            booking = services.booking_hold(
                employee=request.user,
                transaction_type=data["transaction_type"],
                start=data["start"],
                technologist=technologist,
            )
        except services.SlotUnavailable as exc:
            return _conflict(exc)
        return Response(
            HoldSerializer(_own_hold(request.user, booking.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["cliente-interno"])
class HoldDeleteView(APIView):
    permission_classes = EMPLOYEE_ONLY

    @extend_schema(
        operation_id="v1_cliente_interno_holds_destroy",
        responses={
            204: None,
            404: OpenApiResponse(description="No existe o es de otra persona."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="La cita ya fue reservada."),
        },
    )
    def delete(self, request, pk: int):
        """The employee went back: the held slot returns to the agenda (a hold already
        expired or released is gone already: 204 too)."""
        booking = _own_hold(request.user, pk)
        if booking is None:
            raise NotFound(services.HOLD_MISSING)
        services.booking_release(booking=booking, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["cliente-interno"])
class BookingListCreateView(APIView):
    def get_permissions(self):
        classes = EMPLOYEE_ONLY if self.request.method == "POST" else EMPLOYEE_OR_TECHNOLOGIST
        return [permission() for permission in classes]

    @extend_schema(
        operation_id="v1_cliente_interno_bookings_list",
        parameters=[
            OpenApiParameter(
                "date",
                OpenApiTypes.DATE,
                description="Solo el tecnólogo: día (AAAA-MM-DD); por defecto, hoy.",
            )
        ],
        responses={200: BookingSerializer(many=True)},
    )
    def get(self, request):
        """An employee: their own reserved bookings, the latest first. A technologist: their
        internal-client appointments of a day, by hour, with who checked in."""
        user = request.user
        if user_has_role(user, Role.TECNOLOGO):
            bookings = selectors.technologist_day_bookings(user, _day(request))
        elif user_has_role(user, Role.CLIENTE_INTERNO):
            bookings = selectors.employee_bookings(user)
        else:
            raise PermissionDenied("Su rol no tiene acceso a este recurso.")
        context = {"request": request}
        return Response(BookingSerializer(bookings, many=True, context=context).data)

    @extend_schema(
        operation_id="v1_cliente_interno_bookings_create",
        request=BookingCreateSerializer,
        responses={
            201: BookingSerializer,
            400: OpenApiResponse(
                description="Mensajes por campo; sin aceptar los términos o sin autorizar el "
                "tratamiento de datos (Ley 1581 de 2012)."
            ),
            409: OpenApiResponse(
                ConflictSerializer, description="La reserva del horario venció: los siguientes."
            ),
        },
    )
    def post(self, request):
        """CI-01: reserve the held slot; the confirmation e-mail with the «Asistir a cita» link
        and the calendar invitation leaves from the internal-client mailbox."""
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        hold_id = data.pop("hold")
        terms, consent = data.pop("terms_accepted"), data.pop("data_consent")
        booking = _own_hold(request.user, hold_id)
        if booking is None:
            raise ValidationError({"hold": [services.HOLD_MISSING]})
        try:
            booking = services.booking_reserve(
                booking=booking,
                by=request.user,
                data=data,
                terms_accepted=terms,
                data_consent=consent,
            )
        except services.SlotUnavailable as exc:
            return _conflict(exc)
        fresh = selectors.booking_for_party(user=request.user, pk=booking.pk)
        return Response(
            BookingSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["cliente-interno"])
class BookingDetailView(APIView):
    permission_classes = EMPLOYEE_OR_TECHNOLOGIST

    @extend_schema(
        operation_id="v1_cliente_interno_bookings_retrieve",
        responses={
            200: BookingSerializer,
            404: OpenApiResponse(description="No existe o no es de quien pregunta."),
        },
    )
    def get(self, request, pk: int):
        """A booking, for its employee or its technologist."""
        booking = selectors.booking_for_party(user=request.user, pk=pk)
        if booking is None:
            raise NotFound(BOOKING_NOT_FOUND)
        return Response(BookingSerializer(booking, context={"request": request}).data)
