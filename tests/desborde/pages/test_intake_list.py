"""Who may open the tablet pages and the day's intake list (2.1, 2.2).

NFR-02 roles and scopes (404 outside the office), DF-02 / DF-04 the day's intake list and its
PQR numbers, query counts that do not grow with the rows.
"""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from core.roles import Role
from desborde import services
from desborde.models import Intake, IntakeMode
from tests.desborde.pages.helpers import assign, close_data, intake_for, staff
from tests.factories import OfficeFactory
from tests.helpers import answer_call

pytestmark = pytest.mark.django_db

# --- NFR-02: who may open the tablet pages ---------------------------------------------------

# fmt: off
ROLE_TABLE = {
    #                          orie asig tecn gest enca crea mesa geof clin
    "/desborde/":             (200, 403, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/pendientes/":  (200, 403, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/registro/":    (200, 403, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/registros/":   (200, 200, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/registros/tabla/": (200, 200, 403, 403, 403, 403, 403, 403, 403),
    "/desborde/impresion/":   (200, 403, 403, 403, 200, 403, 403, 403, 403),
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
    """DF-02: the list polls the table partial every WORKBENCH_REFRESH_SECONDS; the home page
    re-fetches it live (intakes registered, cases assigned: NFR-01) and polls only while its
    socket is down; the partial is the bare table."""
    settings.WORKBENCH_REFRESH_SECONDS = 7
    intake = intake_for(orientador, office)
    client.force_login(orientador)
    content = client.get("/desborde/registros/").content.decode()
    assert 'hx-get="/desborde/registros/tabla/"' in content
    assert 'hx-trigger="every 7s"' in content
    content = client.get("/desborde/").content.decode()
    assert 'hx-get="/desborde/registros/tabla/"' in content
    assert (
        'hx-trigger="live:intakes.changed from:body, live:office.cases.changed from:body, '
        'live:reconnected from:body, live:poll from:body"' in content
    )
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
