"""The error answers every operation of the API can give, in its OpenAPI schema (NFR-03, NFR-04).

drf-spectacular documents the statuses a view declares with ``extend_schema(responses=…)``; the
ones that come from the framework for every view were missing, so clients (and the fuzz test,
``tests/core/test_api_fuzz.py``) met answers the schema did not list. This postprocessing hook adds
them where the operation can give them, and leaves every status a view documents itself alone:

- 401 and 403 on every operation that needs a user: no or a wrong token, and a role that may
  not use it (``core.permissions``: default deny);
- 400 on every operation with a body or query parameters (filters): Spanish messages per field
  (``core.api_errors``); 415 on every operation with a body (a content type it does not parse,
  or a multipart body it cannot read);
- 404 on every operation with a path parameter (missing, or not the caller's: same answer) and
  on every paginated list (a page past the end).
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Mensajes en español por campo, o «detail» con un mensaje general.",
    "additionalProperties": {},
}
METHODS = {"get", "put", "post", "patch", "delete"}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _needs_user(operation: dict) -> bool:
    # drf-spectacular lists {} among the security requirements of a view open to anyone; the
    # webhooks (no security at all) check a signature instead and document their own 403.
    security = operation.get("security")
    return bool(security) and {} not in security


def document_error_responses(result, generator, request, public):
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            parameters = operation.get("parameters", [])
            has_path = any(p.get("in") == "path" for p in parameters)
            has_query = any(p.get("in") == "query" and p.get("name") != "page" for p in parameters)
            paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
            errors = {}
            if "requestBody" in operation or has_query:
                errors["400"] = _response("Datos no válidos: mensajes por campo.", FIELD_ERRORS)
            if "requestBody" in operation:
                errors["415"] = _response("Tipo de contenido no admitido.", ERROR)
            if _needs_user(operation):
                errors["401"] = _response("Sin credenciales o con un token no válido.", ERROR)
                errors["403"] = _response("Su rol no puede usar esta operación.", ERROR)
            if has_path or paginated:
                errors["404"] = _response("No existe, no es suyo o página inválida.", ERROR)
            responses = operation.setdefault("responses", {})
            for status, response in errors.items():
                responses.setdefault(status, response)
    return result
