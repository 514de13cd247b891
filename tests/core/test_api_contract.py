"""NFR-04: no endpoint of the API disappears or changes shape unintentionally.

``tests/contracts/openapi_v1.json`` is what clients relied on before the core extension points
(issue 9): every operation, the request's required fields and each response's properties and
types, extracted from the schema served at /api/schema/ (one correction: DRF documented the
token endpoint's answer as its request body; the answer always was ``{"token": …}``). The schema
served now must keep all of it; additions are fine. A deliberate break means a new API version,
not an edit of the snapshot."""

import json
from pathlib import Path

import pytest

from tests.contracts.openapi import breaking_changes, contract

SNAPSHOT = Path(__file__).resolve().parents[1] / "contracts" / "openapi_v1.json"

pytestmark = pytest.mark.django_db


def test_nfr04_openapi_keeps_every_operation_and_shape_of_v1(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    now = contract(json.loads(response.content))
    before = json.loads(SNAPSHOT.read_text())
    assert len(before) >= 26
    assert breaking_changes(before, now) == []


def test_nfr04_the_comparison_sees_a_removed_property_and_a_missing_operation():
    before = {
        "GET /api/v1/cases/": {"request_required": [], "responses": {"200": {"id": "integer"}}},
        "POST /api/v1/x/": {"request_required": [], "responses": {"201": None}},
    }
    after = {
        "GET /api/v1/cases/": {"request_required": [], "responses": {"200": {"pk": "integer"}}}
    }
    assert breaking_changes(before, after) == [
        "GET /api/v1/cases/ → 200.id: ya no está",
        "POST /api/v1/x/: la operación ya no existe",
    ]


#: Issue 13 (CORE-13, COP-03): the notification authorisation and the constancia of any
#: modality's PQR, as clients (the workbench, copropiedad, cliente interno) rely on them.
CONSTANCIA_OPERATIONS = {
    "POST /api/v1/cases/{case_id}/notification-authorisation/": {
        "request_required": ["medium"],
        "responses": {
            "200": {
                "address": "string",
                "email": "string",
                "email_consent": "boolean",
                "id": "integer",
                "medium": "string",
                "medium_display": "string",
                "mobile": "string",
                "number": "string",
            },
            "400": None,
            "409": None,
        },
    },
    "POST /api/v1/cases/{case_id}/constancia/": {
        "request_required": [],
        "responses": {
            "201": {
                "case": "integer",
                "created_at": "string",
                "document_url": "string",
                "evidence": "integer",
                "id": "integer",
                "medium": "string",
                "notification": "integer",
                "recipient": "string",
                "sender": "string",
                "status": "string",
            },
            "400": None,
            "409": None,
        },
    },
}


def test_nfr04_cop03_constancia_operations_are_served(client):
    """NFR-04 / COP-03: the schema serves the notification authorisation and the constancia
    with the shapes their clients use."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    now = contract(json.loads(response.content))
    assert breaking_changes(CONSTANCIA_OPERATIONS, now) == []


#: Issue 13 (H1): the agenda's operations and the call protocol of the case detail, as clients
#: of the agenda and of the protocol rely on them from now on (additions to v1).
AGENDA_OPERATIONS = {
    "GET /api/v1/agenda/slots/": {
        "request_required": [],
        "responses": {
            "200": [
                "array",
                {
                    "end": "string",
                    "start": "string",
                    "technologist": "integer",
                    "technologist_name": "string",
                    "type": "string",
                },
            ],
            "400": None,
        },
    },
    "POST /api/v1/agenda/holds/": {
        "request_required": ["start", "technologist", "type"],
        "responses": {
            "201": {
                "end": "string",
                "expires_at": "string",
                "id": "integer",
                "start": "string",
                "status": "string",
                "technologist": "integer",
                "technologist_name": "string",
                "type": "string",
            },
            "400": None,
            "409": "object",
        },
    },
    "DELETE /api/v1/agenda/holds/{hold_id}/": {
        "request_required": [],
        "responses": {"204": None, "404": None, "409": "object"},
    },
}


def test_cop01_core07_schema_has_the_agenda_and_the_case_protocol(client):
    """NFR-04 (issue 13): the agenda's operations and ``protocol`` on the case detail are in the
    schema with these shapes."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    now = contract(json.loads(response.content))

    assert breaking_changes(AGENDA_OPERATIONS, now) == []
    assert now["GET /api/v1/cases/{id}/"]["responses"]["200"]["protocol"] == {
        "answered": "boolean",
        "attempts_left": "integer",
        "by_video": "boolean",
        "next_step": "any",
        "voicemail_script": "string",
    }


#: Issue 13 (H3, COP-01): the condo administrators' API, as the creador's client relies on it
#: (additions to v1).
_APPOINTMENT = {
    "administrator": "string",
    "case": "integer",
    "copropiedad": "string",
    "end": "string",
    "id": "integer",
    "nit": "string",
    "number": "string",
    "sequence": "integer",
    "start": "string",
    "status": "string",
    "status_display": "string",
    "technologist": "integer",
    "technologist_name": "string",
    "uid": "string",
}
_REQUIREMENT = [
    "copropiedad",
    "document_number",
    "document_type",
    "full_name",
    "motive",
    "nit",
    "transaction_type",
]
COPROPIEDAD_OPERATIONS = {
    "GET /api/v1/copropiedad/appointments/": {
        "request_required": [],
        "responses": {"200": ["array", _APPOINTMENT]},
    },
    "POST /api/v1/copropiedad/appointments/": {
        "request_required": sorted([*_REQUIREMENT, "email", "hold", "phone"]),
        "responses": {
            "201": {"appointment": _APPOINTMENT, "case": "integer", "number": "string"},
            "400": None,
            "409": None,
        },
    },
    "POST /api/v1/copropiedad/appointments/{id}/reschedule/": {
        "request_required": ["start", "technologist"],
        "responses": {"200": _APPOINTMENT, "400": None, "409": None},
    },
    "POST /api/v1/copropiedad/appointments/{id}/cancel/": {
        "request_required": [],
        "responses": {"200": _APPOINTMENT, "409": None},
    },
    "POST /api/v1/copropiedad/phone-solutions/": {
        "request_required": sorted([*_REQUIREMENT, "solution"]),
        "responses": {
            "201": {"case": "integer", "number": "string", "status": "string"},
            "400": None,
        },
    },
}


def test_nfr04_cop01_copropiedad_operations_are_served(client):
    """NFR-04 / COP-01: the schema serves the condo administrators' operations with these
    shapes, and no more required request fields than these."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    now = contract(json.loads(response.content))

    assert breaking_changes(COPROPIEDAD_OPERATIONS, now) == []
