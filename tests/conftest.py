"""Shared fixtures: users of every role, offices, API clients; media in a tmp dir.

Tests that need PostgreSQL, Redis or the browser use the ``postgres``, ``redis_url`` and
``browser`` markers/fixtures below. Locally they are skipped when the service is missing; with
REQUIRE_SERVICES=1 (CI) a missing service fails the test instead.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from core.roles import Role
from tests.factories import OfficeFactory
from tests.helpers import make_user, office_printer, skip_or_fail

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "core.sms.LocmemSmsBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    # Celery copies its configuration once: set it on the app, not only in Django settings.
    app.conf.task_always_eager = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters in a cache of this test only: never the shared Redis (clearing that
    # would flush the broker's queues), never counts left by another test.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }
    from core.sms import LocmemSmsBackend

    LocmemSmsBackend.outbox.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been flushed by a transactional test of an earlier run:
    make sure the reference data of the migrations is there."""
    with django_db_blocker.unblock():
        _reference_data_load()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the database after each test, reference data included: load it
    again (idempotent) before each of them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or (
        "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _reference_data_load()


def _reference_data_load() -> None:
    """Core's and every modality's reference data (idempotent)."""
    from django.apps import apps

    from cliente_interno.reference_data import load_all as load_cliente_interno
    from copropiedad.reference_data import load_all as load_copropiedad
    from core.reference_data import load_all
    from desborde.reference_data import load_pools
    from pqr_digital.reference_data import load_all as load_pqr_digital

    load_all(apps)
    load_pools(apps)
    load_pqr_digital(apps)
    load_copropiedad(apps)
    load_cliente_interno(apps)


@pytest.fixture
def postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("esta prueba necesita PostgreSQL (DATABASE_URL)")


@pytest.fixture
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL
    if not url:
        skip_or_fail("esta prueba necesita Redis (REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        skip_or_fail(f"Redis no responde en {url}: {exc}")
    return url


@pytest.fixture
def office(db):
    return OfficeFactory()


@pytest.fixture
def printer(office):
    """The active printer of ``office``, where its print jobs go (WA-04, CEL-04)."""
    return office_printer(office)


@pytest.fixture
def other_office(db, office):
    return OfficeFactory(unit=office.unit)


@pytest.fixture
def users(db, office):
    """One user per role, all in ``office``; plus 'anon' as None."""
    return {role.value: make_user(role, office, username=role.value) for role in Role}


@pytest.fixture
def tecnologo(users):
    return users[Role.TECNOLOGO]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker (separate process) on Redis, using the test database.

    Tasks go to a queue of this test session only, so other workers on the machine never take
    them. The worker is started once per session and stopped at the end.
    """
    from django.conf import settings
    from django.db import connection

    if not settings.REDIS_URL:
        skip_or_fail("el worker de Celery necesita Redis (REDIS_URL)")
    if connection.vendor != "postgresql":
        skip_or_fail("el worker de Celery necesita PostgreSQL (DATABASE_URL)")
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    queue = f"pruebas-{uuid.uuid4().hex[:8]}"
    # Meta's Graph API as the worker sees it: a local fake server a test starts on this port
    # (tests/core/test_outbound.py), with tokens of its own so the fake server can tell that the
    # worker, not the test process, sent the request.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        meta_port = sock.getsockname()[1]
    meta = {
        "META_GRAPH_URL": f"http://127.0.0.1:{meta_port}/v21.0",
        "META_PAGE_ACCESS_TOKEN": "token-de-pagina-del-worker",
        "META_WHATSAPP_TOKEN": "token-de-whatsapp-del-worker",
        "META_WHATSAPP_PHONE_NUMBER_ID": "109876543210",
    }
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **meta,
    }
    # The files a test stores (evidence, attachments) must be where the worker reads them:
    # ``real_worker`` points the test's MEDIA_ROOT at this directory.
    media = tmp_path_factory.mktemp("worker-media")
    env["MEDIA_ROOT"] = str(media)
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    root = Path(__file__).resolve().parents[1]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "solo",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"el worker terminó al iniciar:\n{log.read_text()}")
            if "ready." in log.read_text():
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"el worker no quedó listo en 60 s:\n{log.read_text()}")
        yield {
            "queue": queue,
            "log": log,
            "meta_port": meta_port,
            "meta": meta,
            "media": media,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def real_worker(celery_worker_process, settings):
    """Send tasks to the real worker for this test (not eager); files stored by the test go
    where the worker reads them."""
    from config.celery import app

    settings.MEDIA_ROOT = celery_worker_process["media"]
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = celery_worker_process["queue"]
    yield celery_worker_process
    app.conf.task_always_eager, app.conf.task_default_queue = previous
