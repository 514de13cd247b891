"""Request body parsers for the API: malformed input answers 400 with a Spanish message."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, in Spanish, and safe against deeply nested bodies.

    Python's JSON decoder recurses once per nesting level: a body nested 100,000 levels deep
    raises RecursionError, which DRF does not catch (a 500, on any JSON endpoint — even the
    unauthenticated token endpoint). It becomes a 400 like any other malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("El JSON enviado tiene demasiados niveles de anidación.") from exc
        except ParseError as exc:
            raise ParseError("El cuerpo de la solicitud no es un JSON válido.") from exc
