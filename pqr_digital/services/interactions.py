"""Interactions of 2.7 (PQR-01..06): registered by the creador or delivered by a provider's
webhook, completed, turned into a PQR or redirected, or closed for lack of information."""

import datetime as dt

from django.db import transaction

from pqr_digital.models import Interaction


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
    clock of an information request), or a new interaction."""
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
    interaction.save(update_fields=fields)
    return interaction
