"""REST API of the office print queue (WA-04, CEL-04, AL-04, BAL-04): validate, call a service or
a selector, serialize. ``/api/v1/cases/{case_id}/print-jobs/`` sends a document of any case the
technologist is assigned; ``/api/v1/print-jobs/`` is the caller's office queue. Every object goes
through ``core.selectors`` (NFR-02): out of scope answers 404 like missing. Service errors become
400 / 409 in ``core.api_errors``."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import selectors
from core.models import Office, Printer, PrintJob, PrintStep
from core.permissions import has_any_role
from core.roles import PRINT_QUEUE_ROLES, Role
from core.serializers import EvidenceSerializer
from core.services import printing

REQUIRED = {"required": "Este campo es obligatorio.", "null": "Este campo es obligatorio."}
TRUE_VALUES = {"1", "true", "si", "sí", "yes"}


# --- serializers ---------------------------------------------------------------------------


class PrintJobCreateSerializer(serializers.Serializer):
    """What the technologist sends; without ``office`` / ``printer`` the document goes to the
    first active printer of the case's supported office."""

    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    file = serializers.FileField(
        allow_empty_file=True,  # the service explains an empty file
        error_messages={**REQUIRED, "invalid": "Adjunte el documento."},
    )
    office = serializers.PrimaryKeyRelatedField(
        queryset=Office.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "does_not_exist": "La oficina no existe.",
            "incorrect_type": "Indique la oficina por su identificador.",
        },
        help_text="Oficina a cuya cola va el documento; por defecto, la oficina a la que se "
        "apoya el caso.",
    )
    printer = serializers.PrimaryKeyRelatedField(
        queryset=Printer.objects.select_related("office"),
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "does_not_exist": "La impresora no existe.",
            "incorrect_type": "Indique la impresora por su identificador.",
        },
        help_text="Impresora activa de la oficina; por defecto, la primera activa.",
    )


class PrintStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(
        choices=PrintStep.choices,
        error_messages={**REQUIRED, "invalid_choice": "Paso no válido."},
    )
    signatures = serializers.BooleanField(default=False)
    fingerprints = serializers.BooleanField(default=False)


class ScanSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        error_messages={**REQUIRED, "invalid": "Adjunte el documento escaneado."},
    )


class PrintJobSerializer(serializers.ModelSerializer):
    """A document in an office's print queue and the office's steps on it."""

    office_name = serializers.CharField(source="office.name", read_only=True)
    printer_name = serializers.CharField(source="printer.name", read_only=True)
    case_id = serializers.IntegerField(read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    customer_name = serializers.CharField(source="case.customer.full_name", read_only=True)
    document_url = serializers.SerializerMethodField()
    sent_by = serializers.SerializerMethodField()

    class Meta:
        model = PrintJob
        fields = [
            "id",
            "office",
            "office_name",
            "printer",
            "printer_name",
            "case_id",
            "case_number",
            "customer_name",
            "title",
            "document",
            "document_url",
            "sent_by",
            "sent_at",
            "printed_at",
            "belongs_confirmed",
            "signatures_taken",
            "fingerprints_taken",
            "handed_at",
        ]
        read_only_fields = fields

    def get_document_url(self, obj: PrintJob) -> str:
        return reverse("core:evidence_download", args=[obj.document_id])

    def get_sent_by(self, obj: PrintJob) -> str:
        return str(obj.sent_by)


# --- views ---------------------------------------------------------------------------------


@extend_schema(tags=["impresión"])
class CasePrintJobViewSet(viewsets.GenericViewSet):
    """The assigned technologist sends a final document of a case (of any modality) to an
    office's print queue. The case must be visible to them (404 otherwise)."""

    permission_classes = [has_any_role(Role.TECNOLOGO)]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = PrintJobCreateSerializer

    def get_queryset(self):
        return PrintJob.objects.none()  # the case is resolved through core's selector

    @extend_schema(
        request={"multipart/form-data": PrintJobCreateSerializer},
        responses={
            201: PrintJobSerializer,
            400: OpenApiResponse(description="Mensajes por campo (p. ej. sin impresora)."),
            409: OpenApiResponse(description="No es el tecnólogo asignado o el caso está cerrado."),
        },
    )
    def create(self, request, case_id=None):
        """Send a final document (factura, constancia…) to the office's print queue."""
        case = selectors.case_get_for_user(user=request.user, case_id=int(case_id))
        serializer = PrintJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        job = printing.print_job_send(
            case=case,
            by=request.user,
            title=data["title"],
            upload=data["file"],
            office=data["office"],
            printer=data["printer"],
        )
        job = selectors.print_job_list_for_user(user=request.user).get(pk=job.pk)
        return Response(PrintJobSerializer(job).data, status=status.HTTP_201_CREATED)


#: ``POST /api/v1/cases/{case_id}/print-jobs/`` (and its old desborde path).
case_print_job_send = CasePrintJobViewSet.as_view({"post": "create"})


@extend_schema(tags=["impresión"])
class PrintJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The office's print queue: the orientador or encargado prints, verifies, collects
    signatures and fingerprints, uploads the scans and hands the documents over; the
    technologist follows the documents of the cases assigned to them."""

    serializer_class = PrintJobSerializer
    lookup_value_regex = r"\d+"
    working_actions = {"steps", "scans"}

    def get_permissions(self):
        if self.action in self.working_actions:
            return [has_any_role(*PRINT_QUEUE_ROLES)()]
        return [has_any_role(*PRINT_QUEUE_ROLES, Role.TECNOLOGO)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return PrintJob.objects.none()
        qs = selectors.print_job_list_for_user(
            user=self.request.user, working=self.action in self.working_actions
        )
        include_handed = self.request.query_params.get("include_handed", "").strip().lower()
        if self.action == "list" and include_handed not in TRUE_VALUES:
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
        job = self.get_queryset().filter(pk=pk).first()
        if job is None:
            raise Http404("Documento no encontrado.")
        return job

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

        printing.print_job_update(job=job, by=request.user, **serializer.validated_data)
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

        evidence = printing.print_job_scan(
            job=job, by=request.user, upload=serializer.validated_data["file"]
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
