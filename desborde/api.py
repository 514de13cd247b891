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

from core.models import Case, EvidenceKind
from core.parsers import JSONBodyParser
from core.permissions import has_any_role
from core.roles import Role
from core.selectors import case_get_for_user
from core.serializers import EvidenceSerializer
from desborde import selectors, services
from desborde.models import Intake, OutcomeProposal, PrintJob
from desborde.serializers import (
    IntakeCreateSerializer,
    IntakeSerializer,
    PrintJobCreateSerializer,
    PrintJobSerializer,
    PrintStepSerializer,
    ProposalCreateSerializer,
    ProposalRespondSerializer,
    ProposalSerializer,
    ScanSerializer,
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
    """WA-03 / WA-04: the assigned technologist proposes the outcome and sends documents to the
    intake office's printer. The case must be visible to them (404 otherwise)."""

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

    @extend_schema(
        request={"multipart/form-data": PrintJobCreateSerializer},
        responses={201: PrintJobSerializer, 409: OpenApiResponse(description="Estado del caso.")},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="print-jobs",
        parser_classes=[MultiPartParser, FormParser],
    )
    def print_jobs(self, request, case_id=None):
        """WA-04: send a final document (factura, constancia…) to the office's print queue."""
        case = self._case()
        serializer = PrintJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        job = services.print_job_send(
            case=case,
            by=request.user,
            title=serializer.validated_data["title"],
            upload=serializer.validated_data["file"],
        )
        job = selectors.print_job_list_for_user(user=request.user).get(pk=job.pk)
        return Response(PrintJobSerializer(job).data, status=status.HTTP_201_CREATED)


# --- the orientador's side of WA-03 and WA-04 ----------------------------------------------


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


@extend_schema(tags=["desborde"])
class PrintJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """WA-04: the office's print queue; the orientador prints, verifies, collects signatures
    and fingerprints, uploads the scans and hands the documents over."""

    serializer_class = PrintJobSerializer
    lookup_value_regex = r"\d+"

    def get_permissions(self):
        if self.action in {"steps", "scans"}:
            return [has_any_role(Role.ORIENTADOR)()]
        return [has_any_role(Role.ORIENTADOR, Role.TECNOLOGO)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PrintJob.objects.none()
        working = self.action in {"steps", "scans"}
        qs = selectors.print_job_list_for_user(user=self.request.user, working=working)
        if self.action == "list" and not _flag(self.request, "include_handed"):
            qs = qs.filter(handed_at__isnull=True)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "include_handed",
                OpenApiTypes.BOOL,
                description="Incluir los documentos ya entregados al cliente.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _job(self, pk) -> PrintJob:
        return _get_or_404(self.get_queryset(), pk, "Documento no encontrado.")

    @extend_schema(
        request=PrintStepSerializer,
        responses={200: PrintJobSerializer, 409: OpenApiResponse(description="Orden de pasos.")},
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        """Mark a step: impreso → verificado (firmas, huellas) → entregado."""
        job = self._job(pk)
        serializer = PrintStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        services.print_job_update(job=job, by=request.user, **serializer.validated_data)
        return Response(PrintJobSerializer(self._job(pk)).data)

    @extend_schema(
        request={"multipart/form-data": ScanSerializer},
        responses={201: EvidenceSerializer, 409: OpenApiResponse(description="Sin verificar.")},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def scans(self, request, pk=None):
        """Upload the signed, scanned document to the case's evidence."""
        job = self._job(pk)
        serializer = ScanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        evidence = services.print_job_scan(
            job=job, by=request.user, upload=serializer.validated_data["file"]
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
