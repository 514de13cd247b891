"""REST API of the agenda (issue 13), under ``/api/v1/agenda/``: validate, call a service or a
selector, serialize. Shared by every modality that books appointments.

- ``GET /agenda/slots/?type=<code>&date=AAAA-MM-DD``: the free slots of that day (Bogotá), each
  with its technologist; the caller books one by posting it back unchanged;
- ``POST /agenda/holds/`` ``{"type", "start", "technologist"}``: hold that slot for
  ``AGENDA_HOLD_MINUTES`` (201); 409 when someone holds or booked it in the meantime, 400 when
  it is not a slot of the agenda;
- ``DELETE /agenda/holds/{id}/``: give the hold back (204); only its creator (404 for anyone
  else, like a missing one).

Who books is the modality's business: ``BOOKING_ROLES`` maps each modality to the roles that book
its appointment types. Other roles get 403; a type of a modality the caller does not book does
not exist for them (400). Service errors become 400 / 409 in ``core.api_errors``."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ProtocolConflict
from core.models import Appointment, AppointmentStatus, AppointmentType, Modality
from core.roles import Role, user_roles
from core.selectors import agenda as agenda_selectors
from core.services import agenda as agenda_services

#: Modality → roles that book its appointments. 2.6: the Contact Center's creador books for the
#: condo administrator on the phone.
BOOKING_ROLES: dict[str, tuple[str, ...]] = {
    Modality.COPROPIEDAD: (Role.CREADOR,),
    # 2.8: the employee books their own video appointment (CI-01).
    Modality.CLIENTE_INTERNO: (Role.CLIENTE_INTERNO,),
}

REQUIRED = {"required": "Este campo es obligatorio.", "null": "Este campo es obligatorio."}
TYPE_ERRORS = {
    **REQUIRED,
    "does_not_exist": "No existe ese tipo de cita.",
    "invalid": "Indique el tipo de cita por su código.",
}
DATE_ERRORS = {**REQUIRED, "invalid": "Indique la fecha con el formato AAAA-MM-DD."}
START_ERRORS = {
    **REQUIRED,
    "invalid": "Indique el inicio tal como lo da la lista de horarios (AAAA-MM-DDTHH:MM-05:00).",
    "overflow": "Ese horario no está en la agenda de citas.",
    "make_aware": "Indique el inicio con su zona horaria (-05:00).",
}
NOT_A_TECHNOLOGIST = "Ese tecnólogo no atiende este tipo de cita."
HOLD_CONFIRMED = "La cita ya fue confirmada: cancélela en lugar de liberar el horario."


def bookable_modalities(user) -> set[str] | None:
    """The modalities whose appointments ``user`` books (None: all, for a superuser)."""
    if user.is_superuser:
        return None
    roles = user_roles(user)
    return {modality for modality, allowed in BOOKING_ROLES.items() if roles & set(allowed)}


class CanBook(BasePermission):
    """A role that books the appointments of some modality (``BOOKING_ROLES``)."""

    message = "Su rol no tiene acceso a este recurso."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and bookable_modalities(user) != set())


# --- serializers ---------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class AppointmentTypeField(serializers.SlugRelatedField):
    """An appointment type by its code, among those the caller books."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", error_messages=TYPE_ERRORS, **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return AppointmentType.objects.none()
        return agenda_selectors.appointment_types_bookable(
            modalities=bookable_modalities(request.user)
        )


class StartField(serializers.DateTimeField):
    """A slot's start; a date at the edge of Python's range (a naive 9999-12-31T23:59) is "not
    in the agenda" (400), not an OverflowError while DRF makes it aware (500)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", START_ERRORS)
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")


class SlotQuerySerializer(serializers.Serializer):
    type = AppointmentTypeField(help_text="Código del tipo de cita (p. ej. copropiedad).")
    date = serializers.DateField(error_messages=DATE_ERRORS, help_text="Día (AAAA-MM-DD).")


class SlotSerializer(serializers.Serializer):
    """A free slot; post ``type``, ``start`` and ``technologist`` back to hold it."""

    type = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    technologist = serializers.IntegerField(source="technologist_id")
    technologist_name = serializers.CharField()


class HoldCreateSerializer(serializers.Serializer):
    type = AppointmentTypeField(help_text="Código del tipo de cita, como lo da el horario.")
    start = StartField(help_text="Inicio, como lo da el horario.")
    technologist = serializers.IntegerField(
        min_value=1,
        error_messages={
            **REQUIRED,
            "invalid": "Indique el tecnólogo por su identificador.",
            "min_value": "Indique el tecnólogo por su identificador.",
            "max_string_length": "Indique el tecnólogo por su identificador.",
        },
        help_text="Identificador del tecnólogo, como lo da el horario.",
    )

    def validate(self, attrs):
        """The technologist is one of the type's (anyone else is no slot of its agenda)."""
        technologist = (
            attrs["type"].technologists.filter(is_active=True, pk=attrs["technologist"]).first()
        )
        if technologist is None:
            raise serializers.ValidationError({"technologist": NOT_A_TECHNOLOGIST})
        return {**attrs, "technologist": technologist}


class HoldSerializer(serializers.ModelSerializer):
    """A booking: while ``retenida`` it holds its slot until ``expires_at``."""

    type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    technologist_name = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(source="held_until", read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "type",
            "start",
            "end",
            "technologist",
            "technologist_name",
            "status",
            "expires_at",
        ]
        read_only_fields = fields

    def get_technologist_name(self, obj: Appointment) -> str:
        return obj.technologist.get_full_name() or obj.technologist.username


# --- views ---------------------------------------------------------------------------------


@extend_schema(tags=["agenda"])
class SlotListView(APIView):
    permission_classes = [CanBook]

    @extend_schema(
        operation_id="v1_agenda_slots_list",
        parameters=[
            OpenApiParameter("type", OpenApiTypes.STR, required=True, description="Código."),
            OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="Día."),
        ],
        responses={
            200: SlotSerializer(many=True),
            400: OpenApiResponse(
                description="Fecha ausente o no válida, tipo de cita que no existe."
            ),
        },
    )
    def get(self, request):
        """The free slots of a day for an appointment type: its technologists' hours without
        holidays, past slots, days beyond its horizon and taken slots."""
        query = SlotQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        appointment_type = query.validated_data["type"]
        slots = agenda_services.agenda_free_slots(
            appointment_type=appointment_type, day=query.validated_data["date"]
        )
        rows = [
            {
                "type": appointment_type.code,
                "start": slot.start,
                "end": slot.end,
                "technologist_id": slot.technologist_id,
                "technologist_name": slot.technologist_name,
            }
            for slot in slots
        ]
        return Response(SlotSerializer(rows, many=True).data)


@extend_schema(tags=["agenda"])
class HoldCreateView(APIView):
    permission_classes = [CanBook]

    @extend_schema(
        operation_id="v1_agenda_holds_create",
        request=HoldCreateSerializer,
        responses={
            201: HoldSerializer,
            400: OpenApiResponse(description="Mensajes por campo: no es un horario de la agenda."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="Otra persona tomó ese horario."),
        },
    )
    def post(self, request):
        """Hold a free slot for a few minutes while the booking is completed."""
        serializer = HoldCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hold = agenda_services.agenda_hold(
            appointment_type=data["type"],
            start=data["start"],
            technologist=data["technologist"],
            by=request.user,
        )
        hold = agenda_selectors.hold_get_for_user(user=request.user, hold_id=hold.pk)
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["agenda"])
class HoldDetailView(APIView):
    permission_classes = [CanBook]

    @extend_schema(
        operation_id="v1_agenda_holds_destroy",
        responses={
            204: None,
            404: OpenApiResponse(description="No existe o la hizo otra persona."),
            409: OpenApiResponse(OpenApiTypes.OBJECT, description="La cita ya fue confirmada."),
        },
    )
    def delete(self, request, hold_id: int):
        """Give a hold back (the caller went back); a hold already expired or released is
        gone already (204 too)."""
        hold = agenda_selectors.hold_get_for_user(user=request.user, hold_id=hold_id)
        if not agenda_services.agenda_release(hold_id=hold.pk):
            hold.refresh_from_db(fields=["status"])
            if hold.status not in (AppointmentStatus.CANCELADA, AppointmentStatus.VENCIDA):
                raise ProtocolConflict(HOLD_CONFIRMED)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("agenda/slots/", SlotListView.as_view(), name="api_agenda_slots"),
    path("agenda/holds/", HoldCreateView.as_view(), name="api_agenda_holds"),
    path("agenda/holds/<int:hold_id>/", HoldDetailView.as_view(), name="api_agenda_hold"),
]
