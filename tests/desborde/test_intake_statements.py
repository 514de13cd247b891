"""DF-01 / issue 9: the SQL of one overflow intake request, pinned exactly.

``POST /api/v1/desborde/intakes/`` by an orientador with token auth, into a unit whose overflow
pool is active, measured the way the request runs in production: no test transaction around
it (``transaction=True``), so the service's own transaction shows as ``BEGIN`` … ``COMMIT``
and its on-commit callback runs inside the measured block, at the commit, as it does before
gunicorn answers. That callback (``assignment_request``) only talks to Redis (in production a
flag and the queued run; here, with the session's real Celery worker, the queued run): the
assignment's SQL runs in the worker, on another connection, and is not counted. The tests then
wait for the worker to assign the case.

The token was issued a moment before, so its once-a-minute activity upsert
(``ExpiringTokenAuthentication``) is not due: a request that carries it sends one statement
more. Each list below is the request's statements in order; a change of the write path must
change the number and the list together (and docs/decisions.md, "The intake request does only
what the answer needs").
"""

import re
import uuid

import pytest

from core.models import AssignmentPool, Case, CaseStatus, ContactDetail, Customer
from core.roles import Role
from desborde.models import Intake
from tests.factories import CustomerFactory, OfficeFactory
from tests.factories.desborde import intake_payload
from tests.helpers import make_user, pool_technologist, token_client, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

INTAKES = "/api/v1/desborde/intakes/"

#: Before the service's transaction: authentication, permission, body validation.
REQUEST_PREAMBLE = [
    "SELECT authtoken_token",  # the token with its user and activity row (one join)
    "SELECT auth_group",  # the user's roles: has_any_role(orientador)
    "SELECT core_office",  # body "office": active office (the serializer's field)
    "SELECT core_transactiontype",  # body "transaction_type" by code
]

#: A customer not seen before: 16 statements.
NEW_CUSTOMER = [
    *REQUEST_PREAMBLE,
    "BEGIN",  # _intake_create's transaction
    "SELECT core_customer",  # customer_get_or_create: look-up by document, none found
    "INSERT core_customer",  # … created with the name, phone and e-mail given
    "INSERT core_historicalcustomer",
    "SELECT core_assignmentpool",  # overflow_pool_for(office): desborde-<unit>, active
    "SELECT core_channel",  # case_open: the channel of the mode (desborde formulario web)
    "INSERT core_casenumbersequence",  # the case number: INSERT … ON CONFLICT DO UPDATE RETURNING
    "INSERT core_case",
    "INSERT core_historicalcase",
    "INSERT desborde_intake",  # the client_token's uniqueness is the index's job, no look-up
    "INSERT desborde_historicalintake",
    "COMMIT",  # on commit: assignment_request → the broker, no SQL
]

#: The same client_token again (a double tap, a retry after a lost answer): 200 with the stored
#: intake, 16 statements. Nothing of the second attempt is kept, not even a case number.
REPEATED_TOKEN = [
    *REQUEST_PREAMBLE,
    "BEGIN",
    "SELECT core_customer",  # found: the customer of the first tap (same data, no contact row)
    "SELECT core_assignmentpool",
    "SELECT core_channel",
    "INSERT core_casenumbersequence",
    "INSERT core_case",
    "INSERT core_historicalcase",
    "INSERT desborde_intake",  # refused by the client_token's unique index …
    "ROLLBACK",  # … so the whole transaction goes, case and number included
    "SELECT desborde_intake",  # intake_create: the stored intake by client_token, with its case
    "SELECT core_office",  # the orientador's home office, for intake_scope_for_user
    "SELECT desborde_intake",  # the answer: the stored intake as the caller may see it now
]

#: A customer already registered whose phone differs from the record: 15 statements. The record
#: is not rewritten; the phone given is kept as a ContactDetail of the new case (one INSERT).
EXISTING_CUSTOMER_NEW_PHONE = [
    *REQUEST_PREAMBLE,
    "BEGIN",
    "SELECT core_customer",  # found: no customer insert, no customer history
    "SELECT core_assignmentpool",
    "SELECT core_channel",
    "INSERT core_casenumbersequence",
    "INSERT core_case",
    "INSERT core_historicalcase",
    "INSERT core_contactdetail",  # contact_details_record: the phone that differs
    "INSERT desborde_intake",
    "INSERT desborde_historicalintake",
    "COMMIT",
]

_TABLE = re.compile(r'(?:\bFROM|\bINTO)\s+"?(\w+)"?', re.IGNORECASE)


def shape(sql: str) -> str:
    """'SELECT core_customer', 'INSERT core_case', 'BEGIN': verb and first table."""
    verb = sql.split(None, 1)[0].upper()
    if verb not in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
        return verb
    table = _TABLE.search(sql) if verb != "UPDATE" else re.search(r'UPDATE\s+"?(\w+)"?', sql)
    return f"{verb} {table.group(1) if table else '?'}"


def shapes(captured) -> list[str]:
    return [shape(q["sql"]) for q in captured.captured_queries]


def body(office, **overrides) -> dict:
    return intake_payload(office, client_token=str(uuid.uuid4()), **overrides)


@pytest.fixture
def office():
    return OfficeFactory()


@pytest.fixture
def tech(office):
    """The available technologist of the unit's overflow pool (present and active)."""
    return pool_technologist(
        OfficeFactory(unit=office.unit),
        username="tecnologo-desborde",
        first_name="Beatriz",
        last_name="Gómez",
    )


@pytest.fixture
def client(office, real_worker):
    """The orientador's token client; tasks go to the session's real worker (not eager)."""
    return token_client(make_user(Role.ORIENTADOR, office, username="orientador-sql"))


def wait_assigned(case_id: int, worker) -> Case:
    return wait_until(
        lambda: Case.objects.filter(pk=case_id, assigned_to__isnull=False).first(),
        message=f"el worker no asignó el caso:\n{worker['log'].read_text()[-3000:]}",
    )


def test_df01_intake_for_a_new_customer_runs_16_statements(
    client, office, tech, real_worker, django_assert_num_queries
):
    data = body(office)

    with django_assert_num_queries(16) as captured:
        response = client.post(INTAKES, data, format="json")

    assert response.status_code == 201, response.content
    assert shapes(captured) == NEW_CUSTOMER
    answer = response.json()
    assert answer["status"] == CaseStatus.ABIERTO  # answered before the round robin ran
    intake = Intake.objects.select_related("case__customer", "case__pool").get()
    assert str(intake.client_token) == data["client_token"]
    assert intake.case_id == answer["case_id"]
    assert intake.case.pool == AssignmentPool.objects.get(code=f"desborde-{office.unit}")
    assert intake.case.customer.document_number == data["document_number"]
    assert intake.case.customer.mobile == data["phone"]
    assert wait_assigned(intake.case_id, real_worker).assigned_to == tech


def test_df01_repeated_client_token_returns_the_stored_intake_in_16_statements(
    client, office, tech, real_worker, django_assert_num_queries
):
    data = body(office)
    first = client.post(INTAKES, data, format="json")
    assert first.status_code == 201, first.content
    wait_assigned(first.json()["case_id"], real_worker)
    cases = Case.objects.count()

    with django_assert_num_queries(16) as captured:
        response = client.post(INTAKES, data, format="json")

    assert response.status_code == 200, response.content
    assert shapes(captured) == REPEATED_TOKEN
    answer = response.json()
    assert answer["id"] == first.json()["id"]
    assert answer["case_number"] == first.json()["case_number"]
    assert answer["status"] == CaseStatus.ASIGNADO  # the stored case as it is now
    assert answer["assigned_to"] == str(tech)
    assert (Intake.objects.count(), Case.objects.count()) == (1, cases)


def test_df01_existing_customer_with_another_phone_adds_one_contact_detail_insert(
    client, office, tech, real_worker, django_assert_num_queries
):
    customer = CustomerFactory(
        document_number="43512876",
        full_name="María Elena Restrepo",
        mobile="3001112233",
        email="maria.restrepo@example.com",
    )
    data = body(office, phone="3104567890")

    with django_assert_num_queries(15) as captured:
        response = client.post(INTAKES, data, format="json")

    assert response.status_code == 201, response.content
    assert shapes(captured) == EXISTING_CUSTOMER_NEW_PHONE
    case = Case.objects.get(pk=response.json()["case_id"])
    assert case.customer_id == customer.pk
    assert case.contact_phone == "3104567890"
    detail = ContactDetail.objects.get()
    assert (detail.customer_id, detail.case_id, detail.kind, detail.value) == (
        customer.pk,
        case.pk,
        ContactDetail.Kind.MOBILE,
        "3104567890",
    )
    customer.refresh_from_db()
    assert customer.mobile == "3001112233"  # the record is not rewritten
    assert Customer.objects.count() == 1
    assert wait_assigned(case.pk, real_worker).assigned_to == tech
