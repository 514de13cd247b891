"""REST API of condo administrators (2.6 step 1, COP-01), for the Contact Center's creador de
experiencia: book the administrator's appointment on a held slot, move or cancel it, list the
day's appointments, record a requirement solved on the phone. Validate, call a service or a
selector, serialize; the services' errors go through core's handler (400 / 409)."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from copropiedad import selectors, services
from copropiedad.serializers import (
    FIRST_YEAR,
    LAST_YEAR,
    AppointmentBookSerializer,
    AppointmentSerializer,
    BookingSerializer,
    PhoneSolutionResultSerializer,
    PhoneSolutionSerializer,
    RescheduleSerializer,
)
from core.models import Appointment
from core.permissions import has_any_role
from core.roles import Role

CREADOR_ONLY = [has_any_role(Role.CREADOR)]


def _day(request) -> dt.date:
    raw = request.query_params.get("date")
    if not raw:
        return timezone.localdate()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"date": ["Fecha no válida: use el formato AAAA-MM-DD."]}) from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            {"date": [f"Fecha fuera de rango: entre {FIRST_YEAR} y {LAST_YEAR}."]}
        )
    return day


@extend_schema(tags=["copropiedad"])
class AppointmentViewSet(viewsets.GenericViewSet):
    """COP-01: the appointments of condo administrators."""

    serializer_class = AppointmentSerializer
    permission_classes = CREADOR_ONLY
    pagination_class = None  # a day's agenda is short and read whole
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Appointment.objects.none()
        return selectors.appointment_list_for_user(user=self.request.user)

    def _appointment(self, pk) -> Appointment:
        return selectors.appointment_get_for_user(user=self.request.user, appointment_id=int(pk))

    def _answer(self, appointment: Appointment, code=status.HTTP_200_OK) -> Response:
        fresh = self._appointment(appointment.pk)  # as the list shows it (one query)
        return Response(AppointmentSerializer(fresh).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date", OpenApiTypes.DATE, description="Día (AAAA-MM-DD); por defecto, hoy."
            )
        ],
        responses={200: AppointmentSerializer(many=True)},
    )
    def list(self, request):
        """The day's appointments of this modality (every status), by start time."""
        day = _day(request)
        appointments = selectors.appointment_list_for_user(user=request.user, day=day)
        return Response(AppointmentSerializer(appointments, many=True).data)

    @extend_schema(
        request=AppointmentBookSerializer,
        responses={
            201: BookingSerializer,
            400: OpenApiResponse(
                description="Mensajes por campo; financiación o refinanciación: solo presencial."
            ),
            409: OpenApiResponse(description="La reserva del horario venció."),
        },
    )
    def create(self, request):
        """COP-01: register the administrator's requirement and confirm the held slot: the case
        opens assigned to the slot's technologist and the administrator gets the confirmation
        e-mail with the calendar invitation."""
        serializer = AppointmentBookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)

        case, appointment = services.condo_appointment_book(
            hold_id=data.pop("hold"), by=request.user, **data
        )
        fresh = self._appointment(appointment.pk)
        body = {"number": case.number, "case": case.pk, "appointment": fresh}
        return Response(BookingSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RescheduleSerializer,
        responses={
            200: AppointmentSerializer,
            400: OpenApiResponse(description="No es un horario de la agenda."),
            409: OpenApiResponse(description="Horario ocupado o cita no confirmada."),
        },
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move the appointment to another free slot: the same calendar UID, a higher SEQUENCE,
        and the updated invitation by e-mail."""
        appointment = self._appointment(pk)
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        moved = services.condo_appointment_reschedule(
            appointment=appointment, by=request.user, **serializer.validated_data
        )
        return self._answer(moved)

    @extend_schema(
        request=None,
        responses={
            200: AppointmentSerializer,
            409: OpenApiResponse(description="La cita ya no está confirmada."),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the appointment; the administrator gets the calendar's cancellation."""
        appointment = self._appointment(pk)

        cancelled = services.condo_appointment_cancel(appointment=appointment, by=request.user)
        return self._answer(cancelled)


@extend_schema(tags=["copropiedad"])
class PhoneSolutionViewSet(viewsets.GenericViewSet):
    """COP-01: requirements the Contact Center solved on the phone (closed at once)."""

    serializer_class = PhoneSolutionSerializer
    permission_classes = CREADOR_ONLY

    def get_queryset(self):
        return Appointment.objects.none()  # only "create"

    @extend_schema(
        request=PhoneSolutionSerializer,
        responses={
            201: PhoneSolutionResultSerializer,
            400: OpenApiResponse(
                description="Mensajes por campo; financiación o refinanciación: solo presencial."
            ),
        },
    )
    def create(self, request):
        """Register the requirement and close its case "cerrado con solución en primer
        contacto"; no appointment."""
        serializer = PhoneSolutionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        case = services.condo_phone_solution(by=request.user, **serializer.validated_data)
        body = {"number": case.number, "case": case.pk, "status": case.status}
        return Response(PhoneSolutionResultSerializer(body).data, status=status.HTTP_201_CREATED)
