"""API endpoints of authentication: obtain a token (throttled, counted by django-axes) and
revoke it; throttles with Spanish messages that fail open when the cache is down."""

import logging

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.authentication import lockout_response, token_issue, tokens_revoke

logger = logging.getLogger(__name__)


class ScopedThrottle(ScopedRateThrottle):
    """DRF's scoped throttle that lets the request through when the cache (Redis) is down:
    a login or a look-up must not fail because the counter cannot be read (NFR-03); django-axes'
    lockout, kept in the database, still applies."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 — any cache backend error
            logger.warning(
                "Límite de tasa sin caché disponible: solicitud permitida.", exc_info=True
            )
            return True


class SpanishThrottleMixin:
    """DRF's throttled answer (429) with a Spanish message."""

    def throttled(self, request, wait):
        seconds = int(wait or 0) + 1
        raise exceptions.Throttled(
            wait=wait,
            detail=f"Demasiadas solicitudes. Intente de nuevo en {seconds} segundos.",
        )


class TokenObtainView(SpanishThrottleMixin, APIView):
    """``POST /api/v1/auth/token/`` with ``username`` and ``password`` → ``{"token": …}``.

    Throttled per address (``auth_token`` rate) and counted by django-axes: after repeated
    failures the user and the address are locked out (429)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth_token"
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Credenciales incorrectas."),
            429: OpenApiResponse(description="Demasiados intentos: bloqueo o límite de tasa."),
        },
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes flags the request it was given: here DRF's, not the one its
            # middleware looks at, so the lockout answer is given here.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise exceptions.ValidationError(serializer.errors)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class TokenLogoutView(APIView):
    """``POST /api/v1/auth/logout/``: revoke the caller's token (every later call is 401)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("LogoutResponse", {"detail": serializers.CharField()})},
    )
    def post(self, request):
        tokens_revoke(user=request.user)
        return Response({"detail": "Sesión de API cerrada: el token fue revocado."})
