"""PQR-08 / CORE-09: a manager hands several cases to one technologist at once —
``POST /api/v1/cases/reassign/`` ``{"cases": [ids], "technologist": id, "reason"}``. All or
nothing; a case out of the caller's scope is 404 like a missing one; one history row per case and
one e-mail to the technologist."""

import pytest
from django.core import mail

from core.models import CaseStatus, Notification, Unit
from core.roles import Role
from tests.factories import OfficeFactory, make_case
from tests.helpers import make_user, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/reassign/"


@pytest.fixture
def gestor_oficina(office):
    return make_user(Role.GESTOR_OFICINA, office)


@pytest.fixture
def tech(office):
    return make_user(Role.TECNOLOGO, office, email="tecnologa@example.com")


def test_pqr08_bulk_reassign_moves_every_case_with_history_and_one_email(
    gestor_oficina, tech, office, django_capture_on_commit_callbacks
):
    cases = [make_case(office=office) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(gestor_oficina).post(
            URL,
            {"cases": [c.pk for c in cases], "technologist": tech.pk, "reason": "exportación"},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert sorted(row["number"] for row in response.json()) == sorted(c.number for c in cases)
    for case in cases:
        case.refresh_from_db()
        assert (case.assigned_to, case.status) == (tech, CaseStatus.ASIGNADO)
        latest = case.history.latest()
        assert latest.history_user == gestor_oficina
        assert latest.history_change_reason.startswith("reasignación manual a ")
        assert latest.history_change_reason.endswith(": exportación")
    assert Notification.objects.filter(recipient="tecnologa@example.com").count() == 1
    assert len(mail.outbox) == 1
    assert all(c.number in mail.outbox[0].body for c in cases)


def test_pqr08_a_case_of_another_unit_is_404_and_nothing_moves(gestor_oficina, tech, office):
    mine = make_case(office=office)
    theirs = make_case(office=OfficeFactory(unit=Unit.REGIONAL))
    response = token_client(gestor_oficina).post(
        URL, {"cases": [mine.pk, theirs.pk], "technologist": tech.pk}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Caso no encontrado."}
    mine.refresh_from_db()
    assert mine.assigned_to is None


def test_pqr08_a_closed_case_refuses_the_whole_request(gestor_oficina, tech, office):
    open_case = make_case(office=office)
    closed = make_case(office=office, status=CaseStatus.CERRADO_PRIMER_CONTACTO)
    response = token_client(gestor_oficina).post(
        URL, {"cases": [open_case.pk, closed.pk], "technologist": tech.pk}, format="json"
    )
    assert response.status_code == 400
    assert closed.number in response.json()["cases"][0]
    open_case.refresh_from_db()
    assert open_case.assigned_to is None


def test_pqr08_technologist_of_another_unit_and_bad_input_are_400(gestor_oficina, office):
    case = make_case(office=office)
    far_tech = make_user(Role.TECNOLOGO, OfficeFactory(unit=Unit.REGIONAL))
    client = token_client(gestor_oficina)
    response = client.post(URL, {"cases": [case.pk], "technologist": far_tech.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"technologist": ["Ese tecnólogo no está disponible para reasignar."]}
    assert (
        client.post(URL, {"cases": [], "technologist": far_tech.pk}, format="json").status_code
        == 400
    )


@pytest.mark.parametrize("role", [Role.TECNOLOGO, Role.ORIENTADOR, Role.MESA, Role.CREADOR])
def test_pqr08_other_roles_are_refused(office, tech, role):
    case = make_case(office=office)
    response = token_client(make_user(role, office)).post(
        URL, {"cases": [case.pk], "technologist": tech.pk}, format="json"
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.assigned_to is None


def test_core09_bulk_reassign_query_count_does_not_grow_with_cases(
    gestor_oficina, tech, office, django_assert_max_num_queries
):
    """The request runs the same statements for 2 cases as for 20 (bulk history, one e-mail)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(gestor_oficina)
    few = [make_case(office=office).pk for _ in range(2)]
    with CaptureQueriesContext(connection) as small:
        assert (
            client.post(URL, {"cases": few, "technologist": tech.pk}, format="json").status_code
            == 200
        )
    many = [make_case(office=office).pk for _ in range(20)]
    with django_assert_max_num_queries(len(small)):
        assert (
            client.post(URL, {"cases": many, "technologist": tech.pk}, format="json").status_code
            == 200
        )
