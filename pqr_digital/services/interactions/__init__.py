"""Interactions of 2.7 (PQR-01..06): registered by the creador or delivered by a provider's
webhook, completed, turned into a PQR or redirected, or closed for lack of information.

The creadores share one inbox (the Contact Center's): an interaction nobody handles yet is
visible to all of them, and the first who acts on it (completes it, asks for the missing data,
files the PQR, closes it) takes it (``handled_by``); from then on it is theirs.

Every message to the user goes through core's outbox (``core.services.outbound``) with an
idempotency key per logical message, as a row linked to the interaction (``Interaction.messages``):
the proof that the user was told. Messages of interactions registered by hand (no id of the
user on the network) and of Contact Center calls are "manual": the creador copies the text into
the network's console, or says it during the call, and marks it sent.

The parts, each importable on its own; every public name is re-exported here:

- ``common``: the minimum content and field rules, ``Purpose``, ``InteractionRedirected``, the
  reading helpers, and the internal steps the write paths share (lock, take, clean, save, queue
  a message);
- ``intake``: a webhook's message received, an interaction registered by hand, its data updated;
- ``information``: the missing data requested, the interaction closed unanswered, the daily job;
- ``filing``: the redirect rules, the PQR filed, the chat's screenshot, a manual message marked
  sent.

A test that replaces a name a service uses (``provider_for``…) patches it in the submodule that
uses it, not here.
"""

from pqr_digital.services.interactions.common import (
    DATA_FIELDS,
    DEFAULT_DOCUMENT_TYPE,
    INITIAL_CAUSE,
    MAX_LENGTHS,
    META_REPLY_WINDOW,
    MINIMUM_LABELS,
    MISSING_MESSAGES,
    RECORDING_RETENTION,
    InteractionRedirected,
    Purpose,
    Status,
    can_message,
    interaction_missing_fields,
    missing_text,
    needs_screenshot,
)
from pqr_digital.services.interactions.filing import (
    NOTIFICATION_PHRASES,
    NOTIFICATION_UNKNOWN,
    interaction_message_mark_sent,
    interaction_pqr_create,
    interaction_screenshot_add,
)
from pqr_digital.services.interactions.information import (
    interaction_close_unanswered,
    interaction_request_info,
    interactions_close_unanswered_due,
)
from pqr_digital.services.interactions.intake import (
    interaction_receive,
    interaction_register,
    interaction_update,
)

__all__ = [
    "DATA_FIELDS",
    "DEFAULT_DOCUMENT_TYPE",
    "INITIAL_CAUSE",
    "MAX_LENGTHS",
    "META_REPLY_WINDOW",
    "MINIMUM_LABELS",
    "MISSING_MESSAGES",
    "NOTIFICATION_PHRASES",
    "NOTIFICATION_UNKNOWN",
    "RECORDING_RETENTION",
    "InteractionRedirected",
    "Purpose",
    "Status",
    "can_message",
    "interaction_close_unanswered",
    "interaction_message_mark_sent",
    "interaction_missing_fields",
    "interaction_pqr_create",
    "interaction_receive",
    "interaction_register",
    "interaction_request_info",
    "interaction_screenshot_add",
    "interaction_update",
    "interactions_close_unanswered_due",
    "missing_text",
    "needs_screenshot",
]
