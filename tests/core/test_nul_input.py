"""NFR-03: a NUL character (0x00) is bad input everywhere — a Spanish 400, nothing written —
never a 500 (PostgreSQL cannot store it in text and psycopg 3 refuses to send it)."""

import json

import pytest
from django.db import DataError

from core.api_errors import api_exception_handler
from core.middleware import NUL_MESSAGE
from core.models import Customer
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_nfr03_nul_in_an_api_query_string_is_400(client, users):
    client.force_login(users[Role.GESTOR])
    response = client.get("/api/v1/roster/?office=a%00b")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE}


def test_nfr03_nul_in_a_json_body_is_400_and_writes_nothing(client, users):
    client.force_login(users[Role.ORIENTADOR])
    before = Customer.objects.count()
    body = json.dumps({"document_type": "CC", "document_number": "12\u000034", "first_name": "A"})
    response = client.post("/api/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE}
    assert Customer.objects.count() == before


def test_nfr03_an_escaped_backslash_u0000_is_ordinary_text(client, users):
    """The six characters \\u0000 typed as text are not a NUL: the request goes on."""
    client.force_login(users[Role.ORIENTADOR])
    body = json.dumps({"first_name": "\\u0000"})
    response = client.post("/api/v1/customers/", body, content_type="application/json")
    assert response.status_code != 400 or response.json() != {"detail": NUL_MESSAGE}


def test_nfr03_nul_in_a_page_query_or_form_is_a_spanish_400(client, users):
    client.force_login(users[Role.GESTOR])
    response = client.get("/casos/?estado=abierto%00")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()
    response = client.post(
        "/casos/", "estado=%00", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_nfr03_a_nul_that_reaches_the_database_is_400_not_500():
    error = DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    response = api_exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"detail": NUL_MESSAGE}
