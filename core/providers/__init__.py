"""Providers that deliver the outbox's messages to a network's inbox (core.services.outbound).

A provider only talks to its network and says what happened, in a ``SendResult``; the rules
(retry, back off, hand the message to a person) live in the outbox service. ``manual`` never
sends: a person copies the text into the network's console and marks it as sent.
"""

import enum
from dataclasses import dataclass
from typing import Protocol


class Outcome(enum.StrEnum):
    SENT = "enviado"
    #: Worth trying again later: no answer, timeout, HTTP 5xx or 429, a rate limit.
    RETRY = "reintentar"
    #: The network's customer-service window (24 h after the user's last message) is closed.
    WINDOW_CLOSED = "fuera_de_ventana"
    #: The network refused it for good (bad recipient, token, permissions…), or nobody sends it.
    REFUSED = "rechazado"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    provider_message_id: str = ""
    #: What the network (or the missing configuration) said, for ``last_error``.
    error: str = ""
    #: Seconds the network asked to wait (Retry-After), if it said so.
    retry_after: float | None = None

    @classmethod
    def sent(cls, provider_message_id: str) -> "SendResult":
        return cls(Outcome.SENT, provider_message_id=provider_message_id)

    @classmethod
    def retry(cls, error: str, retry_after: float | None = None) -> "SendResult":
        return cls(Outcome.RETRY, error=error, retry_after=retry_after)

    @classmethod
    def window_closed(cls, error: str) -> "SendResult":
        return cls(Outcome.WINDOW_CLOSED, error=error)

    @classmethod
    def refused(cls, error: str) -> "SendResult":
        return cls(Outcome.REFUSED, error=error)


class Provider(Protocol):
    name: str

    def is_configured(self, channel: str) -> bool:
        """Whether this provider can send automatically on ``channel`` with the settings."""

    def send(self, *, channel: str, recipient: str, body: str) -> SendResult:
        """One attempt; never raises for a network or protocol failure (it says so instead)."""


def get_provider(name: str) -> Provider:
    from core.providers.manual import ManualProvider
    from core.providers.meta import MetaProvider

    providers: dict[str, type] = {"manual": ManualProvider, "meta": MetaProvider}
    return providers.get(name, ManualProvider)()
