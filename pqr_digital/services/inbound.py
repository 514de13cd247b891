"""Deliveries of the providers' webhooks (2.7, PQR-01): each message a network's user sent is
stored once (``InboundMessage``, unique per provider message id — providers deliver again when
they are unsure), then a task turns it into an interaction or into the answer to the user's open
one (``interaction_receive``). The webhook answers at once; the work happens after commit, and
the periodic sweep processes whatever a lost task left behind (NFR-03)."""

import datetime as dt
import logging
import zlib

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from pqr_digital.models import DigitalChannel, InboundMessage
from pqr_digital.services.interactions import interaction_receive

log = logging.getLogger(__name__)

META = "meta"
#: Meta's ``object`` of a delivery → the network.
META_OBJECTS = {
    "page": DigitalChannel.FACEBOOK,
    "instagram": DigitalChannel.INSTAGRAM,
    "whatsapp_business_account": DigitalChannel.WHATSAPP,
}
ID_MAX = InboundMessage._meta.get_field("provider_message_id").max_length
SENDER_MAX = InboundMessage._meta.get_field("sender_id").max_length
NAME_MAX = InboundMessage._meta.get_field("sender_name").max_length


def no_text(kind) -> str:
    return f"[mensaje de tipo {kind or 'desconocido'} sin texto]"


# --- reading Meta's deliveries ------------------------------------------------------------


def meta_messages(payload) -> list[InboundMessage]:
    """The users' messages in one Meta delivery, unsaved. Whatever is not a message from a user
    (delivery and read receipts, statuses, echoes of the page's own messages, reactions,
    unknown objects or shapes) is left out."""
    if not isinstance(payload, dict):
        return []
    try:
        payload = _storable(payload)
    except RecursionError:  # nested deeper than any message of Meta's
        log.warning("Entrega de Meta descartada: demasiados niveles de anidación.")
        return []
    channel = META_OBJECTS.get(payload.get("object"))
    if channel is None:
        return []
    found = []
    for entry in _dicts(payload.get("entry")):
        if channel == DigitalChannel.WHATSAPP:
            for change in _dicts(entry.get("changes")):
                if change.get("field") == "messages" and isinstance(change.get("value"), dict):
                    found += _whatsapp_messages(change["value"])
        else:
            found += [
                message
                for event in _dicts(entry.get("messaging"))
                if (message := _page_message(event, channel=channel)) is not None
            ]
    return found


def _page_message(event: dict, *, channel: str) -> InboundMessage | None:
    """Messenger / Instagram:
    ``{"sender": {"id"}, "timestamp": ms, "message": {"mid", "text"}}``."""
    message = event.get("message")
    sender = event.get("sender")
    if not isinstance(message, dict) or not isinstance(sender, dict) or message.get("is_echo"):
        return None
    text = message.get("text")
    if not isinstance(text, str) or not text:
        attachments = list(_dicts(message.get("attachments")))
        text = no_text(attachments[0].get("type") if attachments else None)
    return _inbound(
        channel=channel,
        message_id=message.get("mid"),
        sender_id=sender.get("id"),
        sender_name="",
        text=text,
        sent_at=_from_timestamp(event.get("timestamp"), scale=1000),
        payload=event,
    )


def _whatsapp_messages(value: dict) -> list[InboundMessage]:
    """WhatsApp Cloud API: ``value.messages[]`` with ``value.contacts[]`` (the profile names);
    ``value.statuses[]`` (sent, delivered, read of our own messages) are not messages."""
    names = {
        str(contact.get("wa_id")): contact["profile"].get("name") or ""
        for contact in _dicts(value.get("contacts"))
        if isinstance(contact.get("profile"), dict)
    }
    found = []
    for message in _dicts(value.get("messages")):
        kind = message.get("type")
        body = message.get("text", {}).get("body") if isinstance(message.get("text"), dict) else ""
        text = body if kind == "text" and isinstance(body, str) and body else no_text(kind)
        sender = message.get("from")
        inbound = _inbound(
            channel=DigitalChannel.WHATSAPP,
            message_id=message.get("id"),
            sender_id=sender,
            sender_name=names.get(str(sender), ""),
            text=text,
            sent_at=_from_timestamp(message.get("timestamp"), scale=1),
            payload=message,
        )
        if inbound is not None:
            found.append(inbound)
    return found


def _inbound(*, channel, message_id, sender_id, sender_name, text, sent_at, payload):
    if isinstance(sender_id, int):
        sender_id = str(sender_id)
    if not (isinstance(message_id, str) and 0 < len(message_id) <= ID_MAX):
        return None
    if not (isinstance(sender_id, str) and 0 < len(sender_id) <= SENDER_MAX):
        return None
    return InboundMessage(
        provider=META,
        provider_message_id=message_id,
        channel=channel,
        sender_id=sender_id,
        sender_name=(sender_name if isinstance(sender_name, str) else "")[:NAME_MAX],
        text=text,
        sent_at=sent_at,
        payload=payload,
    )


def _storable(value):
    """The delivery with what PostgreSQL cannot store in text or jsonb removed: NUL characters
    and lone surrogates (JSON allows "\\u0000" and "\\ud800"). One odd character must not make
    the whole delivery fail — Meta would deliver it again and again."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def _dicts(value):
    return (item for item in value if isinstance(item, dict)) if isinstance(value, list) else ()


def _from_timestamp(value, *, scale: int) -> dt.datetime:
    """Meta's timestamps: milliseconds (Messenger, Instagram) or seconds as a string (WhatsApp);
    the time of arrival when missing or absurd."""
    try:
        moment = dt.datetime.fromtimestamp(int(value) / scale, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()
    return moment if moment.year >= 2000 else timezone.now()


# --- storing and processing ---------------------------------------------------------------


@transaction.atomic
def inbound_receive_meta(*, payload) -> int:
    """Store the users' messages of a verified Meta delivery, once each, and queue their
    processing after commit. A delivery Meta repeats stores and queues nothing new. Returns the
    number of messages stored now."""
    messages = meta_messages(payload)
    if not messages:
        return 0
    ids = {message.provider_message_id for message in messages}
    known = set(
        InboundMessage.objects.filter(provider=META, provider_message_id__in=ids).values_list(
            "provider_message_id", flat=True
        )
    )
    InboundMessage.objects.bulk_create(messages, ignore_conflicts=True)
    # With ignore_conflicts the database gives no ids back: read the rows this call added.
    new = list(
        InboundMessage.objects.filter(provider=META, provider_message_id__in=ids - known)
        .order_by("sent_at", "id")
        .values_list("pk", flat=True)
    )
    if new:
        from core.tasks import enqueue
        from pqr_digital.tasks import process_inbound_task

        transaction.on_commit(lambda: [enqueue(process_inbound_task, pk) for pk in new])
    return len(new)


@transaction.atomic
def inbound_process(*, inbound_id: int) -> str:
    """Turn one stored message into an interaction, or the answer to the sender's open one.

    Idempotent: the row is locked and skipped once processed. A sender's messages are processed
    one at a time and in the order they were written: users often send two or three short
    messages in a row, each delivered and queued on its own, and two workers must neither both
    open an interaction nor let the second message open it. So the sender is locked first (a
    transaction-scoped advisory lock; always before any row lock, so workers cannot deadlock),
    then this message and the sender's earlier unprocessed ones are processed oldest first."""
    inbound = InboundMessage.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return "no existe"
    if inbound.processed_at is not None:
        return "ya procesado"
    _lock_sender(inbound)
    rows = list(
        InboundMessage.objects.select_for_update()
        .filter(
            provider=inbound.provider,
            channel=inbound.channel,
            sender_id=inbound.sender_id,
            processed_at__isnull=True,
        )
        .filter(Q(sent_at__lt=inbound.sent_at) | Q(sent_at=inbound.sent_at, pk__lte=inbound.pk))
        .order_by("sent_at", "pk")
    )
    if not any(row.pk == inbound.pk for row in rows):
        return "ya procesado"  # by another worker while this one waited for the sender
    for row in rows:
        row.interaction = interaction_receive(
            channel=row.channel,
            provider=row.provider,
            sender_id=row.sender_id,
            sender_name=row.sender_name,
            text=row.text,
            at=row.sent_at,
        )
        row.processed_at = timezone.now()
        row.save(update_fields=["interaction", "processed_at"])
    return "procesado"


def inbound_process_pending(*, limit: int = 200) -> int:
    """The sweep: process the stored messages no task processed (broker down, task lost), oldest
    first, at most ``limit``. Returns how many of them are processed now."""
    pending = list(
        InboundMessage.objects.filter(processed_at__isnull=True)
        .order_by("sent_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        inbound_process(inbound_id=pk)
    return InboundMessage.objects.filter(pk__in=pending, processed_at__isnull=False).count()


def _lock_sender(inbound: InboundMessage) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite (demo) serializes writers anyway
    key = zlib.crc32(f"{inbound.provider}:{inbound.channel}:{inbound.sender_id}".encode())
    with connection.cursor() as cursor:
        # Two-int form: the first number names this lock family among the app's advisory locks.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [2701, key - 2**31])
