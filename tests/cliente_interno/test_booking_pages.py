"""CI-01 / CI-02 / NFR-02: the employee's booking pages through Django's test client — the start
page with "Mis citas", choosing the transaction, the day and a slot, the data step with the
held slot's countdown and both consents, the confirmation; going back, a slot taken meanwhile
or a hold expired (409 with the next free slots); who may open them."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from cliente_interno import links
from cliente_interno.models import InternalBooking
from cliente_interno.services import booking as services
from cliente_interno.views_booking import HOLD
from core.business_days import BOGOTA
from core.models import AppointmentStatus, Notification, TransactionType, Unit
from core.roles import Role
from core.services import agenda
from core.services.agenda_ics import when_text
from tests.factories import OfficeFactory
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

HOME, SLOTS = "/cliente-interno/", "/cliente-interno/agendar/"
HOLD_URL, RELEASE = "/cliente-interno/agendar/retener/", "/cliente-interno/agendar/liberar/"
RESERVE = "/cliente-interno/agendar/datos/"
CODE = "duplicado-de-factura"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BOGOTA)


def slot_post(tech, start, code=CODE) -> dict:
    return {"transaccion": code, "start": start.isoformat(), "technologist": tech.pk}


def personal_data(**overrides) -> dict:
    data = {
        "document_type": "CC",
        "document_number": "71650123",
        "full_name": "Camilo Betancur",
        "email": "camilo.betancur@epm.com.co",
        "mobile": "3104567890",
        "relation": "propietario",
        "contract_number": "",
        "property_address": "Calle 45 # 70-12",
        "motive": "",
        "terms_accepted": "on",
        "data_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def employee_client(client, employee):
    client.force_login(employee)
    return client


def test_ci01_ci02_booking_flow_end_to_end(
    employee_client, employee, ci_tech, ci_day, django_capture_on_commit_callbacks
):
    """CI-01: the transaction, the day, a slot (held), the data prefilled from the account,
    both consents, "Reservar" → the confirmation; the e-mail left; "Mis citas" lists it."""
    home = employee_client.get(HOME).content.decode()
    assert "Agendar una cita" in home and "Aún no tiene citas" in home

    first = employee_client.get(SLOTS).content.decode()
    assert "¿Qué quiere tramitar?" in first
    assert "Financiación / Refinanciación" not in first  # presencial only: not offered
    assert services.PRESENCIAL_ONLY in first
    assert 'id="slot-list"' not in first

    day_page = employee_client.get(SLOTS, {"transaccion": CODE, "fecha": ci_day.isoformat()})
    page = day_page.content.decode()
    assert day_page.status_code == 200
    assert f'value="{ci_day.isoformat()}" selected' in page
    assert page.count('class="btn btn-outline-success w-100 py-3 slot"') == 16
    assert "Diana Gómez" in page
    assert f'value="{at(ci_day, 9).isoformat()}"' in page

    held = employee_client.post(HOLD_URL, slot_post(ci_tech, at(ci_day, 9)))
    assert held.status_code == 302 and held["Location"] == RESERVE
    booking = InternalBooking.objects.select_related("appointment").get(employee=employee)
    assert booking.appointment.status == AppointmentStatus.RETENIDA

    data_page = employee_client.get(RESERVE)
    content = data_page.content.decode()
    assert data_page.status_code == 200
    seconds = int(re.search(r'data-seconds-left="(\d+)"', content).group(1))
    assert agenda.hold_minutes() * 60 - 60 < seconds <= agenda.hold_minutes() * 60
    assert 'id="hold-expired"' in content and "Elija de nuevo un horario libre" in content
    assert "Diana Gómez" in content and "Duplicado de factura" in content
    assert 'value="71650123"' in content and 'value="camilo.betancur@epm.com.co"' in content
    assert 'value="Camilo Betancur"' in content and 'value="3104567890"' in content
    assert "Términos y condiciones" in content and "Ley 1581 de 2012" in content
    assert (
        "conocer, actualizar y rectificar" in content and "responsable del tratamiento" in content
    )
    assert ">Reservar</button>" in content and ">Volver</button>" in content
    assert "js/agenda-hold.js" in content  # the countdown of the held slot (core)

    with django_capture_on_commit_callbacks(execute=True):
        reserved = employee_client.post(RESERVE, personal_data())

    assert reserved.status_code == 302
    assert reserved["Location"] == f"/cliente-interno/citas/{booking.pk}/"
    booking.refresh_from_db()
    assert booking.booked_at is not None and booking.appointment.status == "confirmada"
    assert HOLD not in employee_client.session

    confirmation = employee_client.get(reserved["Location"]).content.decode()
    assert when_text(at(ci_day, 9)) in confirmation
    assert "a las 9:00 a.m." in confirmation
    assert "Duplicado de factura" in confirmation and "Diana Gómez" in confirmation
    assert "Le enviamos un correo a <strong>camilo.betancur@epm.com.co</strong>" in confirmation
    assert "«Asistir a cita»" in confirmation
    [message] = mail.outbox
    assert message.to == ["camilo.betancur@epm.com.co"]

    listed = employee_client.get(HOME).content.decode()
    assert f'data-booking="{booking.pk}"' in listed and "confirmada" in listed
    assert "attend-link" not in listed  # not today: the link is in the e-mail


def test_ci01_wrong_day_falls_back_to_the_first_bookable_one_and_financiacion_is_refused(
    employee_client, ci_tech, ci_day
):
    page = employee_client.get(SLOTS, {"transaccion": CODE, "fecha": "2000-01-01"})
    content = page.content.decode()
    assert page.status_code == 200
    assert 'id="slots"' in content and 'name="fecha"' in content

    refused = employee_client.get(SLOTS, {"transaccion": "financiacion-refinanciacion"})
    content = refused.content.decode()
    assert "Seleccione una transacción de la lista." in content
    assert services.PRESENCIAL_ONLY in content
    assert 'id="slots"' not in content
    posted = employee_client.post(
        HOLD_URL, slot_post(ci_tech, at(ci_day, 9), code="financiacion-refinanciacion")
    )
    assert posted.status_code == 400
    assert "Seleccione la transacción que quiere tramitar." in posted.content.decode()
    edge = employee_client.post(
        HOLD_URL, {"transaccion": CODE, "start": "9999-12-31T23:59", "technologist": ci_tech.pk}
    )
    assert edge.status_code == 400
    assert agenda.NOT_IN_AGENDA in edge.content.decode()
    assert not InternalBooking.objects.exists()


def test_ci01_reserve_without_consents_shows_the_messages_and_writes_nothing(
    employee_client, ci_tech, ci_day
):
    employee_client.post(HOLD_URL, slot_post(ci_tech, at(ci_day, 9)))

    response = employee_client.post(
        RESERVE, personal_data(terms_accepted=None, data_consent=None, mobile="12")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Debe aceptar los términos y condiciones." in page
    assert "Debe autorizar el tratamiento de sus datos personales (Ley 1581 de 2012)." in page
    assert "Ingrese un celular colombiano válido (3xx xxx xxxx)." in page
    booking = InternalBooking.objects.select_related("appointment").get()
    assert booking.booked_at is None
    assert booking.appointment.status == AppointmentStatus.RETENIDA
    assert not Notification.objects.exists()


def test_ci01_volver_releases_the_hold(employee_client, ci_tech, ci_type, ci_day):
    employee_client.post(HOLD_URL, slot_post(ci_tech, at(ci_day, 10)))

    response = employee_client.post(RELEASE)

    assert response.status_code == 302
    assert response["Location"] == f"{SLOTS}?transaccion={CODE}&fecha={ci_day.isoformat()}"
    booking = InternalBooking.objects.select_related("appointment").get()
    assert booking.appointment.status == AppointmentStatus.CANCELADA
    free = agenda.agenda_free_slots(appointment_type=ci_type, day=ci_day)
    assert at(ci_day, 10) in [s.start for s in free]
    assert "Elija primero un horario libre." in employee_client.get(RESERVE).content.decode()


def test_ci01_slot_taken_meanwhile_shows_the_message_and_the_next_free_slots(
    employee_client, other_employee, ci_tech, ci_day
):
    services.booking_hold(
        employee=other_employee,
        transaction_type=TransactionType.objects.get(code=CODE),
        start=at(ci_day, 11),
        technologist=ci_tech,
    )

    response = employee_client.post(HOLD_URL, slot_post(ci_tech, at(ci_day, 11)))

    assert response.status_code == 409
    page = response.content.decode()
    assert agenda.TAKEN in page
    assert "Siguientes horarios libres" in page
    next_list = page.split('id="next-slot-list"')[1].split("</section>")[0]
    assert f'value="{at(ci_day, 11, 30).isoformat()}"' in next_list
    assert f'value="{at(ci_day, 11).isoformat()}"' not in next_list
    assert 'name="transaccion" value="duplicado-de-factura"' in next_list


def test_ci01_expired_hold_on_the_data_step_offers_the_next_free_slots(
    employee_client, employee, ci_tech, ci_day
):
    long_ago = timezone.now() - dt.timedelta(minutes=agenda.hold_minutes() + 1)
    booking = services.booking_hold(
        employee=employee,
        transaction_type=TransactionType.objects.get(code=CODE),
        start=at(ci_day, 9),
        technologist=ci_tech,
        now=long_ago,
    )
    session = employee_client.session
    session[HOLD] = booking.pk
    session.save()

    shown = employee_client.get(RESERVE)
    assert shown.status_code == 409
    assert agenda.EXPIRED in shown.content.decode()
    assert 'id="next-slot-list"' in shown.content.decode()

    session = employee_client.session
    session[HOLD] = booking.pk
    session.save()
    posted = employee_client.post(RESERVE, personal_data())
    assert posted.status_code == 409
    assert agenda.EXPIRED in posted.content.decode()
    booking.refresh_from_db()
    assert booking.booked_at is None and not Notification.objects.exists()


def test_ci02_home_lists_bookings_with_the_link_only_on_todays(
    employee_client, employee, reserved_booking, ci_day, django_assert_max_num_queries
):
    """«Asistir a cita» on today's confirmed booking only: not on a past nor a future one."""
    now = timezone.localtime(timezone.now(), BOGOTA)
    today = reserved_booking(now.replace(second=0, microsecond=0))
    past = reserved_booking(now - dt.timedelta(days=3))
    future = reserved_booking(at(ci_day, 9))

    with django_assert_max_num_queries(12) as few:
        page = employee_client.get(HOME).content.decode()
    for hour in (10, 11, 13):
        reserved_booking(at(ci_day, hour))
    with django_assert_max_num_queries(len(few.captured_queries)):
        employee_client.get(HOME)

    assert page.count("attend-link") == 1
    # Every «Asistir» link of the page opens today's booking (the tokens are signed with a
    # timestamp: compared by the booking they open, not by their text).
    prefix = links.attend_path(today).rstrip("/").rsplit("/", 1)[0]
    tokens = re.findall(rf'href="{re.escape(prefix)}/([^"/]+)/"', page)
    assert [links.booking_from_token(t) for t in tokens] == [today]
    for other in (past, future):
        assert f'data-booking="{other.pk}"' in page


ROLE_PAGES = [HOME, SLOTS, RESERVE, "/cliente-interno/citas/1/"]


@pytest.mark.parametrize("url", ROLE_PAGES)
@pytest.mark.parametrize("role", [r for r in Role if r != Role.CLIENTE_INTERNO])
def test_nfr02_booking_pages_only_for_the_employee(client, users, url, role):
    client.force_login(users[role])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")


def test_nfr02_another_employees_booking_is_404(client, other_employee, reserved_booking, ci_day):
    booking = reserved_booking(at(ci_day, 9))
    client.force_login(other_employee)

    response = client.get(f"/cliente-interno/citas/{booking.pk}/")

    assert response.status_code == 404
    assert "71650123" not in response.content.decode()
    assert client.post(HOLD_URL, {}).status_code == 400


# --- admin ------------------------------------------------------------------------------------


def test_nfr02_admin_lists_bookings_of_the_gestors_unit_read_only(
    client, users, office, reserved_booking, ci_day
):
    """NFR-02: a gestor (with admin access) sees the bookings served by their unit's
    technologists, read-only; another unit's booking does not exist for them; other staff
    roles get 403."""
    own = reserved_booking(at(ci_day, 9))
    far_tech = make_user(Role.TECNOLOGO, OfficeFactory(unit=Unit.REGIONAL), username="tec-lejos")
    far = reserved_booking(at(ci_day, 9), technologist=far_tech)
    gestor = users[Role.GESTOR]
    gestor.is_staff = True
    gestor.save(update_fields=["is_staff"])
    client.force_login(gestor)

    listing = client.get("/admin/cliente_interno/internalbooking/")
    assert listing.status_code == 200
    assert {b.pk for b in listing.context["cl"].result_list} == {own.pk}
    change = client.get(f"/admin/cliente_interno/internalbooking/{own.pk}/change/")
    assert change.status_code == 200 and "71650123" in change.content.decode()
    assert (
        client.post(f"/admin/cliente_interno/internalbooking/{own.pk}/change/", {}).status_code
        == 403
    )
    gone = client.get(f"/admin/cliente_interno/internalbooking/{far.pk}/change/")
    assert (gone.status_code, gone["Location"]) == (302, "/admin/")

    mesa = users[Role.MESA]
    mesa.is_staff = True
    mesa.save(update_fields=["is_staff"])
    assert Group.objects.filter(name=Role.MESA, user=mesa).exists()
    client.force_login(mesa)
    assert client.get("/admin/cliente_interno/internalbooking/").status_code == 403
