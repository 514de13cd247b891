"""CORE-03: one rule per personal-data field (core.personal_data), the same Spanish message
whichever way the value arrives — tablet intake, API case registration, contact update."""

import pytest
from django.core.exceptions import ValidationError

from core.models import Customer
from core.personal_data import (
    EMAIL_MESSAGE,
    MOBILE_MESSAGE,
    PHONE_MESSAGE,
    document_normalize,
    email_normalize,
    mobile_normalize,
    phone_fields,
    phone_normalize,
)
from core.roles import Role
from tests.factories import CustomerFactory, make_case
from tests.helpers import make_user, token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("310 456 7890", "3104567890"),
        ("+57 310-456-7890", "3104567890"),
        ("604 444 1234", "6044441234"),
    ],
)
def test_core03_colombian_phones_are_normalised(raw, normalised):
    assert phone_normalize(raw) == normalised


@pytest.mark.parametrize("raw", ["llámeme", "12345", "+1 212 555 0100", "3104"])
def test_core03_bad_phones_refused_in_spanish(raw):
    with pytest.raises(ValidationError) as exc:
        phone_normalize(raw)
    assert exc.value.message_dict == {"phone": [PHONE_MESSAGE]}


def test_core13_a_landline_is_not_a_mobile_for_sms():
    """CORE-13: an SMS citation needs a mobile; a landline is refused."""
    assert mobile_normalize("3104567890") == "3104567890"
    with pytest.raises(ValidationError) as exc:
        mobile_normalize("6044441234", field="notification_mobile")
    assert exc.value.message_dict == {"notification_mobile": [MOBILE_MESSAGE]}


def test_core03_mobile_or_landline_by_numbering_plan():
    assert phone_fields("3104567890") == {"mobile": "3104567890", "phone": ""}
    assert phone_fields("6044441234") == {"mobile": "", "phone": "6044441234"}


def test_core03_email_rule():
    assert email_normalize("  Maria@Example.COM ") == "Maria@example.com"
    with pytest.raises(ValidationError) as exc:
        email_normalize("maria@")
    assert exc.value.message_dict == {"email": [EMAIL_MESSAGE]}


@pytest.mark.parametrize(
    ("document_type", "raw", "normalised"),
    [("CC", "43.512.876", "43512876"), ("NIT", "900123456-7", "900123456-7"), ("SIN_ID", "", "")],
)
def test_core03_document_numbers_per_type(document_type, raw, normalised):
    assert document_normalize(document_type=document_type, document_number=raw) == normalised


def test_core03_api_registration_uses_the_same_phone_rule(office):
    """The API's case registration refuses a bad phone with the tablet's message; nothing is
    written."""
    response = token_client(make_user(Role.CREADOR, office)).post(
        "/api/v1/cases/",
        {
            "customer": {
                "document_type": "CC",
                "document_number": "43512876",
                "full_name": "María Restrepo",
                "mobile": "llámeme",
            },
            "kind": "PQR",
            "pqr_type": "reclamo",
            "channel": "contact-center",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"mobile": [MOBILE_MESSAGE]}
    assert not Customer.objects.exists()


def test_core03_contact_update_uses_the_same_email_rule(office):
    tech = make_user(Role.TECNOLOGO, office)
    customer = CustomerFactory(email="maria@example.com")
    make_case(customer=customer, assigned_to=tech)
    response = token_client(tech).post(
        f"/api/v1/customers/{customer.pk}/contact/",
        {"email": "maria@", "reason": "corrección"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"email": [EMAIL_MESSAGE]}
    customer.refresh_from_db()
    assert customer.email == "maria@example.com"
