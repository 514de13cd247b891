"""CORE-07 / COP-02 — the call protocol in the case API (issue 13 item 6): ``protocol`` on
``GET /api/v1/cases/{id}/`` tells an API client what is due next (llamar → mensaje_de_voz after
three unanswered calls, with the script of the case's modality → cerrar once answered), for
every modality; a condo case's script names its appointment's day, month and hour."""

import datetime as dt

import pytest

from core.business_days import BOGOTA
from core.models import (
    AppointmentType,
    CaseStatus,
    ContactAttempt,
    Modality,
    WorkingHours,
)
from core.roles import Role
from core.services import agenda
from tests.factories import CustomerFactory, make_case

pytestmark = pytest.mark.django_db

NO_ANSWER = ContactAttempt.Outcome.NO_CONTESTA


@pytest.fixture
def tech_api(api_as, tecnologo):
    return api_as(tecnologo)


def protocol(client, case) -> dict:
    response = client.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["protocol"]


def call(client, case, outcome=NO_ANSWER) -> None:
    response = client.post(
        f"/api/v1/cases/{case.pk}/attempts/",
        {"outcome": outcome, "number_dialled": "3104567890"},
        format="json",
    )
    assert response.status_code == 201, response.content


def condo_case(office, tech, *, start: dt.datetime, customer_name: str):
    """A condo administrator's case assigned to ``tech``, with its appointment at ``start``
    booked through the agenda."""
    appointment_type = AppointmentType.objects.create(
        code=f"prueba-protocolo-{start:%m%d%H%M}",
        name="Cita de prueba",
        modality=Modality.COPROPIEDAD,
        duration_minutes=30,
        days_ahead=60,
    )
    appointment_type.technologists.add(tech)
    local = start.astimezone(BOGOTA)
    WorkingHours.objects.create(
        technologist=tech, weekday=local.weekday(), start=dt.time(8), end=dt.time(17)
    )
    case = make_case(
        channel="administradores-copropiedad",
        customer=CustomerFactory(full_name=customer_name),
        office=office,
        assigned_to=tech,
        status=CaseStatus.ASIGNADO,
    )
    now = start - dt.timedelta(days=3)
    held = agenda.agenda_hold(
        appointment_type=appointment_type, start=start, technologist=tech, now=now
    )
    agenda.agenda_confirm(hold_id=held.pk, case=case, now=now)
    return case


def test_core07_desborde_case_protocol_llamar_then_voicemail_of_2_1(tech_api, office, tecnologo):
    case = make_case(
        customer=CustomerFactory(full_name="Marta Lucía Restrepo"),
        office=office,
        assigned_to=tecnologo,
        status=CaseStatus.ASIGNADO,
    )
    assert protocol(tech_api, case) == {
        "attempts_left": 3,
        "next_step": "llamar",
        "voicemail_script": "",
        "answered": False,
        "by_video": False,
    }

    left = []
    for _ in range(3):
        call(tech_api, case)
        left.append(protocol(tech_api, case))

    assert [(p["attempts_left"], p["next_step"]) for p in left] == [
        (2, "llamar"),
        (1, "llamar"),
        (0, "mensaje_de_voz"),
    ]
    script = left[-1]["voicemail_script"]
    assert "para el/la señor (a) Marta Lucía Restrepo" in script
    assert "brindarle orientación a su petición realizada a través de desborde formulario web" in (
        script
    )
    assert "{{" not in script


def test_core07_answered_case_protocol_is_cerrar(tech_api, office, tecnologo):
    case = make_case(office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO)
    call(tech_api, case)

    call(tech_api, case, ContactAttempt.Outcome.CONTESTO)

    assert protocol(tech_api, case) == {
        "attempts_left": 0,
        "next_step": "cerrar",
        "voicemail_script": "",
        "answered": True,
        "by_video": False,
    }


def test_core07_closed_case_has_no_next_step(tech_api, office, tecnologo):
    case = make_case(
        office=office, assigned_to=tecnologo, status=CaseStatus.CERRADO_PRIMER_CONTACTO
    )

    assert protocol(tech_api, case)["next_step"] is None
    assert protocol(tech_api, case)["attempts_left"] == 0


def test_cop02_condo_voicemail_names_the_appointment_day_month_and_pm_hour(
    tech_api, office, tecnologo
):
    case = condo_case(
        office,
        tecnologo,
        start=dt.datetime(2027, 1, 8, 14, 30, tzinfo=BOGOTA),
        customer_name="Jorge Iván Ospina",
    )
    assert protocol(tech_api, case)["next_step"] == "llamar"

    for _ in range(3):
        call(tech_api, case)

    result = protocol(tech_api, case)
    assert (result["next_step"], result["attempts_left"]) == ("mensaje_de_voz", 0)
    assert "señor (a) Jorge Iván Ospina" in result["voicemail_script"]
    assert "cita que agendó para el día 8 de enero a las 2:30 p.m." in result["voicemail_script"]


def test_cop02_condo_voicemail_morning_appointment_is_am(tech_api, office, tecnologo):
    case = condo_case(
        office,
        tecnologo,
        start=dt.datetime(2027, 3, 5, 9, 0, tzinfo=BOGOTA),
        customer_name="Luz Dary Gómez",
    )
    for _ in range(3):
        call(tech_api, case)

    script = protocol(tech_api, case)["voicemail_script"]

    assert "para el día 5 de marzo a las 9:00 a.m." in script


def test_cop02_case_page_shows_the_condo_script_to_the_assignee_only(
    client, users, office, tecnologo, tech_api
):
    case = condo_case(
        office,
        tecnologo,
        start=dt.datetime(2027, 1, 8, 15, 0, tzinfo=BOGOTA),
        customer_name="Gloria Patiño",
    )
    for _ in range(3):
        call(tech_api, case)

    client.force_login(tecnologo)
    page = client.get(f"/casos/{case.pk}/").content.decode()
    client.force_login(users[Role.GESTOR])
    other = client.get(f"/casos/{case.pk}/").content.decode()

    assert "para el día 8 de enero a las 3:00 p.m." in page
    assert 'id="voicemail-script"' in page
    assert "para el día 8 de enero" not in other
