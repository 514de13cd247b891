"""PQR-02's missing information: ask the user for it through the network's inbox, close the
interaction as "no atendida" when they do not answer by the next Bogotá day (or cannot be
messaged, or the call ended), and the daily job that does that closing.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.business_days import bogota_day_bounds, local_date
from core.exceptions import ProtocolConflict
from core.models import OutboundMessage, User
from core.services.messaging import template_render
from pqr_digital.models import DigitalChannel, InboundMessage, Interaction
from pqr_digital.reference_data import TEMPLATE_CLOSE_UNANSWERED, TEMPLATE_REQUEST_INFO
from pqr_digital.services.interactions.common import (
    Purpose,
    Status,
    _context,
    _lock,
    _queue,
    _require_open,
    _save,
    _take,
    can_message,
    interaction_missing_fields,
    missing_text,
)


@transaction.atomic
def interaction_request_info(
    *, interaction: Interaction, by: User, at: dt.datetime | None = None
) -> OutboundMessage:
    """PQR-02: ask the user through the network's inbox for the minimum data still missing
    (template TEMPLATE_REQUEST_INFO, editable in admin). If there is no answer by the next
    Bogotá day, the daily job closes the interaction (``interactions_close_unanswered_due``).

    Each request is its own message (key ``…:solicitud-informacion:<n>``): asking again after a
    partial answer sends a new one; a repeated click sends nothing twice because the row is
    locked and the status says a request is waiting."""
    at = at or timezone.now()
    interaction = _lock(interaction)
    _require_open(interaction)
    missing = interaction_missing_fields(interaction)
    if not missing:
        raise ProtocolConflict("No falta ningún dato mínimo: puede radicar la PQR.")
    if interaction.channel == DigitalChannel.CONTACT_CENTER:
        raise ProtocolConflict(
            "En una llamada los datos se piden durante la llamada: complételos o cierre la "
            "interacción como no atendida."
        )
    if interaction.cannot_receive_messages:
        raise ProtocolConflict(
            "El usuario no puede recibir mensajes: cierre la interacción como no atendida."
        )
    if interaction.status == Status.WAITING_INFO:
        raise ProtocolConflict(
            "Ya se solicitó la información y se espera la respuesta del usuario."
        )
    fields = _take(interaction, by)
    number = interaction.messages.filter(purpose=Purpose.REQUEST_INFO).count() + 1
    _, body = template_render(
        code=TEMPLATE_REQUEST_INFO, context=_context(interaction, at=at, missing=missing)
    )
    message = _queue(
        interaction,
        key=f"pqr-digital:{interaction.pk}:solicitud-informacion:{number}",
        purpose=Purpose.REQUEST_INFO,
        body=body,
        by=by,
    )
    interaction.status = Status.WAITING_INFO
    interaction.info_requested_at = at
    interaction.info_answered_at = None
    _save(
        interaction,
        [*fields, "status", "info_requested_at", "info_answered_at"],
        by=by,
        reason=f"información solicitada al usuario: {missing_text(missing)}",
    )
    return message


def _close_unanswered(
    interaction: Interaction, *, by: User | None, at: dt.datetime, reason: str
) -> OutboundMessage | None:
    """Close (locked row) as not attended; the closing message goes when it can reach the user.
    One key per interaction: the message is queued once whoever closes it."""
    missing = interaction_missing_fields(interaction)
    message = None
    if can_message(interaction):
        _, body = template_render(
            code=TEMPLATE_CLOSE_UNANSWERED,
            context=_context(interaction, at=at, missing=missing),
        )
        message = _queue(
            interaction,
            key=f"pqr-digital:{interaction.pk}:cierre-sin-informacion",
            purpose=Purpose.CLOSE_UNANSWERED,
            body=body,
            by=by,
        )
    elif interaction.channel == DigitalChannel.CONTACT_CENTER:
        reason += " (llamada: sin mensaje por inbox)"
    else:
        reason += " (el usuario no puede recibir mensajes: no se envió mensaje)"
    fields = _take(interaction, by)
    interaction.status = Status.UNATTENDED
    interaction.closed_at = at
    interaction.closed_by = by
    _save(interaction, [*fields, "status", "closed_at", "closed_by"], by=by, reason=reason)
    return message


@transaction.atomic
def interaction_close_unanswered(
    *,
    interaction: Interaction,
    by: User | None = None,
    cannot_receive_messages: bool = False,
    at: dt.datetime | None = None,
) -> Interaction:
    """PQR-02: the user did not give the minimum data. Closed as "no atendida" with the closing
    inbox message (TEMPLATE_CLOSE_UNANSWERED) once the information request went unanswered
    until the next Bogotá day; at once, without a message, when the user cannot receive
    messages (``cannot_receive_messages``, recorded) or the call ended (Contact Center)."""
    at = at or timezone.now()
    interaction = _lock(interaction)
    _require_open(interaction)
    missing = interaction_missing_fields(interaction)
    if not missing:
        raise ProtocolConflict(
            "La interacción tiene los datos mínimos: radique la PQR en lugar de cerrarla."
        )
    fields = []
    if cannot_receive_messages and not interaction.cannot_receive_messages:
        interaction.cannot_receive_messages = True
        fields.append("cannot_receive_messages")
    if can_message(interaction):
        if interaction.status != Status.WAITING_INFO:
            raise ProtocolConflict(
                "Primero solicite al usuario la información que falta; si no responde, la "
                "interacción se cierra al día siguiente."
            )
        if local_date(interaction.info_requested_at) >= local_date(at):
            raise ProtocolConflict(
                "La información se solicitó hoy: el usuario tiene hasta mañana para responder."
            )
    if fields:
        _save(interaction, fields, by=by, reason="el usuario no puede recibir mensajes")
    _close_unanswered(
        interaction,
        by=by,
        at=at,
        reason="cerrada como no atendida por falta de información",
    )
    return interaction


def interactions_close_unanswered_due(*, now: dt.datetime | None = None) -> int:
    """The daily job (task ``pqr_digital.close_unanswered``, 08:00 Bogotá, hour editable in
    admin): close the interactions whose information request was sent on an earlier Bogotá day
    and got no answer (an answer puts them back to "abierta").

    One short transaction per interaction, its row locked with SKIP LOCKED: two workers never
    close the same one, a creador working on one is not blocked, and a failure leaves the others
    closed. Running it twice closes once and sends one message (the status is re-checked under
    the lock and the message has one key per interaction).

    An answer the provider delivered in time but no worker processed yet (broker down, task
    lost) still stops the clock: the stored deliveries are processed first, and an interaction
    whose user has a delivery still unprocessed is left for the next run."""
    from pqr_digital.services.inbound import inbound_process_pending

    now = now or timezone.now()
    inbound_process_pending()
    start_of_today, _ = bogota_day_bounds(local_date(now))
    unprocessed_answer = InboundMessage.objects.filter(
        processed_at__isnull=True,
        provider=OuterRef("provider"),
        channel=OuterRef("channel"),
        sender_id=OuterRef("provider_sender_id"),
    )
    due = Interaction.objects.filter(
        status=Status.WAITING_INFO, info_requested_at__lt=start_of_today
    ).exclude(Exists(unprocessed_answer))
    closed = 0
    for pk in list(due.order_by("info_requested_at", "id").values_list("pk", flat=True)):
        with transaction.atomic():
            interaction = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("case")
                .filter(pk=pk)
                .first()
            )
            if interaction is None:
                continue
            _close_unanswered(
                interaction,
                by=None,
                at=now,
                reason="cierre automático: el usuario no respondió la solicitud de información",
            )
            closed += 1
    return closed
