"""One error contract for every app's API (NFR-03): the services raise Django's
``ValidationError`` with Spanish messages, and ``ProtocolConflict`` (a ValidationError) when the
request is valid but the case's state does not allow it. Views just call the services; this
handler turns those exceptions into responses:

- ``ProtocolConflict`` → 409 ``{"detail": "…"}``;
- ``ValidationError`` with fields → 400 ``{"campo": ["mensaje", …], …}``;
- ``ValidationError`` without fields → 400 ``{"detail": "…"}``;
- a NUL character that reached the database → 400 ``{"detail": "…"}`` (core.middleware);
- the database unreachable (restarting, failing over) → 503 ``{"detail": "…"}`` with
  ``Retry-After``: the client sends the same request again (intakes carry a ``client_token``);
- everything else → DRF's own handling (401, 403, 404, 405, 429 …).

``not_found`` and ``server_error`` (handler404/handler500) answer JSON under ``/api/``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.db_errors import is_deadlock, is_nul_in_text
from core.exceptions import ProtocolConflict
from core.middleware import NUL_MESSAGE

DATABASE_UNAVAILABLE = (
    "La base de datos no está disponible en este momento. Intente de nuevo en unos segundos."
)
SERVER_ERROR = "Error interno del servidor. Intente de nuevo."


def api_exception_handler(exc, context):
    if isinstance(exc, InterfaceError | OperationalError) and not is_deadlock(exc):
        set_rollback()
        return Response(
            {"detail": DATABASE_UNAVAILABLE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if is_nul_in_text(exc):  # a NUL character reached a lookup (core.middleware)
        set_rollback()
        return Response({"detail": NUL_MESSAGE}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtocolConflict):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        body = (
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404) and str(exc).endswith(" matches the given query."):
        # get_object_or_404's message is English and names the model: DRF's own, in Spanish.
        exc = NotFound()
    return drf_exception_handler(exc, context)


def not_found(request, exception):
    """handler404: a path under /api/ that matches no URL (e.g. a letter where the id goes)
    answers like the API — JSON, in Spanish — and any other path gets Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """handler500: under /api/ a JSON answer in Spanish (a client never parses an HTML page);
    any other path gets Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    return django_server_error(request)
