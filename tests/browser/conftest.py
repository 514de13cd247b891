"""Playwright on Debian's Chromium against Django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium (CHROMIUM_PATH).
Screenshots go to test-artifacts/ so a person can look at the pages.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import FAKE_MEDIA, skip_or_fail

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        skip_or_fail("no hay Chromium para las pruebas de navegador (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "es-CO", "timezone_id": "America/Bogota"}


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    def do(page, username: str, password: str = "clave-segura-123"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Usuario").fill(username)
        page.get_by_label("Contraseña").fill(password)
        page.get_by_role("button", name="Ingresar").click()
        page.wait_for_load_state("networkidle")

    return do


class AsgiLiveServer:
    """The ASGI application (pages, API and the live websockets) served by uvicorn in a thread
    of the test process, on the test database, like pytest-django's ``live_server`` (which is
    WSGI: no websockets). Static files through Django's ASGI static handler."""

    def __init__(self):
        import socket
        import threading

        import uvicorn
        from channels.routing import ProtocolTypeRouter
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
        from django.core.asgi import get_asgi_application

        from config.asgi import application as asgi_application

        app = ProtocolTypeRouter(
            {
                "http": ASGIStaticFilesHandler(get_asgi_application()),
                "websocket": asgi_application,
            }
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws/live/"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn no arrancó para las pruebas")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def asgi_live_server(django_db_setup, django_db_blocker):
    """``asgi_live_server.url`` / ``.ws_url``: the product as `make serve` runs it (ASGI), for
    pages that use the live socket (kiosks, video, balancing). Use with
    ``django_db(transaction=True)``."""
    with django_db_blocker.unblock():
        server = AsgiLiveServer()
        server.start()
    yield server
    server.stop()


@pytest.fixture
def asgi_login(asgi_live_server):
    """Sign in on the ASGI server (same form as ``login``)."""

    def do(page, username: str, password: str = "clave-segura-123"):
        page.goto(f"{asgi_live_server.url}/accounts/login/")
        page.get_by_label("Usuario").fill(username)
        page.get_by_label("Contraseña").fill(password)
        page.get_by_role("button", name="Ingresar").click()
        page.wait_for_load_state("networkidle")

    return do


# --- Video calls: a module may define its own ``media_browser`` / ``new_page`` instead --------


@pytest.fixture(scope="module")
def media_browser(playwright, browser_type_launch_args):
    """Chromium with a fake camera and microphone, permission granted (one per test module)."""
    args = {
        **browser_type_launch_args,
        "args": [*browser_type_launch_args.get("args", []), *FAKE_MEDIA],
    }
    browser = playwright.chromium.launch(**args)
    yield browser
    browser.close()


@pytest.fixture
def new_page(media_browser, asgi_live_server):
    contexts = []

    def make(cookies=()):
        context = media_browser.new_context(
            locale="es-CO", timezone_id="America/Bogota", viewport={"width": 1280, "height": 900}
        )
        if cookies:
            context.add_cookies(
                [{"name": n, "value": v, "url": asgi_live_server.url} for n, v in cookies]
            )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
