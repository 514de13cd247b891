"""/healthz: the load balancer's liveness check (NFR-03: a missing broker is reported, not fatal).

The database must answer; the broker (Redis) is reported as "no configurado", "ok" or
"inalcanzable: …" without turning the check into an error.
"""

import socket

import pytest

pytestmark = pytest.mark.django_db

CLOSED_REDIS_URL = "redis://127.0.0.1:6390/0"


def test_nfr03_healthz_database_ok_without_broker(client, settings):
    """NFR-03: with REDIS_URL unset the check is 200, the database ok, the broker not set up."""
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "no configurado",
    }


def test_nfr03_healthz_needs_no_login(client, settings):
    """NFR-03: the load balancer calls /healthz anonymously; it is never sent to the login."""
    settings.REDIS_URL = ""

    response = client.get("/healthz", follow=False)

    assert response.status_code == 200
    assert "Location" not in response


def test_nfr03_healthz_unreachable_broker_is_reported_not_fatal(client, settings):
    """NFR-03: Redis down (a closed port) → still 200, the broker reported as unreachable."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6390)) == 0:
            pytest.fail("el puerto 6390 debería estar cerrado para esta prueba")
    settings.REDIS_URL = CLOSED_REDIS_URL

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"].startswith("inalcanzable: ")


def test_nfr03_healthz_reachable_broker_is_ok(client, settings, redis_url):
    """NFR-03: with a real Redis (REDIS_URL) the broker is reported "ok"."""
    settings.REDIS_URL = redis_url

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
