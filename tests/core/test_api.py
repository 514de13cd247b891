"""NFR-04: the REST API (token login, OpenAPI schema, docs) and its scoping by role (NFR-02).

List endpoints and the case detail are also checked for a query count that does not grow with the
number of rows.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import CaseStatus, EvidenceKind, Kiosk, Printer, TransactionType, Unit
from core.roles import Role
from core.services.evidence import evidence_attach
from tests.factories import TINY_PNG, CustomerFactory, OfficeFactory, UserFactory, make_case
from tests.helpers import token_client

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    return {row["number"] for row in response.json()["results"]}


def make_user(role: str, office, username: str):
    user = UserFactory(username=username, home_office=office)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def regional_office(db):
    """An office of the other unit (the ``office`` fixture is in Unidad Canales Metropolitano)."""
    return OfficeFactory(unit=Unit.REGIONAL)


# --- token, schema, docs -------------------------------------------------------------------


def test_nfr04_token_login_then_token_works_on_cases(api, users, office):
    """NFR-04: POST /api/v1/auth/token/ gives a token; ``Authorization: Token …`` then lists the
    caller's cases."""
    tecnologo = users[Role.TECNOLOGO]
    case = make_case(office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO)

    response = api.post(
        "/api/v1/auth/token/", {"username": "tecnologo", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token"}
    assert body["token"] == Token.objects.get(user=tecnologo).key

    client = APIClient()
    assert client.get("/api/v1/cases/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert numbers(client.get("/api/v1/cases/")) == {case.number}


def test_nfr04_token_wrong_password_is_400(api, users):
    """NFR-04: a wrong password gives no token (400) and creates none."""
    response = api.post(
        "/api/v1/auth/token/", {"username": "tecnologo", "password": "otra-clave"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.exists()


def test_nfr04_invalid_token_is_401(users):
    """NFR-04: a made-up token is refused."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert client.get("/api/v1/cases/").status_code == 401


def test_nfr04_openapi_schema_lists_the_resources(api):
    """NFR-04: /api/schema/ is an OpenAPI 3 document covering every resource."""
    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/customers/",
        "/api/v1/offices/",
        "/api/v1/transaction-types/",
        "/api/v1/auth/token/",
    ):
        assert path in schema["paths"], path


def test_nfr04_openapi_schema_default_format_is_yaml(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    assert response.content.decode().startswith("openapi: 3.")
    assert "/api/v1/cases/:" in response.content.decode()


def test_nfr04_api_docs_page_served_without_cdn(api):
    """NFR-04: /api/docs/ is an HTML page whose assets come from this server, not a CDN."""
    response = api.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode().lower()
    assert "swagger-ui" in content
    assert "/api/schema/" in content
    assert "cdn" not in content
    assert "jsdelivr" not in content
    assert "unpkg" not in content


# --- case scoping (NFR-02) -----------------------------------------------------------------


def test_nfr02_technologist_lists_only_assigned_cases(users, office):
    """NFR-02: a technologist sees the cases assigned to them, not the office's other cases."""
    tecnologo = users[Role.TECNOLOGO]
    other_tecnologo = make_user(Role.TECNOLOGO, office, "tecnologo2")
    mine = [
        make_case(office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO)
        for _ in range(2)
    ]
    make_case(office=office, assigned_to=other_tecnologo, status=CaseStatus.ASIGNADO)
    make_case(office=office)  # unassigned, same office

    assert numbers(token_client(tecnologo).get("/api/v1/cases/")) == {c.number for c in mine}


def test_nfr02_gestor_sees_own_unit_not_other_unit(users, office, other_office, regional_office):
    """NFR-02: a unit role (gestor) sees the cases of every office of their unit — by office or
    by supported office — and none of the other unit."""
    own_office = make_case(office=office)
    same_unit_office = make_case(office=other_office)
    same_unit_supported = make_case(office=regional_office, supported_office=other_office)
    make_case(office=regional_office)
    make_case(office=regional_office, supported_office=regional_office)

    found = numbers(token_client(users[Role.GESTOR]).get("/api/v1/cases/"))

    assert found == {own_office.number, same_unit_office.number, same_unit_supported.number}


def test_nfr02_orientador_sees_only_own_office_cases(users, office, other_office, regional_office):
    """NFR-02: an orientador sees the cases of their office (as office or supported office)
    only, not those of another office of the same unit."""
    by_office = make_case(office=office)
    by_supported = make_case(office=other_office, supported_office=office)
    make_case(office=other_office)
    make_case(office=other_office, supported_office=other_office)
    make_case(office=regional_office)

    found = numbers(token_client(users[Role.ORIENTADOR]).get("/api/v1/cases/"))

    assert found == {by_office.number, by_supported.number}


def test_nfr04_case_detail_includes_history_and_customer(users, office):
    """NFR-04 / CORE-06: the case detail carries its customer and its change history."""
    tecnologo = users[Role.TECNOLOGO]
    customer = CustomerFactory(full_name="Ana María Restrepo", document_number="43111222")
    case = make_case(
        customer=customer, office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO
    )
    evidence_attach(
        case=case,
        kind=EvidenceKind.INVOICE_PHOTO,
        upload=SimpleUploadedFile("factura.png", TINY_PNG, content_type="image/png"),
        uploaded_by=tecnologo,
    )

    response = token_client(tecnologo).get(f"/api/v1/cases/{case.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == case.number
    assert body["customer"]["full_name"] == "Ana María Restrepo"
    assert body["customer"]["document_type"] == "CC"
    assert body["customer"]["document_number"] == "43111222"
    assert len(body["history"]) == case.history.count() == 2
    assert [entry["status"] for entry in body["history"]] == ["asignado", "abierto"]
    assert body["history"][-1]["reason"] == "caso registrado"
    assert [entry["type"] for entry in body["history"]] == ["modificación", "creación"]
    assert [e["original_name"] for e in body["evidence"]] == ["factura.png"]
    assert body["evidence"][0]["uploaded_by"] == tecnologo.get_full_name()


# --- customers ------------------------------------------------------------------------------


def test_nfr02_technologist_sees_customers_of_own_cases_only(users, office):
    """NFR-02: the customers endpoint gives a technologist the contacts of their cases only."""
    tecnologo = users[Role.TECNOLOGO]
    other_tecnologo = make_user(Role.TECNOLOGO, office, "tecnologo2")
    mine = make_case(office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO)
    theirs = make_case(office=office, assigned_to=other_tecnologo, status=CaseStatus.ASIGNADO)
    CustomerFactory()  # a contact without cases

    response = token_client(tecnologo).get("/api/v1/customers/")

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [mine.customer_id]
    assert theirs.customer_id not in ids


def test_nfr02_technologist_cannot_look_up_other_contacts_by_document(users, office):
    """NFR-02: the document look-up is for registering roles; a technologist gets nothing for a
    contact outside their cases."""
    stranger = CustomerFactory(document_number="71555666")

    response = token_client(users[Role.TECNOLOGO]).get(
        "/api/v1/customers/",
        {"document_type": "CC", "document_number": stranger.document_number},
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_core03_orientador_looks_contact_up_by_document(users, office):
    """CORE-03 / NFR-04: an orientador finds an existing contact by document — exactly that one."""
    wanted = CustomerFactory(document_number="1017222333", full_name="Carlos Gómez")
    CustomerFactory(document_number="1017222334")
    CustomerFactory(document_type="CE", document_number="1017222333")
    make_case(office=office)  # a contact the orientador sees through their office anyway
    client = token_client(users[Role.ORIENTADOR])

    response = client.get(
        "/api/v1/customers/", {"document_type": "CC", "document_number": "1017222333"}
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1
    assert results[0]["id"] == wanted.pk
    assert results[0]["full_name"] == "Carlos Gómez"
    # Without both filters the list stays scoped to the office's cases.
    scoped = client.get("/api/v1/customers/").json()["results"]
    assert wanted.pk not in [row["id"] for row in scoped]


def test_nfr02_mesa_gets_403_on_customers(users):
    """NFR-02: the help desk has no business with personal data: 403 on customers."""
    response = token_client(users[Role.MESA]).get("/api/v1/customers/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Su rol no tiene acceso a este recurso."}


# --- query counts (independent of the rows) -------------------------------------------------

CASES_LIST_QUERIES = 5
OFFICES_LIST_QUERIES = 6
CUSTOMERS_LIST_QUERIES = 5
CASE_DETAIL_QUERIES = 7  # + the contact attempts (CORE-07)


def _make_assigned_cases(n: int, *, tecnologo, office, supported_office):
    transaction_type = TransactionType.objects.filter(active=True).first()
    for _ in range(n):
        make_case(
            office=office,
            supported_office=supported_office,
            transaction_type=transaction_type,
            assigned_to=tecnologo,
            status=CaseStatus.ASIGNADO,
        )


def test_nfr04_cases_list_query_count_is_constant(
    users, office, other_office, django_assert_max_num_queries
):
    """NFR-04: /api/v1/cases/ runs the same number of queries for 3 and for 30 cases."""
    tecnologo = users[Role.TECNOLOGO]
    client = token_client(tecnologo)
    kwargs = {"tecnologo": tecnologo, "office": office, "supported_office": other_office}

    _make_assigned_cases(3, **kwargs)
    with django_assert_max_num_queries(CASES_LIST_QUERIES):
        response = client.get("/api/v1/cases/")
    assert len(response.json()["results"]) == 3
    assert response.json()["results"][0]["assigned_to"] == tecnologo.get_full_name()

    _make_assigned_cases(27, **kwargs)
    with django_assert_max_num_queries(CASES_LIST_QUERIES):
        response = client.get("/api/v1/cases/")
    assert len(response.json()["results"]) == 30
    assert {row["supported_office"] for row in response.json()["results"]} == {other_office.name}


def _make_offices(n: int):
    for _ in range(n):
        office = OfficeFactory()
        Kiosk.objects.create(office=office, label="Módulo 1", is_on=True)
        Kiosk.objects.create(office=office, label="Módulo 2")
        Printer.objects.create(office=office, name="Impresora principal")


def test_nfr04_offices_list_query_count_is_constant(users, django_assert_max_num_queries):
    """NFR-04: /api/v1/offices/ (with kiosks and printers) does not query per office."""
    client = token_client(users[Role.GESTOR])
    before = client.get("/api/v1/offices/").json()["count"]

    _make_offices(3)
    with django_assert_max_num_queries(OFFICES_LIST_QUERIES):
        response = client.get("/api/v1/offices/")
    assert response.json()["count"] == before + 3

    _make_offices(27)
    with django_assert_max_num_queries(OFFICES_LIST_QUERIES):
        response = client.get("/api/v1/offices/")
    body = response.json()
    assert body["count"] == before + 30
    with_kiosks = [row for row in body["results"] if row["kiosks"]]
    assert len(with_kiosks) >= 30
    assert all(len(row["kiosks"]) == 2 and len(row["printers"]) == 1 for row in with_kiosks)


def test_nfr04_customers_list_query_count_is_constant(
    users, office, other_office, django_assert_max_num_queries
):
    """NFR-04: /api/v1/customers/ runs the same number of queries for 3 and for 30 contacts."""
    tecnologo = users[Role.TECNOLOGO]
    client = token_client(tecnologo)
    kwargs = {"tecnologo": tecnologo, "office": office, "supported_office": other_office}

    _make_assigned_cases(3, **kwargs)
    with django_assert_max_num_queries(CUSTOMERS_LIST_QUERIES):
        response = client.get("/api/v1/customers/")
    assert response.json()["count"] == 3

    _make_assigned_cases(27, **kwargs)
    with django_assert_max_num_queries(CUSTOMERS_LIST_QUERIES):
        response = client.get("/api/v1/customers/")
    assert response.json()["count"] == 30
    assert len(response.json()["results"]) == 30


def _case_with(*, tecnologo, office, saves: int, evidence: int):
    case = make_case(office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO)
    for i in range(saves):
        case.motive = f"Detalle actualizado {i}"
        case._history_user = tecnologo
        case.save(update_fields=["motive"])
    for i in range(evidence):
        evidence_attach(
            case=case,
            kind=EvidenceKind.CALL_RECORDING if i % 2 else EvidenceKind.INVOICE_PHOTO,
            upload=SimpleUploadedFile(f"prueba-{i}.png", TINY_PNG, content_type="image/png"),
            uploaded_by=tecnologo,
        )
    return case


def test_nfr04_case_detail_query_count_is_constant(users, office, django_assert_max_num_queries):
    """NFR-04: the case detail costs the same with 10 history entries and 5 evidence files as
    with a fresh case."""
    tecnologo = users[Role.TECNOLOGO]
    client = token_client(tecnologo)
    small = _case_with(tecnologo=tecnologo, office=office, saves=0, evidence=0)
    big = _case_with(tecnologo=tecnologo, office=office, saves=8, evidence=5)

    with django_assert_max_num_queries(CASE_DETAIL_QUERIES):
        response = client.get(f"/api/v1/cases/{small.pk}/")
    assert len(response.json()["history"]) == 2
    assert response.json()["evidence"] == []

    with django_assert_max_num_queries(CASE_DETAIL_QUERIES):
        response = client.get(f"/api/v1/cases/{big.pk}/")
    body = response.json()
    assert len(body["history"]) == 10
    assert len(body["evidence"]) == 5
    assert body["history"][0]["user"] == tecnologo.get_full_name()
    assert {e["uploaded_by"] for e in body["evidence"]} == {tecnologo.get_full_name()}
