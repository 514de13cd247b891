"""CORE-10 technologist workbench "Mis casos" (/casos/mis-casos/) with the LEG-01/LEG-02 due-date
marks, and its self-refreshing table partial (/casos/mis-casos/tabla/).
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from core.business_days import add_business_days
from core.models import Case, CaseKind, CaseStatus, TransactionType
from core.roles import Role
from tests.factories import CustomerFactory, OfficeFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

WORKBENCH = "/casos/mis-casos/"
TABLE = "/casos/mis-casos/tabla/"


def staff(role: str, office, username: str):
    user = UserFactory(username=username, home_office=office)
    user.groups.add(Group.objects.get(name=role))
    return user


def case_numbers(html: str) -> list[str]:
    return re.findall(r'<tr data-case="([^"]+)">', html)


def row_of(html: str, number: str) -> str:
    match = re.search(rf'<tr data-case="{re.escape(number)}">(.*?)</tr>', html, re.S)
    assert match, f"{number} no aparece en la tabla"
    return match.group(1)


def set_due_date(case: Case, due: dt.date) -> None:
    Case.objects.filter(pk=case.pk).update(due_date=due)
    case.refresh_from_db()


@pytest.fixture
def office(db):
    return OfficeFactory(name="Oficina Bello")


@pytest.fixture
def tech(office):
    return staff(Role.TECNOLOGO, office, "tecnologo.mesa")


@pytest.fixture
def other_tech(office):
    return staff(Role.TECNOLOGO, office, "tecnologo.vecino")


@pytest.fixture
def tech_client(client, tech):
    client.force_login(tech)
    return client


def assigned(tech, *, days_ago: int, status=CaseStatus.ASIGNADO, **kwargs) -> Case:
    return make_case(
        assigned_to=tech,
        status=status,
        filed_at=timezone.now() - dt.timedelta(days=days_ago),
        **kwargs,
    )


def test_core10_workbench_lists_only_my_open_cases_oldest_first(tech_client, tech, other_tech):
    """CORE-10: my asignado and en atención cases, oldest filing first; not closed ones, not
    other technologists' cases, not unassigned ones."""
    # Created newest first, so the case numbers do not already follow the filing order.
    newest = assigned(tech, days_ago=1, customer=CustomerFactory(full_name="Ana Newest"))
    middle = assigned(tech, days_ago=4, status=CaseStatus.EN_ATENCION)
    oldest = assigned(tech, days_ago=9)
    closed = [
        assigned(tech, days_ago=20, status=status)
        for status in (
            CaseStatus.CERRADO_PRIMER_CONTACTO,
            CaseStatus.CERRADO_SIN_CONTACTO,
            CaseStatus.TAREA_GENERADA,
            CaseStatus.REDIRIGIDO_ESCRITO,
        )
    ]
    others = assigned(other_tech, days_ago=30)
    unassigned = make_case(filed_at=timezone.now() - dt.timedelta(days=30))

    response = tech_client.get(WORKBENCH)

    assert response.status_code == 200
    html = response.content.decode()
    assert case_numbers(html) == [oldest.number, middle.number, newest.number]
    for case in [*closed, others, unassigned]:
        assert case.number not in html
    assert "Ana Newest" in row_of(html, newest.number)
    assert "en atención" in row_of(html, middle.number)
    assert "desborde formulario web" in row_of(html, oldest.number)


def test_core10_workbench_empty_message(tech_client, other_tech):
    """CORE-10: with nothing assigned the page says so in Spanish."""
    assigned(other_tech, days_ago=1)

    html = tech_client.get(WORKBENCH).content.decode()

    assert "No tiene casos abiertos asignados." in html
    assert case_numbers(html) == []


def test_leg02_workbench_shows_due_dates_and_flags_overdue_and_near_due(tech_client, tech):
    """LEG-01/LEG-02: each PQR shows its due date; past ones are "(vencida)", those within 3
    business days "(próxima a vencer)", later ones carry no mark."""
    today = timezone.localdate()
    overdue = assigned(tech, days_ago=30)
    near = assigned(tech, days_ago=20)
    later = assigned(tech, days_ago=10)
    set_due_date(overdue, today - dt.timedelta(days=2))
    set_due_date(near, add_business_days(today, 2))
    set_due_date(later, add_business_days(today, 10))

    html = tech_client.get(WORKBENCH).content.decode()

    overdue_row = row_of(html, overdue.number)
    assert f"{overdue.due_date:%d/%m/%Y} (vencida)" in overdue_row
    assert "próxima a vencer" not in overdue_row
    near_row = row_of(html, near.number)
    assert f"{near.due_date:%d/%m/%Y} (próxima a vencer)" in near_row
    assert "vencida)" not in near_row.replace("(próxima a vencer)", "")
    later_row = row_of(html, later.number)
    assert f"{later.due_date:%d/%m/%Y}" in later_row
    assert "(vencida)" not in later_row
    assert "(próxima a vencer)" not in later_row


def test_leg02_due_today_is_near_due_and_pedido_has_no_due_date(tech_client, tech):
    """LEG-02: due today is still "próxima a vencer"; a pedido has no legal term (—)."""
    today_case = assigned(tech, days_ago=21)
    set_due_date(today_case, timezone.localdate())
    pedido = assigned(tech, days_ago=2, kind=CaseKind.PEDIDO)

    html = tech_client.get(WORKBENCH).content.decode()

    assert f"{timezone.localdate():%d/%m/%Y} (próxima a vencer)" in row_of(html, today_case.number)
    assert pedido.due_date is None
    due_cell = re.findall(r"<td[^>]*>(.*?)</td>", row_of(html, pedido.number), re.S)[-1]
    assert due_cell == "—"


def test_core10_workbench_table_refreshes_itself_with_htmx(tech_client, tech):
    """CORE-10 / NFR-01: the page re-fetches the table partial when the user's cases change
    (live ``cases.changed``), when the socket reconnects, and while it is down (``live:poll``)."""
    assigned(tech, days_ago=1)

    html = tech_client.get(WORKBENCH).content.decode()

    container = re.search(r"<div[^>]*hx-get=\"([^\"]+)\"[^>]*>", html)
    assert container, "la tabla no se actualiza sola"
    assert container.group(1) == TABLE == reverse("core:workbench_table")
    assert (
        'hx-trigger="live:cases.changed from:body, live:reconnected from:body, '
        'live:poll from:body"' in container.group(0)
    )
    assert "/static/js/live.js" in html
    assert "htmx" in html


def test_core10_table_partial_is_only_the_table_and_shows_new_assignments(
    tech_client, tech, other_tech
):
    """CORE-10: the partial answers only the table (no page layout) and includes a case that was
    assigned after the page was loaded."""
    first = assigned(tech, days_ago=3)
    page = tech_client.get(WORKBENCH).content.decode()
    assert case_numbers(page) == [first.number]

    later = make_case(filed_at=timezone.now() - dt.timedelta(hours=2))
    later.assigned_to = tech
    later.status = CaseStatus.ASIGNADO
    later.save(update_fields=["assigned_to", "status"])

    response = tech_client.get(TABLE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<body" not in html
    assert "navbar" not in html
    assert "<table" in html
    assert case_numbers(html) == [first.number, later.number]


def test_core10_workbench_refused_to_other_roles(client, office):
    """NFR-02: "Mis casos" and its partial are for technologists only; anonymous → login."""
    asignador = staff(Role.ASIGNADOR, office, "asignador.mesa")

    anonymous = client.get(WORKBENCH)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next={WORKBENCH}"

    client.force_login(asignador)
    assert client.get(WORKBENCH).status_code == 403
    assert client.get(TABLE).status_code == 403


def test_core10_table_query_count_does_not_grow_with_rows(
    tech_client, tech, django_assert_max_num_queries
):
    """CORE-10: the refreshing table costs the same number of queries for 3 and for 30 cases."""
    max_queries = 4  # session, user, roles, the cases with their relations
    transaction_type = TransactionType.objects.filter(active=True).first()

    def add_cases(first: int, last: int) -> None:
        for days in range(first, last):
            assigned(
                tech,
                days_ago=days + 1,
                supported_office=OfficeFactory(),
                transaction_type=transaction_type,
            )

    add_cases(0, 3)

    with django_assert_max_num_queries(max_queries) as few:
        response = tech_client.get(TABLE)
    assert len(case_numbers(response.content.decode())) == 3

    add_cases(3, 30)

    with django_assert_max_num_queries(max_queries) as many:
        response = tech_client.get(TABLE)
    assert len(case_numbers(response.content.decode())) == 30
    assert len(many.captured_queries) == len(few.captured_queries)
