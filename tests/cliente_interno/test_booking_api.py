"""CI-01 / CI-02 / NFR-02: the booking API of internal clients (/api/v1/cliente-interno/): free
slots, holds, reserving, the employee's bookings and the technologist's day; the last-slot race
on PostgreSQL; who may call what."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cliente_interno.models import InternalBooking
from cliente_interno.services import booking as services
from core.business_days import BOGOTA, is_holiday
from core.models import Appointment, AppointmentStatus, Notification, TransactionType, WorkingHours
from core.roles import Role
from core.services import agenda
from tests.cliente_interno.helpers import check_in
from tests.helpers import ANON, ROLE_COLUMNS, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cliente-interno"
SLOTS, HOLDS, BOOKINGS = f"{BASE}/slots/", f"{BASE}/holds/", f"{BASE}/bookings/"
REQUIRED = ["Este campo es obligatorio."]
BOOKING_FIELDS = {
    "id",
    "status",
    "start",
    "end",
    "transaction_type",
    "transaction_type_name",
    "technologist",
    "technologist_name",
    "employee_name",
    "document_type",
    "document_number",
    "email",
    "mobile",
    "relation",
    "checked_in_at",
    "turn_number",
    "turn_status",
    "case_number",
    "state",
    "room_url",
}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BOGOTA)


def business_day_after(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5 or is_holiday(day):
        day += dt.timedelta(days=1)
    return day


def hold_body(tech, start, code="duplicado-de-factura") -> dict:
    return {"transaction_type": code, "start": start.isoformat(), "technologist": tech.pk}


def booking_body(hold_id: int, **overrides) -> dict:
    body = {
        "hold": hold_id,
        "document_type": "CC",
        "document_number": "71650123",
        "full_name": "Camilo Betancur",
        "email": "camilo.betancur@epm.com.co",
        "mobile": "3104567890",
        "relation": "inquilino",
        "terms_accepted": True,
        "data_consent": True,
    }
    body.update(overrides)
    return body


def held(employee, tech, start, *, now=None):
    return services.booking_hold(
        employee=employee,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        start=start,
        technologist=tech,
        now=now,
    )


@pytest.fixture
def as_employee(api_as, employee):
    return api_as(employee)


# --- slots ----------------------------------------------------------------------------------


def test_ci01_slots_of_a_day_with_their_technologist(as_employee, ci_tech, ci_day, employee):
    held(employee, ci_tech, at(ci_day, 8))

    response = as_employee.get(
        SLOTS, {"transaction_type": "duplicado-de-factura", "date": ci_day.isoformat()}
    )

    assert response.status_code == 200, response.content
    rows = response.json()
    assert len(rows) == 15  # 8:00–12:00 and 13:00–17:00 in 30 minutes, but the one held
    assert set(rows[0]) == {"start", "end", "technologist", "technologist_name"}
    assert dt.datetime.fromisoformat(rows[0]["start"]) == at(ci_day, 8, 30)
    assert (rows[0]["technologist"], rows[0]["technologist_name"]) == (ci_tech.pk, "Diana Gómez")


def test_ci01_slots_bad_or_missing_parameters_are_400_in_spanish(as_employee, ci_tech):
    missing = as_employee.get(SLOTS)
    assert missing.status_code == 400
    assert missing.json() == {"transaction_type": REQUIRED, "date": REQUIRED}

    bad = as_employee.get(SLOTS, {"transaction_type": "no-existe", "date": "12/03/2026"})
    assert bad.json() == {
        "transaction_type": ["No existe ese tipo de transacción."],
        "date": ["Indique la fecha con el formato AAAA-MM-DD."],
    }
    presencial = as_employee.get(
        SLOTS, {"transaction_type": "financiacion-refinanciacion", "date": "2030-01-07"}
    )
    assert presencial.status_code == 400
    assert presencial.json() == {"transaction_type": [services.PRESENCIAL_ONLY]}


# --- holds ----------------------------------------------------------------------------------


def test_ci01_post_hold_is_201_with_its_expiry_and_delete_gives_it_back(
    as_employee, api_as, other_employee, ci_tech, ci_day
):
    before = timezone.now()
    response = as_employee.post(HOLDS, hold_body(ci_tech, at(ci_day, 10)), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "expires_at",
        "start",
        "end",
        "technologist",
        "technologist_name",
        "transaction_type",
    }
    booking = InternalBooking.objects.select_related("appointment").get(pk=body["id"])
    assert booking.appointment.status == AppointmentStatus.RETENIDA
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert before + dt.timedelta(minutes=agenda.hold_minutes()) <= expires
    assert dt.datetime.fromisoformat(body["start"]) == at(ci_day, 10)
    assert dt.datetime.fromisoformat(body["end"]) == at(ci_day, 10, 30)
    assert (body["technologist"], body["transaction_type"]) == (ci_tech.pk, "duplicado-de-factura")

    assert api_as(other_employee).delete(f"{HOLDS}{body['id']}/").status_code == 404
    assert as_employee.delete(f"{HOLDS}{body['id']}/").status_code == 204
    booking.appointment.refresh_from_db()
    assert booking.appointment.status == AppointmentStatus.CANCELADA
    assert as_employee.delete(f"{HOLDS}999999/").status_code == 404


def test_ci01_post_hold_taken_is_409_with_next_slots_and_bad_input_400(
    as_employee, api_as, other_employee, ci_tech, ci_day
):
    assert as_employee.post(HOLDS, hold_body(ci_tech, at(ci_day, 16, 30))).status_code == 201

    taken = api_as(other_employee).post(HOLDS, hold_body(ci_tech, at(ci_day, 16, 30)))
    assert taken.status_code == 409
    body = taken.json()
    assert body["detail"] == agenda.TAKEN
    following = business_day_after(ci_day)
    assert [dt.datetime.fromisoformat(s["start"]) for s in body["next_slots"][:2]] == [
        at(following, 8),
        at(following, 8, 30),
    ]
    assert body["next_slots"][0]["technologist"] == ci_tech.pk

    outside = as_employee.post(HOLDS, hold_body(ci_tech, at(ci_day, 12, 15)))
    assert (outside.status_code, outside.json()) == (400, {"start": [agenda.NOT_IN_AGENDA]})
    empty = as_employee.post(HOLDS, {}, format="json")
    assert empty.json() == {
        "transaction_type": REQUIRED,
        "start": REQUIRED,
        "technologist": REQUIRED,
    }
    presencial = as_employee.post(
        HOLDS, hold_body(ci_tech, at(ci_day, 9), code="financiacion-refinanciacion")
    )
    assert presencial.json() == {"transaction_type": [services.PRESENCIAL_ONLY]}


# --- bookings -------------------------------------------------------------------------------


def test_ci01_ci02_post_booking_is_201_and_the_email_leaves(
    as_employee, employee, ci_tech, ci_day, django_capture_on_commit_callbacks
):
    booking = held(employee, ci_tech, at(ci_day, 9))

    with django_capture_on_commit_callbacks(execute=True):
        response = as_employee.post(
            BOOKINGS, booking_body(booking.pk, motive="Duplicado de factura"), format="json"
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == BOOKING_FIELDS
    assert (body["id"], body["status"]) == (booking.pk, "confirmada")
    assert dt.datetime.fromisoformat(body["start"]) == at(ci_day, 9)
    assert (body["transaction_type"], body["transaction_type_name"]) == (
        "duplicado-de-factura",
        "Duplicado de factura",
    )
    assert (body["technologist"], body["technologist_name"]) == (ci_tech.pk, "Diana Gómez")
    assert (body["employee_name"], body["document_number"]) == ("Camilo Betancur", "71650123")
    assert (body["relation"], body["checked_in_at"], body["turn_number"]) == (
        "inquilino",
        None,
        None,
    )
    assert body["case_number"] is None
    assert body["room_url"] == f"/cliente-interno/sala/{booking.pk}/"
    [message] = mail.outbox
    assert message.from_email == "EPM Cliente Interno <clienteinternovirtual@epm.com.co>"


def test_ci01_post_booking_without_consent_is_400_and_nothing_is_written(
    as_employee, employee, ci_tech, ci_day
):
    booking = held(employee, ci_tech, at(ci_day, 9))

    response = as_employee.post(
        BOOKINGS,
        booking_body(booking.pk, terms_accepted=False, data_consent=None),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["terms_accepted"] == ["Debe aceptar los términos y condiciones."]
    missing = as_employee.post(
        BOOKINGS,
        {k: v for k, v in booking_body(booking.pk).items() if k != "data_consent"},
        format="json",
    )
    assert missing.json() == {
        "data_consent": [
            "Debe autorizar el tratamiento de sus datos personales (Ley 1581 de 2012)."
        ]
    }
    booking.refresh_from_db()
    assert booking.booked_at is None and booking.data_consent_at is None
    assert booking.appointment.status == AppointmentStatus.RETENIDA
    assert not Notification.objects.exists()


def test_ci01_post_booking_with_expired_hold_is_409_with_next_slots(
    as_employee, employee, ci_tech, ci_day
):
    long_ago = timezone.now() - dt.timedelta(minutes=agenda.hold_minutes() + 1)
    booking = held(employee, ci_tech, at(ci_day, 9), now=long_ago)

    response = as_employee.post(BOOKINGS, booking_body(booking.pk), format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == agenda.EXPIRED
    assert dt.datetime.fromisoformat(body["next_slots"][0]["start"]) == at(ci_day, 9)
    booking.refresh_from_db()
    assert booking.booked_at is None and booking.document_number == ""
    assert not Notification.objects.exists()


def test_ci01_post_booking_of_another_employees_hold_is_refused(
    api_as, other_employee, employee, ci_tech, ci_day
):
    booking = held(employee, ci_tech, at(ci_day, 9))

    response = api_as(other_employee).post(BOOKINGS, booking_body(booking.pk), format="json")

    assert (response.status_code, response.json()) == (400, {"hold": [services.HOLD_MISSING]})
    booking.refresh_from_db()
    assert booking.booked_at is None


def test_ci01_employee_lists_own_bookings_in_constant_queries(
    as_employee, employee, other_employee, reserved_booking, ci_day, django_assert_max_num_queries
):
    reserved_booking(at(ci_day, 8))
    reserved_booking(at(ci_day, 8), employee=other_employee, technologist=make_tech_for(ci_day))
    held(employee, Appointment.objects.first().technologist, at(ci_day, 9))  # a hold: not listed

    with django_assert_max_num_queries(4) as one:
        first = as_employee.get(BOOKINGS)
    for hour in (10, 11, 13, 14):
        reserved_booking(at(ci_day, hour))
    with django_assert_max_num_queries(len(one.captured_queries)):
        many = as_employee.get(BOOKINGS)

    assert len(first.json()) == 1
    assert [dt.datetime.fromisoformat(b["start"]).hour for b in many.json()] == [14, 13, 11, 10, 8]
    assert all(set(b) == BOOKING_FIELDS for b in many.json())


def make_tech_for(day):
    """Another technologist of the type, free all day."""
    from core.models import AppointmentType, Office

    tech = make_user(Role.TECNOLOGO, Office.objects.first(), username="tec-ci-otro")
    WorkingHours.objects.create(
        technologist=tech, weekday=day.weekday(), start=dt.time(8), end=dt.time(17)
    )
    AppointmentType.objects.get(code="cliente-interno").technologists.add(tech)
    return tech


def test_ci01_technologist_lists_the_day_with_who_checked_in(
    api_as, ci_tech, reserved_booking, ci_day, django_assert_max_num_queries
):
    waiting = reserved_booking(at(ci_day, 9), checked_in_at=timezone.now())
    reserved_booking(at(ci_day, 8))
    reserved_booking(at(business_day_after(ci_day), 8))  # another day
    client = api_as(ci_tech)

    with django_assert_max_num_queries(4):
        response = client.get(BOOKINGS, {"date": ci_day.isoformat()})

    rows = response.json()
    assert [dt.datetime.fromisoformat(r["start"]).hour for r in rows] == [8, 9]
    assert rows[1]["id"] == waiting.pk and rows[1]["checked_in_at"] is not None
    assert rows[0]["checked_in_at"] is None
    assert rows[1]["room_url"] == f"/cliente-interno/tecnologo/citas/{waiting.pk}/sala/"
    assert client.get(BOOKINGS).json() == []  # today (Bogotá) by default: none today
    bad = client.get(BOOKINGS, {"date": "mañana"})
    assert bad.json() == {"date": ["Indique la fecha con el formato AAAA-MM-DD."]}


def test_nfr02_booking_detail_only_for_its_two_parties(
    api_as, employee, other_employee, ci_tech, users, reserved_booking, ci_day
):
    booking = reserved_booking(at(ci_day, 9))
    url = f"{BOOKINGS}{booking.pk}/"

    mine = api_as(employee).get(url)
    assert mine.status_code == 200 and mine.json()["id"] == booking.pk
    assert api_as(ci_tech).get(url).json()["employee_name"] == "Camilo Betancur"
    for stranger in (other_employee, users[Role.TECNOLOGO]):
        response = api_as(stranger).get(url)
        assert response.status_code == 404
        assert "71650123" not in response.content.decode()
    assert api_as(employee).get(f"{BOOKINGS}999999/").status_code == 404


# --- who may call what ----------------------------------------------------------------------

# anon, and every role of ROLE_COLUMNS (… cliente_interno last): the expected status.
# fmt: off
TABLE = {
    "GET slots/":              (401, 403, 403, 403, 403, 403, 403, 403, 403, 400),
    "POST holds/":             (401, 403, 403, 403, 403, 403, 403, 403, 403, 400),
    "DELETE holds/999999/":    (401, 403, 403, 403, 403, 403, 403, 403, 403, 404),
    "GET bookings/":           (401, 403, 200, 403, 403, 403, 403, 403, 403, 200),
    "POST bookings/":          (401, 403, 403, 403, 403, 403, 403, 403, 403, 400),
    "GET bookings/{booking}/": (401, 403, 404, 403, 403, 403, 403, 403, 403, 404),
}
# fmt: on


@pytest.mark.parametrize(("key", "row"), TABLE.items(), ids=list(TABLE))
def test_nfr02_role_table_of_the_booking_api(
    api, api_as, users, reserved_booking, ci_day, key, row
):
    """NFR-02: anonymous 401; every staff role but the technologist's list 403; the employee
    of another booking 404 (never data)."""
    booking = reserved_booking(at(ci_day, 9))
    method, path = key.split(" ")
    url = f"{BASE}/{path.format(booking=booking.pk)}"
    mismatches = []
    for who, expected in zip(ROLE_COLUMNS, row, strict=True):
        client = api if who == ANON else api_as(users[who])
        got = getattr(client, method.lower())(url, {}, format="json").status_code
        if got != expected:
            mismatches.append(f"{who}: esperado {expected}, obtenido {got}")
    assert not mismatches, "\n".join(mismatches)


# --- the last slot, two employees at once (PostgreSQL) --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ci01_two_employees_on_the_last_slot_one_201_the_other_409_with_next_slots(
    postgres, api_as, employee, other_employee, office, ci_type
):
    """CI-01: a technologist with one slot a day (16:30); two employees post it at once, each
    request its own connection: exactly one 201; the other 409 with core's message and the next
    free slots (the next working day's 16:30)."""
    tech = make_user(Role.TECNOLOGO, office, username="tec-ultimo", first_name="Uriel")
    for weekday in range(5):
        WorkingHours.objects.create(
            technologist=tech, weekday=weekday, start=dt.time(16, 30), end=dt.time(17)
        )
    ci_type.technologists.set([tech])
    day = business_day_after(timezone.localtime(timezone.now(), BOGOTA).date())
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def book(who):
        client = api_as(who)
        try:
            barrier.wait(timeout=30)
            results[who.username] = client.post(HOLDS, hold_body(tech, at(day, 16, 30)))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(who,)) for who in (employee, other_employee)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(r.status_code for r in results.values())
    assert codes == [201, 409], {k: r.content for k, r in results.items()}
    [lost] = [r for r in results.values() if r.status_code == 409]
    body = lost.json()
    assert body["detail"] == agenda.TAKEN
    assert [dt.datetime.fromisoformat(s["start"]) for s in body["next_slots"]][0] == at(
        business_day_after(day), 16, 30
    )
    [winner] = [r for r in results.values() if r.status_code == 201]
    rows = Appointment.objects.filter(technologist=tech, start=at(day, 16, 30))
    assert [a.status for a in rows] == [AppointmentStatus.RETENIDA]
    assert InternalBooking.objects.get().pk == winner.json()["id"]


def test_nfr03_odd_input_is_a_400_never_a_500(as_employee, employee, ci_tech, ci_day):
    """NFR-03: NUL characters, huge ids and out-of-range dates get a 400, not an error."""
    booking = held(employee, ci_tech, at(ci_day, 9))
    odd = [
        as_employee.get(SLOTS, {"transaction_type": "a\x00b", "date": "9999-12-31"}),
        as_employee.post(HOLDS, {**hold_body(ci_tech, at(ci_day, 9)), "transaction_type": "\x00"}),
        as_employee.post(HOLDS, {**hold_body(ci_tech, at(ci_day, 9)), "technologist": 2**62}),
        as_employee.post(HOLDS, {**hold_body(ci_tech, at(ci_day, 9)), "start": "9999-12-31T23:59"}),
        as_employee.post(
            BOOKINGS, booking_body(booking.pk, document_number="71\x00650"), format="json"
        ),
        as_employee.post(BOOKINGS, booking_body(2**62), format="json"),
    ]
    assert [r.status_code for r in odd] == [400] * len(odd), [r.content for r in odd]
    booking.refresh_from_db()
    assert booking.booked_at is None


def test_ci03_booking_detail_tells_the_room_where_the_booking_stands(
    api_as, employee, reserved_booking, ci_day
):
    """The employee's room polls the booking while its socket is down: ``state`` goes from
    pendiente to en_espera at check-in, with the turn's status beside it."""
    booking = reserved_booking(at(ci_day, 9))
    url = f"{BOOKINGS}{booking.pk}/"
    before = api_as(employee).get(url).json()
    assert (before["state"], before["turn_status"], before["turn_number"]) == (
        "pendiente",
        None,
        None,
    )

    waiting = check_in(booking)

    after = api_as(employee).get(url).json()
    assert (after["state"], after["turn_status"]) == ("en_espera", "en_espera")
    assert after["turn_number"] == waiting.turn.number and after["turn_number"].startswith("CLI-")
