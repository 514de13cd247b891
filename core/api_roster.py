"""REST API of the support roster (CEL-01) and the start-of-shift check (CEL-03 step 3), under
``/api/v1/``: validate, call a service or a selector, serialize (NFR-04).

- ``GET /technologists/``: the technologists of the caller's unit, with whether they are
  available today — for the unit's gestores and asignadores;
- ``GET /roster/`` (``?day=``, ``?office=``, ``?technologist=``, ``?modality=``): entries in the
  caller's scope (gestor/asignador: the unit; technologist: their own); ``GET /roster/{id}/``;
- ``POST /roster/``: a gestor rosters a technologist of their unit into an office of their
  unit (201; 400 with the service's Spanish message, e.g. the office's cap);
- ``DELETE /roster/{id}/``: a gestor, an entry of their unit (else 404);
- ``POST /shift-checks/``: the calling technologist's check of today (201 the first time, 200
  when confirmed again), with ``video_ok`` for the video modalities (AL-02);
  ``GET /shift-checks/`` (``?day=``) in the caller's scope.

Objects out of scope answer 404 like missing ones (NFR-02); service errors become 400 in
``core.api_errors``."""

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.models import Office, RemoteModality, RosterEntry, ShiftCheck, User, WorkMode
from core.permissions import has_any_role
from core.roles import Role
from core.selectors import roster as roster_selectors
from core.services import roster as roster_services
from core.services.roster.shift_checks import VIDEO_REQUIRED

REQUIRED = {"required": "Este campo es obligatorio.", "null": "Este campo es obligatorio."}
DATE_ERRORS = {**REQUIRED, "invalid": "Indique la fecha con el formato AAAA-MM-DD."}


# --- serializers ---------------------------------------------------------------------------


class TechnologistSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    home_office_name = serializers.CharField(
        source="home_office.name", read_only=True, default=None, allow_null=True
    )
    work_mode = serializers.ChoiceField(choices=WorkMode.choices, read_only=True, allow_blank=True)
    available_today = serializers.BooleanField(source="available", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "home_office",
            "home_office_name",
            "work_mode",
            "available_today",
        ]
        read_only_fields = fields

    def get_name(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class RosterEntrySerializer(serializers.ModelSerializer):
    technologist_name = serializers.SerializerMethodField()
    office_name = serializers.CharField(source="office.name", read_only=True)
    modality = serializers.ChoiceField(choices=RemoteModality.choices, read_only=True)
    modality_display = serializers.CharField(source="get_modality_display", read_only=True)
    shift_check_done = serializers.BooleanField(read_only=True)

    class Meta:
        model = RosterEntry
        fields = [
            "id",
            "day",
            "technologist",
            "technologist_name",
            "office",
            "office_name",
            "modality",
            "modality_display",
            "shift_check_done",
            "created_at",
        ]
        read_only_fields = fields

    def get_technologist_name(self, obj: RosterEntry) -> str:
        return obj.technologist.get_full_name() or obj.technologist.username


@extend_schema_field(OpenApiTypes.INT)
class _ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id resolved in the caller's scope: another unit's technologist or office does not
    exist for them (NFR-02)."""

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.scope(None)
        return self.scope(request.user)


class RosterEntryCreateSerializer(serializers.Serializer):
    day = serializers.DateField(error_messages=DATE_ERRORS)
    technologist = _ScopedPrimaryKeyField(
        scope=lambda user: (
            User.objects.none()
            if user is None
            else roster_selectors.roster_technologists_programmable(user=user)
        ),
        error_messages={
            **REQUIRED,
            "does_not_exist": "El tecnólogo no existe o no es de su unidad.",
            "incorrect_type": "Indique el tecnólogo por su identificador.",
        },
    )
    office = _ScopedPrimaryKeyField(
        scope=lambda user: (
            Office.objects.none()
            if user is None
            else roster_selectors.roster_offices_programmable(user=user)
        ),
        error_messages={
            **REQUIRED,
            "does_not_exist": "La oficina no existe o no es de su unidad.",
            "incorrect_type": "Indique la oficina por su identificador.",
        },
    )
    modality = serializers.ChoiceField(
        choices=RemoteModality.choices,
        error_messages={**REQUIRED, "invalid_choice": "Modalidad de apoyo no válida."},
    )


class ShiftCheckCreateSerializer(serializers.Serializer):
    audio = serializers.BooleanField(
        error_messages={**REQUIRED, "invalid": "Responda sí o no."},
        help_text="El audio del equipo funciona.",
    )
    printer = serializers.BooleanField(
        error_messages={**REQUIRED, "invalid": "Responda sí o no."},
        help_text="La impresora de la oficina que apoya está configurada en el equipo.",
    )
    video_ok = serializers.BooleanField(
        required=False,
        error_messages={"invalid": "Responda sí o no."},
        help_text="AL-02 (asesor en línea, balanceo): la cámara (video) del equipo funciona. "
        "Opcional; si se envía debe ser verdadero. Una verificación posterior sin este campo "
        "conserva el video ya confirmado ese día.",
    )

    def validate_video_ok(self, value: bool) -> bool:
        if value is not True:  # the service's rule, under the API's field name
            raise serializers.ValidationError(VIDEO_REQUIRED)
        return value


class ShiftCheckSerializer(serializers.ModelSerializer):
    technologist_name = serializers.SerializerMethodField()
    audio = serializers.BooleanField(source="audio_ok", read_only=True)
    printer = serializers.BooleanField(source="printer_ok", read_only=True)

    class Meta:
        model = ShiftCheck
        fields = [
            "id",
            "technologist",
            "technologist_name",
            "day",
            "audio",
            "printer",
            "video_ok",
            "checked_at",
        ]
        read_only_fields = fields

    def get_technologist_name(self, obj: ShiftCheck) -> str:
        return obj.technologist.get_full_name() or obj.technologist.username


# --- views ---------------------------------------------------------------------------------


def _day_param(request) -> dt.date | None:
    raw = request.query_params.get("day", "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise DRFValidationError({"day": ["Indique la fecha con el formato AAAA-MM-DD."]}) from exc


DAY_PARAM = OpenApiParameter("day", OpenApiTypes.DATE, description="Solo ese día (AAAA-MM-DD).")


@extend_schema(tags=["programación de apoyos"])
class TechnologistViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The technologists the gestor de equipo can roster (CORE-02): their unit's, with whether
    each is available today."""

    serializer_class = TechnologistSerializer
    permission_classes = [has_any_role(Role.GESTOR, Role.ASIGNADOR)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return User.objects.none()
        return roster_selectors.technologist_list_for_user(user=self.request.user)

    @extend_schema(operation_id="v1_technologists_list")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["programación de apoyos"])
class RosterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The support roster (CEL-01): who supports which office, on which day, in which
    modality."""

    serializer_class = RosterEntrySerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["office", "technologist", "modality"]

    def get_permissions(self):
        if self.action in {"create", "destroy"}:
            return [has_any_role(Role.GESTOR)()]
        return [has_any_role(Role.GESTOR, Role.ASIGNADOR, Role.TECNOLOGO)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return RosterEntry.objects.none()
        day = _day_param(self.request) if self.action == "list" else None
        return roster_selectors.roster_list_for_user(user=self.request.user, day=day)

    def get_object(self):
        return roster_selectors.roster_entry_get_for_user(
            user=self.request.user, entry_id=int(self.kwargs["pk"])
        )

    @extend_schema(operation_id="v1_roster_list", parameters=[DAY_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(operation_id="v1_roster_retrieve")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        operation_id="v1_roster_create",
        request=RosterEntryCreateSerializer,
        responses={
            201: RosterEntrySerializer,
            400: OpenApiResponse(
                description="Mensajes por campo: tecnólogo no disponible, oficina con el "
                "máximo de apoyos, ya programado…"
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Roster a technologist of the unit into an office of the unit; they get an e-mail."""
        serializer = RosterEntryCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        entry = roster_services.roster_entry_add(by=request.user, **serializer.validated_data)
        entry = roster_selectors.roster_list_for_user(user=request.user).get(pk=entry.pk)
        return Response(RosterEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_roster_destroy",
        responses={204: None, 400: OpenApiResponse(description="Un día que ya pasó.")},
    )
    def destroy(self, request, *args, **kwargs):
        """Remove an entry of the unit; the technologist is told their new offices of the day."""
        entry = roster_selectors.roster_entry_get_for_manage(
            user=request.user, entry_id=int(self.kwargs["pk"])
        )
        roster_services.roster_entry_delete(entry=entry, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["programación de apoyos"])
class ShiftCheckViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The start-of-shift check (CEL-03 step 3, AL-02): audio, the supported office's printer
    and, for the video modalities, the camera."""

    serializer_class = ShiftCheckSerializer

    def get_permissions(self):
        if self.action == "create":
            return [has_any_role(Role.TECNOLOGO)()]
        return [has_any_role(Role.GESTOR, Role.ASIGNADOR, Role.TECNOLOGO)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return ShiftCheck.objects.none()
        return roster_selectors.shift_check_list_for_user(
            user=self.request.user, day=_day_param(self.request)
        )

    @extend_schema(operation_id="v1_shift_checks_list", parameters=[DAY_PARAM])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="v1_shift_checks_create",
        request=ShiftCheckCreateSerializer,
        responses={
            201: ShiftCheckSerializer,
            200: ShiftCheckSerializer,
            400: OpenApiResponse(
                description="Falta confirmar el audio, la impresora o (si se envía) el video."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Record today's check of the caller: 201 the first time, 200 when confirmed again."""
        serializer = ShiftCheckCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        today = roster_selectors.roster_today()
        existed = (
            roster_selectors.shift_check_list_for_user(user=request.user, day=today)
            .filter(technologist=request.user)
            .exists()
        )
        check = roster_services.shift_check_record(
            technologist=request.user,
            audio=serializer.validated_data["audio"],
            printer=serializer.validated_data["printer"],
            video=serializer.validated_data.get("video_ok"),
            day=today,
        )
        return Response(
            ShiftCheckSerializer(check).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


router = SimpleRouter()
router.register("technologists", TechnologistViewSet, basename="technologist")
router.register("roster", RosterViewSet, basename="roster")
router.register("shift-checks", ShiftCheckViewSet, basename="shiftcheck")

urlpatterns = router.urls
