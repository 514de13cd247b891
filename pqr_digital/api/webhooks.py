"""Webhooks of the providers that deliver the networks' messages (2.7, PQR-01).

``/api/v1/pqr-digital/webhooks/meta/`` — Meta (Messenger, Instagram, WhatsApp Cloud API):
- GET: the subscription handshake. ``hub.mode=subscribe`` and ``hub.verify_token`` equal to
  META_VERIFY_TOKEN → 200 with ``hub.challenge`` as plain text; anything else → 403.
- POST: a delivery, signed by Meta with the app secret (``X-Hub-Signature-256: sha256=<hex>``,
  HMAC-SHA256 of the raw body). A missing or wrong signature → 403 and nothing stored; a valid
  one → the users' messages are stored once each and processed by a task after commit; the
  answer is 200 at once (Meta retries what is not answered quickly with a 200).

No user authenticates here (Meta calls it) and no throttle applies: the only work before the
signature is verified is one HMAC over a body Django already caps (DATA_UPLOAD_MAX_MEMORY_SIZE),
and a throttled delivery would be one Meta retries later or drops.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pqr_digital.services.inbound import inbound_receive_meta

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"


def meta_signature_valid(body: bytes, header: str | None) -> bool:
    """``header`` is ``sha256=`` + the hex HMAC-SHA256 of the raw ``body`` with the app secret.
    Without a configured secret nothing is valid."""
    secret = settings.META_APP_SECRET
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(
        expected.encode(), header.removeprefix("sha256=").strip().lower().encode()
    )


class MetaWebhookView(APIView):
    """Meta's webhook for Messenger, Instagram and WhatsApp messages (PQR-01)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        # Meta's Accept header is not ours to negotiate: answer JSON (or the challenge) always.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="v1_pqr_digital_webhooks_meta_verify",
        tags=["pqr-digital"],
        auth=[],
        parameters=[
            OpenApiParameter("hub.mode", OpenApiTypes.STR, description="«subscribe»."),
            OpenApiParameter(
                "hub.verify_token", OpenApiTypes.STR, description="META_VERIFY_TOKEN."
            ),
            OpenApiParameter(
                "hub.challenge", OpenApiTypes.STR, description="Se devuelve tal cual."
            ),
        ],
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="hub.challenge"),
            403: OpenApiResponse(description="Token de verificación incorrecto."),
        },
    )
    def get(self, request):
        """Meta's subscription handshake: answers ``hub.challenge`` when the verify token is
        right."""
        params = request.query_params
        expected = settings.META_VERIFY_TOKEN
        token = params.get("hub.verify_token", "")
        if not (
            expected
            and params.get("hub.mode") == "subscribe"
            and hmac.compare_digest(token.encode(), expected.encode())
        ):
            raise exceptions.PermissionDenied(
                "Verificación del webhook rechazada: el modo o el token de verificación no "
                "coinciden con la configuración."
            )
        return HttpResponse(params.get("hub.challenge", ""), content_type="text/plain")

    @extend_schema(
        operation_id="v1_pqr_digital_webhooks_meta_receive",
        tags=["pqr-digital"],
        auth=[],
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                SIGNATURE_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="sha256=<HMAC-SHA256 del cuerpo con el secreto de la app>.",
            )
        ],
        responses={
            200: OpenApiResponse(
                inline_serializer("MetaWebhookReceived", {"stored": serializers.IntegerField()}),
                description="Recibido; «stored»: mensajes nuevos guardados.",
            ),
            400: OpenApiResponse(description="El cuerpo firmado no es JSON válido."),
            403: OpenApiResponse(description="Firma ausente o incorrecta."),
        },
    )
    def post(self, request):
        """A delivery from Meta: the users' messages are stored once each and processed after
        the answer."""
        body = request.body  # the raw bytes Meta signed, before any parsing
        if not meta_signature_valid(body, request.headers.get(SIGNATURE_HEADER)):
            # Every delivery refused: look at META_APP_SECRET (Meta's app settings → Basic).
            log.warning(
                "Webhook de Meta rechazado: firma %s (%s bytes)%s.",
                "incorrecta" if request.headers.get(SIGNATURE_HEADER) else "ausente",
                len(body),
                "" if settings.META_APP_SECRET else "; META_APP_SECRET no está configurado",
            )
            raise exceptions.PermissionDenied("Firma del webhook ausente o incorrecta.")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError("El cuerpo de la solicitud no es un JSON válido.") from exc
        return Response({"stored": inbound_receive_meta(payload=payload)})


urlpatterns = [
    path("webhooks/meta/", MetaWebhookView.as_view(), name="pqr-digital-webhook-meta"),
]
