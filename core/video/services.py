"""Video sessions (AL, BAL, CI): open one between a technologist and a kiosk (or an attendee's
own browser: the employee of an internal-client appointment), relay signalling
between its two parties only, record the state the browsers report (connected with which ICE
candidate type, ended, failed with the reason) and tell both parties.

The database keeps one open session per technologist and per kiosk (partial unique constraints);
a second open answers ``VideoRefused`` (409) with the Spanish reason."""

import base64
import hashlib
import hmac
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.live.groups import kiosk_group, user_group
from core.live.publish import live_publish
from core.models import Kiosk, VideoSession, VideoSessionStatus

NOT_YOURS = "Esta videollamada no es suya."
CLOSED = "Esta videollamada ya terminó."
STATE_INVALID = "Estado de videollamada no válido: use «conectada», «finalizada» o «fallida»."
CANDIDATE_INVALID = "Tipo de conexión no válido: host, srflx, prflx o relay."
TECHNOLOGIST_BUSY = "Ya tiene una videollamada abierta: termínela antes de empezar otra."


class VideoRefused(ProtocolConflict):
    """A video message or change the party may not make (Spanish message, 409)."""


ATTENDEE_BUSY = "La persona ya está en otra videollamada."


def _party_name(party) -> str:
    if party.kiosk is not None:
        return f"kiosk-{party.kiosk.pk}"
    return party.user.username


def turn_credentials(*, name: str, now: float | None = None) -> tuple[str, str]:
    """coturn's ``use-auth-secret`` (TURN REST API): username ``<expiry>:<name>``, password
    base64(HMAC-SHA1(secret, username)); valid until ``expiry`` (unix seconds)."""
    expiry = int(now if now is not None else time.time()) + settings.VIDEO_TURN_TTL_SECONDS
    username = f"{expiry}:{name}"
    digest = hmac.new(settings.VIDEO_TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers_for(*, party) -> list[dict]:
    """The RTCPeerConnection's ``iceServers`` for this party: STUN, then TURN (UDP and TCP URLs
    from settings) with credentials that expire after VIDEO_TURN_TTL_SECONDS."""
    servers = []
    if settings.VIDEO_STUN_URLS:
        servers.append({"urls": list(settings.VIDEO_STUN_URLS)})
    if settings.VIDEO_TURN_URLS and settings.VIDEO_TURN_SECRET:
        username, credential = turn_credentials(name=_party_name(party))
        servers.append(
            {"urls": list(settings.VIDEO_TURN_URLS), "username": username, "credential": credential}
        )
    return servers


def _parties_tell(session: VideoSession, payload: dict) -> None:
    groups = [user_group(session.technologist_id)]
    if session.kiosk_id:
        groups.append(kiosk_group(session.kiosk_id))
    if session.attendee_id:
        groups.append(user_group(session.attendee_id))
    live_publish(groups, payload)


def party_is_answerer(session: VideoSession, party) -> bool:
    """The kiosk, or the attendee, answers; the technologist offers (static/js/video.js)."""
    if party.kiosk is not None:
        return True
    return session.attendee_id is not None and party.user.pk == session.attendee_id


def session_payload(session: VideoSession, kind: str = "video.connect") -> dict:
    turn = session.turn
    return {
        "type": kind,
        "session": session.pk,
        "modality": session.modality,
        "state": session.status,
        "turn": turn.number if turn is not None else "",
        "kiosk": session.kiosk.label if session.kiosk_id else "",
        "office": session.kiosk.office.name if session.kiosk_id else "",
    }


@transaction.atomic
def video_session_open(
    *, technologist, modality: str, kiosk: Kiosk | None = None, turn=None, attendee=None
):
    """Open a ringing session and tell both parties ("video.connect", after commit): the
    technologist's page and the kiosk page (or the attendee's page) open the call by
    themselves. The other party is a kiosk or an attendee (a user), not both."""
    if kiosk is not None and attendee is not None:
        raise ValueError("Una videollamada es con un módulo o con una persona, no con ambos.")
    from core.video.providers import video_provider

    now = timezone.now()
    session = VideoSession(
        provider=video_provider().name,
        modality=modality,
        status=VideoSessionStatus.TIMBRANDO,
        technologist=technologist,
        kiosk=kiosk,
        attendee=attendee,
        turn=turn,
        created_at=now,
        ringing_at=now,
    )
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:
        if "kiosk" in str(exc):
            raise VideoRefused(f"El módulo {kiosk.label} ya está en otra videollamada.") from None
        if "attendee" in str(exc):
            raise VideoRefused(ATTENDEE_BUSY) from None
        raise VideoRefused(TECHNOLOGIST_BUSY) from None
    session.room = video_provider().room_create(session)
    if session.room:
        session.save(update_fields=["room"])
    _parties_tell(session, session_payload(session))
    return session


def _session_for(session_id, party) -> VideoSession:
    if not str(session_id or "").isdigit():
        raise VideoRefused(NOT_YOURS)
    session = (
        VideoSession.objects.select_related("kiosk__office", "turn", "technologist")
        .filter(pk=int(session_id))
        .first()
    )
    if session is None:
        raise VideoRefused(NOT_YOURS)
    if party.kiosk is not None:
        if session.kiosk_id != party.kiosk.pk:
            raise VideoRefused(NOT_YOURS)
    elif party.user.pk not in (session.technologist_id, session.attendee_id):
        raise VideoRefused(NOT_YOURS)
    return session


def video_signal_target(*, session_id, party) -> str:
    """The group of the session's other party, for relaying SDP and ICE candidates. A party that
    is not in the session, or a session already ended, is refused."""
    session = _session_for(session_id, party)
    if not session.is_open:
        raise VideoRefused(CLOSED)
    if party_is_answerer(session, party):
        return user_group(session.technologist_id)
    if session.kiosk_id is not None:
        return kiosk_group(session.kiosk_id)
    if session.attendee_id is not None:
        return user_group(session.attendee_id)
    raise VideoRefused(NOT_YOURS)


@transaction.atomic
def video_state_record(
    *, session_id, party, state: str, candidate_type: str = "", reason: str = ""
) -> VideoSession:
    """What a party's browser reports: "conectada" (with the selected candidate pair's type),
    "finalizada" or "fallida" (with the reason). An ended session stays as it ended (a late
    report changes nothing). Both parties are told the new state."""
    if state not in (
        VideoSessionStatus.CONECTADA,
        VideoSessionStatus.FINALIZADA,
        VideoSessionStatus.FALLIDA,
    ):
        raise VideoRefused(STATE_INVALID)
    if candidate_type and candidate_type not in VideoSession.CandidateType.values:
        raise VideoRefused(CANDIDATE_INVALID)
    session = _session_for(session_id, party)
    session = (
        VideoSession.objects.select_for_update(of=("self",))
        .select_related("kiosk__office", "turn")
        .get(pk=session.pk)
    )
    if not session.is_open:
        return session
    now = timezone.now()
    fields = ["status"]
    session.status = state
    if candidate_type:
        session.candidate_type = candidate_type
        fields.append("candidate_type")
    if state == VideoSessionStatus.CONECTADA:
        if session.connected_at is None:
            session.connected_at = now
            fields.append("connected_at")
    else:
        session.ended_at = now
        session.end_reason = (reason or "")[:200] or _ended_by(session, party)
        fields += ["ended_at", "end_reason"]
    session.save(update_fields=fields)
    payload = session_payload(session, "video.state")
    payload.update(candidate_type=session.candidate_type, reason=session.end_reason)
    _parties_tell(session, payload)
    if not session.is_open:
        from core.signals import video_session_ended

        transaction.on_commit(
            lambda: video_session_ended.send_robust(sender=VideoSession, session=session)
        )
    return session


def _ended_by(session: VideoSession, party) -> str:
    if party.kiosk is not None:
        return "terminada en el módulo"
    if session.attendee_id is not None and party.user.pk == session.attendee_id:
        return "terminada por el asistente"
    return "terminada por el tecnólogo"


def video_session_end(*, session: VideoSession, party, reason: str = "") -> VideoSession:
    """ "Terminar": the session ends (finalizada) with the reason."""
    return video_state_record(
        session_id=session.pk, party=party, state=VideoSessionStatus.FINALIZADA, reason=reason
    )


def video_session_get_for_party(*, party, session_id) -> VideoSession:
    """The session, for one of its two parties only; anyone else gets 404 as for a missing one
    (NFR-02)."""
    from django.http import Http404

    try:
        return _session_for(session_id, party)
    except VideoRefused:
        raise Http404("Videollamada no encontrada.") from None


def video_session_open_for_kiosk(*, kiosk: Kiosk) -> VideoSession | None:
    """The kiosk's open session (a kiosk page that loads after the call began joins it)."""
    return (
        VideoSession.objects.select_related("kiosk__office", "turn")
        .filter(kiosk=kiosk, status__in=VideoSessionStatus.open())
        .first()
    )


def video_session_current(*, party) -> VideoSession | None:
    """The party's open session (the technologist's, or the kiosk's), or None: what a page
    that missed "video.connect" while its socket was down starts."""
    sessions = VideoSession.objects.select_related("kiosk__office", "turn", "technologist").filter(
        status__in=VideoSessionStatus.open()
    )
    if party.kiosk is not None:
        if party.display_only:
            return None
        sessions = sessions.filter(kiosk=party.kiosk)
    else:
        sessions = sessions.filter(Q(technologist=party.user) | Q(attendee=party.user))
    return sessions.order_by("-created_at", "-pk").first()


UNANSWERED = "nadie contestó la videollamada (tiempo de espera agotado)"


def video_sessions_unanswered_sweep(now=None) -> int:
    """Sessions still ringing (never connected) VIDEO_RING_TIMEOUT_SECONDS after they started end
    "fallida" with the reason, both parties told; returns how many."""
    import datetime as dt

    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.VIDEO_RING_TIMEOUT_SECONDS)
    ended = 0
    for session in VideoSession.objects.filter(
        status__in=[VideoSessionStatus.CREADA, VideoSessionStatus.TIMBRANDO], created_at__lt=limit
    ).select_related("technologist"):
        from core.live.auth import LiveParty

        video_state_record(
            session_id=session.pk,
            party=LiveParty(user=session.technologist),
            state=VideoSessionStatus.FALLIDA,
            reason=UNANSWERED,
        )
        ended += 1
    return ended


KIOSK_LOST = "el módulo perdió la conexión durante la videollamada"


def video_sessions_kiosk_lost_sweep(now=None) -> int:
    """Connected calls whose kiosk went off (no live socket) more than
    VIDEO_RING_TIMEOUT_SECONDS ago end "fallida" with the reason, both parties told: a kiosk that
    never comes back does not hold its technologist (and the balancing seat) in a call forever.
    A kiosk that comes back within that time resumes the call (its page re-joins the open
    session). Returns how many."""
    import datetime as dt

    from core.live.auth import LiveParty

    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.VIDEO_RING_TIMEOUT_SECONDS)
    ended = 0
    lost = VideoSession.objects.filter(
        status=VideoSessionStatus.CONECTADA, kiosk__is_on=False
    ).filter(Q(kiosk__last_seen_at__lt=limit) | Q(kiosk__last_seen_at__isnull=True))
    for session in lost.select_related("technologist"):
        video_state_record(
            session_id=session.pk,
            party=LiveParty(user=session.technologist),
            state=VideoSessionStatus.FALLIDA,
            reason=KIOSK_LOST,
        )
        ended += 1
    return ended
