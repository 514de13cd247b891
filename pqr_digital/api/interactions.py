"""REST API of the creador's inbox (2.7, PQR-01..06), under /api/v1/pqr-digital/: validate, call
a service, serialize. Every object goes through ``pqr_digital.interaction_selectors`` (NFR-02): an
interaction another creador took answers 404 like a missing one. Service errors become 400 per
field or 409 in ``core.api_errors``; a redirect of 2.7's rules is a 409 whose message says
where the user was sent (nothing created, the interaction closed and the message recorded)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.parsers import JSONBodyParser
from core.permissions import has_any_role
from core.roles import Role
from core.serializers import EvidenceSerializer
from pqr_digital import interaction_selectors as selectors
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.serializers import (
    CloseUnansweredSerializer,
    DigitalPqrSerializer,
    InteractionCreateSerializer,
    InteractionDetailSerializer,
    InteractionSerializer,
    InteractionUpdateSerializer,
    OutboundMessageSerializer,
    PqrCreateSerializer,
    ScreenshotSerializer,
)
from pqr_digital.services import interactions as services

CONFLICT = OpenApiResponse(description="El estado de la interacción no lo permite.")
BAD_INPUT = OpenApiResponse(description="Mensajes en español por campo.")


@extend_schema(tags=["pqr-digital"])
class InteractionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """PQR-01..06: the creadores' shared inbox. A creador sees the interactions they handle and
    the open ones nobody has taken; acting on one (completing it, asking for the data, filing
    the PQR, closing it) takes it."""

    serializer_class = InteractionSerializer
    permission_classes = [has_any_role(Role.CREADOR)]
    parser_classes = [JSONBodyParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Interaction.objects.none()
        user = self.request.user
        if self.action != "list":
            return selectors.interaction_scope_for_user(user=user)
        params = self.request.query_params
        status_filter, channel = params.get("status", ""), params.get("channel", "")
        if status_filter and status_filter not in Interaction.Status.values:
            raise ValidationError({"status": ["Estado no válido."]})
        if channel and channel not in DigitalChannel.values:
            raise ValidationError({"channel": ["Red o canal no válido."]})
        return selectors.interaction_list_for_user(
            user=user, status=status_filter or None, channel=channel or None
        )

    def _interaction(self, pk) -> Interaction:
        return selectors.interaction_get_for_user(user=self.request.user, interaction_id=pk)

    def _detail(self, interaction: Interaction, *, code=status.HTTP_200_OK) -> Response:
        """After a write: read it back through the scoped selector, with its messages."""
        interaction = self._interaction(interaction.pk)
        messages = selectors.interaction_messages(interaction=interaction)
        data = InteractionDetailSerializer(interaction, context={"messages": messages}).data
        return Response(data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=Interaction.Status.values,
                description="Estado; por defecto, las abiertas (más antiguas primero).",
            ),
            OpenApiParameter("channel", OpenApiTypes.STR, enum=DigitalChannel.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: InteractionDetailSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(self._interaction(pk))

    @extend_schema(
        request=InteractionCreateSerializer,
        responses={201: InteractionDetailSerializer, 400: BAD_INPUT},
    )
    def create(self, request):
        """PQR-01: register by hand a mention, a chat or a Contact Center call (group
        "Orientación a la factura"); ``missing`` lists the minimum data still to get."""
        serializer = InteractionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        interaction = services.interaction_register(by=request.user, **serializer.validated_data)
        return self._detail(interaction, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=InteractionUpdateSerializer,
        responses={200: InteractionDetailSerializer, 400: BAD_INPUT, 409: CONFLICT},
    )
    def partial_update(self, request, pk=None):
        """PQR-02: complete the minimum data as the user gives it (their answer to a request)."""
        interaction = self._interaction(pk)
        serializer = InteractionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        services.interaction_update(
            interaction=interaction, by=request.user, **serializer.validated_data
        )
        return self._detail(interaction)

    @extend_schema(
        operation_id="v1_pqr_digital_interactions_pqr_create",
        request=PqrCreateSerializer,
        responses={
            201: DigitalPqrSerializer,
            400: BAD_INPUT,
            409: OpenApiResponse(
                description="Una regla de 2.7 envía al usuario a otro canal (no se crea PQR ni "
                "contacto; la interacción queda cerrada y el mensaje registrado), o la "
                "interacción ya está cerrada."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def pqr(self, request, pk=None):
        """PQR-03..06: file the reclamo (after the sewerage and non-residential rules) and
        queue the message with the motive and the PQR number."""
        interaction = self._interaction(pk)
        serializer = PqrCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        case = services.interaction_pqr_create(
            interaction=interaction, by=request.user, **serializer.validated_data
        )
        filed = interaction.messages.filter(purpose=services.Purpose.FILED).first()
        data = DigitalPqrSerializer(case, context={"filed_message": filed}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_pqr_digital_interactions_request_info",
        request=None,
        responses={200: InteractionDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        """PQR-02: ask the user through the network's inbox for the missing minimum data."""
        interaction = self._interaction(pk)
        services.interaction_request_info(interaction=interaction, by=request.user)
        return self._detail(interaction)

    @extend_schema(
        operation_id="v1_pqr_digital_interactions_close_unanswered",
        request=CloseUnansweredSerializer,
        responses={200: InteractionDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="close-unanswered")
    def close_unanswered(self, request, pk=None):
        """PQR-02: close as not attended (the request went unanswered until the next day, or
        the user cannot receive messages)."""
        interaction = self._interaction(pk)
        serializer = CloseUnansweredSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        services.interaction_close_unanswered(
            interaction=interaction, by=request.user, **serializer.validated_data
        )
        return self._detail(interaction)

    @extend_schema(
        operation_id="v1_pqr_digital_interactions_screenshot",
        request={"multipart/form-data": ScreenshotSerializer},
        responses={201: EvidenceSerializer, 400: BAD_INPUT, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def screenshot(self, request, pk=None):
        """PQR-06: attach the screenshot of the chat or mention (with the message of the PQR
        number) to the PQR's evidence."""
        interaction = self._interaction(pk)
        serializer = ScreenshotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        evidence = services.interaction_screenshot_add(
            interaction=interaction, by=request.user, upload=serializer.validated_data["file"]
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_pqr_digital_interactions_message_sent",
        request=None,
        parameters=[OpenApiParameter("message_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: OutboundMessageSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path=r"messages/(?P<message_id>\d+)/sent")
    def message_sent(self, request, pk=None, message_id=None):
        """The creador sent a manual message by hand (copied into the network's console, or
        said in the call): recorded with who and when; again → 409."""
        interaction = self._interaction(pk)
        message = selectors.interaction_message_get(interaction=interaction, message_id=message_id)
        message = services.interaction_message_mark_sent(
            interaction=interaction, message=message, by=request.user
        )
        return Response(OutboundMessageSerializer(message).data)


router = SimpleRouter()
router.register("interactions", InteractionViewSet, basename="pqr-digital-interaction")

urlpatterns = router.urls
