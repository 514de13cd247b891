"""REST API of the notification authorisation (CORE-13) and the constancia del contenido de la
reclamación (COP-03, CI-05), for any modality's PQR:

- ``POST /api/v1/cases/{case_id}/notification-authorisation/``: record how the customer is to be
  notified of the decision (e-mail with express consent, SMS citation, physical address);
- ``POST /api/v1/cases/{case_id}/constancia/``: generate the PDF and queue its e-mail from the
  modality's mailbox.

The assigned technologist only: other roles 403, a case out of the caller's scope 404 (through
``core.selectors``), another state of the case 409. Service errors become 400 / 409 in
``core.api_errors``."""

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selectors
from core.api_turn_case import REQUIRED, text_field
from core.models import Case, Constancia, NotificationMedium
from core.permissions import has_any_role
from core.roles import Role
from core.services.constancia import case_notification_authorise, constancia_send

# --- serializers ---------------------------------------------------------------------------


class NotificationAuthorisationSerializer(serializers.Serializer):
    """What the customer authorised (CORE-13); the service checks the medium's data."""

    medium = serializers.ChoiceField(
        choices=NotificationMedium.choices,
        error_messages={
            **REQUIRED,
            "invalid_choice": "Medio de notificación no válido: use «email» (correo "
            "electrónico), «sms» (celular) o «direccion» (dirección física).",
        },
    )
    email = text_field(254)
    email_consent = serializers.BooleanField(
        default=False,
        error_messages={"invalid": "Indique si el cliente autoriza expresamente (sí o no)."},
        help_text="El cliente autoriza expresamente la notificación por correo electrónico.",
    )
    mobile = text_field(30)
    address = text_field(200)


class CaseNotificationSerializer(serializers.ModelSerializer):
    """A case's recorded authorisation, under the request's field names."""

    medium = serializers.CharField(source="notification_medium", read_only=True)
    medium_display = serializers.CharField(source="get_notification_medium_display", read_only=True)
    email = serializers.CharField(source="notification_email", read_only=True)
    email_consent = serializers.BooleanField(source="notification_email_consent", read_only=True)
    mobile = serializers.CharField(source="notification_mobile", read_only=True)
    address = serializers.CharField(source="notification_address", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "medium",
            "medium_display",
            "email",
            "email_consent",
            "mobile",
            "address",
        ]
        read_only_fields = fields


class ConstanciaSerializer(serializers.ModelSerializer):
    """A constancia: its PDF (an evidence of the case), its e-mail and whether it left."""

    case = serializers.IntegerField(source="case_id", read_only=True)
    evidence = serializers.IntegerField(source="evidence_id", read_only=True)
    notification = serializers.IntegerField(source="notification_id", read_only=True)
    status = serializers.CharField(source="notification.status", read_only=True)
    recipient = serializers.CharField(source="notification.recipient", read_only=True)
    sender = serializers.CharField(source="notification.sender", read_only=True)
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = Constancia
        fields = [
            "id",
            "case",
            "evidence",
            "notification",
            "status",
            "medium",
            "recipient",
            "sender",
            "document_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_document_url(self, obj: Constancia) -> str:
        return reverse("core:evidence_download", args=[obj.evidence_id])


# --- views ---------------------------------------------------------------------------------


class CaseNotificationAuthorisationView(APIView):
    """CORE-13: the assigned technologist records the customer's authorised notification
    medium on an open PQR (e-mail needs the express consent)."""

    permission_classes = [has_any_role(Role.TECNOLOGO)]

    @extend_schema(
        tags=["constancia"],
        request=NotificationAuthorisationSerializer,
        responses={
            200: CaseNotificationSerializer,
            400: OpenApiResponse(
                description="Mensajes por campo (p. ej. correo sin autorización)."
            ),
            409: OpenApiResponse(description="No es el tecnólogo asignado o el caso está cerrado."),
        },
    )
    def post(self, request, case_id: int):
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        serializer = NotificationAuthorisationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        case = case_notification_authorise(case=case, by=request.user, **serializer.validated_data)
        return Response(CaseNotificationSerializer(case).data)


class CaseConstanciaView(APIView):
    """COP-03 / CI-05: generate the constancia del contenido de la reclamación and e-mail it to
    the customer from the modality's mailbox; ``status`` says whether it left already."""

    permission_classes = [has_any_role(Role.TECNOLOGO)]

    @extend_schema(
        tags=["constancia"],
        request=None,
        responses={
            201: ConstanciaSerializer,
            400: OpenApiResponse(description="Sin autorización de notificación, motivo o correo."),
            409: OpenApiResponse(
                description="No es el tecnólogo asignado, el caso está cerrado "
                "o ya hay una constancia esperando el envío."
            ),
        },
    )
    def post(self, request, case_id: int):
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)

        constancia = constancia_send(case=case, by=request.user)
        return Response(ConstanciaSerializer(constancia).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "cases/<int:case_id>/notification-authorisation/",
        CaseNotificationAuthorisationView.as_view(),
        name="case-notification-authorisation",
    ),
    path(
        "cases/<int:case_id>/constancia/",
        CaseConstanciaView.as_view(),
        name="case-constancia",
    ),
]
