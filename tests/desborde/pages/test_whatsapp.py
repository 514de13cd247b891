"""The WhatsApp loop on the pages (2.2): the technologist's proposal and print forms on the case
panel, the orientador's record of the customer's answer, and closing only after agreement.

WA-03 the proposed outcome and the customer's answer, WA-04 sending a document to the intake
office's printer, NFR-02 roles and scopes (404 outside the office), NFR-03 Spanish messages next
to their fields.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import CaseStatus, Channel, EvidenceKind, PrintJob
from core.roles import Role
from desborde import services
from desborde.models import OutcomeProposal
from tests.desborde.pages.helpers import (
    assign,
    close_data,
    field_error,
    h1,
    intake_for,
    send_pdf,
    staff,
)
from tests.helpers import answer_call

pytestmark = pytest.mark.django_db

AGREEMENT_REQUIRED = (
    "Antes de cerrar, el orientador debe registrar que el cliente está de acuerdo con la "
    "propuesta de cierre."
)


@pytest.fixture
def other_tech(tech_office):
    return staff(Role.TECNOLOGO, tech_office, "tecnologo.vecino")


# --- WA-03: the proposed outcome and the customer's answer -----------------------------------


def test_wa03_technologist_sends_proposal_from_the_case_page(client, whatsapp_case, tech):
    """WA-03: the case panel shows the intake and a form to send the proposed outcome."""
    client.force_login(tech)
    page = client.get(f"/casos/{whatsapp_case.pk}/").content.decode()
    assert 'id="desborde-panel"' in page
    assert "Luisa Mejía" in page  # the orientador
    assert "Oficina Envigado" in page
    assert f'action="/desborde/casos/{whatsapp_case.pk}/propuesta/"' in page
    assert f'action="/desborde/casos/{whatsapp_case.pk}/imprimir/"' in page

    empty = client.post(f"/desborde/casos/{whatsapp_case.pk}/propuesta/", {"text": "  "})
    assert empty.status_code == 400
    assert "Escriba cómo quedará el caso" in empty.content.decode()
    assert not OutcomeProposal.objects.exists()

    response = client.post(
        f"/desborde/casos/{whatsapp_case.pk}/propuesta/",
        {"text": "Se envía el duplicado de la factura al correo."},
    )
    assert response.status_code == 302
    proposal = OutcomeProposal.objects.get()
    assert proposal.case == whatsapp_case
    assert proposal.proposed_by == tech
    page = client.get(f"/casos/{whatsapp_case.pk}/").content.decode()
    assert "Esperando que el orientador registre la respuesta del cliente." in page
    assert 'id="id_proposal_text"' not in page  # one pending proposal at a time

    again = client.post(f"/desborde/casos/{whatsapp_case.pk}/propuesta/", {"text": "Otra"})
    assert again.status_code == 409
    assert "Ya hay una propuesta esperando la respuesta del cliente." in again.content.decode()


def test_wa03_case_panel_permissions(client, whatsapp_case, other_tech, orientador, office, tech):
    """NFR-02: another technologist gets 404, the orientador 403 on the technologist's actions;
    a web-form case has no proposal loop."""
    client.force_login(other_tech)
    assert (
        client.post(f"/desborde/casos/{whatsapp_case.pk}/propuesta/", {"text": "x"}).status_code
        == 404
    )
    assert client.post(f"/desborde/casos/{whatsapp_case.pk}/imprimir/", {}).status_code == 404
    client.force_login(orientador)
    assert (
        client.post(f"/desborde/casos/{whatsapp_case.pk}/propuesta/", {"text": "x"}).status_code
        == 403
    )
    page = client.get(f"/casos/{whatsapp_case.pk}/").content.decode()
    assert 'id="desborde-panel"' in page
    assert 'id="id_proposal_text"' not in page  # only the assignee acts
    assert not OutcomeProposal.objects.exists()

    web = assign(intake_for(orientador, office, document_number="7777777").case, tech)
    client.force_login(tech)
    page = client.get(f"/casos/{web.pk}/").content.decode()
    assert 'id="desborde-panel"' in page and "Oficina Envigado" in page
    assert 'id="id_proposal_text"' not in page
    response = client.post(f"/desborde/casos/{web.pk}/propuesta/", {"text": "Se envía."})
    assert response.status_code == 409
    assert "Este caso no llegó por desborde WhatsApp." in response.content.decode()


def test_wa03_orientador_records_agreement(client, whatsapp_case, tech, orientador):
    """WA-03: the orientador sees the pending proposal on the home page, opens it (case number,
    customer, text), a disagreement needs a comment, then the agreement is recorded once."""
    proposal = services.outcome_propose(
        case=whatsapp_case, by=tech, text="Se envía el duplicado de la factura al correo."
    )
    client.force_login(orientador)
    home = client.get("/desborde/").content.decode()
    assert f'href="/desborde/propuestas/{proposal.pk}/"' in home
    assert whatsapp_case.number in home

    page = client.get(f"/desborde/propuestas/{proposal.pk}/")
    content = page.content.decode()
    assert page.status_code == 200
    assert whatsapp_case.number in h1(page)
    assert "Jorge Iván Cano" in content
    assert "Se envía el duplicado de la factura al correo." in content
    assert "El cliente está de acuerdo" in content
    assert "No está de acuerdo" in content

    refused = client.post(f"/desborde/propuestas/{proposal.pk}/", {"response": "en_desacuerdo"})
    assert refused.status_code == 400
    assert "Indique por qué el cliente no está de acuerdo." in field_error(refused, "comment")
    proposal.refresh_from_db()
    assert proposal.response == OutcomeProposal.Response.PENDING

    agreed = client.post(f"/desborde/propuestas/{proposal.pk}/", {"response": "de_acuerdo"})
    assert agreed.status_code == 302
    assert agreed["Location"] == "/desborde/"
    proposal.refresh_from_db()
    assert proposal.response == OutcomeProposal.Response.AGREED
    assert proposal.responded_by == orientador

    twice = client.post(
        f"/desborde/propuestas/{proposal.pk}/", {"response": "en_desacuerdo", "comment": "x"}
    )
    assert twice.status_code == 409
    assert "Esta propuesta ya tiene respuesta del cliente." in twice.content.decode()
    assert "no-pending-proposals" in client.get("/desborde/pendientes/").content.decode()


def test_wa03_disagreement_with_comment(client, whatsapp_case, tech, orientador):
    proposal = services.outcome_propose(case=whatsapp_case, by=tech, text="Cobro en la factura.")
    client.force_login(orientador)
    response = client.post(
        f"/desborde/propuestas/{proposal.pk}/",
        {"response": "en_desacuerdo", "comment": "Quiere que se le explique el cobro."},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.response == OutcomeProposal.Response.DISAGREED
    assert proposal.comment == "Quiere que se le explique el cobro."
    client.force_login(tech)
    page = client.get(f"/casos/{whatsapp_case.pk}/").content.decode()
    assert "el cliente está en desacuerdo" in page
    assert "Quiere que se le explique el cobro." in page
    assert 'id="id_proposal_text"' in page  # a new proposal can be sent


def test_wa03_proposal_page_only_for_the_office_orientadores(
    client, whatsapp_case, tech, far_orientador, users
):
    """WA-03, NFR-02: another office's orientador gets 404; other roles 403."""
    proposal = services.outcome_propose(case=whatsapp_case, by=tech, text="Propuesta.")
    client.force_login(far_orientador)
    assert client.get(f"/desborde/propuestas/{proposal.pk}/").status_code == 404
    assert (
        client.post(f"/desborde/propuestas/{proposal.pk}/", {"response": "de_acuerdo"}).status_code
        == 404
    )
    assert f"/desborde/propuestas/{proposal.pk}/" not in client.get("/desborde/").content.decode()
    for role in (Role.TECNOLOGO, Role.ASIGNADOR, Role.ENCARGADO):
        client.force_login(users[role])
        assert client.get(f"/desborde/propuestas/{proposal.pk}/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.response == OutcomeProposal.Response.PENDING


def test_wa03_case_closes_only_after_agreement(
    client, whatsapp_case, tech, tech_office, orientador, django_capture_on_commit_callbacks
):
    """WA-03: closing a WhatsApp case before the customer agreed is refused with the Spanish
    message; after the agreement it closes."""
    answer_call(whatsapp_case, tech)
    client.force_login(tech)
    refused = client.post(
        f"/casos/{whatsapp_case.pk}/cerrar/", close_data(whatsapp_case, tech_office)
    )
    assert refused.status_code == 400
    assert AGREEMENT_REQUIRED in refused.content.decode()
    whatsapp_case.refresh_from_db()
    assert not whatsapp_case.is_closed

    proposal = services.outcome_propose(case=whatsapp_case, by=tech, text="Duplicado enviado.")
    services.outcome_respond(proposal=proposal, by=orientador, agreed=True)
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(
            f"/casos/{whatsapp_case.pk}/cerrar/", close_data(whatsapp_case, tech_office)
        )
    assert closed.status_code == 302
    whatsapp_case.refresh_from_db()
    assert whatsapp_case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert whatsapp_case.channel == Channel.objects.get(code="desborde-whatsapp")
    assert whatsapp_case.intake.reported_at is not None


# --- WA-04: the technologist sends a document to the print queue ----------------------------


def test_wa04_technologist_sends_document_to_the_office_printer(client, whatsapp_case, tech):
    """WA-04: the assigned technologist sends a final document to the intake office's queue."""
    client.force_login(tech)
    response = send_pdf(client, whatsapp_case)
    assert response.status_code == 302
    job = PrintJob.objects.get()
    assert job.office.name == "Oficina Envigado"
    assert job.document.kind == EvidenceKind.CONSTANCIA
    page = client.get(f"/casos/{whatsapp_case.pk}/").content.decode()
    assert "Constancia de atención" in page and "en cola de impresión" in page

    no_title = send_pdf(client, whatsapp_case, title="")
    assert no_title.status_code == 400
    assert "Indique qué documento es" in no_title.content.decode()
    no_file = client.post(f"/desborde/casos/{whatsapp_case.pk}/imprimir/", {"title": "Factura"})
    assert no_file.status_code == 400
    assert "Seleccione el archivo a imprimir." in no_file.content.decode()
    assert PrintJob.objects.count() == 1


def _print_form(page: str) -> str:
    match = re.search(r'<form[^>]*id="print-form".*?</form>', page, re.S)
    assert match, "la página no tiene el formulario de impresión"
    return match.group(0)


def test_nfr03_print_form_errors_next_to_their_fields(client, whatsapp_case, tech):
    """NFR-03 / WA-04: each message under its own field, with what was typed kept; nothing
    is sent to the printer."""
    client.force_login(tech)

    no_file = client.post(
        f"/desborde/casos/{whatsapp_case.pk}/imprimir/", {"title": "Factura de octubre"}
    )
    form = _print_form(no_file.content.decode())
    assert no_file.status_code == 400
    assert re.search(
        r'id="print-file".*?<div class="invalid-feedback d-block">Seleccione el archivo a '
        r"imprimir.</div>",
        form,
        re.S,
    )
    assert 'value="Factura de octubre"' in form

    no_title = send_pdf(client, whatsapp_case, title="")
    form = _print_form(no_title.content.decode())
    assert no_title.status_code == 400
    assert re.search(
        r'class="form-control is-invalid"[^>]*id="print-title".*?Indique qué documento es',
        form,
        re.S,
    )

    wrong_type = client.post(
        f"/desborde/casos/{whatsapp_case.pk}/imprimir/",
        {"title": "Factura", "file": SimpleUploadedFile("factura.exe", b"MZ\x90\x00")},
    )
    form = _print_form(wrong_type.content.decode())
    assert wrong_type.status_code == 400
    assert re.search(r'id="print-file".*?Tipo de archivo no permitido', form, re.S)
    assert PrintJob.objects.count() == 0


def test_wa04_office_without_active_printer_message_on_the_case_page(
    client, whatsapp_case, tech, office
):
    """WA-04 / NFR-03: the intake office has no active printer: the technologist reads why on
    the case page (400), above the form; nothing is sent."""
    office.printers.update(active=False)
    client.force_login(tech)

    response = send_pdf(client, whatsapp_case)

    assert response.status_code == 400
    errors = re.search(r'id="print-errors">(.*?)</div>', response.content.decode(), re.S)
    assert errors, "no hay mensaje sobre el formulario de impresión"
    assert errors.group(1).startswith("Oficina Envigado no tiene una impresora activa")
    assert PrintJob.objects.count() == 0
