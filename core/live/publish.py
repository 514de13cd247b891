"""Publishing to live pages: services call ``live_publish`` after their change."""

import asyncio
import atexit
import contextlib
import json
import logging
import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

#: Longest a publishing thread waits for the layer (a hint to re-fetch is not worth more).
SEND_TIMEOUT_SECONDS = 5

#: At exit, how long the process waits for the messages it has not sent yet.
FLUSH_SECONDS = 2

_loop_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None
_queue: asyncio.Queue | None = None


def _publisher_loop() -> tuple[asyncio.AbstractEventLoop, asyncio.Queue]:
    """One event loop per process, in a daemon thread, for the Redis layers: the layer keeps
    one Redis connection per loop, so publishing from sync code reuses it (``async_to_sync``
    would open and close a connection on every message: ~2 ms and a socket each). One task on
    it sends the queued messages one after another, in the order they were published."""
    global _loop, _loop_pid, _queue
    with _loop_lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            queue = asyncio.Queue()
            threading.Thread(target=loop.run_forever, name="live-publish", daemon=True).start()
            asyncio.run_coroutine_threadsafe(_sender(queue), loop)
            _loop, _loop_pid, _queue = loop, os.getpid(), queue
        return _loop, _queue


async def _sender(queue: asyncio.Queue) -> None:
    while True:
        layer, groups, payload = await queue.get()
        for group in groups:
            try:
                await layer.group_send(group, _message(payload))
            except Exception:  # the page's polling fallback covers it
                logger.warning("live: could not publish %s to %s", payload.get("type"), group)
        queue.task_done()


@atexit.register
def _flush() -> None:
    """A command or a worker that exits right after publishing: its last messages go out."""
    if _loop is None or _queue is None or _loop_pid != os.getpid() or _loop.is_closed():
        return
    with contextlib.suppress(Exception):
        asyncio.run_coroutine_threadsafe(_queue.join(), _loop).result(timeout=FLUSH_SECONDS)


def _send(groups: list[str], payload: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if not isinstance(layer, InMemoryChannelLayer):
        _send_on_publisher_loop(layer, groups, payload)
        return
    # The in-memory layer (`make run`, one process) must be driven from the server's own loop:
    # async_to_sync hands the coroutine to it when called from a sync view's thread. Nobody in
    # this process listening to these groups (a task, a command, a benchmark): nothing to do.
    groups = [group for group in groups if layer.groups.get(group)]
    if not groups:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a sync view, task or command
        _send_sync(layer, groups, payload)
        return
    # Called from a thread that runs an event loop (Playwright's sync API in a test, say):
    # async_to_sync refuses to run there, so send from a helper thread.
    sender = threading.Thread(target=_send_sync, args=(layer, groups, payload))
    sender.start()
    sender.join(timeout=SEND_TIMEOUT_SECONDS)


def _message(payload: dict) -> dict:
    return {"type": "live.message", "payload": payload}


def _send_sync(layer, groups: list[str], payload: dict) -> None:
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, _message(payload))
        except Exception:  # the page's polling fallback covers it
            logger.warning("live: could not publish %s to %s", payload.get("type"), group)


def _send_on_publisher_loop(layer, groups: list[str], payload: dict) -> None:
    """Queue the message for the publisher loop and return at once: the request or task that
    published does not wait for Redis (a slow or busy layer delays the hint, not the caller)."""
    try:
        loop, queue = _publisher_loop()
        loop.call_soon_threadsafe(queue.put_nowait, (layer, groups, payload))
    except Exception:
        logger.warning("live: could not publish %s to %s", payload.get("type"), groups)


def live_publish(groups: str | list[str], payload: dict, *, now: bool = False) -> None:
    """Send ``payload`` (a dict with a ``type``, see docs/live.md) to every socket in ``groups``.

    Sent after the current transaction commits (a rolled-back change announces nothing), or at
    once with ``now=True`` / outside a transaction. The same message to the same groups is
    queued once per transaction (services that call each other each announce their change).
    A failure is logged and swallowed: live messages are hints to re-fetch, the pages poll
    while their socket is down."""
    groups = [groups] if isinstance(groups, str) else list(groups)
    if now:
        _send(groups, payload)
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _send(groups, payload)
        return
    key = (tuple(groups), json.dumps(payload, sort_keys=True, default=str))
    for _savepoints, pending, *_ in connection.run_on_commit:
        if getattr(pending, "live_key", None) == key:
            return

    def send() -> None:
        _send(groups, payload)

    send.live_key = key
    transaction.on_commit(send)
