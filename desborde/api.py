"""REST API of the overflow modalities (2.1 web form, 2.2 WhatsApp): validate, call a service,
serialize. Every list and object goes through the scoping helpers below (NFR-02): an object out
of the caller's scope answers 404 like a missing one."""

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import api_printing
from core.models import Case, EvidenceKind
from core.parsers import JSONBodyParser
from core.permissions import has_any_role
from core.roles import Role
from core.selectors import case_get_for_user
from desborde import selectors, services
from desborde.models import Intake, OutcomeProposal
from desborde.serializers import (
    IntakeCreateSerializer,
    IntakeSerializer,
    ProposalCreateSerializer,
    ProposalRespondSerializer,
    ProposalSerializer,
)

#: multipart field → kind of evidence it becomes on the case (WA-01).
PHOTO_FIELDS = {"photo_invoice": EvidenceKind.INVOICE_PHOTO, "photo_id": EvidenceKind.ID_PHOTO}
TRUE_VALUES = {"1", "true", "si", "sí", "yes"}


def _get_or_404(qs: QuerySet, pk, message: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(message)
    return obj


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").strip().lower() in TRUE_VALUES


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def _day(request) -> dt.date:
    raw = request.query_params.get("date")
    if not raw:
        return timezone.localdate()
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"date": ["Fecha no válida: use el formato AAAA-MM-DD."]}) from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        # The day's [start, end) range of 9999-12-31 ends past what a datetime holds.
        raise ValidationError(
            {"date": [f"Fecha fuera de rango: entre {FIRST_DAY:%Y} y {LAST_DAY:%Y}."]}
        )
    return day


# --- intakes -------------------------------------------------------------------------------


@extend_schema(tags=["desborde"])
class IntakeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """DF-01, DF-02, WA-01: the orientador registers overflow customers; orientador and
    asignador follow the intakes (case number, technologist, PQR numbers)."""

    serializer_class = IntakeSerializer
    parser_classes = [JSONBodyParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        if self.action == "create":
            return [has_any_role(Role.ORIENTADOR)()]
        return [has_any_role(Role.ORIENTADOR, Role.ASIGNADOR)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Intake.objects.none()
        qs = selectors.intake_scope_for_user(user=self.request.user)
        if self.action == "list":
            start = timezone.make_aware(dt.datetime.combine(_day(self.request), dt.time.min))
            qs = qs.filter(started_at__gte=start, started_at__lt=start + dt.timedelta(days=1))
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date", OpenApiTypes.DATE, description="Día (AAAA-MM-DD); por defecto, hoy."
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request={
            "application/json": IntakeCreateSerializer,
            "multipart/form-data": IntakeCreateSerializer,
        },
        responses={
            201: IntakeSerializer,
            200: OpenApiResponse(IntakeSerializer, description="Envío repetido (client_token)."),
            400: OpenApiResponse(description="Mensajes por campo."),
        },
    )
    def create(self, request):
        """Register an overflow customer and open the CRM case; it is assigned by the round
        robin once saved. Repeating a ``client_token`` returns the stored intake (200)."""
        serializer = IntakeCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        photos = [(kind, data.pop(field, None)) for field, kind in PHOTO_FIELDS.items()]

        intake, created = services.intake_create(
            orientador=request.user,
            photos=[(kind, upload) for kind, upload in photos if upload],
            **data,
        )
        if not created:  # the stored one, with its case as it is now
            intake = selectors.intake_scope_for_user(user=request.user).get(pk=intake.pk)
        # A new intake is answered from the objects just saved (no second read): its case
        # is open and waits for the round robin, which runs after the commit.
        return Response(
            IntakeSerializer(intake).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- actions of the assigned technologist on a case ----------------------------------------


@extend_schema(tags=["desborde"])
class OverflowCaseViewSet(viewsets.GenericViewSet):
    """WA-03: the assigned technologist proposes the outcome. The case must be visible to them
    (404 otherwise)."""

    lookup_url_kwarg = "case_id"
    lookup_value_regex = r"\d+"
    permission_classes = [has_any_role(Role.TECNOLOGO)]

    def get_queryset(self):
        return Case.objects.none()  # only detail actions, resolved through core's selector

    def _case(self) -> Case:
        return case_get_for_user(user=self.request.user, case_id=int(self.kwargs["case_id"]))

    @extend_schema(
        request=ProposalCreateSerializer,
        responses={201: ProposalSerializer, 409: OpenApiResponse(description="Estado del caso.")},
    )
    @action(detail=True, methods=["post"])
    def proposals(self, request, case_id=None):
        """WA-03: send the proposed outcome to the orientador."""
        case = self._case()
        serializer = ProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        proposal = services.outcome_propose(
            case=case, by=request.user, text=serializer.validated_data["text"]
        )
        proposal = selectors.proposal_list_for_user(user=request.user).get(pk=proposal.pk)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


# --- the orientador's side of WA-03 ----------------------------------------------


@extend_schema(tags=["desborde"])
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """WA-03: proposals waiting for (or with) the customer's answer."""

    serializer_class = ProposalSerializer
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        if self.action == "respond":
            return [has_any_role(Role.ORIENTADOR)()]
        return [has_any_role(Role.ORIENTADOR, Role.TECNOLOGO)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OutcomeProposal.objects.none()
        qs = selectors.proposal_list_for_user(
            user=self.request.user, answering=self.action == "respond"
        )
        if self.action == "list" and _flag(self.request, "pending"):
            qs = qs.filter(response=OutcomeProposal.Response.PENDING)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("pending", OpenApiTypes.BOOL, description="Solo las pendientes.")
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ProposalRespondSerializer,
        responses={200: ProposalSerializer, 409: OpenApiResponse(description="Ya respondida.")},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """WA-03: record whether the customer agrees with the proposed outcome."""
        proposal = _get_or_404(self.get_queryset(), pk, "Propuesta no encontrada.")
        serializer = ProposalRespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        services.outcome_respond(proposal=proposal, by=request.user, **serializer.validated_data)
        return Response(ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)


# --- WA-04: the print queue moved to core; its old paths answer for one more release ----------


@extend_schema(tags=["desborde"], deprecated=True)
class LegacyCasePrintJobViewSet(api_printing.CasePrintJobViewSet):
    """Obsoleto: use ``POST /api/v1/cases/{case_id}/print-jobs/``. The same view as core's,
    under its old path (``/api/v1/desborde/cases/{case_id}/print-jobs/``)."""


@extend_schema(tags=["desborde"], deprecated=True)
class LegacyPrintJobViewSet(api_printing.PrintJobViewSet):
    """Obsoleto: use ``/api/v1/print-jobs/``. The same view as core's, under its old path
    (``/api/v1/desborde/print-jobs/``)."""
