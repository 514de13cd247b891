"""Plain helpers of the overflow page tests (not fixtures, not a test module): the tests of
several use cases build users, intakes and requests with them."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import (
    Case,
    CaseStatus,
    InitialCause,
    TransactionType,
)
from desborde import services
from desborde.models import IntakeMode
from tests.helpers import PDF, make_user


def staff(role, office, username, **kwargs):
    return make_user(role, office, username=username, **kwargs)


def tt(code: str) -> TransactionType:
    return TransactionType.objects.get(code=code)


def h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "la página no tiene <h1>"
    return match.group(1).strip()


def field_error(response, field: str) -> str:
    match = re.search(
        rf'<div class="invalid-feedback d-block" data-error-for="{field}">(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no hay mensaje junto al campo {field}"
    return match.group(1).strip()


def intake_for(orientador, office, *, mode=IntakeMode.FORMULARIO_WEB, name="Cliente", **kw):
    intake, _ = services.intake_create(
        orientador=orientador,
        office=office,
        mode=mode,
        transaction_type=tt(kw.pop("code", "duplicado-de-factura")),
        full_name=name,
        document_type="CC",
        document_number=kw.pop("document_number", "43512876"),
        phone="3104567890",
        contract="123456789",
        email="",
        data_consent=True,
        **kw,
    )
    return intake


def assign(case: Case, tech) -> Case:
    case.assigned_to = tech
    case.status = CaseStatus.ASIGNADO
    case.save(update_fields=["assigned_to", "status"])
    return case


def close_data(case, tech_office) -> dict:
    return {
        "outcome": "primer_contacto",
        "turn_number": "DFILA",
        "attention_medium": "verbal",
        "channel": case.channel_id,
        "office": tech_office.pk,
        "supported_office": case.supported_office_id,
        "initial_cause": InitialCause.objects.get(code="informacion-general").pk,
        "motive": "Se envió el duplicado de la factura al correo del cliente.",
    }


def send_pdf(client, case, title="Constancia de atención"):
    return client.post(
        f"/desborde/casos/{case.pk}/imprimir/",
        {
            "title": title,
            "file": SimpleUploadedFile("constancia.pdf", PDF, content_type="application/pdf"),
        },
    )
