"""Helpers for tests that drive the live socket (``/ws/live/``) with Channels'
``WebsocketCommunicator`` on the in-memory layer: the communicator, session cookies, the
scenario runner. Imported by test modules (which never import each other)."""

import asyncio
import sys
import threading
import types

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.test import Client


def _websocket_communicator():
    """``channels.testing.WebsocketCommunicator``. The package also imports daphne, for its
    ``ChannelsLiveServerTestCase`` only (a daphne server; ours is uvicorn, see
    tests/browser/conftest.py): without daphne installed a stand-in is enough."""
    try:
        from channels.testing import WebsocketCommunicator
    except ModuleNotFoundError as exc:
        if exc.name != "daphne":
            raise
        daphne, testing = types.ModuleType("daphne"), types.ModuleType("daphne.testing")
        testing.DaphneProcess = None
        daphne.testing = testing
        sys.modules.setdefault("daphne", daphne)
        sys.modules.setdefault("daphne.testing", testing)
        from channels.testing import WebsocketCommunicator
    return WebsocketCommunicator


WebsocketCommunicator = _websocket_communicator()

ORIGIN = (b"origin", b"http://testserver")
QUIET = 0.3  # seconds a socket must stay silent to prove it heard nothing
#: The kiosk page's own socket (templates/core/kiosk.html sets it for static/js/live.js).
KIOSK_PAGE = "/ws/live/?role=kiosk"
db = database_sync_to_async


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """Import it into a test module to use it there: channels drops its layers on
    setting_changed, so every test starts with an empty in-memory layer."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def application():
    from config.asgi import application

    return application


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def live_socket(cookie: bytes | None = None, path: str = "/ws/live/") -> WebsocketCommunicator:
    headers = [ORIGIN]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application(), path, headers=headers)


def run(scenario) -> None:
    """Drive one ``async def scenario()`` to its end (no pytest-asyncio). After a browser test
    Playwright's sync API leaves an event loop in this thread, where async_to_sync refuses to
    run: then from a helper thread (committed data: these tests are transactional)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(scenario)()
        return
    failure: list[BaseException] = []

    def target():
        from django.db import connections

        try:
            async_to_sync(scenario)()
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    helper = threading.Thread(target=target)
    helper.start()
    helper.join(timeout=60)
    assert not helper.is_alive(), "el escenario no terminó"
    if failure:
        raise failure[0]
