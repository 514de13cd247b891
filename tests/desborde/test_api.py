"""REST API of the overflow modalities (NFR-04): /api/v1/desborde/…

intakes (DF-01, DF-02, WA-01), proposals (WA-03), the old paths of the print jobs (WA-04, now
core's: tests/core/test_printing.py); every endpoint checks the role and scopes its objects
(NFR-02); bad input answers 400 in Spanish and writes nothing (NFR-03). The last test runs the
real Celery worker on Redis against PostgreSQL.
"""

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Case, CaseStatus, Customer, Evidence, EvidenceKind, PrintJob, Unit
from core.roles import Role
from core.services.printing import print_job_send
from desborde import services
from desborde.models import Intake, IntakeMode, OutcomeProposal
from tests.factories import TINY_PNG, OfficeFactory, UserFactory
from tests.factories.desborde import intake_kwargs, intake_payload
from tests.helpers import (
    PDF,
    answer_call,
    make_user,
    pool_technologist,
    token_client,
    wait_until,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/desborde"
INTAKES = f"{BASE}/intakes/"
PROPOSALS = f"{BASE}/proposals/"
PRINT_JOBS = f"{BASE}/print-jobs/"
INTAKES_LIST_QUERIES = 5  # token, roles, (asignador: their office), count, page
OTHER_OFFICE = ["Solo puede registrar en su oficina."]


def rows() -> tuple[int, int, int, int]:
    return (
        Intake.objects.count(),
        Case.objects.count(),
        Customer.objects.count(),
        Evidence.objects.count(),
    )


def pdf(name="constancia.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PNG, content_type="image/png")


@pytest.fixture
def orientador(users):
    return users[Role.ORIENTADOR]


@pytest.fixture
def pool_tech(office):
    return pool_technologist(OfficeFactory(unit=office.unit, zone="Norte"))


@pytest.fixture
def other_orientador(other_office):
    """An orientador of another office of the same unit."""
    return make_user(Role.ORIENTADOR, other_office, username="orientador-otra")


@pytest.fixture
def whatsapp_case(orientador, office, pool_tech, django_capture_on_commit_callbacks):
    """A WhatsApp overflow case assigned to ``pool_tech``, who already spoke with the customer."""
    with django_capture_on_commit_callbacks(execute=True):
        intake, _ = services.intake_create(
            **intake_kwargs(orientador, office, mode=IntakeMode.WHATSAPP)
        )
    case = Case.objects.get(pk=intake.case_id)
    assert case.assigned_to == pool_tech
    answer_call(case, pool_tech)
    return case


@pytest.fixture
def proposal(whatsapp_case, pool_tech):
    return services.outcome_propose(
        case=whatsapp_case, by=pool_tech, text="Se expide el duplicado y se envía al correo."
    )


@pytest.fixture
def print_job(whatsapp_case, pool_tech, printer):
    return print_job_send(
        case=whatsapp_case, by=pool_tech, title="Constancia de atención", upload=pdf()
    )


# --- permissions table (NFR-02) ---------------------------------------------------------------

ALLOWED = {
    ("post", "intakes"): {Role.ORIENTADOR},
    ("get", "intakes"): {Role.ORIENTADOR, Role.ASIGNADOR},
    ("post", "case-proposals"): {Role.TECNOLOGO},
    ("post", "case-print-jobs"): {Role.TECNOLOGO},
    ("get", "proposals"): {Role.ORIENTADOR, Role.TECNOLOGO},
    ("post", "respond"): {Role.ORIENTADOR},
    # WA-04's old paths (core's print queue, tests/core/test_printing.py): the encargado works
    # the office queue too since it moved to core.
    ("get", "print-jobs"): {Role.ORIENTADOR, Role.ENCARGADO, Role.TECNOLOGO},
    ("post", "steps"): {Role.ORIENTADOR, Role.ENCARGADO},
    ("post", "scans"): {Role.ORIENTADOR, Role.ENCARGADO},
}


@pytest.mark.parametrize("role", [None, *Role])
def test_nfr02_every_endpoint_checks_the_role(role, users, office, proposal, print_job):
    """NFR-02: each role × each desborde endpoint: allowed roles get through, the others get 403
    (anonymous 401)."""
    case_id = print_job.case_id
    urls = {
        "intakes": INTAKES,
        "case-proposals": f"{BASE}/cases/{case_id}/proposals/",
        "case-print-jobs": f"{BASE}/cases/{case_id}/print-jobs/",
        "proposals": PROPOSALS,
        "respond": f"{PROPOSALS}{proposal.pk}/respond/",
        "print-jobs": PRINT_JOBS,
        "steps": f"{PRINT_JOBS}{print_job.pk}/steps/",
        "scans": f"{PRINT_JOBS}{print_job.pk}/scans/",
    }
    client = token_client(users[role]) if role else APIClient()
    refused = []
    for (method, name), allowed in ALLOWED.items():
        response = getattr(client, method)(urls[name], {}, format="json")
        expected_refusal = 401 if role is None else 403
        if role in allowed:
            assert response.status_code != expected_refusal, (method, name)
        else:
            assert response.status_code == expected_refusal, (method, name, response.content)
            refused.append(name)
    if role is None:
        assert len(refused) == len(ALLOWED)
    assert Intake.objects.count() == 1  # empty bodies never write


@pytest.mark.parametrize("role", [Role.TECNOLOGO, Role.ASIGNADOR, Role.GESTOR, Role.CREADOR])
def test_nfr02_only_orientador_posts_intakes(role, users, office):
    """NFR-02: technologist, asignador, gestor… cannot register an overflow customer."""
    response = token_client(users[role]).post(INTAKES, intake_payload(office), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Su rol no tiene acceso a este recurso."}
    assert rows() == (0, 0, 0, 0)


# --- intakes: create (DF-01, DF-02, WA-01) ----------------------------------------------------


def test_df01_df02_post_intake_201_with_case_then_assigned(
    orientador, office, pool_tech, django_capture_on_commit_callbacks
):
    """DF-01 / DF-02: the orientador registers the customer; the answer carries the CRM case
    number; once committed the round robin assigns it and the intake shows the technologist."""
    client = token_client(orientador)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INTAKES, intake_payload(office), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    intake = Intake.objects.get()
    case = Case.objects.get()
    assert body["id"] == intake.pk
    assert body["case_id"] == case.pk
    assert body["case_number"] == case.number
    assert body["status"] == CaseStatus.ABIERTO  # assigned after the commit
    assert body["assigned_to"] is None
    assert body["office"] == office.pk
    assert body["zone"] == office.zone
    assert body["orientador"] == str(orientador)
    assert body["transaction_type"] == "duplicado-de-factura"
    assert body["mode"] == "formulario_web"
    assert body["data_consent_version"] == intake.data_consent_version
    assert case.channel.name == "desborde formulario web"
    assert case.turn_number == "DFILA"
    assert case.supported_office == office

    listed = client.get(INTAKES).json()["results"]
    assert [(row["case_number"], row["assigned_to"], row["status"]) for row in listed] == [
        (case.number, str(pool_tech), CaseStatus.ASIGNADO)
    ]


def test_df01_not_eligible_transaction_400_on_transaction_type(orientador, office):
    """DF-01: an ineligible transaction: the message on transaction_type, nothing written."""
    response = token_client(orientador).post(
        INTAKES,
        intake_payload(office, transaction_type="financiacion-refinanciacion"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"transaction_type": [services.NOT_ELIGIBLE]}
    assert rows() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "123"}, "phone", "Ingrese un teléfono colombiano válido"),
        ({"phone": "+1 212 555 0100"}, "phone", "Ingrese un teléfono colombiano válido"),
        ({"email": "maria@"}, "email", "Ingrese un correo electrónico válido."),
        ({"document_number": "12"}, "document_number", "La cédula de ciudadanía debe tener"),
        ({"document_type": "XX"}, "document_type", "Tipo de documento no válido."),
        ({"data_consent": False}, "data_consent", "Ley 1581 de 2012"),
        ({"transaction_type": "no-existe"}, "transaction_type", "El tipo de transacción no"),
        ({"mode": "correo"}, "mode", "Seleccione formulario web o WhatsApp."),
        ({"client_token": "abc"}, "client_token", "Identificador de envío no válido."),
        ({"office": 999999}, "office", "La oficina no existe o no está activa."),
    ],
)
def test_nfr03_bad_intake_400_spanish_per_field(orientador, office, overrides, field, message):
    """NFR-03: bad input answers 400 with the Spanish message on its field; nothing written."""
    response = token_client(orientador).post(
        INTAKES, intake_payload(office, **overrides), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert body[field][0].startswith(message) or message in body[field][0]
    assert rows() == (0, 0, 0, 0)


def test_nfr03_missing_fields_400_in_spanish(orientador):
    response = token_client(orientador).post(INTAKES, {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["office"] == ["Este campo es obligatorio."]
    assert body["transaction_type"] == ["Este campo es obligatorio."]
    assert body["mode"] == ["Este campo es obligatorio."]
    assert body["full_name"] == ["Este campo es obligatorio."]
    assert body["phone"] == ["Este campo es obligatorio."]
    assert rows() == (0, 0, 0, 0)


def test_nfr03_blank_name_gets_the_service_message(orientador, office):
    response = token_client(orientador).post(
        INTAKES, intake_payload(office, full_name="   "), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"full_name": ["Ingrese el nombre del cliente."]}


def test_nfr02_orientador_registers_only_in_own_office(orientador, other_office):
    """NFR-02: another office (even of the same unit) → 400 on office, nothing written."""
    response = token_client(orientador).post(INTAKES, intake_payload(other_office), format="json")

    assert response.status_code == 400
    assert response.json() == {"office": OTHER_OFFICE}
    assert rows() == (0, 0, 0, 0)


def test_df01_superuser_registers_in_any_office(other_office):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)

    response = token_client(admin).post(INTAKES, intake_payload(other_office), format="json")

    assert response.status_code == 201
    assert Intake.objects.get().office == other_office


def test_nfr03_same_client_token_twice_200_same_intake(orientador, office):
    """NFR-03: a repeated submission (same client_token) → 200 with the stored intake."""
    client = token_client(orientador)
    token = str(uuid.uuid4())

    first = client.post(INTAKES, intake_payload(office, client_token=token), format="json")
    second = client.post(INTAKES, intake_payload(office, client_token=token), format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["client_token"] == token
    assert Intake.objects.count() == 1
    assert Case.objects.count() == 1


def test_wa01_multipart_with_photos(orientador, office):
    """WA-01: WhatsApp mode by multipart with the invoice and ID photos → case evidence."""
    response = token_client(orientador).post(
        INTAKES,
        intake_payload(
            office,
            mode="whatsapp",
            photo_invoice=png("factura.png"),
            photo_id=png("cedula.png"),
        ),
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mode"] == "whatsapp"
    case = Case.objects.get(pk=body["case_id"])
    assert case.channel.name == "desborde WhatsApp"
    assert set(case.evidence.values_list("kind", "original_name")) == {
        (EvidenceKind.INVOICE_PHOTO, "factura.png"),
        (EvidenceKind.ID_PHOTO, "cedula.png"),
    }


def test_wa01_multipart_without_photos(orientador, office):
    response = token_client(orientador).post(
        INTAKES, intake_payload(office, mode="whatsapp"), format="multipart"
    )

    assert response.status_code == 201, response.content
    assert Evidence.objects.count() == 0


def test_nfr03_photo_that_is_not_an_image_400(orientador, office):
    fake = SimpleUploadedFile("factura.png", b"no es una imagen", content_type="image/png")

    response = token_client(orientador).post(
        INTAKES, intake_payload(office, mode="whatsapp", photo_invoice=fake), format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "photos": ["El contenido del archivo no corresponde a un archivo .png."]
    }
    assert rows() == (0, 0, 0, 0)


def test_df01_web_form_takes_no_photos(orientador, office):
    response = token_client(orientador).post(
        INTAKES, intake_payload(office, photo_id=png()), format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {"photos": ["Las fotos se envían solo en la modalidad WhatsApp."]}
    assert rows() == (0, 0, 0, 0)


# --- intakes: list (DF-02, NFR-02) ------------------------------------------------------------


def _intake(orientador, office, document_number: str, **overrides) -> Intake:
    intake, _ = services.intake_create(
        **intake_kwargs(orientador, office, document_number=document_number, **overrides)
    )
    return intake


def test_nfr02_intake_list_scoped_by_office_and_unit(users, orientador, office, other_office):
    """NFR-02: the orientador sees their office's intakes; the asignador those of their unit;
    nobody sees the other unit's."""
    regional = OfficeFactory(unit=Unit.REGIONAL)
    mine = _intake(orientador, office, "43512876")
    colleague = make_user(Role.ORIENTADOR, other_office, username="orientador-2")
    same_unit = _intake(colleague, other_office, "71222333")
    far = make_user(Role.ORIENTADOR, regional, username="orientador-3")
    _intake(far, regional, "1017333444")

    def ids(user):
        response = token_client(user).get(INTAKES)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(orientador) == {mine.pk}
    assert ids(colleague) == {same_unit.pk}
    assert ids(users[Role.ASIGNADOR]) == {mine.pk, same_unit.pk}
    assert token_client(orientador).get(f"{INTAKES}{same_unit.pk}/").status_code == 404
    assert token_client(orientador).get(f"{INTAKES}{mine.pk}/").json()["id"] == mine.pk


def test_df02_intake_list_by_day_default_today(orientador, office):
    """DF-02: the list is the day's (Bogotá) intakes; ?date= shows another day."""
    today = _intake(orientador, office, "43512876")
    yesterday = _intake(orientador, office, "71222333")
    yesterday.started_at = timezone.now() - dt.timedelta(days=1)
    yesterday.save(update_fields=["started_at"])
    client = token_client(orientador)
    day_before = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    assert [r["id"] for r in client.get(INTAKES).json()["results"]] == [today.pk]
    assert [r["id"] for r in client.get(INTAKES, {"date": day_before}).json()["results"]] == [
        yesterday.pk
    ]
    bad = client.get(INTAKES, {"date": "31/12/2026"})
    assert bad.status_code == 400
    assert bad.json() == {"date": ["Fecha no válida: use el formato AAAA-MM-DD."]}


def test_nfr04_intake_list_query_count_is_constant(
    users,
    orientador,
    office,
    pool_tech,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """NFR-04: /intakes/ runs the same queries for 3 and for 20 intakes (case, technologist,
    transaction type, office joined)."""

    def register(n: int, start: int) -> None:
        for i in range(start, start + n):
            with django_capture_on_commit_callbacks(execute=True):
                _intake(orientador, office, f"{43512000 + i}")

    orientador_api = token_client(orientador)
    asignador_api = token_client(users[Role.ASIGNADOR])
    register(3, 0)
    with django_assert_max_num_queries(INTAKES_LIST_QUERIES):
        response = orientador_api.get(INTAKES)
    assert len(response.json()["results"]) == 3
    with django_assert_max_num_queries(INTAKES_LIST_QUERIES):
        response = asignador_api.get(INTAKES)
    assert response.json()["count"] == 3

    register(17, 3)
    with django_assert_max_num_queries(INTAKES_LIST_QUERIES):
        response = orientador_api.get(INTAKES)
    results = response.json()["results"]
    assert len(results) == 20
    assert {row["assigned_to"] for row in results} == {str(pool_tech)}
    assert {row["status"] for row in results} == {CaseStatus.ASIGNADO}
    with django_assert_max_num_queries(INTAKES_LIST_QUERIES):
        response = asignador_api.get(INTAKES)
    assert response.json()["count"] == 20


# --- WA-03 proposals --------------------------------------------------------------------------


def test_wa03_technologist_proposes_orientador_answers(
    orientador, pool_tech, whatsapp_case, django_capture_on_commit_callbacks
):
    """WA-03: technologist → proposal (201); the orientador sees it pending, records the
    customer's agreement (200); a second answer is 409; then the case can be closed."""
    tech_api = token_client(pool_tech)
    response = tech_api.post(
        f"{BASE}/cases/{whatsapp_case.pk}/proposals/",
        {"text": "Se expide el duplicado y se envía al correo."},
        format="json",
    )
    assert response.status_code == 201, response.content
    proposal_id = response.json()["id"]
    assert response.json()["response"] == "pendiente"
    assert response.json()["case_number"] == whatsapp_case.number

    client = token_client(orientador)
    pending = client.get(PROPOSALS, {"pending": "1"}).json()["results"]
    assert [(p["id"], p["customer_name"]) for p in pending] == [
        (proposal_id, "María Elena Restrepo")
    ]

    answered = client.post(
        f"{PROPOSALS}{proposal_id}/respond/", {"agreed": True, "comment": ""}, format="json"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["response"] == OutcomeProposal.Response.AGREED
    assert answered.json()["responded_by"] == str(orientador)
    again = client.post(f"{PROPOSALS}{proposal_id}/respond/", {"agreed": False}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "Esta propuesta ya tiene respuesta del cliente."}
    assert client.get(PROPOSALS, {"pending": "1"}).json()["results"] == []
    assert len(client.get(PROPOSALS).json()["results"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        closed = tech_api.post(
            f"/api/v1/cases/{whatsapp_case.pk}/close/",
            {
                "outcome": "primer_contacto",
                "initial_cause": "informacion-general",
                "motive": "Duplicado de factura enviado al correo.",
            },
            format="json",
        )
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == CaseStatus.CERRADO_PRIMER_CONTACTO


def test_wa03_close_before_agreement_409(pool_tech, whatsapp_case, proposal):
    """WA-03: through the API too, the technologist cannot close before the agreement."""
    response = token_client(pool_tech).post(
        f"/api/v1/cases/{whatsapp_case.pk}/close/",
        {"outcome": "primer_contacto", "initial_cause": "informacion-general", "motive": "x"},
        format="json",
    )

    assert response.status_code == 409
    assert "de acuerdo" in response.json()["detail"]


def test_wa03_disagreement_needs_the_reason(orientador, proposal):
    response = token_client(orientador).post(
        f"{PROPOSALS}{proposal.pk}/respond/", {"agreed": False}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"comment": ["Indique por qué el cliente no está de acuerdo."]}
    proposal.refresh_from_db()
    assert proposal.response == OutcomeProposal.Response.PENDING


def test_nfr02_other_office_orientador_neither_sees_nor_answers(other_orientador, proposal):
    """NFR-02: an orientador of another office gets 404 on the proposal and does not list it."""
    client = token_client(other_orientador)

    response = client.post(f"{PROPOSALS}{proposal.pk}/respond/", {"agreed": True}, format="json")

    assert response.status_code == 404
    assert client.get(PROPOSALS).json()["results"] == []
    proposal.refresh_from_db()
    assert proposal.response == OutcomeProposal.Response.PENDING


def test_nfr02_case_not_visible_to_technologist_404(users, whatsapp_case):
    """NFR-02: a technologist the case is not assigned to gets 404 (not 403, not 409)."""
    client = token_client(users[Role.TECNOLOGO])

    proposal = client.post(
        f"{BASE}/cases/{whatsapp_case.pk}/proposals/", {"text": "Otra."}, format="json"
    )
    job = client.post(
        f"{BASE}/cases/{whatsapp_case.pk}/print-jobs/",
        {"title": "Factura", "file": pdf()},
        format="multipart",
    )

    assert (proposal.status_code, job.status_code) == (404, 404)
    assert not OutcomeProposal.objects.exists()
    assert not PrintJob.objects.exists()


def test_wa03_web_form_case_has_no_proposal_409(
    orientador, office, pool_tech, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intake, _ = services.intake_create(**intake_kwargs(orientador, office))

    response = token_client(pool_tech).post(
        f"{BASE}/cases/{intake.case_id}/proposals/", {"text": "Duplicado."}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Este caso no llegó por desborde WhatsApp."}


# --- OpenAPI (NFR-04) -------------------------------------------------------------------------


def test_nfr04_schema_covers_the_desborde_api(api):
    response = api.get("/api/schema/", {"format": "json"})

    paths = json.loads(response.content)["paths"]
    for path in (
        "/api/v1/desborde/intakes/",
        "/api/v1/desborde/intakes/{id}/",
        "/api/v1/desborde/cases/{case_id}/proposals/",
        "/api/v1/desborde/cases/{case_id}/print-jobs/",
        "/api/v1/desborde/proposals/",
        "/api/v1/desborde/proposals/{id}/respond/",
        "/api/v1/desborde/print-jobs/",
        "/api/v1/desborde/print-jobs/{id}/steps/",
        "/api/v1/desborde/print-jobs/{id}/scans/",
    ):
        assert path in paths, path
    create = paths["/api/v1/desborde/intakes/"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"200", "201", "400"} <= set(create["responses"])


# --- real worker (PostgreSQL + Redis) ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_df02_worker_assigns_intake_posted_through_the_api(real_worker):
    """DF-02 / NFR-03: an intake POSTed through the API is committed, the task goes through
    Redis and the real worker assigns the case to the pool's available technologist."""
    office = OfficeFactory()
    orientador = make_user(Role.ORIENTADOR, office, username="orientador-worker")
    tech = pool_technologist(OfficeFactory(unit=office.unit), first_name="Beatriz")
    client = token_client(orientador)

    response = client.post(INTAKES, intake_payload(office), format="json")

    assert response.status_code == 201, response.content
    case_id = response.json()["case_id"]

    def assigned_name():
        rows = client.get(INTAKES).json()["results"]
        return rows and rows[0]["assigned_to"]

    name = wait_until(
        assigned_name,
        message=f"el worker no asignó el caso:\n{real_worker['log'].read_text()[-3000:]}",
    )
    assert name == str(tech)
    case = Case.objects.get(pk=case_id)
    assert case.assigned_to == tech
    assert case.status == CaseStatus.ASIGNADO
    assert "core.assign_pending_cases" in real_worker["log"].read_text()
