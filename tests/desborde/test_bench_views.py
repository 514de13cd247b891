"""The benchmark's baselines (bench/bare.py) do what the benchmark says they do: the bare view
inserts one row; the framework-only view authenticates, checks the role and validates like the
intake endpoint, and writes nothing."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from bench.bare import ValidateOnly, bare_insert
from core.models import Case, Customer, Notification
from core.roles import Role
from desborde.models import Intake
from tests.factories.desborde import intake_payload
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def _post(user, data):
    token, _ = Token.objects.get_or_create(user=user)
    request = APIRequestFactory().post(
        "/bench/validar/", data, format="json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    return ValidateOnly.as_view()(request)


def _written():
    return (Intake.objects.count(), Case.objects.count(), Customer.objects.count())


def test_validate_only_view_answers_like_the_intake_and_writes_nothing(office):
    orientador = make_user(Role.ORIENTADOR, office)
    before = _written()

    ok = _post(orientador, intake_payload(office))
    bad = _post(orientador, intake_payload(office, transaction_type="no-existe"))
    other_role = _post(make_user(Role.TECNOLOGO, office), intake_payload(office))

    assert ok.status_code == 201
    assert bad.status_code == 400
    assert bad.data["transaction_type"] == ["El tipo de transacción no existe."]
    assert other_role.status_code == 403
    assert _written() == before


def test_bare_view_inserts_one_row():
    request = APIRequestFactory().post("/bench/bare/", {"document_number": "71"}, format="json")
    before = Notification.objects.count()

    response = bare_insert(request)

    assert response.status_code == 201
    assert Notification.objects.count() == before + 1
