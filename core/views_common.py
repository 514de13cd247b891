"""Small helpers the technologist's pages share (asesor en línea, balanceo, the virtual booth,
the turn desk): the htmx check, the status of a refused write, core's video block and the page
that says why a page stays closed."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from core.exceptions import ProtocolConflict

VIDEO_PARTIAL = "core/partials/_video_call.html"


def is_htmx(request) -> bool:
    """A request sent by htmx (only a part of the page is replaced)."""
    return request.headers.get("HX-Request") == "true"


def status_for(exc: ValidationError) -> int:
    """409 when the request is valid but the state does not allow it, 400 for bad input."""
    return 409 if isinstance(exc, ProtocolConflict) else 400


def video_partial() -> str:
    """The shared video block (core), when it is installed; else the page links to the call."""
    try:
        get_template(VIDEO_PARTIAL)
    except TemplateDoesNotExist:
        return ""
    return VIDEO_PARTIAL


def render_closed(request, reason: str, *, title: str, element_id: str, status: int = 403):
    """The page of a technologist's modality closed to this user now, with the reason."""
    return render(
        request,
        "core/closed.html",
        {"reason": reason, "title": title, "element_id": element_id},
        status=status,
    )
