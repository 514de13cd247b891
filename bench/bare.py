"""The baseline of the HTTP benchmark: the thinnest useful Django POST (one JSON body parsed, one
row inserted), served by the same gunicorn and middleware as the real endpoint. Routed only with
BENCH_VIEWS=true."""

import json

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.models import Modality, Notification


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
