"""Pages of core's live side (issue 12):

- ``/kiosco/`` — the kiosk page (CORE-01, AL, BAL): an unattended PC with camera, screen and
  printer. Without device credential it shows a pairing code for the encargado; once paired, the
  kiosk's name, its connection, the turns called to it and the video calls (it answers by
  itself).
- ``/oficina/<id>/sala/`` — the office's waiting-room display: "Turno A-023 → Módulo 2".
- ``/video/sesiones/<id>/`` — the technologist's generic call page for a video session.

The pages only render; what changes is fed by the live socket (``static/js/live.js``) and the
API (``core.api_live``)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.live.auth import LiveParty, kiosk_from_request
from core.services import kiosks as kiosk_services
from core.video import services as video_services


def _live_context() -> dict:
    return {
        "heartbeat_seconds": settings.KIOSK_HEARTBEAT_SECONDS,
        "fallback_poll_seconds": settings.LIVE_FALLBACK_POLL_SECONDS,
    }


@never_cache
def kiosk_page(request: HttpRequest) -> HttpResponse:
    """The kiosk page: "Módulo sin vincular" with a code, or the paired kiosk's page — with its
    open video call and the turn called to it (still "llamado") rendered, so a reload shows
    them."""
    kiosk = kiosk_from_request(request)
    context = _live_context()
    context["user_signed_in"] = request.user.is_authenticated
    if kiosk is None:
        context["pairing_minutes"] = settings.KIOSK_PAIRING_MINUTES
        return render(request, "core/kiosk_unpaired.html", context)
    context.update(
        kiosk=kiosk,
        video_session=video_services.video_session_open_for_kiosk(kiosk=kiosk),
        announcement=kiosk_services.kiosk_current_announcement(kiosk=kiosk),
    )
    return render(request, "core/kiosk.html", context)


@never_cache
def display_page(request: HttpRequest, office_id: int) -> HttpResponse:
    """The waiting-room display of an office: its staff or one of its paired kiosks (404 for
    anyone else, NFR-02)."""
    kiosk = kiosk_from_request(request)
    office = kiosk_services.display_office_for(office_id=office_id, user=request.user, kiosk=kiosk)
    context = _live_context()
    context.update(
        office=office,
        entries=kiosk_services.display_announcements(office=office),
    )
    return render(request, "core/display.html", context)


@never_cache
@login_required
def video_call_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """ "Videollamada": the session's technologist only (404 for anyone else)."""
    session = video_services.video_session_get_for_party(
        party=LiveParty(user=request.user), session_id=session_id
    )
    return render(request, "core/video_call.html", {"video_session": session})
