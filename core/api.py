from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from core import selectors
from core.models import Case, Customer
from core.permissions import has_any_role
from core.roles import CUSTOMER_ROLES, STAFF_ROLES, can_see_personal_data
from core.serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    CustomerSerializer,
    OfficeSerializer,
    TransactionTypeSerializer,
)


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
class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    """Contacts of the caller's cases; orientadores and creadores may look one up by document."""

    serializer_class = CustomerSerializer
    permission_classes = [has_any_role(*CUSTOMER_ROLES)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Customer.objects.none()
        user = self.request.user
        doc_type = self.request.query_params.get("document_type")
        doc_number = self.request.query_params.get("document_number")
        if self.action == "list" and doc_type and doc_number:
            found = selectors.customer_lookup_by_document(
                user=user, document_type=doc_type, document_number=doc_number
            )
            return found | selectors.customer_list_for_user(user=user).filter(
                document_type=doc_type, document_number=doc_number
            )
        return selectors.customer_list_for_user(user=user)


class CaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Cases in the caller's scope: a technologist's own, an office's, a unit's (NFR-02)."""

    permission_classes = [has_any_role(*STAFF_ROLES)]
    filterset_fields = ["status", "kind"]

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Case.objects.none()
        return selectors.case_list_for_user(user=self.request.user)

    @extend_schema(responses=CaseDetailSerializer, parameters=[OpenApiParameter("id", int, "path")])
    def retrieve(self, request, pk=None):
        case = selectors.case_get_for_user(user=request.user, case_id=_int_or_404(pk))
        serializer = CaseDetailSerializer(
            case,
            context={
                "request": request,
                "history": selectors.case_history(case=case),
                "evidence": selectors.evidence_for_case(case=case),
                "personal_data": can_see_personal_data(request.user),
            },
        )
        return Response(serializer.data)


def _int_or_404(value) -> int:
    from django.http import Http404

    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404("Caso no encontrado.") from exc
