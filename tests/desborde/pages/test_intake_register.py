"""The orientador's home and the registration (2.1, 2.2).

DF-01 registration in two steps (eligible transactions only), DF-02 who was assigned, WA-01
photos, NFR-01 / NFR-03 Spanish messages next to their fields, nothing written on bad input.
"""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import (
    AssignmentPool,
    Case,
    Customer,
    Evidence,
    EvidenceKind,
    StaffAvailability,
    WorkMode,
)
from core.reference_data import TRANSACTION_TYPES
from core.roles import Role
from desborde import services
from desborde.models import DATA_CONSENT_TEXT, Intake, IntakeMode
from tests.desborde.pages.helpers import field_error, h1, staff, tt
from tests.factories import TINY_PNG, OfficeFactory

pytestmark = pytest.mark.django_db

ELIGIBLE = [code for code, _, _, eligible, *_ in TRANSACTION_TYPES if eligible]
NOT_ELIGIBLE = [code for code, _, _, eligible, *_ in TRANSACTION_TYPES if not eligible]
PASSWORD = "clave-segura-123"


def pool_technologist(office, username="tecnologa.pool"):
    tech = staff(
        Role.TECNOLOGO,
        office,
        username,
        first_name="Beatriz",
        last_name="Gómez",
        work_mode=WorkMode.HOME,
    )
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    AssignmentPool.objects.get(code=f"desborde-{office.unit}").members.add(tech)
    return tech


def step_two_data(code="duplicado-de-factura", mode=IntakeMode.FORMULARIO_WEB, **overrides):
    data = {
        "paso": "2",
        "mode": mode,
        "transaction_type": tt(code).pk,
        "client_token": str(uuid.uuid4()),
        "full_name": "María Elena Restrepo",
        "document_type": "CC",
        "document_number": "43.512.876",
        "phone": "310 456 7890",
        "contract": "123456789",
        "email": "maria.restrepo@example.com",
        "data_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> tuple[int, int, int, int]:
    return (
        Intake.objects.count(),
        Case.objects.count(),
        Customer.objects.count(),
        Evidence.objects.count(),
    )


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# --- DF-01: the orientador's home and the registration ---------------------------------------


def test_df01_home_title_entries_and_start_page(client, orientador, office):
    """DF-01, NFR-01: the orientador lands on the tablet page, titled with the office name, with
    both kinds of registration, the proposals waiting and the print queue."""
    response = client.post(
        "/accounts/login/", {"username": "orientadora", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1] == ("/desborde/", 302)
    assert h1(response) == "Desborde de fila — Oficina Envigado"
    content = response.content.decode()
    assert 'href="/desborde/registro/?modo=formulario_web"' in content
    assert "Nuevo registro — formulario web" in content
    assert 'href="/desborde/registro/?modo=whatsapp"' in content
    assert "Nuevo registro — WhatsApp" in content
    assert "No hay propuestas esperando la respuesta del cliente." in content
    assert 'href="/desborde/impresion/"' in content
    assert 'href="/desborde/registros/"' in content


def test_df01_step_one_asks_the_transaction_first(as_user, orientador):
    """DF-01: step 1 is only the transaction (active ones), nothing about the customer yet."""
    response = as_user(orientador).get("/desborde/registro/?modo=formulario_web")
    assert response.status_code == 200
    content = response.content.decode()
    assert h1(response) == "Nuevo registro — formulario web"
    assert 'name="transaction_type"' in content
    assert "Financiación / Refinanciación" in content  # offered, then refused
    assert 'name="full_name"' not in content


@pytest.mark.parametrize("code", NOT_ELIGIBLE)
def test_df01_ineligible_transaction_refused_at_step_one(as_user, orientador, code):
    """DF-01: an ineligible transaction says to stay in line and take a ticket; nothing is
    registered."""
    before = counts()
    response = as_user(orientador).post(
        "/desborde/registro/",
        {"paso": "1", "mode": "formulario_web", "transaction_type": tt(code).pk},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert services.NOT_ELIGIBLE in content
    assert "continúe en la fila, tome el ficho" in content
    assert 'name="full_name"' not in content
    assert counts() == before


def test_df01_ineligible_transaction_refused_at_step_two_nothing_written(as_user, orientador):
    """DF-01: even a crafted step 2 with an ineligible transaction writes no intake, case or
    customer."""
    before = counts()
    response = as_user(orientador).post(
        "/desborde/registro/", step_two_data(code="financiacion-refinanciacion")
    )
    assert response.status_code == 400
    assert services.NOT_ELIGIBLE in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("mode", [IntakeMode.FORMULARIO_WEB, IntakeMode.WHATSAPP])
def test_df01_wa01_eligible_step_one_opens_step_two(as_user, orientador, mode):
    """DF-01 / WA-01: an eligible transaction opens step 2 with the customer's fields, the
    consent text and a fresh client_token; WhatsApp mode adds the camera inputs."""
    response = as_user(orientador).post(
        "/desborde/registro/",
        {"paso": "1", "mode": mode, "transaction_type": tt("duplicado-de-factura").pk},
    )
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("full_name", "document_type", "document_number", "phone", "contract", "email"):
        assert f'name="{name}"' in content
    assert DATA_CONSENT_TEXT in content
    assert 'name="data_consent"' in content
    token = re.search(r'name="client_token" value="([0-9a-f-]{36})"', content)
    assert token and uuid.UUID(token.group(1))
    assert "Duplicado de factura" in content
    assert 'value="CC"' in content and 'value="SIN_ID"' not in content  # 2.1 asks the cédula
    photo_inputs = re.findall(r'<input type="file" name="foto_\w+"[^>]*>', content)
    if mode == IntakeMode.WHATSAPP:
        assert len(photo_inputs) == 3
        for tag in photo_inputs:
            assert 'accept="image/*"' in tag and 'capture="environment"' in tag
    else:
        assert photo_inputs == []


@pytest.mark.parametrize("code", ELIGIBLE)
def test_df01_twelve_eligible_transactions_registered_through_the_page(
    as_user, orientador, office, code
):
    """DF-01 / DF-03: each of the 12 eligible transactions goes through both steps and opens
    the CRM case; the result page shows "Caso CRM <number>"."""
    client = as_user(orientador)
    step_one = client.post(
        "/desborde/registro/",
        {"paso": "1", "mode": "formulario_web", "transaction_type": tt(code).pk},
    )
    assert step_one.status_code == 200
    token = re.search(
        r'name="client_token" value="([0-9a-f-]{36})"', step_one.content.decode()
    ).group(1)

    response = client.post("/desborde/registro/", step_two_data(code=code, client_token=token))

    intake = Intake.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desborde/registros/{intake.pk}/"
    assert str(intake.client_token) == token
    assert intake.transaction_type.code == code
    assert intake.office == office
    assert intake.orientador == orientador
    assert intake.zone == "Sur"
    assert intake.case.turn_number == "DFILA"
    assert intake.case.channel.code == "desborde-formulario-web"
    assert intake.case.supported_office == office
    page = client.get(response["Location"])
    assert f"Caso CRM {intake.case.number}" in page.content.decode()
    assert "por asignar" in page.content.decode()
    assert 'hx-select="#intake-status"' in page.content.decode()  # polls until assigned


def test_df02_result_page_shows_who_was_assigned(
    as_user, orientador, office, django_capture_on_commit_callbacks
):
    """DF-02: the intake enters the round-robin at once; the result page names the
    technologist ("funcionario que brindará la solución")."""
    pool_technologist(OfficeFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(orientador).post("/desborde/registro/", step_two_data())
    page = as_user(orientador).get(response["Location"], follow=True)
    content = page.content.decode()
    intake = Intake.objects.get()
    assert f"Caso CRM {intake.case.number}" in content
    assert "Funcionario que brindará la solución:" in content
    assert "Beatriz Gómez" in content
    assert 'hx-trigger="every' not in content  # assigned: the page stops polling


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("document_number", "12AB", "La cédula de ciudadanía debe tener entre 3 y 10 dígitos."),
        ("phone", "12345", "Ingrese un teléfono colombiano válido"),
        ("email", "maria@", "Ingrese un correo electrónico válido."),
        ("full_name", "   ", "Ingrese el nombre del cliente."),
        ("contract", "12-34", "El contrato EPM solo lleva dígitos."),
    ],
)
def test_nfr03_df01_bad_input_spanish_message_next_to_the_field(
    as_user, orientador, field, value, message
):
    """DF-01, NFR-03: a bad value gets its Spanish message next to its field, 400, nothing
    written, and what was typed is kept."""
    before = counts()
    response = as_user(orientador).post("/desborde/registro/", step_two_data(**{field: value}))
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert counts() == before
    assert 'value="María Elena Restrepo"' in response.content.decode() or field == "full_name"


def test_nfr03_df01_several_errors_at_once(as_user, orientador):
    """NFR-03: every wrong field is reported in the same answer."""
    response = as_user(orientador).post(
        "/desborde/registro/",
        step_two_data(document_number="1", phone="999", email="no-es-correo", data_consent=None),
    )
    assert response.status_code == 400
    for field in ("document_number", "phone", "email", "data_consent"):
        assert field_error(response, field)


def test_df01_missing_consent_refused(as_user, orientador):
    """DF-01 (Ley 1581): without the customer's authorisation nothing is registered."""
    before = counts()
    response = as_user(orientador).post("/desborde/registro/", step_two_data(data_consent=None))
    assert response.status_code == 400
    assert "Sin la autorización del cliente" in field_error(response, "data_consent")
    assert counts() == before


def test_df01_double_submit_same_token_stores_one_intake(as_user, orientador):
    """DF-01: a double tap (same client_token twice) stores one intake and shows it both times."""
    client = as_user(orientador)
    data = step_two_data()
    first = client.post("/desborde/registro/", data)
    second = client.post("/desborde/registro/", data)
    assert Intake.objects.count() == 1
    assert Case.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    page = client.get(second["Location"])
    assert "Este registro ya se había guardado" in page.content.decode()


def test_wa01_whatsapp_photos_go_to_the_case_evidence(as_user, orientador):
    """WA-01: the invoice / coupon / ID photos become evidence of the case, by kind."""
    data = step_two_data(mode=IntakeMode.WHATSAPP)
    data["foto_factura"] = SimpleUploadedFile("factura.png", TINY_PNG, content_type="image/png")
    data["foto_documento"] = SimpleUploadedFile("cedula.png", TINY_PNG, content_type="image/png")
    response = as_user(orientador).post("/desborde/registro/", data)
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert intake.mode == IntakeMode.WHATSAPP
    assert intake.case.channel.code == "desborde-whatsapp"
    assert set(intake.case.evidence.values_list("kind", "original_name")) == {
        (EvidenceKind.INVOICE_PHOTO, "factura.png"),
        (EvidenceKind.ID_PHOTO, "cedula.png"),
    }


def test_wa01_bad_photo_refused_next_to_its_input(as_user, orientador):
    """WA-01, NFR-03: a file that is not an image is refused next to its input; nothing
    written."""
    before = counts()
    data = step_two_data(mode=IntakeMode.WHATSAPP)
    data["foto_cupon"] = SimpleUploadedFile("cupon.png", b"no soy una imagen")
    response = as_user(orientador).post("/desborde/registro/", data)
    assert response.status_code == 400
    assert "no corresponde a un archivo .png" in field_error(response, "foto_cupon")
    assert counts() == before


def test_df01_web_form_refuses_photos(as_user, orientador):
    """DF-01: photos belong to the WhatsApp mode only."""
    data = step_two_data()
    data["foto_factura"] = SimpleUploadedFile("factura.png", TINY_PNG, content_type="image/png")
    response = as_user(orientador).post("/desborde/registro/", data)
    assert response.status_code == 400
    assert "Las fotos se envían solo en la modalidad WhatsApp." in response.content.decode()
    assert Intake.objects.count() == 0
