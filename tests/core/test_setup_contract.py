"""Setup contract (issue 2): seed_demo, production settings, deploy checks."""

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.models import Case, CaseStatus, Customer, Kiosk, Office, Unit, User
from core.roles import Role

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "offices": sorted(Office.objects.values_list("code", "name", "unit", "capacity")),
        "kiosks": sorted(Kiosk.objects.values_list("office__code", "label", "printer__name")),
        "users": sorted(User.objects.values_list("username", "first_name", "home_office__code")),
        "customers": sorted(Customer.objects.values_list("document_type", "document_number")),
        "cases": sorted(Case.objects.values_list("number", "status", "assigned_to__username")),
    }


def test_core01_core02_seed_demo_twice_gives_same_data(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = _snapshot()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert _snapshot() == first

    assert {Unit.METROPOLITANO, Unit.REGIONAL} <= set(Office.objects.values_list("unit", flat=True))
    assert Office.objects.filter(is_internal_client=False).count() >= 6
    assert Office.objects.filter(technologist_count=1).exists()
    assert Office.objects.filter(has_orientador=False, is_internal_client=False).exists()
    assert Kiosk.objects.exists()
    assert Office.objects.filter(is_internal_client=True, name="Cliente Interno").count() == 1
    for username in [
        "orientador",
        "asignador",
        "gestor",
        "encargado",
        "creador",
        "mesa",
        "gestor_oficina",
        "empleado",
    ]:
        assert User.objects.get(username=username).check_password("demo")
    techs = list(User.objects.filter(groups__name=Role.TECNOLOGO).order_by("username"))
    assert [t.username for t in techs] == [f"tecnologo{i}" for i in range(1, 6)]

    def key(user):
        name = unicodedata.normalize("NFKD", user.get_full_name()).casefold()
        return "".join(c for c in name if not unicodedata.combining(c))

    assert sorted(techs, key=key) != techs, "el orden alfabético debe diferir del de usuario"
    assert any(unicodedata.normalize("NFKD", t.first_name)[1:2] == "\u0301" for t in techs)
    assert len(set(Case.objects.values_list("status", flat=True))) >= 5
    assert Case.objects.filter(status=CaseStatus.ABIERTO, assigned_to__isnull=True).exists()


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG desactivado"):
        call_command("seed_demo")
    assert not User.objects.filter(username="orientador").exists()
    call_command("seed_demo", "--force", "--password", "otra-clave", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert User.objects.get(username="orientador").check_password("otra-clave")


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_refuses_to_start_without_secret_key():
    result = _manage("check", env_extra={"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY es obligatoria" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x" * 20 + "una-clave-larga-y-aleatoria-de-prueba-0123456789",
            "DJANGO_ALLOWED_HOSTS": "atencion.example.com",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
