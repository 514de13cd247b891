"""Helpers shared by test modules (no test module imports another)."""

from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

#: Columns of the role × URL tables: anonymous first, then every role of core.roles.Role.
ANON = "anonimo"
ROLE_COLUMNS = (
    ANON,
    "orientador",
    "tecnologo",
    "gestor",
    "asignador",
    "encargado",
    "creador",
    "mesa",
    "gestor_oficina",
    "cliente_interno",
)


def make_user(role: str | None, office, **kwargs):
    """A user of ``office`` with ``role`` (a core.roles.Role value), or with no role."""
    user = UserFactory(home_office=office, **kwargs)
    if role:
        user.groups.add(Group.objects.get(name=str(role)))
    return user


def token_client(user) -> APIClient:
    """A client that authenticates like an integration: a token, the user loaded per request."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def pool_technologist(username: str, office, **kwargs):
    """A technologist of ``office`` working from home, available today and member of the unit's
    overflow pool (CORE-09): the one the round robin hands a desborde case to."""
    from django.utils import timezone

    from core.models import AssignmentPool, StaffAvailability, WorkMode
    from core.roles import Role

    kwargs = {"first_name": "Beatriz", "last_name": "Gómez", **kwargs}
    tech = make_user(Role.TECNOLOGO, office, username=username, work_mode=WorkMode.HOME, **kwargs)
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    AssignmentPool.objects.get(code=f"desborde-{office.unit}").members.add(tech)
    return tech


def office_printer(office, name: str = "Impresora principal"):
    """An active printer of ``office``: print jobs go to one (WA-04, CEL-04)."""
    from core.models import Printer

    printer, _ = Printer.objects.get_or_create(office=office, name=name)
    return printer
