"""Pages of condo administrators (2.6, COP-01..03) and their core pieces (issue 13): the
creador's booking pages, the technologist's "Citas de hoy" in Mis casos, the case page's
appointment, notification authorisation (CORE-13) and constancia panel."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.template.defaultfilters import time as time_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from copropiedad.models import CondoCase, Copropiedad
from copropiedad.services import PRESENCIAL_ONLY
from copropiedad.views import DRAFT
from core.models import (
    Appointment,
    AppointmentStatus,
    Case,
    CaseStatus,
    Constancia,
    Customer,
    InitialCause,
    Notification,
    TransactionType,
)
from core.roles import Role
from core.services.agenda import EXPIRED, TAKEN
from core.services.constancia import NOT_SENT_MESSAGE
from core.services.messaging import notification_send
from tests.factories import CustomerFactory, make_case
from tests.factories.copropiedad import ADMIN_EMAIL, at, book, hold
from tests.helpers import afternoon_clock, answer_call, make_user

pytestmark = pytest.mark.django_db

ADMINISTRATOR = {
    "nit": "900.123.456",
    "copropiedad": "Unidad Residencial Torres del Parque P.H.",
    "full_name": "Luz Marina Cárdenas Ospina",
    "document_type": "CC",
    "document_number": "43876512",
    "phone": "3126667788",
    "email": ADMIN_EMAIL,
}


def _transaction(code: str) -> TransactionType:
    return TransactionType.objects.get(code=code)


def _requirement(resolution: str, code: str = "reclamo-facturacion", **extra) -> dict:
    return {
        "transaction_type": _transaction(code).pk,
        "pqr_type": "reclamo",
        "motive": "Consumo de agua de las zonas comunes facturado por encima del promedio.",
        "resolution": resolution,
        **extra,
    }


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Case, Customer, Appointment, Notification, Copropiedad, CondoCase)
    }


def _local_time(moment) -> str:
    with translation.override("es-co"):
        return time_filter(timezone.localtime(moment), "g:i a")


@pytest.fixture
def creador_client(client, creador):
    client.force_login(creador)
    return client


# --- step 1 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{"resolution": "agendar"}, {"resolution": "telefono", "solution": "Se explicó el trámite."}],
)
def test_cop01_financiacion_refused_on_the_page_and_nothing_written(
    creador_client, appointment_type, extra
):
    """COP-01: financiación / refinanciación → the presencial message, no slot offered, nothing
    written (not even the draft of the call)."""
    before = _counts()

    response = creador_client.post(
        "/copropiedad/", {**_requirement("", code="financiacion-refinanciacion"), **extra}
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert PRESENCIAL_ONLY in content
    assert 'id="transaction-error"' in content
    assert _counts() == before
    assert DRAFT not in creador_client.session
    assert creador_client.get("/copropiedad/agenda/").status_code == 302  # no step 2


def test_cop01_step_one_needs_motive_and_how_it_is_attended(creador_client, appointment_type):
    """COP-01: the motive and the choice (by phone / appointment) are asked in Spanish."""
    response = creador_client.post(
        "/copropiedad/", {"transaction_type": _transaction("reclamo-facturacion").pk}
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Indique el motivo PQR (detalle)." in content
    assert "Indique si se resuelve por teléfono o se agenda una cita." in content
    phone = creador_client.post("/copropiedad/", _requirement("telefono"))
    assert phone.status_code == 400
    assert "Describa la solución dada por teléfono." in phone.content.decode()


def test_cop01_phone_solution_closes_the_case_and_shows_its_number(
    creador_client, creador, appointment_type
):
    """COP-01: solved by phone → the administrator's data → a case closed at once, no
    appointment; the confirmation page shows the case number."""
    step1 = creador_client.post(
        "/copropiedad/",
        _requirement("telefono", solution="Se le explicó cómo consultar la factura en línea."),
    )
    assert step1.status_code == 302
    assert step1["Location"] == "/copropiedad/datos/"
    page = creador_client.get("/copropiedad/datos/").content.decode()
    assert "Resuelto por teléfono — datos del administrador" in page
    assert "Registrar y cerrar el caso" in page

    response = creador_client.post("/copropiedad/datos/", ADMINISTRATOR, follow=True)

    case = Case.objects.get(created_by=creador)
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.condo.solved_by_phone
    assert not Appointment.objects.filter(case=case).exists()
    assert response.redirect_chain[-1] == (f"/copropiedad/casos/{case.pk}/", 302)
    content = response.content.decode()
    assert case.number in content
    assert "Resuelto por teléfono en el Contact Center" in content
    assert DRAFT not in creador_client.session


def test_cop01_administrator_data_errors_are_shown_in_spanish(creador_client, appointment_type):
    """COP-01: a bad NIT or e-mail → the services' Spanish messages next to the fields,
    nothing written."""
    creador_client.post("/copropiedad/", _requirement("telefono", solution="Explicado."))
    before = _counts()

    response = creador_client.post(
        "/copropiedad/datos/", {**ADMINISTRATOR, "nit": "12", "email": "no-es-correo"}
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert 'data-error-for="nit"' in content
    assert 'data-error-for="email"' in content
    assert "NIT" in content
    assert _counts() == before


# --- steps 2 and 3: the slot and the booking ------------------------------------------------


def _slot_buttons(content: str) -> list[tuple[str, str]]:
    return re.findall(r'data-start="([^"]+)" data-technologist="(\d+)"', content)


def test_cop01_booking_holds_the_slot_and_confirms_with_the_invitation(
    creador_client, creador, appointment_type, techs, day
):
    """COP-01: requirement → the day's free slots → a slot held (countdown to its expiry) →
    the administrator's data → the case with its appointment: number, day and hour in Bogotá,
    technologist, "Se envió la invitación a <email>"."""
    ana = techs[0]
    step1 = creador_client.post("/copropiedad/", _requirement("agendar"))
    assert step1["Location"] == "/copropiedad/agenda/"

    slots = creador_client.get(f"/copropiedad/agenda/?fecha={day.isoformat()}")
    assert slots.status_code == 200
    buttons = _slot_buttons(slots.content.decode())
    start = at(day, 7)
    assert (start.isoformat(), str(ana.pk)) in buttons
    assert 'hx-get="/copropiedad/agenda/"' in slots.content.decode()  # the day picker
    partial = creador_client.get(
        f"/copropiedad/agenda/?fecha={day.isoformat()}", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial
    assert _slot_buttons(partial) == buttons

    held = creador_client.post(
        "/copropiedad/agenda/reservar/",
        {"start": start.isoformat(), "technologist": ana.pk, "fecha": day.isoformat()},
    )
    assert held.status_code == 302
    assert held["Location"] == "/copropiedad/datos/"
    hold_row = Appointment.objects.get(created_by=creador, status=AppointmentStatus.RETENIDA)
    assert (hold_row.start, hold_row.technologist) == (start, ana)
    step3 = creador_client.get("/copropiedad/datos/").content.decode()
    assert f'data-expires-at="{timezone.localtime(hold_row.held_until).isoformat()}"' in step3
    assert "Horario reservado" in step3

    response = creador_client.post("/copropiedad/datos/", ADMINISTRATOR, follow=True)

    appointment = Appointment.objects.get(pk=hold_row.pk)
    assert appointment.status == AppointmentStatus.CONFIRMADA
    case = appointment.case
    assert case.assigned_to == ana
    assert response.redirect_chain[-1] == (f"/copropiedad/casos/{case.pk}/", 302)
    content = response.content.decode()
    assert case.number in content
    assert "Cita agendada" in content
    assert _local_time(start) in content
    assert "Ana Mejía" in content
    assert f"Se envió la invitación a {ADMIN_EMAIL}." in content
    assert DRAFT not in creador_client.session


def test_cop01_slot_taken_meanwhile_shows_message_and_refreshed_list(
    creador_client, appointment_type, techs, day, office
):
    """COP-01: the slot another creador held a moment ago → 409, the Spanish message and the
    list without that slot; no hold written for this call."""
    ana = techs[0]
    other = make_user(Role.CREADOR, office, username="otro-creador")
    start = at(day, 8)
    hold(technologist=ana, start=start, by=other)
    creador_client.post("/copropiedad/", _requirement("agendar"))

    response = creador_client.post(
        "/copropiedad/agenda/reservar/",
        {"start": start.isoformat(), "technologist": ana.pk, "fecha": day.isoformat()},
    )

    assert response.status_code == 409
    content = response.content.decode()
    assert TAKEN in content
    buttons = _slot_buttons(content)
    assert (start.isoformat(), str(ana.pk)) not in buttons
    assert (start.isoformat(), str(techs[1].pk)) in buttons  # the same hour with Bruno
    assert Appointment.objects.filter(status=AppointmentStatus.RETENIDA).count() == 1


def test_cop01_expired_hold_at_booking_returns_to_the_slots(
    creador_client, creador, appointment_type, techs, day
):
    """COP-01: the hold ran out while the data were typed → the slots again with the Spanish
    message (409); no case, no customer."""
    start = at(day, 9)
    creador_client.post("/copropiedad/", _requirement("agendar"))
    creador_client.post(
        "/copropiedad/agenda/reservar/", {"start": start.isoformat(), "technologist": techs[0].pk}
    )
    Appointment.objects.filter(created_by=creador).update(
        held_until=timezone.now() - dt.timedelta(seconds=1)
    )
    before = _counts()

    response = creador_client.post("/copropiedad/datos/", ADMINISTRATOR)

    assert response.status_code == 409
    assert EXPIRED in response.content.decode()
    assert _counts() == before


def test_cop01_choosing_another_slot_releases_the_held_one(
    creador_client, creador, appointment_type, techs, day
):
    """COP-01: "Elegir otro horario" gives the held slot back to the agenda."""
    start = at(day, 10)
    creador_client.post("/copropiedad/", _requirement("agendar"))
    creador_client.post(
        "/copropiedad/agenda/reservar/", {"start": start.isoformat(), "technologist": techs[0].pk}
    )

    response = creador_client.post("/copropiedad/agenda/liberar/")

    assert response["Location"] == "/copropiedad/agenda/"
    assert Appointment.objects.get(created_by=creador).status == AppointmentStatus.CANCELADA
    slots = creador_client.get(f"/copropiedad/agenda/?fecha={day.isoformat()}").content.decode()
    assert (start.isoformat(), str(techs[0].pk)) in _slot_buttons(slots)


# --- the day's appointments: reschedule and cancel ------------------------------------------


def test_cop01_day_list_reschedule_and_cancel(
    creador_client, creador, appointment_type, techs, day
):
    """COP-01: the day's appointments with Reprogramar (another free slot: same UID, SEQUENCE
    + 1) and Cancelar (after a confirmation page)."""
    ana, bruno = techs
    case, appointment = book(by=creador, technologist=ana, start=at(day, 7))
    listing = creador_client.get(f"/copropiedad/citas/?fecha={day.isoformat()}").content.decode()
    assert case.number in listing
    assert f"/copropiedad/citas/{appointment.pk}/reprogramar/" in listing
    assert f"/copropiedad/citas/{appointment.pk}/cancelar/" in listing

    page = creador_client.get(
        f"/copropiedad/citas/{appointment.pk}/reprogramar/?fecha={day.isoformat()}"
    ).content.decode()
    new_start = at(day, 14)
    assert (new_start.isoformat(), str(bruno.pk)) in _slot_buttons(page)
    moved = creador_client.post(
        f"/copropiedad/citas/{appointment.pk}/reprogramar/",
        {"start": new_start.isoformat(), "technologist": bruno.pk},
        follow=True,
    )
    appointment.refresh_from_db()
    assert (appointment.start, appointment.technologist, appointment.sequence) == (
        new_start,
        bruno,
        1,
    )
    assert f"Cita del caso {case.number} reprogramada" in moved.content.decode()

    confirm = creador_client.get(f"/copropiedad/citas/{appointment.pk}/cancelar/")
    assert "¿Cancelar esta cita?" in confirm.content.decode()
    assert appointment.status == AppointmentStatus.CONFIRMADA  # the GET changes nothing
    cancelled = creador_client.post(f"/copropiedad/citas/{appointment.pk}/cancelar/", follow=True)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELADA
    assert f"Cita del caso {case.number} cancelada." in cancelled.content.decode()
    again = creador_client.post(f"/copropiedad/citas/{appointment.pk}/cancelar/")
    assert again.status_code == 409
    assert "Solo se puede cancelar una cita confirmada." in again.content.decode()


def test_cop01_day_list_has_constant_queries(creador_client, creador, appointment_type, techs, day):
    """COP-01: the day's list costs the same queries with one appointment or four."""
    book(by=creador, technologist=techs[0], start=at(day, 7))
    url = f"/copropiedad/citas/?fecha={day.isoformat()}"
    with CaptureQueriesContext(connection) as one:
        assert creador_client.get(url).status_code == 200
    for hour in (8, 9, 10):
        book(
            by=creador, technologist=techs[1], start=at(day, hour), document_number=f"4387651{hour}"
        )
    with CaptureQueriesContext(connection) as four:
        content = creador_client.get(url).content.decode()
    assert content.count("data-appointment=") == 4
    assert len(four) == len(one)


# --- roles ------------------------------------------------------------------------------------

CREADOR_PAGES = [
    "/copropiedad/",
    "/copropiedad/agenda/",
    "/copropiedad/datos/",
    "/copropiedad/citas/",
]


@pytest.mark.parametrize("url", CREADOR_PAGES)
@pytest.mark.parametrize("role", [r for r in Role if r != Role.CREADOR])
def test_cop01_booking_pages_only_for_the_creador(client, users, url, role):
    """COP-01 / NFR-02: the technologist (and every other role) gets 403 on the creador's
    pages; anonymous goes to the login."""
    client.force_login(users[role])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")


# --- Mis casos: today's appointments ----------------------------------------------------------


def _todays_appointment(tech, appointment_type, *, start, name="Luz Marina Cárdenas", length=30):
    case = make_case(
        customer=CustomerFactory(full_name=name),
        channel="administradores-copropiedad",
        assigned_to=tech,
        status=CaseStatus.ASIGNADO,
    )
    return Appointment.objects.create(
        type=appointment_type,
        technologist=tech,
        start=start,
        end=start + dt.timedelta(minutes=length),
        status=AppointmentStatus.CONFIRMADA,
        case=case,
    )


@pytest.fixture
def afternoon(monkeypatch):
    """The clock at 3 p.m. in Bogotá today, so that "now ± 40 minutes" is today whenever the
    suite runs (the block lists today's appointments)."""
    return afternoon_clock(monkeypatch)


def _at_now(minutes: int):
    """Now plus ``minutes`` (with the ``afternoon`` clock: today in Bogotá)."""
    moment = timezone.localtime() + dt.timedelta(minutes=minutes)
    assert moment.date() == timezone.localdate(), "use the afternoon fixture"
    return moment.replace(second=0, microsecond=0)


def test_cop02_workbench_shows_todays_appointments_and_the_one_due_now(
    client, techs, appointment_type, settings, afternoon
):
    """COP-02 / issue 13: "Citas de hoy" in Mis casos: hour, customer, type and case link; the
    appointment whose time has come is highlighted; the reminder minutes and ISO starts feed
    static/js/agenda-reminder.js."""
    settings.AGENDA_REMINDER_MINUTES = 7
    ana = techs[0]
    due = _todays_appointment(ana, appointment_type, start=_at_now(-5), name="Cliente En Curso")
    later = _todays_appointment(ana, appointment_type, start=_at_now(40), name="Cliente Después")
    client.force_login(ana)

    content = client.get("/casos/mis-casos/").content.decode()

    assert "Citas de hoy" in content
    assert 'data-reminder-minutes="7"' in content
    assert "js/agenda-reminder.js" in content
    rows = dict(re.findall(r'<tr class="appointment([^"]*)"\s+data-appointment="(\d+)"', content))
    rows = {int(pk): classes for classes, pk in rows.items()}
    assert "table-warning" in rows[due.pk]
    assert "table-warning" not in rows[later.pk]
    for appointment in (due, later):
        assert f'data-start="{timezone.localtime(appointment.start).isoformat()}"' in content
        assert f'href="/casos/{appointment.case_id}/"' in content
        assert appointment.case.number in content
    assert "Cliente En Curso" in content and "Cliente Después" in content
    assert appointment_type.name in content
    assert content.count("Es la hora de la cita") == 2  # one badge per row, shown on the due one
    assert re.search(r'appointment-now">Es la hora de la cita', content)


def test_cop02_workbench_without_appointments_has_no_block(client, tecnologo):
    """Issue 13: a technologist with no appointment today sees Mis casos as before."""
    client.force_login(tecnologo)
    content = client.get("/casos/mis-casos/").content.decode()
    assert "Citas de hoy" not in content
    assert "agenda-reminder.js" not in content


def test_cop02_workbench_queries_do_not_grow_with_appointments(
    client, techs, appointment_type, afternoon
):
    """Issue 13: Mis casos costs the same queries with one appointment today or four."""
    ana = techs[0]
    _todays_appointment(ana, appointment_type, start=_at_now(1), length=5)
    client.force_login(ana)
    with CaptureQueriesContext(connection) as one:
        client.get("/casos/mis-casos/")
    for minutes in (6, 11, 16):
        _todays_appointment(ana, appointment_type, start=_at_now(minutes), length=5)
    with CaptureQueriesContext(connection) as four:
        content = client.get("/casos/mis-casos/").content.decode()
    assert content.count("data-appointment=") == 4
    assert len(four) == len(one)


# --- the case page: appointment, authorisation and constancia -------------------------------


@pytest.fixture
def booked(creador, techs, appointment_type, day):
    case, appointment = book(by=creador, technologist=techs[0], start=at(day, 7))
    return case, appointment


def test_cop03_case_page_shows_appointment_and_authorisation_panel(client, booked, techs):
    """COP-02 / COP-03: the condo case's page shows the copropiedad, the appointment (day,
    hour, status) and the notification authorisation form; the constancia waits for it."""
    case, appointment = booked
    client.force_login(techs[0])

    content = client.get(f"/casos/{case.pk}/").content.decode()

    assert 'id="copropiedad-panel"' in content
    assert "Unidad Residencial Torres del Parque P.H." in content
    assert _local_time(appointment.start) in content
    assert "confirmada" in content
    assert f'action="/casos/{case.pk}/autorizacion-notificacion/"' in content
    assert "no informe la respuesta durante la llamada" in content
    assert "Generar y enviar constancia" in content
    assert "Registre primero la autorización de notificación." in content
    assert ADMIN_EMAIL in content  # the authorisation form starts with the contact e-mail


def test_core13_authorisation_recorded_by_the_assigned_technologist(client, booked, techs):
    """CORE-13: e-mail without express consent → 400 with the message, nothing stored; with
    consent → recorded, the page warns not to give the answer during the call."""
    case, _ = booked
    client.force_login(techs[0])
    url = f"/casos/{case.pk}/autorizacion-notificacion/"

    refused = client.post(url, {"medium": "email", "email": ADMIN_EMAIL})
    assert refused.status_code == 400
    assert "autorización expresa" in refused.content.decode()
    case.refresh_from_db()
    assert case.notification_medium == ""

    response = client.post(
        url, {"medium": "email", "email": ADMIN_EMAIL, "email_consent": "on"}, follow=True
    )

    case.refresh_from_db()
    assert (case.notification_medium, case.notification_email) == ("email", ADMIN_EMAIL)
    assert case.notification_email_consent
    content = response.content.decode()
    assert "Autorización de notificación registrada" in content
    assert "no informe la respuesta durante la llamada" in content


def test_core13_sms_then_address_in_the_procedure_order(client, booked, techs):
    """CORE-13: without e-mail, a mobile for the SMS citation; without mobile, an address."""
    case, _ = booked
    client.force_login(techs[0])
    url = f"/casos/{case.pk}/autorizacion-notificacion/"
    missing = client.post(url, {"medium": "sms"})
    assert missing.status_code == 400
    assert "Ingrese el celular para la citación por SMS." in missing.content.decode()
    client.post(url, {"medium": "direccion", "address": "Calle 10 # 43-12, Medellín"})
    case.refresh_from_db()
    assert (case.notification_medium, case.notification_address) == (
        "direccion",
        "Calle 10 # 43-12, Medellín",
    )


@pytest.mark.parametrize(("who", "status"), [("other_tech", 404), ("gestor", 403)])
def test_core13_cop03_only_the_assigned_technologist_posts(
    client, booked, users, office, who, status
):
    """CORE-13 / COP-03: another technologist gets 404 and another role 403 on both posts;
    nothing changes."""
    case, _ = booked
    user = (
        make_user(Role.TECNOLOGO, office, username="otra-tecnologa")
        if who == "other_tech"
        else users[Role.GESTOR]
    )
    client.force_login(user)
    body = {"medium": "email", "email": ADMIN_EMAIL, "email_consent": "on"}

    assert client.post(f"/casos/{case.pk}/autorizacion-notificacion/", body).status_code == status
    assert client.post(f"/casos/{case.pk}/constancia/").status_code == status

    case.refresh_from_db()
    assert case.notification_medium == ""
    assert not Constancia.objects.filter(case=case).exists()


def test_cop03_constancia_sent_from_the_panel_and_listed(client, booked, techs):
    """COP-03: "Generar y enviar constancia" → the PDF in the expediente and the e-mail queued;
    the panel lists it with its PDF link and status (pendiente, then enviado)."""
    case, _ = booked
    client.force_login(techs[0])
    no_medium = client.post(f"/casos/{case.pk}/constancia/")
    assert no_medium.status_code == 400
    assert "Registre primero el medio autorizado de notificación" in no_medium.content.decode()
    client.post(
        f"/casos/{case.pk}/autorizacion-notificacion/",
        {"medium": "email", "email": ADMIN_EMAIL, "email_consent": "on"},
    )

    response = client.post(f"/casos/{case.pk}/constancia/", follow=True)

    constancia = Constancia.objects.get(case=case)
    content = response.content.decode()
    assert f"/evidencias/{constancia.evidence_id}/descargar/" in content
    assert "Constancia generada" in content
    listing = client.get(f"/casos/{case.pk}/constancia/").content.decode()
    assert 'id="constancia-list"' in listing
    assert "pendiente" in listing
    assert 'hx-trigger="every 2s"' in listing  # refreshes itself while the e-mail waits

    notification_send(notification_id=constancia.notification_id)
    listing = client.get(f"/casos/{case.pk}/constancia/").content.decode()
    assert "enviado" in listing
    assert "hx-trigger" not in listing


def test_cop03_close_refused_on_the_page_until_the_constancia_was_sent(client, booked, techs):
    """COP-03: closing with first-contact solution before the constancia → the Spanish
    message on the page and the case still open."""
    case, _ = booked
    tech = techs[0]
    answer_call(case, tech)
    client.force_login(tech)
    client.post(
        f"/casos/{case.pk}/autorizacion-notificacion/",
        {"medium": "email", "email": ADMIN_EMAIL, "email_consent": "on"},
    )
    case.refresh_from_db()

    response = client.post(
        f"/casos/{case.pk}/cerrar/",
        {
            "outcome": "primer_contacto",
            "turn_number": case.turn_number,
            "attention_medium": case.attention_medium,
            "channel": case.channel_id,
            "office": case.office_id,
            "initial_cause": InitialCause.objects.filter(active=True).first().pk,
            "motive": case.motive,
            "notification_medium": "email",
            "notification_email": ADMIN_EMAIL,
            "notification_email_consent": "on",
        },
    )

    assert response.status_code == 400
    assert NOT_SENT_MESSAGE in response.content.decode()
    case.refresh_from_db()
    assert not case.is_closed
