"""Interactions coming in (PQR-01, PQR-02): a network user's message delivered by a webhook
(a new interaction or the answer to an open one), one registered by hand by the creador, and the
minimum data the creador completes as the user gives it.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import User
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services.interactions.common import (
    MINIMUM_LABELS,
    Status,
    _apply,
    _clean_data,
    _lock,
    _require_open,
    _save,
    _take,
    _with_current_type,
)


@transaction.atomic
def interaction_receive(
    *,
    channel: str,
    provider: str,
    sender_id: str,
    sender_name: str = "",
    text: str,
    at: dt.datetime,
) -> Interaction:
    """A message from a network's user: the answer to their open interaction (it stops the
    clock of an information request: back to "abierta", so the daily closing leaves it), or a
    new interaction in the shared inbox."""
    interaction = (
        Interaction.objects.select_for_update()
        .filter(
            provider=provider,
            channel=channel,
            provider_sender_id=sender_id,
            status__in=Interaction.Status.open_values(),
        )
        .order_by("-arrived_at", "-id")
        .first()
    )
    if interaction is None:
        return Interaction.objects.create(
            channel=channel,
            provider=provider,
            provider_sender_id=sender_id,
            author_handle=sender_name or sender_id,
            text=text,
            arrived_at=at,
            last_inbound_at=at,
        )
    interaction.last_inbound_at = max(at, interaction.last_inbound_at or at)
    fields = ["last_inbound_at", "updated_at"]
    if interaction.status == Interaction.Status.WAITING_INFO:
        interaction.status = Interaction.Status.OPEN
        interaction.info_answered_at = at
        fields += ["status", "info_answered_at"]
    interaction._change_reason = "mensaje del usuario recibido"
    interaction.save(update_fields=fields)
    return interaction


@transaction.atomic
def interaction_register(
    *,
    by: User,
    channel: str,
    text: str,
    author_handle: str = "",
    full_name: str = "",
    document_type: str = "",
    document_number: str = "",
    contract: str = "",
    property_address: str = "",
    motive: str = "",
    recording_ref: str = "",
    arrived_at: dt.datetime | None = None,
) -> Interaction:
    """PQR-01: the creador registers by hand a mention, a chat or a call of the group
    "Orientación a la factura" (Contact Center). It is theirs from the start."""
    now = timezone.now()
    errors = {}
    if channel not in DigitalChannel.values:
        errors["channel"] = "Seleccione la red o el canal por el que llegó."
    text = (text or "").strip()
    if not text:
        errors["text"] = "Escriba lo que dijo el usuario (la mención, el chat o la llamada)."
    if arrived_at is not None and arrived_at > now + dt.timedelta(minutes=5):
        errors["arrived_at"] = "La fecha de llegada no puede estar en el futuro."
    try:
        data = _clean_data(
            channel,
            {
                "author_handle": author_handle,
                "full_name": full_name,
                "document_type": document_type,
                "document_number": document_number,
                "contract": contract,
                "property_address": property_address,
                "motive": motive,
                "recording_ref": recording_ref,
            },
        )
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        data = {}
    if errors:
        raise ValidationError(errors)
    arrived_at = arrived_at or now
    interaction = Interaction(
        channel=channel,
        text=text,
        arrived_at=arrived_at,
        last_inbound_at=arrived_at,
        handled_by=by,
        provider="manual",
        **data,
    )
    interaction.full_clean()
    interaction._change_reason = "interacción registrada por el creador de experiencia"
    interaction._history_user = by
    interaction.save()
    return interaction


@transaction.atomic
def interaction_update(*, interaction: Interaction, by: User, **changes) -> Interaction:
    """Complete the minimum data (PQR-02) as the user gives it. While an information request
    waits, the user's data typed in here is their answer: the interaction is open again and the
    daily closing leaves it."""
    interaction = _lock(interaction)
    _require_open(interaction)
    data = _clean_data(interaction.channel, _with_current_type(interaction, changes))
    fields = _take(interaction, by) + _apply(interaction, data)
    answered = interaction.status == Status.WAITING_INFO and any(
        f in MINIMUM_LABELS or f == "document_type" for f in fields
    )
    if answered:
        interaction.status = Status.OPEN
        interaction.info_answered_at = timezone.now()
        fields += ["status", "info_answered_at"]
    if not fields:
        return interaction
    interaction.full_clean()
    reason = "datos completados: respuesta del usuario" if answered else "datos completados"
    _save(interaction, fields, by=by, reason=reason)
    return interaction
