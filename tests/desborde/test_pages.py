"""The orientador's tablet pages and the technologist's side of the overflow loop (2.1, 2.2).

DF-01 registration in two steps (eligible transactions only), DF-02 / DF-04 the day's intake
list, WA-01 photos, WA-03 the customer's answer and closing only after agreement, WA-04 the print
queue, NFR-01 Spanish messages, NFR-02 roles and scopes (404 outside the office).
"""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from core.models import (
    AssignmentPool,
    Case,
    CaseStatus,
    Channel,
    ContactAttempt,
    Customer,
    Evidence,
    EvidenceKind,
    InitialCause,
    PrintJob,
    StaffAvailability,
    TransactionType,
    WorkMode,
)
from core.reference_data import TRANSACTION_TYPES
from core.roles import Role
from core.services.calls import attempt_log
from core.services.evidence import evidence_attach
from core.services.printing import print_job_send
from desborde import services
from desborde.models import DATA_CONSENT_TEXT, Intake, IntakeMode, OutcomeProposal
from tests.factories import TINY_PNG, OfficeFactory, UserFactory
from tests.helpers import office_printer

pytestmark = pytest.mark.django_db

ELIGIBLE = [code for code, _, _, eligible, *_ in TRANSACTION_TYPES if eligible]
NOT_ELIGIBLE = [code for code, _, _, eligible, *_ in TRANSACTION_TYPES if not eligible]
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 413
PASSWORD = "clave-segura-123"
AGREEMENT_REQUIRED = (
    "Antes de cerrar, el orientador debe registrar que el cliente está de acuerdo con la "
    "propuesta de cierre."
)


# --- helpers ---------------------------------------------------------------------------------


def staff(role, office, username, **kwargs):
    user = UserFactory(username=username, home_office=office, **kwargs)
    user.groups.add(Group.objects.get(name=str(role)))
    return user


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


def tt(code: str) -> TransactionType:
    return TransactionType.objects.get(code=code)


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


def answer_call(case, tech) -> None:
    attempt_log(
        case=case, by=tech, outcome=ContactAttempt.Outcome.CONTESTO, number_dialled="3104567890"
    )
    evidence_attach(
        case=case,
        kind=EvidenceKind.CALL_RECORDING,
        upload=SimpleUploadedFile("llamada.mp3", MP3, content_type="audio/mpeg"),
        uploaded_by=tech,
    )


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


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def office(db):
    """The intake office, with the printer its print queue (WA-04) sends to."""
    office = OfficeFactory(name="Oficina Envigado", zone="Sur")
    office_printer(office, "Impresora Envigado")
    return office


@pytest.fixture
def far_office(db):
    """Another office of the same unit, with its own orientador."""
    return OfficeFactory(name="Oficina Bello", zone="Norte")


@pytest.fixture
def tech_office(db):
    return OfficeFactory(name="Oficina Itagüí", zone="Sur")


@pytest.fixture
def orientador(office):
    return staff(Role.ORIENTADOR, office, "orientadora", first_name="Luisa", last_name="Mejía")


@pytest.fixture
def far_orientador(far_office):
    return staff(Role.ORIENTADOR, far_office, "orientador.bello")


@pytest.fixture
def tech(tech_office):
    return staff(Role.TECNOLOGO, tech_office, "tecnologo", first_name="Carlos", last_name="Ruiz")


@pytest.fixture
def other_tech(tech_office):
    return staff(Role.TECNOLOGO, tech_office, "tecnologo.vecino")


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def whatsapp_case(orientador, office, tech):
    """A WhatsApp intake of ``office`` assigned to ``tech``."""
    intake = intake_for(orientador, office, mode=IntakeMode.WHATSAPP, name="Jorge Iván Cano")
    return assign(intake.case, tech)


# --- NFR-02: who may open the tablet pages ---------------------------------------------------

# fmt: off
ROLE_TABLE = {
    #                          orie asig tecn gest enca crea mesa geof clin
    "/desborde/":             (200, 403, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/pendientes/":  (200, 403, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/registro/":    (200, 403, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/registros/":   (200, 200, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/registros/tabla/": (200, 200, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/impresion/":   (200, 403, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on
ROLE_COLUMNS = (
    "orientador",
    "asignador",
    "tecnologo",
    "gestor",
    "encargado",
    "creador",
    "mesa",
    "gestor_oficina",
    "cliente_interno",
)


def test_nfr02_role_table_covers_every_role():
    assert set(ROLE_COLUMNS) == set(Role.values)


@pytest.mark.parametrize(
    ("url", "role", "expected"),
    [
        pytest.param(url, role, status, id=f"{url} {role}")
        for url, row in ROLE_TABLE.items()
        for role, status in zip(ROLE_COLUMNS, row, strict=True)
    ],
)
def test_nfr02_tablet_pages_by_role(client, users, url, role, expected):
    """NFR-02: each tablet page answers only to the roles that use it (others 403)."""
    client.force_login(users[role])
    assert client.get(url).status_code == expected


def test_nfr02_anonymous_goes_to_login(client):
    response = client.get("/desborde/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/desborde/"


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


# --- DF-02 / DF-04: the day's intake list ----------------------------------------------------


def test_df02_intake_list_scoped_to_office_and_unit(
    client, orientador, far_orientador, office, far_office, tech
):
    """DF-02, NFR-02: the orientador sees today's intakes of their office; the asignador those
    of the unit; another office's orientador not; a technologist gets 403."""
    mine = intake_for(orientador, office, name="Ana Mía", document_number="11111111")
    assign(mine.case, tech)
    theirs = intake_for(far_orientador, far_office, name="Beto Ajeno", document_number="2222222")
    yesterday = intake_for(orientador, office, name="Carla Ayer", document_number="3333333")
    Intake.objects.filter(pk=yesterday.pk).update(
        started_at=timezone.now() - timezone.timedelta(days=1)
    )
    regional = OfficeFactory(unit="regional")
    far_unit = intake_for(
        staff(Role.ORIENTADOR, regional, "orientador.regional"),
        regional,
        name="Dora Regional",
        document_number="4444444",
    )
    asignador = staff(Role.ASIGNADOR, office, "asignador")

    client.force_login(orientador)
    content = client.get("/desborde/registros/").content.decode()
    assert re.findall(r'<tr data-case="([^"]+)">', content) == [mine.case.number]
    for header in (
        "Hora de inicio",
        "Zona",
        "Cliente",
        "Documento",
        "Teléfono",
        "Contrato",
        "Transacción",
        "Funcionario que brindará la solución",
        "Caso CRM",
        "Estado",
        "PQR registradas",
    ):
        assert f"<th>{header}</th>" in content
    assert "Carlos Ruiz" in content
    assert "CC 11111111" in content and "3104567890" in content

    client.force_login(far_orientador)
    content = client.get("/desborde/registros/").content.decode()
    assert re.findall(r'<tr data-case="([^"]+)">', content) == [theirs.case.number]
    assert "por asignar" in content

    client.force_login(asignador)
    content = client.get("/desborde/registros/").content.decode()
    assert sorted(re.findall(r'<tr data-case="([^"]+)">', content)) == sorted(
        [mine.case.number, theirs.case.number]
    )
    assert far_unit.case.number not in content
    assert "<th>Oficina</th>" in content

    client.force_login(tech)
    assert client.get("/desborde/registros/").status_code == 403
    assert client.get(f"/desborde/registros/{mine.pk}/").status_code == 403
    client.force_login(far_orientador)
    assert client.get(f"/desborde/registros/{mine.pk}/").status_code == 404


def test_df02_intake_list_refreshes_itself(client, orientador, office, settings):
    """DF-02: the list (and the home page) poll the table partial every
    WORKBENCH_REFRESH_SECONDS; the partial is the bare table."""
    settings.WORKBENCH_REFRESH_SECONDS = 7
    intake = intake_for(orientador, office)
    client.force_login(orientador)
    for url in ("/desborde/registros/", "/desborde/"):
        content = client.get(url).content.decode()
        assert 'hx-get="/desborde/registros/tabla/"' in content
        assert 'hx-trigger="every 7s"' in content
    partial = client.get("/desborde/registros/tabla/").content.decode()
    assert f'<tr data-case="{intake.case.number}">' in partial
    assert "<html" not in partial


def test_df04_intake_list_shows_registered_pqr_numbers(
    client, orientador, office, tech, tech_office, django_capture_on_commit_callbacks
):
    """DF-04: once the technologist registers the case, its number shows in "PQR
    registradas"."""
    intake = intake_for(orientador, office)
    case = assign(intake.case, tech)
    answer_call(case, tech)
    client.force_login(tech)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/casos/{case.pk}/cerrar/", close_data(case, tech_office))
    assert response.status_code == 302
    client.force_login(orientador)
    content = client.get("/desborde/registros/tabla/").content.decode()
    cell = re.search(r'<td data-label="PQR registradas" class="pqr-numbers">(.*?)</td>', content)
    assert cell.group(1) == case.number
    detail = client.get(f"/desborde/registros/{intake.pk}/").content.decode()
    assert f"PQR registradas: {case.number}" in detail


def test_nfr02_intake_table_hides_personal_data_when_the_role_does_not_need_it(orientador, office):
    """NFR-02: the document and phone columns are drawn only with ``personal_data``."""
    intake = intake_for(orientador, office, name="Ana Reservada", document_number="98765432")
    context = {"intakes": [intake], "show_office": False}
    shown = render_to_string(
        "desborde/partials/_intake_table.html", {**context, "personal_data": True}
    )
    hidden = render_to_string(
        "desborde/partials/_intake_table.html", {**context, "personal_data": False}
    )
    assert "<th>Documento</th>" in shown and "98765432" in shown and "3104567890" in shown
    assert "<th>Documento</th>" not in hidden and "<th>Teléfono</th>" not in hidden
    assert "98765432" not in hidden and "3104567890" not in hidden
    assert "Ana Reservada" in hidden and intake.case.number in hidden


@pytest.mark.parametrize("url", ["/desborde/registros/", "/desborde/registros/tabla/"])
def test_nfr02_intake_list_queries_do_not_grow_with_rows(
    client, orientador, office, tech, url, django_assert_max_num_queries
):
    """DF-02: the list runs the same number of queries for 3 and for 20 intakes."""
    client.force_login(orientador)
    for n in range(3):
        assign(intake_for(orientador, office, document_number=f"5000{n:04d}").case, tech)
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert len(re.findall(r"<tr data-case=", response.content.decode())) == 3
    for n in range(3, 20):
        assign(intake_for(orientador, office, document_number=f"5000{n:04d}").case, tech)
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert len(re.findall(r"<tr data-case=", response.content.decode())) == 20


def test_nfr02_home_queries_do_not_grow_with_rows(
    client, orientador, office, tech, django_assert_max_num_queries
):
    """NFR-02: the home page (proposals, print count, intakes) does not query per row."""
    client.force_login(orientador)
    for n in range(3):
        case = assign(
            intake_for(
                orientador, office, mode=IntakeMode.WHATSAPP, document_number=f"6{n:07d}"
            ).case,
            tech,
        )
        services.outcome_propose(case=case, by=tech, text="Se envía el duplicado.")
    with django_assert_max_num_queries(7):
        response = client.get("/desborde/")
    assert response.content.decode().count("data-proposal=") == 3
    for n in range(3, 20):
        case = assign(
            intake_for(
                orientador, office, mode=IntakeMode.WHATSAPP, document_number=f"6{n:07d}"
            ).case,
            tech,
        )
        services.outcome_propose(case=case, by=tech, text="Se envía el duplicado.")
    with django_assert_max_num_queries(7):
        response = client.get("/desborde/")
    assert response.content.decode().count("data-proposal=") == 20


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


# --- WA-04: the print queue ------------------------------------------------------------------


def send_pdf(client, case, title="Constancia de atención"):
    return client.post(
        f"/desborde/casos/{case.pk}/imprimir/",
        {
            "title": title,
            "file": SimpleUploadedFile("constancia.pdf", PDF, content_type="application/pdf"),
        },
    )


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


def test_wa04_print_queue_steps(client, whatsapp_case, tech, orientador):
    """WA-04: the orientador prints, verifies (signatures / fingerprints), uploads the scan to
    the case's evidence and hands the document; steps out of order get Spanish messages."""
    client.force_login(tech)
    send_pdf(client, whatsapp_case)
    job = PrintJob.objects.get()

    client.force_login(orientador)
    queue = client.get("/desborde/impresion/")
    content = queue.content.decode()
    assert queue.status_code == 200
    assert "Constancia de atención" in content
    assert whatsapp_case.number in content
    assert "Jorge Iván Cano" in content
    download = f"/evidencias/{job.document_id}/descargar/?ver=1"  # opens in the browser
    assert f'href="{download}"' in content
    document = client.get(download)
    assert document.status_code == 200
    assert document["Content-Disposition"].startswith("inline")
    assert b"".join(document.streaming_content) == PDF

    handed_early = client.post(f"/desborde/impresion/{job.pk}/entregado/")
    assert handed_early.status_code == 409
    assert (
        "Verifique primero que el documento corresponde al caso." in handed_early.content.decode()
    )
    verified_early = client.post(f"/desborde/impresion/{job.pk}/verificado/")
    assert verified_early.status_code == 409
    assert "Primero imprima el documento." in verified_early.content.decode()
    scan_early = client.post(
        f"/desborde/impresion/{job.pk}/escaneo/",
        {"file": SimpleUploadedFile("firmado.png", TINY_PNG, content_type="image/png")},
    )
    assert scan_early.status_code == 409

    assert client.post(f"/desborde/impresion/{job.pk}/impreso/").status_code == 302
    response = client.post(
        f"/desborde/impresion/{job.pk}/verificado/", {"signatures": "on"}, follow=True
    )
    assert "verificado que corresponde al caso" in response.content.decode()
    job.refresh_from_db()
    assert job.printed_at and job.belongs_confirmed
    assert job.signatures_taken and not job.fingerprints_taken

    no_file = client.post(f"/desborde/impresion/{job.pk}/escaneo/")
    assert no_file.status_code == 400
    assert "Seleccione el documento escaneado." in no_file.content.decode()
    scan = client.post(
        f"/desborde/impresion/{job.pk}/escaneo/",
        {"file": SimpleUploadedFile("firmado.png", TINY_PNG, content_type="image/png")},
    )
    assert scan.status_code == 302
    assert whatsapp_case.evidence.filter(
        kind=EvidenceKind.SIGNED_SCAN, original_name="firmado.png"
    ).exists()
    assert "firmado.png" in client.get("/desborde/impresion/").content.decode()

    assert client.post(f"/desborde/impresion/{job.pk}/entregado/").status_code == 302
    job.refresh_from_db()
    assert job.handed_at is not None
    assert "print-queue-empty" in client.get("/desborde/impresion/").content.decode()
    assert client.post(f"/desborde/impresion/{job.pk}/otro-paso/").status_code == 404


def test_wa04_another_office_gets_404(client, whatsapp_case, tech, far_orientador):
    """WA-04, NFR-02: another office's orientador sees nothing of this queue: 404 on every
    step and on the document."""
    client.force_login(tech)
    send_pdf(client, whatsapp_case)
    job = PrintJob.objects.get()
    client.force_login(far_orientador)
    assert "data-job=" not in client.get("/desborde/impresion/").content.decode()
    for step in ("impreso", "verificado", "entregado"):
        assert client.post(f"/desborde/impresion/{job.pk}/{step}/").status_code == 404
    assert client.post(f"/desborde/impresion/{job.pk}/escaneo/").status_code == 404
    assert client.get(f"/evidencias/{job.document_id}/descargar/").status_code == 404
    job.refresh_from_db()
    assert job.printed_at is None


def test_nfr02_print_queue_queries_do_not_grow_with_rows(
    client, orientador, office, tech, django_assert_max_num_queries
):
    """WA-04, NFR-02: the print queue (with each case's scans) does not query per row."""

    def add_jobs(n0, n1):
        for n in range(n0, n1):
            case = assign(
                intake_for(
                    orientador, office, mode=IntakeMode.WHATSAPP, document_number=f"8{n:07d}"
                ).case,
                tech,
            )
            print_job_send(
                case=case,
                by=tech,
                title=f"Factura {n}",
                upload=SimpleUploadedFile("f.pdf", PDF, content_type="application/pdf"),
            )

    client.force_login(orientador)
    add_jobs(0, 3)
    with django_assert_max_num_queries(6):
        response = client.get("/desborde/impresion/")
    assert response.content.decode().count("data-job=") == 3
    add_jobs(3, 20)
    with django_assert_max_num_queries(6):
        response = client.get("/desborde/impresion/")
    assert response.content.decode().count("data-job=") == 20
