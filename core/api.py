from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import selectors
from core.api_auth import ScopedThrottle, SpanishThrottleMixin
from core.models import Case, Customer
from core.permissions import has_any_role
from core.roles import (
    CUSTOMER_ROLES,
    EVIDENCE_ROLES,
    REASSIGN_ROLES,
    STAFF_ROLES,
    Role,
    can_see_personal_data,
)
from core.serializers import (
    AttemptCreateSerializer,
    BulkReassignSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CloseSerializer,
    ContactAttemptSerializer,
    CustomerContactUpdateSerializer,
    CustomerSerializer,
    EvidenceCreateSerializer,
    EvidenceSerializer,
    OfficeSerializer,
    ReassignSerializer,
    TransactionTypeSerializer,
)
from core.services import calls, cases, closing
from core.services.assignment import case_reassign, cases_reassign_bulk
from core.services.customers import customer_contact_update


class OfficeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OfficeSerializer
    permission_classes = [has_any_role(*STAFF_ROLES)]
    filterset_fields = ["unit", "zone", "has_orientador"]

    def get_queryset(self):
        return selectors.office_list()


class TransactionTypeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TransactionTypeSerializer
    permission_classes = [has_any_role(*STAFF_ROLES)]
    filterset_fields = ["kind", "eligible_overflow", "presencial_only"]

    def get_queryset(self):
        return selectors.transaction_type_list()


@extend_schema(
    parameters=[
        OpenApiParameter("document_type", str, description="Con document_number: buscar contacto"),
        OpenApiParameter("document_number", str),
    ]
)
class CustomerViewSet(SpanishThrottleMixin, viewsets.ReadOnlyModelViewSet):
    """Contacts of the caller's cases; orientadores and creadores may look one up by document
    (throttled: ``contact_lookup`` rate), and see of a contact outside their cases only that it
    exists and its name (NFR-02). The assigned technologist updates the contact data."""

    serializer_class = CustomerSerializer
    permission_classes = [has_any_role(*CUSTOMER_ROLES)]
    throttle_scope = "contact_lookup"

    def get_permissions(self):
        if self.action == "contact":
            return [has_any_role(Role.TECNOLOGO)()]
        return super().get_permissions()

    def _lookup(self) -> tuple[str, str] | None:
        params = self.request.query_params
        doc_type, doc_number = params.get("document_type"), params.get("document_number")
        if self.action == "list" and doc_type and doc_number:
            return doc_type, doc_number
        return None

    def get_throttles(self):
        return [ScopedThrottle()] if self._lookup() else []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Customer.objects.none()
        user = self.request.user
        lookup = self._lookup()
        if lookup:
            doc_type, doc_number = lookup
            return selectors.customer_lookup_by_document(
                user=user, document_type=doc_type, document_number=doc_number
            ) | selectors.customer_list_for_user(user=user).filter(
                document_type=doc_type, document_number=doc_number
            )
        return selectors.customer_list_for_user(user=user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        lookup = None if getattr(self, "swagger_fake_view", False) else self._lookup()
        if lookup:
            doc_type, doc_number = lookup
            in_scope = selectors.customer_list_for_user(user=self.request.user).filter(
                document_type=doc_type, document_number=doc_number
            )
            found = selectors.customer_lookup_by_document(
                user=self.request.user, document_type=doc_type, document_number=doc_number
            )
            context["restricted_ids"] = set(
                found.exclude(pk__in=in_scope.values("pk")).values_list("pk", flat=True)
            )
        return context

    @extend_schema(request=CustomerContactUpdateSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """The explicit, audited update of a contact's phones, e-mail or address, by the
        technologist who has one of its cases; the reason is kept in the contact's history."""
        customer = selectors.customer_get_for_update(user=request.user, customer_id=pk)
        serializer = CustomerContactUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason")
        return Response(
            CustomerSerializer(
                customer_contact_update(customer=customer, by=request.user, reason=reason, **data)
            ).data
        )


class CaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Cases in the caller's scope: a technologist's own, an office's, a unit's (NFR-02)."""

    permission_classes = [has_any_role(*STAFF_ROLES)]
    filterset_fields = ["status", "kind"]

    def get_permissions(self):
        if self.action in {"attempts", "close"}:
            return [has_any_role(Role.TECNOLOGO)()]
        if self.action == "evidence":
            return [has_any_role(*EVIDENCE_ROLES)()]
        if self.action in {"reassign", "reassign_bulk"}:
            return [has_any_role(*REASSIGN_ROLES)()]
        if self.action == "create":
            return [has_any_role(Role.CREADOR)()]
        return super().get_permissions()

    def get_serializer_class(self):
        return {
            "retrieve": CaseDetailSerializer,
            "create": CaseCreateSerializer,
            "attempts": AttemptCreateSerializer,
            "evidence": EvidenceCreateSerializer,
            "close": CloseSerializer,
            "reassign": ReassignSerializer,
            "reassign_bulk": BulkReassignSerializer,
        }.get(self.action, CaseListSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Case.objects.none()
        return selectors.case_list_for_user(user=self.request.user)

    def _case(self, pk) -> Case:
        return selectors.case_get_for_user(user=self.request.user, case_id=_int_or_404(pk))

    def _detail(self, case: Case, *, reload: bool = True) -> Response:
        if reload:  # after a write: read it back through the scoped selector
            case = selectors.case_get_for_user(user=self.request.user, case_id=case.pk)
        serializer = CaseDetailSerializer(
            case,
            context={
                "request": self.request,
                "history": selectors.case_history(case=case),
                "evidence": selectors.evidence_for_case(case=case),
                "attempts": selectors.case_attempts(case=case),
                "personal_data": can_see_personal_data(self.request.user),
            },
        )
        return Response(serializer.data)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer})
    def create(self, request):
        """Register a case (Contact Center); into a pool it is assigned by the round-robin task."""
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)

        case = cases.case_register(created_by=request.user, **data)
        response = self._detail(case)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(responses=CaseDetailSerializer, parameters=[OpenApiParameter("id", int, "path")])
    def retrieve(self, request, pk=None):
        return self._detail(self._case(pk), reload=False)

    @extend_schema(
        request=AttemptCreateSerializer,
        responses={
            201: ContactAttemptSerializer,
            409: OpenApiResponse(description="Cuarto intento, o caso cerrado."),
        },
    )
    @action(detail=True, methods=["post"])
    def attempts(self, request, pk=None):
        """CORE-07: log a call; a 4th attempt answers 409."""
        case = self._case(pk)
        serializer = AttemptCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        attempt = calls.attempt_log(case=case, by=request.user, **serializer.validated_data)
        return Response(ContactAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceCreateSerializer, responses={201: EvidenceSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        """CORE-08: attach a file; the voicemail recording after 3 unanswered calls closes."""
        case = self._case(pk)
        serializer = EvidenceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        evidence = closing.case_evidence_add(
            case=case,
            by=request.user,
            kind=serializer.validated_data["kind"],
            upload=serializer.validated_data["file"],
        )
        if closing.closed_by_voicemail(evidence):
            return self._detail(evidence.case)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CloseSerializer,
        responses={
            200: CaseDetailSerializer,
            409: OpenApiResponse(description="El estado del caso no permite cerrarlo."),
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close with solución en primer contacto or generate a task (answered call only)."""
        case = self._case(pk)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        outcome = data.pop("outcome")
        return self._detail(closing.case_close(case=case, by=request.user, outcome=outcome, **data))

    @extend_schema(request=ReassignSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Asignador and managers hand a case to another technologist (recorded in history)."""
        case = self._case(pk)
        serializer = ReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to_user = _technologist_or_400(request, serializer.validated_data["to_user"], "to_user")
        return self._detail(
            case_reassign(
                case=case,
                to_user=to_user,
                by_user=request.user,
                reason=serializer.validated_data.get("reason", ""),
            )
        )

    @extend_schema(
        operation_id="v1_cases_reassign_bulk",
        request=BulkReassignSerializer,
        responses={
            200: CaseListSerializer(many=True),
            404: OpenApiResponse(description="Un caso no existe o no es suyo."),
        },
    )
    @action(detail=False, methods=["post"], url_path="reassign")
    def reassign_bulk(self, request):
        """PQR-08: hand several cases to one technologist at once (all or nothing). A case out of
        the caller's scope answers 404 like a missing one; a closed case, 400."""
        serializer = BulkReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = set(serializer.validated_data["cases"])
        cases = list(selectors.case_list_for_user(user=request.user).filter(pk__in=ids))
        if len(cases) != len(ids):
            raise Http404("Caso no encontrado.")
        to_user = _technologist_or_400(
            request, serializer.validated_data["technologist"], "technologist"
        )
        moved = cases_reassign_bulk(
            cases=cases,
            to_user=to_user,
            by_user=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        reloaded = selectors.case_list_for_user(user=request.user).filter(
            pk__in=[c.pk for c in moved]
        )
        return Response(CaseListSerializer(reloaded, many=True).data)


def _technologist_or_400(request, user_id: int, field: str):
    """A technologist the caller may hand cases to (their unit), else 400 on ``field``."""
    to_user = selectors.technologists_for_reassignment(user=request.user).filter(pk=user_id).first()
    if to_user is None:
        raise DRFValidationError({field: ["Ese tecnólogo no está disponible para reasignar."]})
    return to_user


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404("Caso no encontrado.") from exc
