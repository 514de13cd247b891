"""NFR-03: one error contract for every app's API — a service's Spanish ValidationError is a
400 (per field when it names fields), a state conflict a 409; views only call services."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound

from core.api_errors import api_exception_handler
from core.exceptions import ProtocolConflict

ROOT = Path(__file__).resolve().parents[2]


def test_nfr03_field_errors_are_400_per_field():
    response = api_exception_handler(
        ValidationError({"phone": "Ingrese un teléfono colombiano válido."}), {}
    )
    assert response.status_code == 400
    assert response.data == {"phone": ["Ingrese un teléfono colombiano válido."]}


def test_nfr03_message_without_field_is_400_detail():
    response = api_exception_handler(ValidationError("Los datos no son válidos."), {})
    assert response.status_code == 400
    assert response.data == {"detail": "Los datos no son válidos."}


def test_nfr03_state_conflict_is_409():
    response = api_exception_handler(ProtocolConflict("El caso ya está cerrado."), {})
    assert response.status_code == 409
    assert response.data == {"detail": "El caso ya está cerrado."}


def test_nfr03_other_exceptions_keep_drf_handling():
    response = api_exception_handler(NotFound("Caso no encontrado."), {})
    assert response.status_code == 404
    assert response.data == {"detail": "Caso no encontrado."}


@pytest.mark.parametrize(
    "module", sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("*/api*.py"))
)
def test_nfr03_no_api_module_catches_service_errors_itself(module):
    """Every app's API leaves service errors to the one handler (no per-view closures)."""
    text = (ROOT / module).read_text()
    assert "_service_response" not in text
    assert "except ProtocolConflict" not in text
    assert "except DjangoValidationError" not in text
