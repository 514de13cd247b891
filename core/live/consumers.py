"""The live socket (``/ws/live/``): one per open page."""

import logging
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.live import groups as live_groups
from core.live.auth import KIOSK_COOKIE, LiveParty, kiosk_from_credential

logger = logging.getLogger(__name__)

#: Close codes the pages read: not signed in / no valid device credential.
CLOSE_UNAUTHENTICATED = 4401
#: The marker of the kiosk page's own socket (``/ws/live/?role=kiosk``, set by
#: templates/core/kiosk.html): only that socket turns its kiosk on and off, is its heartbeat and
#: takes part in its video calls. Any other socket with the device cookie (the waiting-room
#: display opened in the kiosk's browser) is a display-only listener.
KIOSK_ROLE = "kiosk"
DISPLAY_ONLY_VIDEO = "Esta pantalla no participa en videollamadas."


def _role(scope) -> str:
    query = scope.get("query_string", b"")
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    return (parse_qs(query).get("role") or [""])[0]


def _cookie(scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(name)
            if morsel is not None:
                return morsel.value
    return None


@database_sync_to_async
def _party_and_groups(scope):
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.is_active:
        from core.roles import STAFF_ROLES, user_has_role

        if user.is_superuser or user_has_role(user, *STAFF_ROLES):
            return LiveParty(user=user), live_groups.groups_for_user(user)
        return LiveParty(user=user), [live_groups.user_group(user.pk)]
    kiosk = kiosk_from_credential(_cookie(scope, KIOSK_COOKIE))
    if kiosk is not None:
        if _role(scope) == KIOSK_ROLE:
            return LiveParty(kiosk=kiosk), live_groups.groups_for_kiosk(kiosk)
        return (
            LiveParty(kiosk=kiosk, display_only=True),
            live_groups.groups_for_kiosk_display(kiosk),
        )
    return None, []


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Authenticates with the session (staff, employees) or the kiosk's device credential,
    joins only that party's groups, and answers:

    - ``{"type": "ping"}`` → ``{"type": "pong"}`` (the kiosk page's ping is its heartbeat);
    - ``{"type": "echo", "data": …}`` → the same back (the benchmark's round trip);
    - ``{"type": "video.signal", "session": id, "data": …}`` → relayed to the session's other
      party only (SDP offers/answers, ICE candidates), when the sender is one of its parties;
    - ``{"type": "video.state", "session": id, "state": …, "candidate_type": …, "reason": …}``
      → recorded (``core.video.services.video_state_record``) and told to both parties.

    Anything else, or a video message for a session the party is not in, answers
    ``{"type": "error", "message": …}`` in Spanish and changes nothing.

    A kiosk's device cookie counts as the kiosk's live connection only on the kiosk page's
    socket (``?role=kiosk``); without the marker it is a display-only listener
    (``display.<office>``; no on/off, no heartbeat, no video)."""

    party: LiveParty | None = None
    joined: list[str]

    async def connect(self):
        self.joined = []
        self.party, groups = await _party_and_groups(self.scope)
        if self.party is None:  # accepted then closed: the page reads the code and stops retrying
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = groups
        await self.accept()
        if self._is_kiosk():
            await database_sync_to_async(_kiosk_online)(self.party.kiosk, self.channel_name)
        await self.send_json({"type": "hello", "party": self.party.kind, "groups": len(groups)})

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self._is_kiosk():
            await database_sync_to_async(_kiosk_offline)(self.party.kiosk, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            if self.party.kiosk is not None:
                check = _kiosk_credential_valid if self.party.display_only else _kiosk_heartbeat
                valid = await database_sync_to_async(check)(self.party.kiosk, self.channel_name)
                if not valid:  # re-paired or unpaired meanwhile: this device is out
                    await self.close(code=CLOSE_UNAUTHENTICATED)
                    return
            await self.send_json({"type": "pong"})
        elif kind == "echo":
            await self.send_json({"type": "echo", "data": content.get("data")})
        elif kind in ("video.signal", "video.state"):
            if self.party.display_only:
                await self.send_json(
                    {
                        "type": "error",
                        "session": content.get("session"),
                        "message": DISPLAY_ONLY_VIDEO,
                    }
                )
                return
            await self._video(kind, content)
        else:
            await self.send_json({"type": "error", "message": "Mensaje no reconocido."})

    def _is_kiosk(self) -> bool:
        """The kiosk page's own socket: its on/off and heartbeat."""
        return (
            self.party is not None and self.party.kiosk is not None and not self.party.display_only
        )

    async def _video(self, kind: str, content: dict):
        from core.video import services as video

        session_id = content.get("session")
        try:
            if kind == "video.signal":
                target = await database_sync_to_async(video.video_signal_target)(
                    session_id=session_id, party=self.party
                )
                await self.channel_layer.group_send(
                    target,
                    {
                        "type": "live.message",
                        "payload": {
                            "type": "video.signal",
                            "session": session_id,
                            "from": self.party.kind,
                            "data": content.get("data"),
                        },
                    },
                )
            else:
                await database_sync_to_async(video.video_state_record)(
                    session_id=session_id,
                    party=self.party,
                    state=content.get("state") or "",
                    candidate_type=content.get("candidate_type") or "",
                    reason=content.get("reason") or "",
                )
        except video.VideoRefused as exc:
            await self.send_json(
                {"type": "error", "session": session_id, "message": exc.messages[0]}
            )

    async def live_message(self, event):
        await self.send_json(event["payload"])


def _kiosk_online(kiosk, channel_name: str) -> None:
    from core.services.kiosks import kiosk_connection_opened

    kiosk_connection_opened(kiosk=kiosk, channel_name=channel_name)


def _kiosk_offline(kiosk, channel_name: str) -> None:
    from core.services.kiosks import kiosk_connection_closed

    kiosk_connection_closed(kiosk=kiosk, channel_name=channel_name)


def _kiosk_heartbeat(kiosk, channel_name: str) -> bool:
    from core.services.kiosks import kiosk_heartbeat

    return kiosk_heartbeat(kiosk=kiosk, channel_name=channel_name)


def _kiosk_credential_valid(kiosk, channel_name: str) -> bool:
    from core.services.kiosks import kiosk_credential_valid

    return kiosk_credential_valid(kiosk=kiosk)
