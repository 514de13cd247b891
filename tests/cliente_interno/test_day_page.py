"""CI-04 / CI-05 pages of the technologist: the day view (today's internal-client appointments
with their state, who is waiting, "Llamar turno" and "No asistió"; a fixed number of queries
whatever the rows), the room (the call as the offerer, the employee's data, the case, the
documents, "Terminar atención") and the case page's panel (the appointment, its documents,
core's constancia block). NFR-02: other roles 403, another technologist's booking 404."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cliente_interno.panels import case_page_panel
from cliente_interno.selectors import booking_for_party
from cliente_interno.services.attention import booking_call, booking_document_add, booking_finish
from core.business_days import BOGOTA
from core.models import Appointment, AppointmentStatus, Case, TurnStatus, VideoSession
from core.roles import Role
from tests.cliente_interno.helpers import check_in
from tests.helpers import PDF, make_user

pytestmark = pytest.mark.django_db

DAY_URL = "/cliente-interno/tecnologo/"


def today_at(hour: int, minutes: int = 0) -> dt.datetime:
    start = dt.datetime.combine(timezone.localdate(), dt.time(hour), tzinfo=BOGOTA)
    return start + dt.timedelta(minutes=minutes)


def room_url(booking) -> str:
    return f"/cliente-interno/tecnologo/citas/{booking.pk}/sala/"


def fresh(booking):
    return booking_for_party(user=booking.employee, pk=booking.pk)


@pytest.fixture
def tech_client(client, ci_tech):
    client.force_login(ci_tech)
    return client


@pytest.fixture
def employees(db):
    return [
        make_user(
            Role.CLIENTE_INTERNO,
            None,
            username=f"funcionario-{n}",
            first_name=name,
            last_name="Prueba",
            document_number=f"7165000{n}",
        )
        for n, name in enumerate(["Ana", "Beatriz", "Carlos", "Daniel", "Elena"])
    ]


@pytest.fixture
def day_of_five(reserved_booking, employees, ci_tech):
    """Five bookings of today, one in each state: atendida, en atención, en espera, pendiente,
    no asistió."""
    made = [
        reserved_booking(today_at(7, 30 * n), employee=employee, full_name=employee.get_full_name())
        for n, employee in enumerate(employees)
    ]
    attended, in_attention, waiting, pending, missed = (fresh(b) for b in made)
    booking_call(booking=check_in(attended), by=ci_tech)
    booking_finish(booking=fresh(attended), by=ci_tech)
    booking_call(booking=check_in(in_attention), by=ci_tech)
    check_in(waiting)
    missed.appointment.status = AppointmentStatus.NO_ASISTIO
    missed.appointment.save(update_fields=["status"])
    return {
        "atendida": attended,
        "en_atencion": in_attention,
        "en_espera": waiting,
        "pendiente": pending,
        "no_asistio": missed,
    }


def row_state(html: str, booking) -> str:
    marker = f'id="ci-booking-{booking.pk}"'
    assert marker in html, f"la cita {booking.pk} no está en la página"
    tail = html.split(marker, 1)[1]
    return tail.split('data-state="', 1)[1].split('"', 1)[0]


# --- the day view -----------------------------------------------------------------------------


def test_ci04_day_view_shows_each_appointment_with_its_state(day_of_five, tech_client):
    response = tech_client.get(DAY_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Citas de cliente interno" in html
    for state, booking in day_of_five.items():
        assert row_state(html, booking) == state
        assert booking.full_name in html
    assert "Duplicado de factura" in html
    assert "Hay 1 funcionario esperando en la sala." in html
    assert "está esperando desde las" in html
    waiting, pending = day_of_five["en_espera"], day_of_five["pendiente"]
    assert f'action="/cliente-interno/tecnologo/citas/{waiting.pk}/llamar/"' in html
    assert f'action="/cliente-interno/tecnologo/citas/{pending.pk}/no-asistio/"' in html
    assert html.count("Llamar turno") == 1
    assert html.count(">No asistió</button>") == 1
    assert room_url(day_of_five["en_atencion"]) in html
    for label in ("pendiente", "en espera", "en atención", "atendida", "no asistió"):
        assert f'<span class="ci-state">{label}</span>' in html
    # It refreshes itself on the live events (htmx).
    assert "live:ci.booking from:body" in html
    assert "live:reconnected from:body" in html
    assert "live:poll from:body" in html


def test_ci04_day_view_queries_do_not_grow_with_the_rows(
    day_of_five, tech_client, django_assert_max_num_queries
):
    """The same number of queries with 5 bookings (one in each state) as with 1."""
    with CaptureQueriesContext(connection) as five:
        assert tech_client.get(DAY_URL).status_code == 200
    # Four of them go to another technologist's day: one row left.
    other_tech = make_user(Role.TECNOLOGO, None, username="tec-ci-vacio")
    moved = [b.appointment_id for b in day_of_five.values()][1:]
    Appointment.objects.filter(pk__in=moved).update(technologist=other_tech)

    with django_assert_max_num_queries(len(five.captured_queries)) as one:
        response = tech_client.get(DAY_URL)

    assert response.content.decode().count('class="ci-booking') == 1
    assert len(one.captured_queries) == len(five.captured_queries)


def test_ci04_day_view_htmx_answers_only_the_rows(day_of_five, tech_client):
    response = tech_client.get(DAY_URL, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="ci-day-table"' in html


def test_ci04_day_view_is_empty_for_another_technologist(day_of_five, client, office):
    client.force_login(make_user(Role.TECNOLOGO, office, username="tec-ci-otro"))

    html = client.get(DAY_URL).content.decode()

    assert "No tiene citas de cliente interno para hoy." in html
    assert day_of_five["en_espera"].full_name not in html


@pytest.mark.parametrize("role", [Role.CLIENTE_INTERNO, Role.ORIENTADOR, Role.GESTOR])
def test_nfr02_day_view_is_403_for_other_roles(role, client, office):
    client.force_login(make_user(role, office, username=f"rol-{role}"))
    assert client.get(DAY_URL).status_code == 403


def test_nfr02_day_view_sends_anonymous_to_login(client):
    response = client.get(DAY_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- calling from the page, the room, finishing -------------------------------------------------


def test_ci04_llamar_turno_opens_the_room_with_the_call(
    reserved_booking, tech_client, ci_tech, employee
):
    waiting = check_in(fresh(reserved_booking(timezone.now().replace(second=0, microsecond=0))))

    response = tech_client.post(f"/cliente-interno/tecnologo/citas/{waiting.pk}/llamar/")

    assert response.status_code == 302
    assert response["Location"] == room_url(waiting)
    room = tech_client.get(room_url(waiting))
    html = room.content.decode()
    session = VideoSession.objects.get()
    case = Case.objects.get()
    assert room.status_code == 200
    assert f'data-video-session="{session.pk}"' in html
    assert 'data-video-role="offerer"' in html
    assert employee.get_full_name() in html
    assert employee.document_number in html
    assert fresh(waiting).turn.number in html
    assert f'href="/casos/{case.pk}/"' in html
    assert case.number in html
    assert "Terminar atención" in html
    assert 'id="ci-documents-panel"' in html


def test_ci04_llamar_turno_before_check_in_says_why(reserved_booking, tech_client):
    booking = reserved_booking(timezone.now().replace(second=0, microsecond=0))

    response = tech_client.post(f"/cliente-interno/tecnologo/citas/{booking.pk}/llamar/")

    assert response.status_code == 409
    assert "El funcionario aún no se ha presentado" in response.content.decode()
    assert not Case.objects.exists()


def test_ci04_double_click_on_llamar_turno_goes_to_the_room(reserved_booking, tech_client):
    waiting = check_in(fresh(reserved_booking(timezone.now().replace(second=0, microsecond=0))))
    url = f"/cliente-interno/tecnologo/citas/{waiting.pk}/llamar/"

    tech_client.post(url)
    second = tech_client.post(url)

    assert second.status_code == 302
    assert second["Location"] == room_url(waiting)
    assert Case.objects.count() == 1


def test_nfr02_room_and_call_are_404_for_another_technologist(reserved_booking, client, office):
    waiting = check_in(fresh(reserved_booking(timezone.now().replace(second=0, microsecond=0))))
    client.force_login(make_user(Role.TECNOLOGO, office, username="tec-ci-otro"))

    assert client.get(room_url(waiting)).status_code == 404
    assert client.post(f"/cliente-interno/tecnologo/citas/{waiting.pk}/llamar/").status_code == 404
    assert client.post(room_url(waiting)).status_code == 404
    assert fresh(waiting).turn.status == TurnStatus.EN_ESPERA


def test_ci05_terminar_atencion_goes_to_the_case_page_with_the_panel(
    reserved_booking, tech_client, ci_tech, employee, django_assert_max_num_queries
):
    """ "Terminar atención": the call ends, the appointment atendida; the case page shows the
    appointment, its documents and core's constancia block (a few fixed queries)."""
    waiting = check_in(fresh(reserved_booking(timezone.now().replace(second=0, microsecond=0))))
    booking_call(booking=waiting, by=ci_tech)
    booking_document_add(
        booking=fresh(waiting),
        by=employee,
        upload=SimpleUploadedFile("cedula.pdf", PDF, content_type="application/pdf"),
    )

    response = tech_client.post(room_url(waiting))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/casos/{case.pk}/"
    booking = fresh(waiting)
    assert booking.appointment.status == AppointmentStatus.ATENDIDA
    assert booking.turn.status == TurnStatus.ATENDIDO
    page = tech_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="cliente-interno-panel"' in html
    assert employee.get_full_name() in html
    assert booking.turn.number in html
    assert 'data-count="1"' in html
    assert "cedula.pdf" in html
    assert "enviado por el funcionario" in html
    assert 'id="constancia-panel"' in html
    assert 'id="authorisation-form"' in html

    request = RequestFactory().get("/")
    request.user = ci_tech
    # The booking, its documents, the constancias; core's form reads the user's roles and
    # the customer.
    with django_assert_max_num_queries(5):
        panel = case_page_panel(request, case, {})
    assert panel["booking"] == booking
    assert [d.original_name for d in panel["documents"]] == ["cedula.pdf"]


def test_ci05_room_says_the_employee_has_not_checked_in(reserved_booking, tech_client):
    booking = reserved_booking(timezone.now().replace(second=0, microsecond=0))

    html = tech_client.get(room_url(booking)).content.decode()

    assert "El funcionario aún no ha ingresado a la sala de espera." in html
    assert "data-video-session" not in html
    assert "Terminar atención" not in html


# --- "No asistió" by hand (the no-show itself is cliente_interno.services.checkin's) ------------


def test_ci04_no_asistio_by_hand_after_the_grace_period(reserved_booking, tech_client, settings):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(
        minutes=settings.CLIENTE_INTERNO_GRACE_MINUTES + 5
    )
    booking = reserved_booking(start)

    response = tech_client.post(f"/cliente-interno/tecnologo/citas/{booking.pk}/no-asistio/")

    assert response.status_code == 302
    assert response["Location"] == DAY_URL
    assert fresh(booking).appointment.status == AppointmentStatus.NO_ASISTIO
    assert "marcada como «no asistió»" in tech_client.get(DAY_URL).content.decode()
