"""COP-01 (an appointment slot is assigned) — the agenda's API (issue 13): the free slots of a
day, holding one (201, 409 when taken, 400 when not in the agenda), giving it back; only the
roles that book the type's modality (the creador for condo administrators, 2.6); Spanish
messages; constant queries."""

import datetime as dt

import pytest
from django.utils import timezone

from core import api_agenda as agenda_api
from core.business_days import BOGOTA, is_holiday
from core.models import Appointment, AppointmentStatus, AppointmentType, Modality, WorkingHours
from core.roles import Role
from core.services import agenda
from tests.helpers import ROLE_COLUMNS, make_user

pytestmark = pytest.mark.django_db

SLOTS = "/api/v1/agenda/slots/"
HOLDS = "/api/v1/agenda/holds/"
REFUSED = "Su rol no tiene acceso a este recurso."


def bookable_day() -> dt.date:
    """The first day after today that is no holiday (every weekday has hours below)."""
    day = timezone.localdate(timezone=BOGOTA) + dt.timedelta(days=1)
    while is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def with_hours(office, name: str):
    tech = make_user(Role.TECNOLOGO, office, first_name=name, last_name="Agenda")
    WorkingHours.objects.bulk_create(
        WorkingHours(technologist=tech, weekday=weekday, start=dt.time(8), end=dt.time(10))
        for weekday in range(7)
    )
    return tech


@pytest.fixture
def day():
    return bookable_day()


@pytest.fixture
def condo_type(db):
    return AppointmentType.objects.create(
        code="prueba-api",
        name="Cita de prueba (API)",
        modality=Modality.COPROPIEDAD,
        duration_minutes=30,
        days_ahead=30,
    )


@pytest.fixture
def ana(office, condo_type):
    tech = with_hours(office, "Ana")
    condo_type.technologists.add(tech)
    return tech


@pytest.fixture
def creador(users):
    return users[Role.CREADOR]


def slot_body(slot: dict) -> dict:
    return {k: slot[k] for k in ("type", "start", "technologist")}


def test_cop01_slots_of_a_day_with_their_technologist(api_as, creador, condo_type, ana, day):
    response = api_as(creador).get(SLOTS, {"type": "prueba-api", "date": day.isoformat()})

    assert response.status_code == 200, response.content
    slots = response.json()
    assert [s["start"] for s in slots] == [
        f"{day.isoformat()}T{hour}-05:00"
        for hour in ("08:00:00", "08:30:00", "09:00:00", "09:30:00")
    ]
    assert slots[0] == {
        "type": "prueba-api",
        "start": f"{day.isoformat()}T08:00:00-05:00",
        "end": f"{day.isoformat()}T08:30:00-05:00",
        "technologist": ana.pk,
        "technologist_name": "Ana Agenda",
    }


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"type": "prueba-api"}, {"date": ["Este campo es obligatorio."]}),
        (
            {"type": "prueba-api", "date": "2027-13-01"},
            {"date": ["Indique la fecha con el formato AAAA-MM-DD."]},
        ),
        ({"type": "no-existe", "date": "2027-01-08"}, {"type": ["No existe ese tipo de cita."]}),
        ({"date": "2027-01-08"}, {"type": ["Este campo es obligatorio."]}),
    ],
)
def test_cop01_slots_bad_query_is_a_spanish_400(api_as, creador, condo_type, query, errors):
    response = api_as(creador).get(SLOTS, query)

    assert response.status_code == 400
    assert response.json() == errors


def test_cop01_a_type_of_a_modality_the_role_does_not_book_does_not_exist_for_it(
    api_as, creador, office, day
):
    internal = AppointmentType.objects.create(
        code="prueba-interno", name="Interno", modality=Modality.CLIENTE_INTERNO
    )
    internal.technologists.add(with_hours(office, "Iván"))
    query = {"type": "prueba-interno", "date": day.isoformat()}

    response = api_as(creador).get(SLOTS, query)

    assert response.status_code == 400
    assert response.json() == {"type": ["No existe ese tipo de cita."]}


def test_cop01_hold_a_slot_as_the_list_gives_it(api_as, creador, condo_type, ana, day):
    client = api_as(creador)
    slot = client.get(SLOTS, {"type": "prueba-api", "date": day.isoformat()}).json()[1]
    before = timezone.now()

    response = client.post(HOLDS, slot_body(slot), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    held = Appointment.objects.get()
    assert body == {
        "id": held.pk,
        "type": "prueba-api",
        "start": slot["start"],
        "end": slot["end"],
        "technologist": ana.pk,
        "technologist_name": "Ana Agenda",
        "status": "retenida",
        "expires_at": body["expires_at"],
    }
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert body["expires_at"].endswith("-05:00")
    minutes = dt.timedelta(minutes=agenda.hold_minutes())
    assert before + minutes <= expires <= timezone.now() + minutes
    assert (held.created_by, held.status) == (creador, AppointmentStatus.RETENIDA)
    starts = [
        s["start"]
        for s in client.get(SLOTS, {"type": "prueba-api", "date": day.isoformat()}).json()
    ]
    assert slot["start"] not in starts and len(starts) == 3


def test_cop01_a_taken_slot_is_a_409_and_writes_nothing(
    api_as, users, creador, condo_type, ana, day
):
    other = make_user(Role.CREADOR, creador.home_office, username="otro-creador")
    slot = api_as(creador).get(SLOTS, {"type": "prueba-api", "date": day.isoformat()}).json()[0]
    assert api_as(other).post(HOLDS, slot_body(slot), format="json").status_code == 201

    response = api_as(creador).post(HOLDS, slot_body(slot), format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": agenda.TAKEN}
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"start": "T08:10:00-05:00"}, {"start": [agenda.NOT_IN_AGENDA]}),
        ({"start": "T10:00:00-05:00"}, {"start": [agenda.NOT_IN_AGENDA]}),
        ({"start": "9999-12-31T23:30:00-05:00"}, {"start": [agenda.NOT_IN_AGENDA]}),
        ({"start": "0001-01-01T00:00:00+14:00"}, {"start": [agenda.NOT_IN_AGENDA]}),
        ({"technologist": 2**70}, {"technologist": [agenda_api.NOT_A_TECHNOLOGIST]}),
        (
            {"start": "ayer"},
            {
                "start": [
                    "Indique el inicio tal como lo da la lista de horarios "
                    "(AAAA-MM-DDTHH:MM-05:00)."
                ]
            },
        ),
        (
            {"technologist": "other"},
            {"technologist": ["Ese tecnólogo no atiende este tipo de cita."]},
        ),
        ({"technologist": "x"}, {"technologist": ["Indique el tecnólogo por su identificador."]}),
        ({"type": "no-existe"}, {"type": ["No existe ese tipo de cita."]}),
        ({"type": None}, {"type": ["Este campo es obligatorio."]}),
    ],
)
def test_cop01_a_hold_outside_the_agenda_is_a_spanish_400(
    api_as, creador, condo_type, ana, office, day, change, errors
):
    outsider = with_hours(office, "Olga")  # has hours, does not serve the type
    body = {
        "type": "prueba-api",
        "start": f"{day.isoformat()}T08:00:00-05:00",
        "technologist": ana.pk,
    }
    for key, value in change.items():
        if key == "start" and value.startswith("T"):
            value = f"{day.isoformat()}{value}"
        if value == "other":
            value = outsider.pk
        body[key] = value

    response = api_as(creador).post(HOLDS, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not Appointment.objects.exists()


def test_cop01_release_by_its_creator_only(api_as, creador, condo_type, ana, day):
    other = make_user(Role.CREADOR, creador.home_office, username="otro-creador")
    slot = api_as(creador).get(SLOTS, {"type": "prueba-api", "date": day.isoformat()}).json()[0]
    hold_id = api_as(creador).post(HOLDS, slot_body(slot), format="json").json()["id"]

    refused = api_as(other).delete(f"{HOLDS}{hold_id}/")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "No existe esa reserva de horario."}
    assert Appointment.objects.get().status == AppointmentStatus.RETENIDA

    assert api_as(creador).delete(f"{HOLDS}{hold_id}/").status_code == 204
    assert Appointment.objects.get().status == AppointmentStatus.CANCELADA
    assert api_as(creador).delete(f"{HOLDS}{hold_id}/").status_code == 204  # gone already
    again = api_as(other).post(HOLDS, slot_body(slot), format="json")
    assert again.status_code == 201  # the slot is free again


def test_cop01_a_confirmed_appointment_is_not_released(api_as, creador, condo_type, ana, day):
    slot = api_as(creador).get(SLOTS, {"type": "prueba-api", "date": day.isoformat()}).json()[0]
    hold_id = api_as(creador).post(HOLDS, slot_body(slot), format="json").json()["id"]
    agenda.agenda_confirm(hold_id=hold_id)

    response = api_as(creador).delete(f"{HOLDS}{hold_id}/")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("La cita ya fue confirmada")
    assert Appointment.objects.get().status == AppointmentStatus.CONFIRMADA


@pytest.mark.parametrize("who", ROLE_COLUMNS)
def test_cop01_only_the_booking_role_uses_the_agenda(api, api_as, users, condo_type, ana, day, who):
    """NFR-02: anonymous 401; every role but the booking ones 403 with the Spanish message, and
    no slot, no hold."""
    slot = {
        "type": "prueba-api",
        "start": f"{day.isoformat()}T08:00:00-05:00",
        "technologist": ana.pk,
    }
    held = agenda.agenda_hold(
        appointment_type=condo_type,
        start=dt.datetime.combine(day, dt.time(9), tzinfo=BOGOTA),
        technologist=ana,
        by=users[Role.CREADOR],
    )
    client = api if who == "anonimo" else api_as(users[who])

    answers = [
        client.get(SLOTS, {"type": "prueba-api", "date": day.isoformat()}),
        client.post(HOLDS, slot, format="json"),
        client.delete(f"{HOLDS}{held.pk}/"),
    ]

    if who == Role.CREADOR:
        assert [a.status_code for a in answers] == [200, 201, 204]
        return
    if who == Role.CLIENTE_INTERNO:
        # The employee books their own modality's type (2.8): the condo type does not exist for
        # them (400) and another person's hold neither (404).
        assert [a.status_code for a in answers] == [400, 400, 404]
        assert answers[0].json()["type"] == ["No existe ese tipo de cita."]
        assert list(Appointment.objects.values_list("status", flat=True)) == ["retenida"]
        return
    expected = 401 if who == "anonimo" else 403
    assert [a.status_code for a in answers] == [expected] * 3
    if expected == 403:
        assert {a.json()["detail"] for a in answers} == {REFUSED}
    assert list(Appointment.objects.values_list("status", flat=True)) == ["retenida"]


def test_cop01_slots_in_constant_queries(
    api_as, creador, condo_type, ana, office, day, django_assert_max_num_queries
):
    client = api_as(creador)
    query = {"type": "prueba-api", "date": day.isoformat()}
    client.get(SLOTS, query)  # warm the session and role caches like any request

    with django_assert_max_num_queries(8) as first:
        one = client.get(SLOTS, query)
    for name in ("Beto", "Carla", "Darío"):
        condo_type.technologists.add(with_hours(office, name))
    agenda.agenda_hold(
        appointment_type=condo_type,
        start=dt.datetime.combine(day, dt.time(8), tzinfo=BOGOTA),
        technologist=ana,
    )
    with django_assert_max_num_queries(8) as second:
        four = client.get(SLOTS, query)

    assert (len(one.json()), len(four.json())) == (4, 15)
    assert len(second.captured_queries) == len(first.captured_queries)


def test_cop01_ci01_a_start_at_the_edge_of_the_calendar_is_a_400_not_a_500(
    api_as, creador, condo_type, ana
):
    """A naive 9999-12-31T23:59 overflows while DRF makes it aware: the answer is the Spanish
    400 "not in the agenda", and nothing is written."""
    body = {"type": "prueba-api", "start": "9999-12-31T23:59", "technologist": ana.pk}

    response = api_as(creador).post(HOLDS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"start": ["Ese horario no está en la agenda de citas."]}
    assert not Appointment.objects.exists()
