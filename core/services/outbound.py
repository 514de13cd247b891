"""The outbox of messages to customers through a network's inbox (information requests, closing
messages, the PQR number — 2.7): saved first, sent by a worker after commit through a provider
(``core.providers``), retried by the periodic sweep; what cannot go out automatically waits for
a person (``envio_manual``) with the reason, and is never dropped silently.

States: ``pendiente`` → ``enviando`` → ``enviado``; ``pendiente``/``enviando`` → ``envio_manual``
→ ``enviado`` (a person sent it). Every change is one conditional UPDATE on the expected state
(compare-and-set), so two workers, the sweep and a person never overwrite each other and a
message is handed to the network at most once by this code.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import OutboundMessage
from core.providers import Outcome, SendResult, get_provider
from core.providers.manual import MANUAL_REASON

log = logging.getLogger(__name__)

Status = OutboundMessage.Status
PROVIDERS = ("manual", "meta")

WINDOW_REASON = (
    "Envío manual: fuera de la ventana de 24 horas de la red para responder al usuario; "
    "envíelo desde la consola de la red si lo permite, o por otro medio, y márquelo como enviado."
)
UNCERTAIN_REASON = (
    "Envío manual: estado incierto: verifique en la consola de la red si llegó; si no llegó, "
    "envíelo y márquelo como enviado."
)
#: A message in ``enviando`` longer than this was abandoned mid-send (worker killed). The HTTP
#: call itself gives up after META_HTTP_TIMEOUT (seconds).
SENDING_STALE_AFTER = dt.timedelta(minutes=5)
#: Backoff after a failed attempt n: RETRY_BASE × 2^(n-1), at most RETRY_MAX.
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=1)
RETRY_AFTER_MAX = dt.timedelta(days=1)
REASON_MAX = OutboundMessage._meta.get_field("human_reason").max_length


def provider_for(channel: str) -> str:
    """The provider that sends on ``channel``: Meta for Facebook, Instagram and WhatsApp when
    SOCIAL_PROVIDER is "meta" and that channel's credentials are set; a person otherwise (X,
    Chat EPM and Contact Center have no automatic provider)."""
    if settings.SOCIAL_PROVIDER == "meta" and get_provider("meta").is_configured(channel):
        return "meta"
    return "manual"


@transaction.atomic
def outbound_queue(
    *,
    key: str,
    channel: str,
    recipient: str,
    body: str,
    purpose: str,
    subject=None,
    created_by=None,
    reply_window_ends_at: dt.datetime | None = None,
    provider: str | None = None,
) -> OutboundMessage:
    """Save a message for the customer; an automatic one is sent by the worker after commit.

    Idempotent by ``key``: queuing the same key again returns the stored row as it is (whatever
    its state) and sends nothing more. If the broker is down the sweep sends it (NFR-03). The
    manual provider, or a reply window that has already ended, leaves it for a person
    (``envio_manual``) with the reason.
    """
    existing = OutboundMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    provider = provider or provider_for(channel)
    if provider not in PROVIDERS:
        raise ValidationError({"provider": f"Proveedor de mensajería desconocido: «{provider}»."})

    status, human_reason = Status.PENDING, ""
    if provider == "manual":
        status, human_reason = Status.HUMAN, MANUAL_REASON
    elif not get_provider(provider).is_configured(channel):
        status = Status.HUMAN
        human_reason = (
            f"Envío manual: el proveedor «{provider}» no está configurado para {channel}."
        )
    elif reply_window_ends_at is not None and reply_window_ends_at <= timezone.now():
        status, human_reason = Status.HUMAN, WINDOW_REASON

    message = OutboundMessage(
        idempotency_key=key,
        provider=provider,
        channel=channel,
        recipient=recipient,
        purpose=purpose,
        body=body,
        status=status,
        human_reason=human_reason,
        reply_window_ends_at=reply_window_ends_at,
        created_by=created_by,
    )
    if subject is not None:
        message.subject = subject
    # The key's uniqueness is left to the database: two callers racing with the same key must
    # end with one row, which a check-then-insert cannot promise.
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        existing = OutboundMessage.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing

    if status == Status.PENDING:
        from core.tasks import enqueue, send_outbound_message_task

        transaction.on_commit(lambda: enqueue(send_outbound_message_task, message.pk))
    return message


def outbound_mark_sent(*, message: OutboundMessage, by) -> OutboundMessage:
    """A person sent the message by hand (``envio_manual`` → ``enviado``), recorded with who and
    when. Compare-and-set: of two people marking it, the second gets a conflict (409)."""
    now = timezone.now()
    updated = OutboundMessage.objects.filter(pk=message.pk, status=Status.HUMAN).update(
        status=Status.SENT, sent_by=by, sent_at=now, next_attempt_at=None
    )
    current = OutboundMessage.objects.filter(pk=message.pk).first()
    if current is None:
        raise ValidationError("El mensaje no existe.")
    if not updated:
        if current.status == Status.SENT:
            raise ProtocolConflict("El mensaje ya fue marcado como enviado.")
        raise ProtocolConflict(
            "El mensaje se está enviando automáticamente: no se puede marcar como enviado a mano."
        )
    message.status, message.sent_by, message.sent_at = current.status, by, current.sent_at
    message.next_attempt_at = None
    return current


def outbound_send(*, message_id: int) -> OutboundMessage | None:
    """One attempt to send a due ``pendiente`` message; safe to run twice or concurrently.

    The row is claimed (``pendiente`` → ``enviando``) by a conditional UPDATE that commits before
    the HTTP call: a second worker, the sweep or a retried task finds nothing to claim and
    leaves it alone. While ``enviando``, ``next_attempt_at`` holds when the attempt counts as
    abandoned (see ``outbound_send_due``). An unexpected exception leaves the row ``enviando``
    on purpose: whether the network got it is unknown, so a person checks instead of a resend.
    """
    now = timezone.now()
    claimed = (
        OutboundMessage.objects.filter(pk=message_id, status=Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + SENDING_STALE_AFTER,
        )
    )
    message = OutboundMessage.objects.filter(pk=message_id).first()
    if not claimed or message is None:
        return message

    if message.reply_window_ends_at is not None and message.reply_window_ends_at <= now:
        return _after_attempt(
            message,
            SendResult.window_closed("La ventana de respuesta terminó antes del envío."),
        )
    result = get_provider(message.provider).send(
        channel=message.channel, recipient=message.recipient, body=message.body
    )
    return _after_attempt(message, result)


def _after_attempt(message: OutboundMessage, result: SendResult) -> OutboundMessage:
    now = timezone.now()
    sending = OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING)
    if result.outcome == Outcome.SENT:
        # Also over a sweep that meanwhile gave it up as uncertain: the network's word that it
        # arrived keeps a person from sending it a second time.
        updated = OutboundMessage.objects.filter(
            Q(status=Status.SENDING) | Q(status=Status.HUMAN, human_reason=UNCERTAIN_REASON),
            pk=message.pk,
        ).update(
            status=Status.SENT,
            provider_message_id=result.provider_message_id,
            sent_at=now,
            next_attempt_at=None,
        )
    elif result.outcome == Outcome.RETRY and message.attempts < settings.OUTBOUND_MAX_ATTEMPTS:
        delay = min(RETRY_BASE * 2 ** max(message.attempts - 1, 0), RETRY_MAX)
        if result.retry_after:
            delay = max(delay, min(dt.timedelta(seconds=result.retry_after), RETRY_AFTER_MAX))
        updated = sending.update(
            status=Status.PENDING, last_error=result.error, next_attempt_at=now + delay
        )
    else:
        if result.outcome == Outcome.RETRY:
            reason = (
                f"Envío manual: no se pudo enviar tras {message.attempts} intentos ({result.error})"
            )
        elif result.outcome == Outcome.WINDOW_CLOSED:
            reason = WINDOW_REASON
        elif message.provider == "manual":
            reason = MANUAL_REASON
        else:
            reason = f"Envío manual: la red rechazó el mensaje ({result.error})"
        updated = sending.update(
            status=Status.HUMAN,
            human_reason=_short(reason),
            last_error=result.error,
            next_attempt_at=None,
        )
    if not updated:
        log.warning(
            "El mensaje saliente %s cambió de estado durante el envío; resultado: %s %s",
            message.pk,
            result.outcome,
            result.error,
        )
    elif result.outcome != Outcome.SENT:
        log.info("Mensaje saliente %s no enviado: %s %s", message.pk, result.outcome, result.error)
    return OutboundMessage.objects.get(pk=message.pk)


def outbound_send_due(*, limit: int = 200) -> int:
    """The periodic sweep (every minute): send the messages whose (re)try time has come — queued
    while the broker was down, or backing off — oldest retry first, at most ``limit``.

    First, messages left ``enviando`` past SENDING_STALE_AFTER (the worker died mid-send) go to a
    person as "estado incierto": they may or may not have reached the network, and a blind
    resend could write to the customer twice. One UPDATE, conditional on the state, so it
    happens at most once per message; ``envio_manual`` never goes back to automatic sending.
    Returns the number of messages attempted.
    """
    now = timezone.now()
    abandoned = OutboundMessage.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=Status.SENDING
    ).update(status=Status.HUMAN, human_reason=UNCERTAIN_REASON, next_attempt_at=None)
    if abandoned:
        log.warning("%s mensaje(s) salientes en estado incierto pasan a envío manual", abandoned)

    due = list(
        OutboundMessage.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=Status.PENDING
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        outbound_send(message_id=pk)
    return len(due)


def _short(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"
