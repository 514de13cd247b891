"""Kiosks (CORE-01): pairing a kiosk page with its device credential, and its on/off as the live
connection with a heartbeat (BAL-02: "desconectado" kiosks cannot be used)."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from core.live.auth import device_key_new, key_hash
from core.live.groups import kiosk_group, office_group
from core.live.publish import live_publish
from core.models import Kiosk, KioskPairing, Office, Turn, User
from core.roles import OFFICE_ROLES, STAFF_ROLES, Role, user_has_role

#: The code an encargado types: no 0/O, 1/I/L, so it reads unambiguously off a screen.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
#: Draws of a code before giving up (a collision with a live code is ~1 in 10⁸ per draw).
PAIRING_CODE_TRIES = 10
#: Expired, uncollected pairing codes are purged by the sweep after this long.
PAIRING_KEEP = dt.timedelta(days=1)

PAIRING_CODE_INVALID = (
    "El código no corresponde a ningún módulo esperando vinculación, o ya venció."
)
PAIRING_NOT_OFFICE = "Solo el encargado de la oficina del módulo lo vincula."
PAIRING_NO_CODE = "No se pudo generar un código de vinculación; intente de nuevo."
KIOSK_NOT_FOUND = "Módulo no encontrado."
OFFICE_NOT_FOUND = "Oficina no encontrada."
#: Announcements the waiting-room display lists (newest first).
DISPLAY_LIMIT = 12


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


def kiosk_heartbeat(*, kiosk: Kiosk, channel_name: str) -> bool:
    """A ping from the kiosk's socket keeps it on. False when the credential the socket signed
    in with is no longer the kiosk's (re-paired, unpaired, deactivated): the socket must close
    instead of turning the kiosk back on."""
    now = timezone.now()
    valid = Kiosk.objects.filter(
        pk=kiosk.pk, active=True, device_key_hash=kiosk.device_key_hash
    ).exclude(device_key_hash="")
    updated = valid.filter(is_on=True, live_channel=channel_name).update(last_seen_at=now)
    if updated:
        return True
    if not valid.exists():
        kiosk_connection_closed(kiosk=kiosk, channel_name=channel_name)
        return False
    # turned off by the sweep meanwhile, or another tab took over: take it back
    kiosk_connection_opened(kiosk=kiosk, channel_name=channel_name)
    return True


def kiosk_credential_valid(*, kiosk: Kiosk) -> bool:
    """The credential a display-only socket signed in with is still the kiosk's (not re-paired,
    unpaired or deactivated). Changes nothing: only the kiosk page's socket is its heartbeat."""
    return (
        Kiosk.objects.filter(pk=kiosk.pk, active=True, device_key_hash=kiosk.device_key_hash)
        .exclude(device_key_hash="")
        .exists()
    )


def kiosk_connection_closed(*, kiosk: Kiosk, channel_name: str) -> None:
    """The socket dropped: off, unless another connection of the same kiosk took over."""
    if Kiosk.objects.filter(pk=kiosk.pk, live_channel=channel_name).update(
        is_on=False, live_channel=""
    ):
        kiosks_changed(kiosk.office_id)


def kiosks_offline_sweep(now: dt.datetime | None = None) -> int:
    """Kiosks whose heartbeat went stale (the server died without closing the socket) are
    turned off; expired pairing codes nobody collected are purged (``kiosk_pairings_purge``).
    Periodic (beat), and harmless to run at any time. Returns how many kiosks went off."""
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
    kiosk_pairings_purge(now)
    return count


# --- pairing --------------------------------------------------------------------------------------


def kiosk_pairing_request() -> tuple[KioskPairing, str]:
    """A kiosk page without a credential asks for a code: returns the pairing and the secret the
    page keeps (cookie) to collect its credential once an encargado types the code. The code is
    drawn at random and drawn again (a few times at most) while a live one has it."""
    now = timezone.now()
    secret = secrets.token_urlsafe(32)
    for _ in range(PAIRING_CODE_TRIES):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not KioskPairing.objects.filter(
            code=code, expires_at__gt=now, kiosk__isnull=True
        ).exists():
            break
    else:  # 31⁶ codes: only reached if the table is flooded
        raise ValidationError(PAIRING_NO_CODE)
    pairing = KioskPairing.objects.create(
        code=code,
        secret_hash=key_hash(secret),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.KIOSK_PAIRING_MINUTES),
    )
    return pairing, secret


def kiosk_pairings_purge(now: dt.datetime | None = None) -> int:
    """Pairing codes that expired more than PAIRING_KEEP ago and were never collected are
    deleted (kiosk pages that asked and nobody paired); collected ones stay (who paired which
    kiosk when). Returns how many."""
    now = now or timezone.now()
    deleted, _ = KioskPairing.objects.filter(
        collected_at__isnull=True, expires_at__lt=now - PAIRING_KEEP
    ).delete()
    return deleted


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
    pairing = KioskPairing.objects.select_for_update().filter(secret_hash=key_hash(secret)).first()
    now = timezone.now()
    if pairing is None or pairing.collected_at is not None:
        return "vencido", None, None
    if pairing.kiosk is None:
        return ("pendiente" if pairing.expires_at > now else "vencido"), None, None
    key = device_key_new()
    kiosk = (
        Kiosk.objects.select_for_update(of=("self",))
        .select_related("office")
        .get(pk=pairing.kiosk_id)
    )
    replaced = bool(kiosk.device_key_hash)
    kiosk.device_key_hash = key_hash(key)
    kiosk.save(update_fields=["device_key_hash"])
    pairing.collected_at = now
    pairing.save(update_fields=["collected_at"])
    if replaced:  # the previous device's page, if still open, reloads into "sin vincular"
        live_publish(kiosk_group(kiosk.pk), {"type": "kiosk.unpaired", "kiosk": kiosk.pk})
    return "vinculado", kiosk, f"{kiosk.pk}.{key}"


@transaction.atomic
def kiosk_unpair(*, kiosk: Kiosk) -> Kiosk:
    """ "Desvincular" (admin): the kiosk's device credential stops working at once; the kiosk
    page shows a new code to pair it again. Its live connection, if any, is turned off."""
    kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    kiosk.device_key_hash = ""
    kiosk.is_on = False
    kiosk.live_channel = ""
    kiosk.save(update_fields=["device_key_hash", "is_on", "live_channel"])
    kiosks_changed(kiosk.office_id)
    live_publish(kiosk_group(kiosk.pk), {"type": "kiosk.unpaired", "kiosk": kiosk.pk})
    return kiosk


# --- reads ---------------------------------------------------------------------------------------


def kiosks_with_state(now: dt.datetime | None = None) -> QuerySet[Kiosk]:
    """Kiosks annotated with ``online``: "conectado" now (see ``kiosk_online_q``)."""
    return Kiosk.objects.select_related("office", "printer").annotate(
        online=Case(
            When(kiosk_online_q(now), then=True), default=False, output_field=BooleanField()
        )
    )


def kiosk_offices_for_user(user) -> QuerySet[Office]:
    """The offices whose kiosks a staff user sees: their home office; for a technologist also
    the offices they support today; for a gestor their unit's offices; all for a superuser."""
    from core.models import RosterEntry

    offices = Office.objects.filter(active=True)
    if user.is_superuser:
        return offices
    if not user_has_role(user, *STAFF_ROLES):
        return offices.none()
    scope = Q(pk=user.home_office_id) if user.home_office_id else Q(pk__in=[])
    if user_has_role(user, Role.TECNOLOGO):
        scope |= Q(
            pk__in=RosterEntry.objects.filter(technologist=user, day=timezone.localdate()).values(
                "office_id"
            )
        )
    if user_has_role(user, Role.GESTOR) and user.home_office_id:
        scope |= Q(unit=user.home_office.unit)
    return offices.filter(scope)


def kiosk_list_for_user(*, user) -> QuerySet[Kiosk]:
    return (
        kiosks_with_state()
        .filter(office__in=kiosk_offices_for_user(user))
        .order_by("office__name", "label")
    )


def kiosk_get_for_pairing(*, user, kiosk_id: int) -> Kiosk:
    """A kiosk the caller may pair: one of their own office (encargado); 404 otherwise."""
    kiosk = Kiosk.objects.select_related("office").filter(pk=kiosk_id, active=True).first()
    if kiosk is None or not (user.is_superuser or user.home_office_id == kiosk.office_id):
        raise Http404(KIOSK_NOT_FOUND)
    return kiosk


def display_office_for(*, office_id: int, user=None, kiosk: Kiosk | None = None) -> Office:
    """The office whose waiting-room display the caller may see: the office's own staff
    (orientador, encargado, gestor de oficina), or one of its paired kiosks. Anyone else gets 404
    as for a missing office (NFR-02)."""
    office = Office.objects.filter(pk=office_id, active=True).first()
    if office is None:
        raise Http404(OFFICE_NOT_FOUND)
    if display_allowed(office=office, user=user, kiosk=kiosk):
        return office
    raise Http404(OFFICE_NOT_FOUND)


def display_allowed(*, office: Office, user=None, kiosk: Kiosk | None = None) -> bool:
    if kiosk is not None and kiosk.office_id == office.pk:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or (
        user.home_office_id == office.pk and user_has_role(user, *OFFICE_ROLES)
    )


def kiosk_current_announcement(*, kiosk: Kiosk) -> Turn | None:
    """The turn called to this kiosk today that is still "llamado" (its customer has not been
    attended yet), newest first: a reloaded kiosk page shows it again."""
    from core.models import TurnStatus

    return (
        Turn.objects.filter(
            kiosk=kiosk,
            day=timezone.localdate(),
            status=TurnStatus.LLAMADO,
            announced_at__isnull=False,
        )
        .order_by("-announced_at", "-pk")
        .first()
    )


def display_announcements(*, office: Office, limit: int = DISPLAY_LIMIT) -> list[dict]:
    """Today's turns called to a kiosk of the office, newest first: "Turno A-023 → Módulo 2"."""
    turns = (
        Turn.objects.filter(
            office=office,
            day=timezone.localdate(),
            announced_at__isnull=False,
            kiosk__isnull=False,
        )
        .select_related("kiosk")
        .order_by("-announced_at", "-pk")[:limit]
    )
    return [
        {
            "turn": turn.number,
            "turn_id": turn.pk,
            "kiosk": turn.kiosk.label,
            "kiosk_id": turn.kiosk_id,
            "announced_at": turn.announced_at,
        }
        for turn in turns
    ]
