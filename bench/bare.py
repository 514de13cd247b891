"""The baselines of the HTTP benchmark, served by the same gunicorn and middleware as the real
endpoint: the thinnest useful Django POST (one JSON body parsed, one row inserted), and the
framework's share of an intake without its writes. Routed only with BENCH_VIEWS=true."""

import json

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Modality, Notification
from core.permissions import has_any_role
from core.roles import Role
from desborde.serializers import IntakeCreateSerializer


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    """Insert one notification already marked as sent, so that no task is queued for it."""
    data = json.loads(request.body or b"{}")
    notification = Notification.objects.create(
        medium=Notification.Medium.EMAIL,
        modality=Modality.GENERAL,
        recipient="bench@localhost",
        subject="bench",
        body=str(data.get("document_number", "")),
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
    )
    return JsonResponse({"id": notification.pk}, status=201)


class ValidateOnly(APIView):
    """The framework's share of an intake: token authentication, the orientador's role check,
    the intake serializer's validation (with its office and transaction type lookups) and a 201
    answer, writing nothing. Between the bare view and the real intake it shows what the
    intake's own work costs."""

    permission_classes = [has_any_role(Role.ORIENTADOR)]

    def post(self, request):
        serializer = IntakeCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response({"office": serializer.validated_data["office"].pk}, status=201)
