"""Who is on the other end of a live socket or a kiosk request: a staff user (session) or a
kiosk (device credential cookie, set when an encargado pairs it)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

#: The kiosk browser's credential: "<kiosk id>.<key>", httpOnly, a year.
KIOSK_COOKIE = "kiosk_device"
#: A kiosk page waiting to be paired keeps its pairing secret here.
PAIRING_COOKIE = "kiosk_pairing"
KIOSK_COOKIE_MAX_AGE = 365 * 24 * 3600


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def device_key_new() -> str:
    return secrets.token_urlsafe(32)


def kiosk_from_credential(value: str | None):
    """The active kiosk whose device credential is ``value``, or None (constant-time compare)."""
    from core.models import Kiosk

    if not value or "." not in value:
        return None
    kiosk_id, _, key = value.partition(".")
    if not kiosk_id.isdigit() or not key:
        return None
    kiosk = (
        Kiosk.objects.select_related("office", "printer")
        .filter(pk=int(kiosk_id), active=True, office__active=True)
        .exclude(device_key_hash="")
        .first()
    )
    if kiosk is None or not hmac.compare_digest(kiosk.device_key_hash, key_hash(key)):
        return None
    return kiosk


def kiosk_from_request(request):
    """The paired kiosk calling (its cookie), or None."""
    return kiosk_from_credential(request.COOKIES.get(KIOSK_COOKIE))


@dataclass(frozen=True)
class LiveParty:
    """One end of a socket: a staff user or a kiosk. ``display_only``: a socket with a kiosk's
    device cookie that is not the kiosk page's (no ``?role=kiosk``), e.g. the waiting-room
    display opened in the kiosk's browser — it listens to the office's display and nothing
    else: it does not turn the kiosk on or off and takes no part in video calls."""

    user: object | None = None
    kiosk: object | None = None
    display_only: bool = False

    @property
    def kind(self) -> str:
        if self.display_only:
            return "display"
        return "kiosk" if self.kiosk is not None else "user"

    def __str__(self) -> str:
        return f"kiosk {self.kiosk.pk}" if self.kiosk is not None else f"user {self.user.pk}"
