"""Kiosks (CORE-01): pairing a kiosk page with its device credential, and its on/off as the live
connection with a heartbeat (BAL-02: "desconectado" kiosks cannot be used)."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.live.auth import device_key_new, key_hash
from core.live.groups import office_group
from core.live.publish import live_publish
from core.models import Kiosk, KioskPairing, User
from core.roles import Role, user_has_role

#: The code an encargado types: no 0/O, 1/I/L, so it reads unambiguously off a screen.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6

PAIRING_CODE_INVALID = (
    "El código no corresponde a ningún módulo esperando vinculación, o ya venció."
)
PAIRING_NOT_OFFICE = "Solo el encargado de la oficina del módulo lo vincula."


def kiosks_changed(office_id: int) -> None:
    live_publish(office_group(office_id), {"type": "kiosks.changed", "office": office_id})


def kiosk_online_q(now: dt.datetime | None = None) -> Q:
    """Kiosks that count as "conectado" now: a live connection whose heartbeat is fresh."""
    now = now or timezone.now()
    fresh = now - dt.timedelta(seconds=settings.KIOSK_OFFLINE_SECONDS)
    return Q(is_on=True, last_seen_at__gte=fresh, active=True)


# --- the live connection ------------------------------------------------------------------------


def kiosk_connection_opened(*, kiosk: Kiosk, channel_name: str) -> None:
    now = timezone.now()
    changed = Kiosk.objects.filter(pk=kiosk.pk).exclude(is_on=True).exists()
    Kiosk.objects.filter(pk=kiosk.pk).update(
        is_on=True, last_seen_at=now, live_channel=channel_name
    )
    if changed:
        kiosks_changed(kiosk.office_id)
        from core.signals import kiosk_connected

        kiosk_connected.send_robust(sender=Kiosk, kiosk=kiosk)


def kiosk_heartbeat(*, kiosk: Kiosk, channel_name: str) -> None:
    now = timezone.now()
    updated = Kiosk.objects.filter(pk=kiosk.pk, is_on=True, live_channel=channel_name).update(
        last_seen_at=now
    )
    if not updated:  # turned off by the sweep meanwhile, or another tab took over: take it back
        kiosk_connection_opened(kiosk=kiosk, channel_name=channel_name)


def kiosk_connection_closed(*, kiosk: Kiosk, channel_name: str) -> None:
    """The socket dropped: off, unless another connection of the same kiosk took over."""
    if Kiosk.objects.filter(pk=kiosk.pk, live_channel=channel_name).update(
        is_on=False, live_channel=""
    ):
        kiosks_changed(kiosk.office_id)


def kiosks_offline_sweep(now: dt.datetime | None = None) -> int:
    """Kiosks whose heartbeat went stale (the server died without closing the socket) are
    turned off. Periodic (beat), and harmless to run at any time."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.KIOSK_OFFLINE_SECONDS)
    offices = list(
        Kiosk.objects.filter(is_on=True)
        .filter(Q(last_seen_at__lt=stale) | Q(last_seen_at__isnull=True))
        .values_list("office_id", flat=True)
    )
    count = (
        Kiosk.objects.filter(is_on=True)
        .filter(Q(last_seen_at__lt=stale) | Q(last_seen_at__isnull=True))
        .update(is_on=False, live_channel="")
    )
    for office_id in set(offices):
        kiosks_changed(office_id)
    return count


# --- pairing --------------------------------------------------------------------------------------


def kiosk_pairing_request() -> tuple[KioskPairing, str]:
    """A kiosk page without a credential asks for a code: returns the pairing and the secret the
    page keeps (cookie) to collect its credential once an encargado types the code."""
    now = timezone.now()
    secret = secrets.token_urlsafe(32)
    live_codes = set(
        KioskPairing.objects.filter(expires_at__gt=now, kiosk__isnull=True).values_list(
            "code", flat=True
        )
    )
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in live_codes:
            break
    pairing = KioskPairing.objects.create(
        code=code,
        secret_hash=key_hash(secret),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.KIOSK_PAIRING_MINUTES),
    )
    return pairing, secret


def _code_normalize(code) -> str:
    return "".join(str(code or "").split()).upper()


@transaction.atomic
def kiosk_pair(*, kiosk: Kiosk, code: str, by: User) -> Kiosk:
    """The encargado of the kiosk's office types the code shown on the kiosk page: the kiosk is
    paired (a previous device's credential stops working). Wrong or expired code: 400."""
    if not by.is_superuser and (
        by.home_office_id != kiosk.office_id or not user_has_role(by, Role.ENCARGADO)
    ):
        raise PermissionDenied(PAIRING_NOT_OFFICE)
    now = timezone.now()
    pairing = (
        KioskPairing.objects.select_for_update()
        .filter(code=_code_normalize(code), expires_at__gt=now, kiosk__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if pairing is None:
        raise ValidationError({"code": PAIRING_CODE_INVALID})
    kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    pairing.kiosk, pairing.paired_by, pairing.paired_at = kiosk, by, now
    pairing.save(update_fields=["kiosk", "paired_by", "paired_at"])
    # The credential itself is minted when the kiosk collects it (kiosk_pairing_collect): only
    # its hash is ever stored. Until then the old device keeps working.
    kiosk.paired_by, kiosk.paired_at = by, now
    kiosk.save(update_fields=["paired_by", "paired_at"])
    kiosks_changed(kiosk.office_id)
    return kiosk


@transaction.atomic
def kiosk_pairing_collect(*, secret: str | None) -> tuple[str, Kiosk | None, str | None]:
    """The kiosk page polls with its pairing secret: ("pendiente", None, None) while the code
    waits, ("vencido", None, None) when it expired or is unknown, and once paired
    ("vinculado", kiosk, credential) exactly once — the credential ("<id>.<key>") goes into the
    device cookie; the kiosk's previous credential stops working."""
    if not secret:
        return "vencido", None, None
    pairing = (
        KioskPairing.objects.select_for_update()
        .filter(secret_hash=key_hash(secret))
        .select_related("kiosk")
        .first()
    )
    now = timezone.now()
    if pairing is None or pairing.collected_at is not None:
        return "vencido", None, None
    if pairing.kiosk is None:
        return ("pendiente" if pairing.expires_at > now else "vencido"), None, None
    key = device_key_new()
    kiosk = Kiosk.objects.select_for_update().get(pk=pairing.kiosk_id)
    kiosk.device_key_hash = key_hash(key)
    kiosk.save(update_fields=["device_key_hash"])
    pairing.collected_at = now
    pairing.save(update_fields=["collected_at"])
    return "vinculado", kiosk, f"{kiosk.pk}.{key}"
