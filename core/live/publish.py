"""Publishing to live pages: services call ``live_publish`` after their change."""

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def _send(groups: list[str], payload: dict) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a sync view, task or command
        _send_sync(groups, payload)
        return
    # Called from a thread that runs an event loop (Playwright's sync API in a test, say):
    # async_to_sync refuses to run there, so send from a helper thread.
    sender = threading.Thread(target=_send_sync, args=(groups, payload))
    sender.start()
    sender.join(timeout=5)


def _send_sync(groups: list[str], payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, {"type": "live.message", "payload": payload})
        except Exception:  # the page's polling fallback covers it
            logger.warning("live: could not publish %s to %s", payload.get("type"), group)


def live_publish(groups: str | list[str], payload: dict, *, now: bool = False) -> None:
    """Send ``payload`` (a dict with a ``type``, see the README) to every socket in ``groups``.

    Sent after the current transaction commits (a rolled-back change announces nothing), or at
    once with ``now=True`` / outside a transaction. A failure is logged and swallowed: live
    messages are hints to re-fetch, the pages poll while their socket is down."""
    groups = [groups] if isinstance(groups, str) else list(groups)
    if now:
        _send(groups, payload)
    else:
        transaction.on_commit(lambda: _send(groups, payload))
