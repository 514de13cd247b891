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
