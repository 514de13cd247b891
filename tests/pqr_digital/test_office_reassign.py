"""PQR-08: the gestor de oficina of the Unidad Canales Regional sees the exported digital PQR,
filters them and hands one or many to technologists of the unit (``/pqr-digital/reasignacion/``):
a history row each, one e-mail to the technologist, and the PQR in their Mis casos with the
due-date marks. Another unit's PQR answers 404; nothing moves on bad input."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.business_days import BOGOTA, add_business_days
from core.models import Case, CaseStatus, Notification, Unit
from core.roles import Role
from pqr_digital.models import DigitalChannel
from tests.factories import OfficeFactory, make_case
from tests.factories.pqr_digital import make_digital_pqr
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

URL = "/pqr-digital/reasignacion/"
PASSWORD = "clave-segura-123"


@pytest.fixture
def regional():
    return OfficeFactory(unit=Unit.REGIONAL, name="Oficina Rionegro")


@pytest.fixture
def gestor_oficina(regional):
    return make_user(Role.GESTOR_OFICINA, regional, username="gestora_regional")


@pytest.fixture
def tech(regional):
    return make_user(
        Role.TECNOLOGO,
        regional,
        username="tecnologa_regional",
        first_name="Beatriz",
        last_name="Ocampo",
        email="beatriz@example.com",
    )


def yesterday_at(hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BOGOTA)


@pytest.fixture
def digital_pqr():
    return [
        make_digital_pqr(channel=DigitalChannel.FACEBOOK, filed_at=yesterday_at(9)),
        make_digital_pqr(channel=DigitalChannel.WHATSAPP, filed_at=yesterday_at(10)),
        make_digital_pqr(channel=DigitalChannel.CONTACT_CENTER, filed_at=yesterday_at(11)),
    ]


def logged_in(client, user):
    client.force_login(user)
    return client


def test_pqr08_gestor_oficina_lists_the_unassigned_digital_pqr_only(
    client, gestor_oficina, regional, digital_pqr
):
    desborde_case = make_case(office=regional)
    response = logged_in(client, gestor_oficina).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in page and "PQR digitales por reasignar" in page
    for case in digital_pqr:
        assert case.number in page
    assert desborde_case.number not in page  # another modality: the case list has it
    assert "WhatsApp" in page and "Contact Center" in page


def test_pqr08_reassigns_several_with_history_one_email_and_mis_casos_marks(
    client, gestor_oficina, tech, digital_pqr, django_capture_on_commit_callbacks
):
    chosen = digital_pqr[:2]
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, gestor_oficina).post(
            URL,
            {"casos": [c.pk for c in chosen], "to_user": tech.pk, "reason": "exporte del día"},
            follow=True,
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Se reasignaron 2 PQR a Beatriz Ocampo" in page
    for case in chosen:
        case.refresh_from_db()
        assert (case.assigned_to, case.status) == (tech, CaseStatus.ASIGNADO)
        latest = case.history.latest()
        assert latest.history_user == gestor_oficina
        assert latest.history_change_reason.endswith(": exporte del día")
        assert case.number not in page.split("Se reasignaron")[1].split("</div>")[1]
    digital_pqr[2].refresh_from_db()
    assert digital_pqr[2].assigned_to is None
    assert Notification.objects.filter(recipient="beatriz@example.com").count() == 1
    assert len(mail.outbox) == 1 and all(c.number in mail.outbox[0].body for c in chosen)

    client.force_login(tech)
    workbench = client.get("/casos/mis-casos/").content.decode()
    assert all(c.number in workbench for c in chosen)
    assert digital_pqr[2].number not in workbench


def test_pqr08_mis_casos_marks_a_digital_pqr_near_its_legal_term(client, tech):
    today = timezone.localdate()
    # Filed so that its 15th business day (LEG-01) is within the near-due window.
    start = today - dt.timedelta(days=30)
    while add_business_days(start, 15) < today:
        start += dt.timedelta(days=1)
    case = make_digital_pqr(
        filed_at=dt.datetime.combine(start, dt.time(9), tzinfo=BOGOTA),
        assigned_to=tech,
        status=CaseStatus.ASIGNADO,
    )

    page = logged_in(client, tech).get("/casos/mis-casos/").content.decode()

    assert case.number in page
    assert "(próxima a vencer)" in page


def test_pqr08_a_pqr_the_gestor_cannot_see_is_404_and_nothing_moves(
    client, gestor_oficina, tech, digital_pqr
):
    other_unit_case = make_case(office=OfficeFactory(unit=Unit.METROPOLITANO))
    response = logged_in(client, gestor_oficina).post(
        URL, {"casos": [digital_pqr[0].pk, other_unit_case.pk], "to_user": tech.pk}
    )

    assert response.status_code == 404
    for case in (digital_pqr[0], other_unit_case):
        case.refresh_from_db()
        assert case.assigned_to is None


def test_pqr08_a_metropolitano_gestor_de_oficina_sees_none_and_gets_404(client, digital_pqr):
    metro = OfficeFactory(unit=Unit.METROPOLITANO)
    gestor = make_user(Role.GESTOR_OFICINA, metro)
    tech = make_user(Role.TECNOLOGO, metro)
    client.force_login(gestor)

    page = client.get(URL).content.decode()
    assert "no pertenece a esa unidad" in page
    assert not any(case.number in page for case in digital_pqr)
    response = client.post(URL, {"casos": [digital_pqr[0].pk], "to_user": tech.pk})
    assert response.status_code == 404
    digital_pqr[0].refresh_from_db()
    assert digital_pqr[0].assigned_to is None


def test_pqr08_bad_input_gets_a_spanish_message_and_changes_nothing(
    client, gestor_oficina, tech, digital_pqr
):
    client = logged_in(client, gestor_oficina)
    other_tech = make_user(Role.TECNOLOGO, OfficeFactory(unit=Unit.METROPOLITANO))

    nothing = client.post(URL, {"to_user": tech.pk})
    assert nothing.status_code == 400
    assert "Seleccione al menos una PQR." in nothing.content.decode()

    no_tech = client.post(URL, {"casos": [digital_pqr[0].pk]})
    assert no_tech.status_code == 400
    assert "Seleccione el tecnólogo." in no_tech.content.decode()

    wrong_unit = client.post(URL, {"casos": [digital_pqr[0].pk], "to_user": other_tech.pk})
    assert wrong_unit.status_code == 400
    assert "Ese tecnólogo no está disponible para reasignar." in wrong_unit.content.decode()

    closed = digital_pqr[1]
    closed.status = CaseStatus.CERRADO_PRIMER_CONTACTO
    closed.save(update_fields=["status"])
    refused = client.post(URL, {"casos": [digital_pqr[0].pk, closed.pk], "to_user": tech.pk})
    assert refused.status_code == 400
    assert f"no se pueden reasignar: {closed.number}" in refused.content.decode()

    for case in digital_pqr:
        case.refresh_from_db()
        assert case.assigned_to is None
    assert not Notification.objects.exists()


def test_pqr08_filters_by_channel_assignment_and_dates(client, gestor_oficina, tech, digital_pqr):
    client = logged_in(client, gestor_oficina)
    assigned = digital_pqr[0]
    assigned.assigned_to = tech
    assigned.status = CaseStatus.ASIGNADO
    assigned.save(update_fields=["assigned_to", "status"])
    older = make_digital_pqr(filed_at=yesterday_at(9) - dt.timedelta(days=3))

    by_channel = client.get(URL, {"asignacion": "abiertas", "canal": "whatsapp"}).content.decode()
    assert digital_pqr[1].number in by_channel
    assert digital_pqr[0].number not in by_channel and digital_pqr[2].number not in by_channel

    only_assigned = client.get(URL, {"asignacion": "asignadas"}).content.decode()
    assert assigned.number in only_assigned and digital_pqr[1].number not in only_assigned

    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    by_day = client.get(URL, {"desde": yesterday, "hasta": yesterday}).content.decode()
    assert digital_pqr[1].number in by_day and older.number not in by_day

    reversed_range = client.get(URL, {"desde": yesterday, "hasta": "2020-01-01"})
    assert "no puede ser posterior" in reversed_range.content.decode()


def test_pqr08_the_list_costs_the_same_queries_for_3_and_30_pqr(
    client, gestor_oficina, digital_pqr
):
    client = logged_in(client, gestor_oficina)
    client.get(URL)  # warm the session and the role cache of the first request

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for hour in range(27):
        make_digital_pqr(filed_at=yesterday_at(0) + dt.timedelta(minutes=10 * hour))
    assert count() == few


def test_nfr02_reassignment_page_refuses_other_roles(client, regional):
    for role in (Role.TECNOLOGO, Role.CREADOR, Role.MESA, Role.ORIENTADOR):
        client.force_login(make_user(role, regional))
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_pqr08_the_api_reassigns_digital_pqr_in_the_regional_scope_only(
    gestor_oficina, tech, digital_pqr
):
    """``POST /api/v1/cases/reassign/`` with the same scope as the page: the Regional gestor de
    oficina moves digital PQR; a Metropolitano one gets 404 for the same ids."""
    from tests.helpers import token_client

    url = "/api/v1/cases/reassign/"
    body = {"cases": [c.pk for c in digital_pqr[:2]], "technologist": tech.pk}
    metro_gestor = make_user(Role.GESTOR_OFICINA, OfficeFactory(unit=Unit.METROPOLITANO))

    refused = token_client(metro_gestor).post(url, body, format="json")
    assert refused.status_code == 404
    response = token_client(gestor_oficina).post(url, body, format="json")

    assert response.status_code == 200, response.content
    assert sorted(row["number"] for row in response.json()) == sorted(
        c.number for c in digital_pqr[:2]
    )
    assert {c.assigned_to_id for c in Case.objects.filter(pk__in=body["cases"])} == {tech.pk}


def test_pqr07_pqr08_the_regional_help_desk_sees_digital_pqr_in_the_case_list(
    client, regional, digital_pqr
):
    """The digital PQR belong to no office: the Regional mesa de ayuda sees them (case list and
    API) through pqr_digital's case scope; a Metropolitano mesa and a technologist do not."""
    mesa = make_user(Role.MESA, regional)
    client.force_login(mesa)
    listed = client.get("/casos/").content.decode()
    assert all(case.number in listed for case in digital_pqr)
    assert client.get(f"/api/v1/cases/{digital_pqr[0].pk}/").status_code == 200

    for outsider in (
        make_user(Role.MESA, OfficeFactory(unit=Unit.METROPOLITANO)),
        make_user(Role.TECNOLOGO, regional),
    ):
        client.force_login(outsider)
        assert not any(
            case.number in client.get("/casos/").content.decode() for case in digital_pqr
        )
        assert client.get(f"/api/v1/cases/{digital_pqr[0].pk}/").status_code == 404
