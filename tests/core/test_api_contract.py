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
