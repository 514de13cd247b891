"""Request checks every page and API endpoint shares."""

import json

from django.http import HttpResponseBadRequest, JsonResponse

from core.db_errors import is_nul_in_text

NUL_MESSAGE = "La solicitud contiene un carácter no válido (NUL, 0x00). Revise los datos enviados."
_JSON_NUL = b"\\u0000"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _refuse(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NUL_MESSAGE}, status=400)
    return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")


class RejectNulCharactersMiddleware:
    """NFR-03: a NUL character in the path, the query string or a form/JSON body is bad input —
    a 400 with a Spanish message before any view runs. PostgreSQL cannot store it in text, and
    psycopg 3 refuses to send it (a ``DataError``), so without this check a lookup by a code or
    a choice field would answer 500. Multipart bodies are left to the forms and serializers
    (their text fields refuse NUL); anything that still reaches the database is caught by
    ``process_exception`` and answered the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return _refuse(request)
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and not content_type.startswith("multipart/"):
            body = request.body  # read once; Django and DRF parse it from the cached copy
            if content_type.startswith("application/x-www-form-urlencoded") and b"%00" in body:
                return _refuse(request)
            if _JSON_NUL in body:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None  # not JSON after all: the parser answers
                if _has_nul(parsed):
                    return _refuse(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_nul_in_text(exception):
            return _refuse(request)
        return None
