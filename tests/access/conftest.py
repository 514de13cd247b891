"""The access tables' scene, built once per module (tests/access/world.py).

Building it takes longer than the requests of a whole row, so it is made once, inside a
transaction that is rolled back when the module ends; each test runs in a savepoint of it
(pytest-django's per-test atomic block nests), so whatever a request writes is undone before
the next test. Files go to a temporary MEDIA_ROOT, mail and SMS to memory.
"""

import os

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings

from tests.access.world import world_build


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("access-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SMS_BACKEND="core.sms.LocmemSmsBackend",
        ),
        transaction.atomic(),
    ):
        built = world_build()
        built["media"] = media
        built["sessions"] = _sessions_open([*built["users"].values(), *built["staff"].values()])
        yield built
        transaction.set_rollback(True)


def _sessions_open(users) -> dict:
    """A logged-in session per user, made once: each request of a row presents its cookie
    (logging in for each of the thousands of requests would cost more than the requests)."""
    sessions = {}
    for user in users:
        client = Client()
        client.force_login(user)
        sessions[user.username] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture
def scene(world, db, settings):
    """The world, for a test that runs in its own savepoint; files read where the world
    stored them."""
    settings.MEDIA_ROOT = world["media"]
    return world


def pytest_collection_modifyitems(config, items):
    """The long run only with ACCESS_FULL=1 (``make access``); CI runs the rest."""
    if os.environ.get("ACCESS_FULL") == "1":
        return
    # Deselected, not skipped: a skip in CI means a missing service (REQUIRE_SERVICES).
    long_run = [item for item in items if item.get_closest_marker("access_full")]
    if long_run:
        config.hook.pytest_deselected(items=long_run)
        items[:] = [item for item in items if not item.get_closest_marker("access_full")]
