"""Video providers: how a session's media flows. "p2p" (browser to browser WebRTC, signalled over
the live socket, TURN relay when needed) is the only one built. A LiveKit or Jitsi room would
implement the same two methods: mint the room for a session, and the client configuration each
party's page needs (a token, the room's URL)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class P2PProvider:
    name: str = "p2p"

    def room_create(self, session) -> str:
        """The provider's room reference for the session ("" for p2p: the session id is enough)."""
        return ""

    def client_config(self, session, *, party) -> dict:
        """What the party's page needs to join: for p2p, the ICE servers (STUN, TURN with
        short-lived credentials) and the transport policy ("relay": only through TURN)."""
        from core.video.services import ice_servers_for

        return {
            "provider": self.name,
            "ice_servers": ice_servers_for(party=party),
            "ice_transport_policy": settings.VIDEO_ICE_TRANSPORT_POLICY,
        }


PROVIDERS = {"p2p": P2PProvider()}


def video_provider():
    try:
        return PROVIDERS[settings.VIDEO_PROVIDER]
    except KeyError:
        raise ImproperlyConfigured(
            f"VIDEO_PROVIDER={settings.VIDEO_PROVIDER!r}: proveedores disponibles: "
            + ", ".join(PROVIDERS)
        ) from None
