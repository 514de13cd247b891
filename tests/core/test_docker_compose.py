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


def test_five_services_exist(services):
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_build_from_repo_root(services, name):
    build = services[name]["build"]
    context = build["context"] if isinstance(build, dict) else build
    assert context == "."


def test_web_command_runs_wsgi_application(services):
    assert "config.wsgi:application" in _command(services["web"])


def test_celery_commands_use_config_app(services):
    assert "-A config" in _command(services["worker"])
    beat = _command(services["beat"])
    assert "-A config" in beat
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


@pytest.mark.parametrize("name", ["db", "redis"])
def test_backing_services_have_healthchecks(services, name):
    assert services[name]["healthcheck"]["test"]


@pytest.mark.parametrize("module", ["config/wsgi.py", "config/celery.py"])
def test_named_modules_exist(module):
    assert (ROOT / module).is_file(), f"{module} is referenced by docker-compose.yml"


def test_dockerfile_installs_from_lock_file_that_lists_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").lower()
    assert any(line.startswith("gunicorn==") for line in lock.splitlines())
