"""Setup contract (issue 2, item 12): docker-compose.yml, Dockerfile and requirements.lock.

Plain pytest checks (no database) that the production compose file names services, commands
and modules that actually exist in the repository.
"""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def services() -> dict:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data["services"]


def _command(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_six_services_exist(services):
    assert {"db", "redis", "web", "worker", "beat", "coturn"} <= set(services)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_build_from_repo_root(services, name):
    build = services[name]["build"]
    context = build["context"] if isinstance(build, dict) else build
    assert context == "."


def test_web_command_runs_asgi_application_with_uvicorn_workers(services):
    """Issue 12: pages, API and the live websockets (/ws/live/) are served by ASGI workers."""
    command = _command(services["web"])
    assert "gunicorn config.asgi:application" in command
    assert "-k uvicorn_worker.UvicornWorker" in command
    assert "config.wsgi" not in command


def test_dockerfile_cmd_runs_asgi_application():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert '"config.asgi:application"' in cmd
    assert '"uvicorn_worker.UvicornWorker"' in dockerfile
    lock = {
        line.split("==")[0].replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").lower().splitlines()
        if "==" in line
    }
    assert {"uvicorn", "uvicorn-worker", "websockets", "channels", "channels-redis"} <= lock


def test_makefile_runs_the_asgi_application():
    """`make run` (demo, in-memory live layer) and `make serve` run the ASGI application."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "uvicorn config.asgi:application --host $(HOST) --port $(PORT)" in makefile
    assert "gunicorn config.asgi:application -k uvicorn_worker.UvicornWorker" in makefile
    assert "runserver" not in makefile and "config.wsgi" not in makefile


def test_coturn_relay_with_shared_secret(services):
    """The video calls' TURN relay: coturn with use-auth-secret and the same secret the app
    signs its short-lived credentials with; STUN/TURN on 3478 and a relay port range."""
    coturn = services["coturn"]
    assert coturn["image"].startswith("coturn/coturn")
    command = _command(coturn)
    for flag in ("--use-auth-secret", "--no-cli", "--fingerprint", "--realm=", "--min-port="):
        assert flag in command, flag
    assert "--static-auth-secret=${VIDEO_TURN_SECRET:?" in command
    assert coturn.get("network_mode") == "host" or any(
        "3478" in str(port) for port in coturn.get("ports", [])
    )


#: Peers a TURN allocation may never relay to: this host and the internal network.
DENIED_PEERS = (
    "10.0.0.0-10.255.255.255",
    "172.16.0.0-172.31.255.255",
    "192.168.0.0-192.168.255.255",
    "169.254.0.0-169.254.255.255",
    "127.0.0.0-127.255.255.255",
    "0.0.0.0-0.255.255.255",
)


def test_al_bal_coturn_never_relays_into_the_internal_network(services):
    """A TURN credential must not open the internal network: no relay to private, loopback,
    link-local or "this network" peers, no multicast peers, no TCP relays to peers (TURN over
    TCP from the browser stays: it is the listener, not a relay)."""
    command = _command(services["coturn"])
    flags = command.split()
    for flag in ("--no-tcp-relay", "--no-multicast-peers"):
        assert flag in flags, flag
    denied = {flag.split("=", 1)[1] for flag in flags if flag.startswith("--denied-peer-ip=")}
    for peers in DENIED_PEERS:
        assert peers in denied, peers
    assert "--allowed-peer-ip" not in command
    assert "--no-tcp " not in command + " "  # browsers behind firewalls use TURN over TCP


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_the_video_settings(services, name):
    env = services[name]["environment"]
    assert env["VIDEO_TURN_SECRET"].startswith("${VIDEO_TURN_SECRET:?")
    assert "turn:" in env["VIDEO_TURN_URLS"] and "transport=tcp" in env["VIDEO_TURN_URLS"]
    assert "stun:" in env["VIDEO_STUN_URLS"]


def test_celery_commands_use_config_app(services):
    assert "-A config" in _command(services["worker"])
    beat = _command(services["beat"])
    assert "-A config" in beat
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


@pytest.mark.parametrize("name", ["db", "redis"])
def test_backing_services_have_healthchecks(services, name):
    assert services[name]["healthcheck"]["test"]


@pytest.mark.parametrize("module", ["config/asgi.py", "config/celery.py", "core/live/routing.py"])
def test_named_modules_exist(module):
    assert (ROOT / module).is_file(), f"{module} is referenced by docker-compose.yml"


def test_dockerfile_installs_from_lock_file_that_lists_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").lower()
    assert any(line.startswith("gunicorn==") for line in lock.splitlines())
