"""COP-01 / COP-04 / NFR-02: the condo administrators' API (/api/v1/copropiedad/), for the
creador de experiencia only."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from copropiedad.models import CondoCase, Copropiedad
from core.models import Appointment, AppointmentStatus, Case, CaseStatus, Customer, Notification
from core.roles import Role
from tests.factories.copropiedad import (
    ADMIN_EMAIL,
    CONDO_MAILBOX,
    at,
    book,
    book_payload,
    hold,
    phone_solution_payload,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/copropiedad/appointments/"
PHONE_URL = "/api/v1/copropiedad/phone-solutions/"
PRESENCIAL = (
    "La financiación o refinanciación solo se puede tramitar de manera presencial en cualquier "
    "oficina de atención al cliente."
)


def counts() -> dict:
    return {
        "cases": Case.objects.count(),
        "customers": Customer.objects.count(),
        "copropiedades": Copropiedad.objects.count(),
        "condo_cases": CondoCase.objects.count(),
        "notifications": Notification.objects.count(),
        "confirmed": Appointment.objects.filter(status=AppointmentStatus.CONFIRMADA).count(),
    }


@pytest.fixture
def client_creador(api_as, creador):
    return api_as(creador)


def test_cop01_cop04_post_books_the_appointment(
    client_creador, creador, techs, tech_office, day, django_capture_on_commit_callbacks
):
    """COP-01: 201 with the case number and the appointment; the case is assigned to the
    slot's technologist with the CRM fields of COP-04; the e-mail leaves from the condo
    mailbox with the invitation."""
    held = hold(technologist=techs[0], start=at(day, 9), by=creador)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_creador.post(URL, book_payload(held.pk), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.select_related("channel").get(pk=body["case"])
    assert body["number"] == case.number
    appointment = body["appointment"]
    assert appointment["id"] == held.pk
    assert dt.datetime.fromisoformat(appointment["start"]) == at(day, 9)
    assert dt.datetime.fromisoformat(appointment["end"]) == at(day, 9, 30)
    assert appointment["technologist"] == techs[0].pk
    assert appointment["technologist_name"] == "Ana Mejía"
    assert (appointment["status"], appointment["sequence"]) == ("confirmada", 0)
    assert appointment["uid"] == Appointment.objects.get(pk=held.pk).ics_uid
    assert (appointment["number"], appointment["nit"]) == (case.number, "900123456-8")
    assert (case.turn_number, case.attention_medium, case.channel.name) == (
        "DFILA",
        "verbal",
        "Administradores de Copropiedad",
    )
    assert (case.office, case.assigned_to, case.kind) == (tech_office, techs[0], "PQR")
    [message] = mail.outbox
    assert message.from_email.endswith(f"<{CONDO_MAILBOX}>")
    assert message.to == [ADMIN_EMAIL]
    assert message.attachments[0].get_filename() == "cita-epm.ics"


def test_cop01_post_financiacion_is_400_and_nothing_is_written(client_creador, creador, techs, day):
    """COP-01: financiación / refinanciación → 400 with the procedure's message; no customer,
    case, copropiedad or e-mail; the hold is still held."""
    held = hold(technologist=techs[0], start=at(day, 10), by=creador)
    before = counts()

    response = client_creador.post(
        URL, book_payload(held.pk, transaction_type="financiacion-refinanciacion"), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"transaction_type": [PRESENCIAL]}
    assert counts() == before
    held.refresh_from_db()
    assert held.status == AppointmentStatus.RETENIDA


def test_cop01_post_with_expired_hold_is_409_and_nothing_is_written(
    client_creador, creador, techs, day
):
    """COP-01: the hold's time ran out → 409 with a Spanish message; nothing written."""
    stale = hold(
        technologist=techs[0],
        start=at(day, 10),
        by=creador,
        now=timezone.now() - dt.timedelta(minutes=30),
    )
    before = counts()

    response = client_creador.post(URL, book_payload(stale.pk), format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "La reserva del horario venció: elija de nuevo un horario libre."
    }
    assert counts() == before


def test_cop01_post_bad_input_is_400_per_field(client_creador, creador, techs, day):
    """COP-01: missing and invalid fields are named with Spanish messages; nothing written."""
    before = counts()

    missing = client_creador.post(URL, {}, format="json")
    invalid = client_creador.post(
        URL,
        book_payload(999999, nit="12", email="x", transaction_type="no-existe"),
        format="json",
    )
    no_hold = client_creador.post(URL, book_payload(999999), format="json")

    assert missing.status_code == 400
    assert missing.json()["hold"] == ["Este campo es obligatorio."]
    assert missing.json()["nit"] == ["Este campo es obligatorio."]
    assert invalid.status_code == 400
    assert invalid.json() == {"transaction_type": ["El tipo de transacción no existe."]}
    assert no_hold.status_code == 400
    assert no_hold.json() == {"hold": ["No existe esa reserva de horario."]}
    bad_nit = client_creador.post(URL, book_payload(999999, nit="12", email="x"), format="json")
    assert bad_nit.json().keys() == {"nit", "email"}
    assert counts() == before


def test_cop01_get_lists_the_days_appointments_in_constant_queries(
    client_creador, creador, techs, day, django_assert_max_num_queries
):
    """COP-01: the day's appointments of this modality, by start time, in a number of queries
    that does not grow with the rows; another day is empty; a bad date is a 400."""
    book(by=creador, technologist=techs[0], start=at(day, 9))
    with django_assert_max_num_queries(2):
        one = client_creador.get(URL, {"date": day.isoformat()})
    book(by=creador, technologist=techs[1], start=at(day, 8), document_number="71654320")
    book(by=creador, technologist=techs[0], start=at(day, 14), nit="811045672-5")
    hold(technologist=techs[1], start=at(day, 15), by=creador)  # a hold has no case: not listed

    with django_assert_max_num_queries(2):
        three = client_creador.get(URL, {"date": day.isoformat()})

    assert one.status_code == three.status_code == 200
    rows = three.json()
    assert [(r["technologist"], dt.datetime.fromisoformat(r["start"])) for r in rows] == [
        (techs[1].pk, at(day, 8)),
        (techs[0].pk, at(day, 9)),
        (techs[0].pk, at(day, 14)),
    ]
    assert rows[2]["copropiedad"] == "Unidad Residencial Torres del Parque P.H."
    assert rows[0]["administrator"] == "Luz Marina Cárdenas Ospina"
    other_day = (day + dt.timedelta(days=1)).isoformat()
    assert client_creador.get(URL, {"date": other_day}).json() == []
    bad = client_creador.get(URL, {"date": "31/12/2026"})
    assert (bad.status_code, bad.json()) == (
        400,
        {"date": ["Fecha no válida: use el formato AAAA-MM-DD."]},
    )


def test_cop01_reschedule_returns_the_moved_appointment(
    client_creador, creador, techs, day, django_capture_on_commit_callbacks
):
    """COP-01: 200 with the same UID and SEQUENCE 1; the administrator gets the update."""
    _, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_creador.post(
            f"{URL}{appointment.pk}/reschedule/",
            {"start": at(day, 16).isoformat(), "technologist": techs[1].pk},
            format="json",
        )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["uid"] == appointment.ics_uid
    assert (body["sequence"], body["technologist"]) == (1, techs[1].pk)
    assert dt.datetime.fromisoformat(body["start"]) == at(day, 16)
    assert Case.objects.get(pk=body["case"]).assigned_to == techs[1]
    assert "reprogramada" in mail.outbox[0].subject


def test_cop01_reschedule_to_taken_slot_is_409_and_outside_the_agenda_400(
    client_creador, creador, techs, day
):
    """COP-01: a slot held by someone else → 409; a time outside the working hours → 400."""
    _, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))
    hold(technologist=techs[1], start=at(day, 11), by=creador)
    url = f"{URL}{appointment.pk}/reschedule/"

    taken = client_creador.post(
        url, {"start": at(day, 11).isoformat(), "technologist": techs[1].pk}, format="json"
    )
    lunch = client_creador.post(
        url, {"start": at(day, 12, 30).isoformat(), "technologist": techs[0].pk}, format="json"
    )
    nonsense = client_creador.post(url, {"start": "mañana", "technologist": "Ana"}, format="json")

    assert taken.status_code == 409
    assert taken.json() == {"detail": "Ese horario ya no está disponible: elija otro de la lista."}
    assert lunch.status_code == 400
    assert lunch.json() == {"start": ["Ese horario no está en la agenda de citas."]}
    assert nonsense.status_code == 400
    assert nonsense.json() == {
        "start": ["Fecha y hora no válidas: use el formato AAAA-MM-DDTHH:MM."],
        "technologist": ["Indique el tecnólogo por su identificador."],
    }
    appointment.refresh_from_db()
    assert (appointment.start, appointment.sequence) == (at(day, 9), 0)


def test_cop01_cancel_then_cancel_again_is_409(client_creador, creador, techs, day):
    """COP-01: 200 cancelada (SEQUENCE 1); a second cancel → 409; the case stays open."""
    case, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))

    first = client_creador.post(f"{URL}{appointment.pk}/cancel/")
    again = client_creador.post(f"{URL}{appointment.pk}/cancel/")

    assert first.status_code == 200
    assert (first.json()["status"], first.json()["sequence"]) == ("cancelada", 1)
    assert again.status_code == 409
    assert again.json() == {"detail": "Solo se puede cancelar una cita confirmada."}
    case.refresh_from_db()
    assert case.status == CaseStatus.ASIGNADO


def test_cop01_phone_solution_is_201_closed(client_creador, creador):
    """COP-01: solved on the phone: 201 with the case number, closed at once."""
    response = client_creador.post(PHONE_URL, phone_solution_payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["case"])
    assert body == {
        "number": case.number,
        "case": case.pk,
        "status": "cerrado_primer_contacto",
    }
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert CondoCase.objects.get(case=case).solved_by_phone
    refused = client_creador.post(
        PHONE_URL,
        phone_solution_payload(transaction_type="financiacion-refinanciacion"),
        format="json",
    )
    assert (refused.status_code, refused.json()) == (400, {"transaction_type": [PRESENCIAL]})
    assert Case.objects.count() == 1


OTHER_ROLES = [role for role in Role if role != Role.CREADOR]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_nfr02_cop01_other_roles_get_403_and_no_data(api_as, users, creador, techs, day, role):
    """NFR-02: every endpoint of /api/v1/copropiedad/ is the creador's; any other role gets 403
    with the Spanish message, sees no appointment and writes nothing."""
    _, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))
    held = hold(technologist=techs[0], start=at(day, 10), by=creador)
    client = api_as(users[role])
    before = counts()

    answers = [
        client.get(URL),
        client.post(URL, book_payload(held.pk), format="json"),
        client.post(
            f"{URL}{appointment.pk}/reschedule/",
            {"start": at(day, 11).isoformat(), "technologist": techs[0].pk},
            format="json",
        ),
        client.post(f"{URL}{appointment.pk}/cancel/"),
        client.post(PHONE_URL, phone_solution_payload(), format="json"),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    assert {a.json()["detail"] for a in answers} == {"Su rol no tiene acceso a este recurso."}
    assert counts() == before
    appointment.refresh_from_db()
    assert (appointment.status, appointment.sequence) == (AppointmentStatus.CONFIRMADA, 0)


def test_nfr02_anonymous_gets_401_and_missing_appointment_404(api, client_creador):
    assert api.get(URL).status_code == 401
    missing = client_creador.post(f"{URL}999999/cancel/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Cita no encontrada."})


def test_cop01_reschedule_to_a_start_at_the_edge_of_the_calendar_is_a_400(
    client_creador, creador, techs, day
):
    """A naive 9999-12-31T23:59 overflows while DRF makes it aware: a Spanish 400, not a 500,
    and the appointment stays where it was."""
    _, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))

    response = client_creador.post(
        f"{URL}{appointment.pk}/reschedule/",
        {"start": "9999-12-31T23:59", "technologist": techs[0].pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["start"][0].startswith("Fecha fuera de rango")
    appointment.refresh_from_db()
    assert (appointment.start, appointment.sequence) == (at(day, 9), 0)
