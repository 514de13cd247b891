"""LEG-02 (issue 16): the SAP queue's API — ``GET /api/v1/sap/`` and
``POST /api/v1/sap/{case_id}/recognise/`` — with their Spanish messages and statuses."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.business_days import BOGOTA
from core.models import Case, CaseStatus, Evidence, EvidenceKind, SapCase, Unit
from core.roles import Role
from core.services.sap import sap_recognise, sap_sweep
from tests.factories import CustomerFactory, OfficeFactory, make_case
from tests.helpers import PDF, make_user

pytestmark = [pytest.mark.django_db]

BASE = "/api/v1/sap/"
FRIDAY = dt.date(2026, 11, 27)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _case(office, due, **kwargs):
    case = make_case(supported_office=office, **kwargs)
    Case.objects.filter(pk=case.pk).update(due_date=due)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def world():
    metro = OfficeFactory(unit=Unit.METROPOLITANO, name="Oficina Itagüí")
    regional = OfficeFactory(unit=Unit.REGIONAL)
    people = {
        "gestor": make_user(Role.GESTOR, metro, first_name="Marta", last_name="Henao"),
        "asignador": make_user(Role.ASIGNADOR, metro),
        "gestor_oficina": make_user(Role.GESTOR_OFICINA, metro),
        "tecnologo": make_user(
            Role.TECNOLOGO, metro, first_name="Álvaro", last_name="Zapata", username="alvaro"
        ),
        "regional": make_user(Role.GESTOR, regional),
    }
    today = timezone.localdate()
    expired = _case(
        metro,
        today - dt.timedelta(days=6),
        customer=CustomerFactory(full_name="Ana María Gómez"),
        assigned_to=people["tecnologo"],
    )
    urgent = _case(metro, today - dt.timedelta(days=3))
    theirs = _case(regional, today - dt.timedelta(days=6))
    sap_sweep()
    return {**people, "metro": metro, "expired": expired, "urgent": urgent, "theirs": theirs}


def test_leg02_api_list_shows_the_units_pending_queue_most_urgent_first(world):
    response = _client(world["gestor"]).get(BASE)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["case_number"] for r in rows] == [world["expired"].number, world["urgent"].number]
    first = rows[0]
    record = SapCase.objects.get(case=world["expired"])
    assert first["case_id"] == world["expired"].pk
    assert first["customer"] == "Ana María Gómez"
    assert first["pqr_type"] == "peticion"
    assert first["office"] == "Oficina Itagüí"
    assert first["due_date"] == record.due_date.isoformat()
    assert dt.datetime.fromisoformat(first["deadline"]) == record.deadline
    assert dt.datetime.fromisoformat(first["began_at"]) == record.began_at
    assert first["expired"] is True and first["hours_left"] < 0
    assert first["responsible"] == "Álvaro Zapata"
    assert first["unit"] == Unit.METROPOLITANO
    assert first["answered_at"] is None and first["answered_late"] is False
    assert first["recognised_at"] is None and first["recognised_by"] is None
    assert first["act_reference"] == "" and first["evidence"] is None
    second = rows[1]
    assert second["expired"] is False and 0 <= second["hours_left"] <= 24
    assert second["responsible"] is None
    assert world["theirs"].number not in response.content.decode()


def test_leg02_api_list_filters_by_state(world):
    sap_recognise(case_id=world["urgent"].pk, by=world["gestor"], act_reference="RES-7")
    client = _client(world["asignador"])

    pending = client.get(BASE, {"estado": "pendiente"}).json()["results"]
    recognised = client.get(BASE, {"estado": "reconocido"}).json()["results"]
    everything = client.get(BASE, {"estado": "todos"}).json()["results"]
    bad = client.get(BASE, {"estado": "vencidos"})

    assert [r["case_id"] for r in pending] == [world["expired"].pk]
    assert [r["case_id"] for r in recognised] == [world["urgent"].pk]
    assert recognised[0]["recognised_by"] == "Marta Henao"
    assert recognised[0]["act_reference"] == "RES-7"
    assert len(everything) == 2
    assert bad.status_code == 400
    assert bad.json() == {"estado": ["Estado no válido: use «pendiente», «reconocido» o «todos»."]}


def test_leg02_api_list_scope_per_role(world, api):
    other_office = OfficeFactory(unit=Unit.METROPOLITANO)
    elsewhere = _case(other_office, FRIDAY)
    sap_sweep()

    gestor = _client(world["gestor"]).get(BASE).json()["results"]
    oficina = _client(world["gestor_oficina"]).get(BASE).json()["results"]
    tech = _client(world["tecnologo"]).get(BASE)
    anonymous = api.get(BASE)

    assert elsewhere.pk in {r["case_id"] for r in gestor}  # the whole unit
    assert elsewhere.pk not in {r["case_id"] for r in oficina}  # their office only
    assert {r["case_id"] for r in oficina} == {world["expired"].pk, world["urgent"].pk}
    assert tech.status_code == 403
    assert tech.json() == {"detail": "Su rol no tiene acceso a este recurso."}
    assert anonymous.status_code == 401


def test_leg02_api_list_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = _client(world["gestor"])
    with django_assert_max_num_queries(6) as few:
        assert len(client.get(BASE).json()["results"]) == 2
    for _ in range(5):
        _case(world["metro"], FRIDAY)
    sap_sweep()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(BASE).json()["results"]) == 7


def test_leg02_api_recognise_with_evidence_multipart(world):
    case = world["expired"]
    response = _client(world["asignador"]).post(
        f"{BASE}{case.pk}/recognise/",
        {
            "act_reference": "Resolución 456 de 2026",
            "notes": "Reconocido por vencimiento.",
            "evidence": SimpleUploadedFile("acto.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["case_id"] == case.pk
    assert body["act_reference"] == "Resolución 456 de 2026"
    assert body["notes"] == "Reconocido por vencimiento."
    assert body["recognised_by"] == world["asignador"].get_full_name()
    assert body["recognised_at"] is not None
    evidence = Evidence.objects.get(case=case, kind=EvidenceKind.SAP_RECOGNITION)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert body["evidence"] == f"/evidencias/{evidence.pk}/descargar/"
    browser = Client()
    browser.force_login(world["gestor"])
    download = browser.get(body["evidence"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    pending = _client(world["gestor"]).get(BASE).json()["results"]
    assert case.pk not in {r["case_id"] for r in pending}


def test_leg02_api_recognise_json_without_evidence(world):
    response = _client(world["gestor"]).post(
        f"{BASE}{world['urgent'].pk}/recognise/",
        data=json.dumps({"act_reference": "OF-2026-77"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["evidence"] is None
    assert SapCase.objects.get(case=world["urgent"]).act_reference == "OF-2026-77"


def test_leg02_api_recognise_without_reference_is_400_and_writes_nothing(world):
    response = _client(world["gestor"]).post(
        f"{BASE}{world['expired'].pk}/recognise/",
        {
            "notes": "falta el acto",
            "evidence": SimpleUploadedFile("acto.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {
        "act_reference": [
            "Indique la referencia del acto de reconocimiento (número de la resolución u oficio)."
        ]
    }
    record = SapCase.objects.get(case=world["expired"])
    assert record.recognised_at is None and record.notes == ""
    assert not Evidence.objects.exists()


def test_leg02_api_recognise_twice_is_409(world):
    client = _client(world["gestor"])
    url = f"{BASE}{world['expired'].pk}/recognise/"
    assert client.post(url, {"act_reference": "RES-1"}, format="json").status_code == 200

    again = client.post(url, {"act_reference": "RES-2"}, format="json")

    assert again.status_code == 409
    detail = again.json()["detail"]
    assert detail.startswith("El silencio administrativo positivo de este caso ya fue reconocido")
    assert "por Marta Henao (acto RES-1)" in detail
    assert SapCase.objects.get(case=world["expired"]).act_reference == "RES-1"


def test_leg02_api_recognise_another_units_or_unqueued_case_is_404(world):
    client = _client(world["gestor"])
    not_queued = _case(world["metro"], timezone.localdate() + dt.timedelta(days=10))

    theirs = client.post(f"{BASE}{world['theirs'].pk}/recognise/", {"act_reference": "X"})
    missing = client.post(f"{BASE}{not_queued.pk}/recognise/", {"act_reference": "X"})

    for response in (theirs, missing):
        assert response.status_code == 404
        assert response.json() == {
            "detail": "Caso no encontrado en la cola de silencio administrativo positivo."
        }
    assert world["theirs"].customer.full_name not in theirs.content.decode()
    assert SapCase.objects.get(case=world["theirs"]).recognised_at is None


def test_leg02_api_recognise_is_403_for_roles_that_do_not_recognise(world):
    url = f"{BASE}{world['expired'].pk}/recognise/"
    for role in ("gestor_oficina", "tecnologo"):
        response = _client(world[role]).post(url, {"act_reference": "X"})
        assert response.status_code == 403
        assert response.json() == {"detail": "Su rol no tiene acceso a este recurso."}
    assert SapCase.objects.get(case=world["expired"]).recognised_at is None


def test_leg02_api_late_answer_is_listed_as_answered_late(world):
    closed = _case(world["metro"], FRIDAY)
    closed_at = dt.datetime.combine(FRIDAY + dt.timedelta(days=2), dt.time(9), tzinfo=BOGOTA)
    Case.objects.filter(pk=closed.pk).update(
        status=CaseStatus.CERRADO_PRIMER_CONTACTO, closed_at=closed_at
    )
    sap_sweep()

    rows = _client(world["gestor"]).get(BASE).json()["results"]

    row = next(r for r in rows if r["case_id"] == closed.pk)
    assert row["answered_late"] is True
    assert dt.datetime.fromisoformat(row["answered_at"]) == closed_at


def test_leg02_api_is_documented_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = json.loads(response.content)
    listing = schema["paths"]["/api/v1/sap/"]["get"]
    recognise = schema["paths"]["/api/v1/sap/{case_id}/recognise/"]["post"]
    assert {p["name"] for p in listing["parameters"]} >= {"estado", "page"}
    assert {"200", "400", "401", "403"} <= set(listing["responses"])
    assert {"200", "400", "401", "403", "404", "409"} <= set(recognise["responses"])
    content = recognise["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(content)
    item = schema["components"]["schemas"]["SapCase"]["properties"]
    assert {"hours_left", "expired", "responsible", "answered_late", "evidence"} <= set(item)
