"""Browser: internal-client video appointments (2.8, CI-01..CI-05) end to end, on the ASGI
server (pages, API and the live websocket) in Chromium with a fake camera and microphone, and a
real Celery worker for the e-mails.

The employee (role cliente_interno) books on their pages: "Agendar una cita" → the transaction →
today → the first free slot (held, with its countdown) → the data prefilled from the account →
terms and the Ley 1581 authorisation → "Reservar" → the confirmation; the worker sends the
confirmation from the internal-client mailbox with the «Asistir a cita» link. The server's clock
(the check-in module's "now") is moved: 15 minutes before the appointment the link says when it
opens; 9 minutes before it asks for the document number (a wrong one: the message and the
attempts left; the right one: the waiting room with the CLI turn and the camera preview). The
technologist sees "está esperando" on the day view, calls the turn, and the video call connects
both ways (media flowing). Each party sends a PDF and the other one sees it. "Terminar atención"
opens the case page: the notification authorisation, the constancia really sent by the worker
from the internal-client mailbox, and the closure with first-contact solution; the case carries
the procedure's CRM fields.
"""

import datetime as dt
import re
import time

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from playwright.sync_api import expect

from cliente_interno.links import booking_from_token
from cliente_interno.models import InternalBooking
from cliente_interno.reference_data import APPOINTMENT_TYPE
from cliente_interno.services.checkin import hour_text
from config import settings as project_settings
from core.models import (
    AppointmentStatus,
    AppointmentType,
    AttentionMedium,
    CaseStatus,
    Constancia,
    Evidence,
    EvidenceKind,
    Modality,
    Notification,
    Office,
    TransactionType,
    VideoSession,
    WorkingHours,
)
from core.roles import Role
from core.services.agenda_ics import when_text
from tests.factories import OfficeFactory
from tests.helpers import (
    CONNECT_MS,
    CONNECTED,
    PDF,
    VIDEO_BYTES,
    afternoon_clock,
    make_user,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAILBOX = "clienteinternovirtual@epm.com.co"
EMPLOYEE = {
    "username": "funcionaria",
    "first_name": "Laura",
    "last_name": "Restrepo Vélez",
    "email": "laura.restrepo@epm.com.co",
    "document_number": "1037612345",
    "phone": "3104567890",
}
EMPLOYEE_NAME = "Laura Restrepo Vélez"
TECH_NAME = "Andrés Mejía"
TRANSACTION = "duplicado-de-factura"
ATTEND_PATH = re.compile(r"/cliente-interno/asistir/[^/\s]+/")
#: Video bytes received by the page's call (tests/browser/test_video_kiosk.py has the same
#: check; test modules do not import each other).


@pytest.fixture
def shared_media(settings):
    """The worker (another process) reads the attachments (.ics, constancia PDF) from its
    MEDIA_ROOT: remove what the test stored afterwards."""
    settings.MEDIA_ROOT = project_settings.MEDIA_ROOT
    yield
    names = list(Evidence.objects.values_list("file", flat=True))
    for attachments in Notification.objects.values_list("attachments", flat=True):
        names.extend(attachments)
    for name in set(names):
        if name and default_storage.exists(name):
            default_storage.delete(name)


@pytest.fixture
def scene(monkeypatch, settings):
    """The "cliente-interno" appointment type (its data migration's row; transactional tests
    flush it) served by one technologist who works every day 0:00–23:59, so that today has free
    slots, and an employee with the data the booking form is prefilled with. A national holiday
    would close the agenda today: the test pretends there is none."""
    afternoon_clock(monkeypatch)  # slots are left today whenever the suite runs (also at 11 p.m.)
    monkeypatch.setattr("core.business_days.is_holiday", lambda day: False)
    monkeypatch.setattr("core.services.agenda.is_holiday", lambda day: False)
    settings.VIDEO_ICE_TRANSPORT_POLICY = "all"
    fields = dict(APPOINTMENT_TYPE)
    appointment_type, _ = AppointmentType.objects.get_or_create(
        code=fields.pop("code"), defaults=fields
    )
    tech = make_user(
        Role.TECNOLOGO,
        OfficeFactory(name="Oficina Sabaneta"),
        username="tecnologo-ci",
        first_name="Andrés",
        last_name="Mejía",
    )
    appointment_type.technologists.add(tech)
    for weekday in range(7):
        WorkingHours.objects.create(
            technologist=tech, weekday=weekday, start=dt.time(0), end=dt.time(23, 59)
        )
    employee = make_user(Role.CLIENTE_INTERNO, None, **EMPLOYEE)
    return {"tech": tech, "employee": employee, "type": appointment_type}


class _ShiftedTimezone:
    """``django.utils.timezone`` as one module sees it, with ``now()`` moved by ``offset``
    (the clock keeps running)."""

    def __init__(self, offset: dt.timedelta):
        self.offset = offset

    def now(self) -> dt.datetime:
        return timezone.now() + self.offset

    def __getattr__(self, name):
        return getattr(timezone, name)


def server_clock_at(monkeypatch, moment: dt.datetime) -> None:
    """The server's "now" for the «Asistir a cita» link, in the modules that decide it: the
    check-in service, and the attend page, which reads the window with its own "now". The
    uvicorn server runs in a thread of this process: the patch reaches it."""
    shifted = _ShiftedTimezone(moment - timezone.now())
    for module in ("cliente_interno.services.checkin", "cliente_interno.views_checkin"):
        monkeypatch.setattr(f"{module}.timezone", shifted)


def _book_through_the_pages(page, screenshot, today: dt.date) -> str:
    """CI-01 on the employee's screen; returns the chosen slot's start (ISO)."""
    expect(page.locator("h1")).to_have_text("Citas por video con EPM")
    expect(page.locator("#no-bookings")).to_be_visible()
    screenshot(page, "cliente-interno-inicio")
    page.get_by_role("link", name="Agendar una cita").click()

    expect(page.locator("h1")).to_have_text("Agendar una cita por video")
    # Each choice reloads the page by itself (its deferred script): choose once it has run.
    page.wait_for_load_state()
    page.get_by_label("¿Qué quiere tramitar?").select_option(TRANSACTION)
    page.wait_for_url(re.compile(rf"transaccion={TRANSACTION}"))
    page.get_by_label("Día de la cita").select_option(today.isoformat())
    page.wait_for_url(re.compile(rf"fecha={today.isoformat()}"))
    first_slot = page.locator("#slot-list button.slot").first
    expect(first_slot).to_contain_text(TECH_NAME)
    start = first_slot.get_attribute("data-start")
    screenshot(page, "cliente-interno-horarios-libres")
    first_slot.click()

    expect(page.locator("h1")).to_have_text("Agendar una cita por video — sus datos")
    expect(page.locator("#hold")).to_contain_text("Horario reservado para usted")
    expect(page.locator("#chosen-transaction")).to_have_text("Duplicado de factura")
    expect(page.locator("#hold-countdown")).to_have_text(re.compile(r"^\d{1,2}:\d{2}$"))
    # Prefilled from the account.
    expect(page.get_by_label("Número de documento")).to_have_value(EMPLOYEE["document_number"])
    expect(page.get_by_label("Nombre completo")).to_have_value(EMPLOYEE_NAME)
    expect(page.get_by_label("Correo electrónico")).to_have_value(EMPLOYEE["email"])
    expect(page.get_by_label("Celular")).to_have_value(re.compile(r"310\s?456\s?7890"))
    page.get_by_label("propietario", exact=True).check()
    page.get_by_label("Acepto los términos y condiciones de la cita por video.").check()
    page.get_by_label(
        "Autorizo a EPM el tratamiento de mis datos personales (Ley 1581 de 2012)."
    ).check()
    screenshot(page, "cliente-interno-datos")
    page.get_by_role("button", name="Reservar").click()

    expect(page.locator("h1")).to_have_text("Cita reservada")
    expect(page.locator("#appointment-technologist")).to_have_text(TECH_NAME)
    expect(page.locator("#appointment-transaction")).to_have_text("Duplicado de factura")
    expect(page.locator("#email-sent")).to_contain_text(EMPLOYEE["email"])
    expect(page.locator("#email-sent")).to_contain_text("«Asistir a cita»")
    screenshot(page, "cliente-interno-cita-reservada")
    return start


def _send_document(page, path, name: str) -> None:
    page.locator("#ci-document-file").set_input_files(str(path))
    page.get_by_role("button", name="Enviar documento").click()
    expect(page.locator("#ci-documents-notice")).to_have_text(f"Documento enviado: {name}.")


def test_ci01_ci02_ci03_ci04_ci05_book_attend_by_video_and_close(
    scene,
    new_page,
    asgi_live_server,
    asgi_login,
    screenshot,
    shared_media,
    real_worker,
    monkeypatch,
    tmp_path,
):
    started = time.monotonic()
    tech, employee = scene["tech"], scene["employee"]
    base = asgi_live_server.url
    today = timezone.localdate()

    # --- CI-01: the employee books ------------------------------------------------------------
    employee_page = new_page()
    asgi_login(employee_page, EMPLOYEE["username"])
    chosen_start = _book_through_the_pages(employee_page, screenshot, today)

    booking = InternalBooking.objects.select_related("appointment", "transaction_type").get(
        employee=employee
    )
    appointment = booking.appointment
    start = appointment.start
    assert start == dt.datetime.fromisoformat(chosen_start)
    assert appointment.status == AppointmentStatus.CONFIRMADA
    assert appointment.technologist == tech
    assert booking.booked_at is not None
    assert booking.terms_accepted_at is not None and booking.data_consent_at is not None
    assert booking.transaction_type.code == TRANSACTION
    assert booking.document_number == EMPLOYEE["document_number"]
    expect(employee_page.locator("#appointment-when")).to_have_text(when_text(start))

    # --- CI-02: the confirmation e-mail, sent by the worker, carries the link ----------------
    confirmation = wait_until(
        lambda: Notification.objects.filter(
            recipient=EMPLOYEE["email"],
            subject__startswith="Confirmación",
            status=Notification.Status.SENT,
        ).first(),
        timeout=30,
        message=f"el worker no envió la confirmación:\n{real_worker['log'].read_text()[-3000:]}",
    )
    assert MAILBOX in confirmation.sender
    assert "Asistir a cita" in confirmation.body
    link = ATTEND_PATH.search(confirmation.body)
    assert link, confirmation.body
    token = link.group(0).rstrip("/").rsplit("/", 1)[1]
    assert booking_from_token(token) == booking  # signed, timestamped: it names this booking

    # 15 minutes before: the link says when it opens, no form.
    server_clock_at(monkeypatch, start - dt.timedelta(minutes=15))
    employee_page.goto(f"{base}{link.group(0)}")
    expect(employee_page.locator("h1")).to_have_text("Asistir a cita")
    early = employee_page.locator("#ci-attend-early")
    expect(early).to_contain_text(f"Su cita es el {when_text(start)}")
    expect(early).to_contain_text(
        f"El enlace se habilita a las {hour_text(start - dt.timedelta(minutes=10))}"
    )
    expect(employee_page.locator("#ci-attend-form")).to_have_count(0)
    screenshot(employee_page, "cliente-interno-enlace-temprano")

    # --- CI-03: 9 minutes before: the document number, then the waiting room ------------------
    server_clock_at(monkeypatch, start - dt.timedelta(minutes=9))
    employee_page.reload()
    form = employee_page.locator("#ci-attend-form")
    expect(form).to_be_visible()
    form.get_by_label("Número de documento").fill("98765432")
    form.get_by_role("button", name="Ingresar a la sala de espera").click()
    error = employee_page.locator("#ci-document-error")
    expect(error).to_contain_text("El número de documento no coincide con el de la reserva.")
    expect(error).to_contain_text("Le quedan 4 intentos.")
    screenshot(employee_page, "cliente-interno-documento-equivocado")

    form.get_by_label("Número de documento").fill(EMPLOYEE["document_number"])
    form.get_by_role("button", name="Ingresar a la sala de espera").click()
    expect(employee_page.locator("h1")).to_contain_text("Sala de espera — Turno CLI")
    booking.refresh_from_db()
    turn = booking.turn
    assert turn is not None and turn.number.startswith("CLI")
    assert turn.office.is_internal_client
    assert booking.checked_in_at is not None and booking.checkin_failures == 1
    expect(employee_page.locator("#ci-room-turn")).to_have_text(turn.number)
    expect(employee_page.locator("#ci-room-state")).to_have_text("En espera")
    room = employee_page.locator("#ci-room")
    expect(room).to_have_attribute("data-preview", "ok", timeout=15_000)
    expect(employee_page.locator("#ci-preview-video")).to_be_visible()
    expect(employee_page.locator("#ci-preview-status")).to_contain_text(
        "Su cámara y su micrófono funcionan."
    )
    assert employee_page.evaluate(
        "document.getElementById('ci-preview-video').srcObject.getVideoTracks().length"
    )
    screenshot(employee_page, "cliente-interno-sala-de-espera")

    # --- CI-04: the technologist sees who is waiting and calls the turn ----------------------
    tech_page = new_page()
    asgi_login(tech_page, "tecnologo-ci")
    tech_page.goto(f"{base}/cliente-interno/tecnologo/")
    expect(tech_page.locator("h1")).to_have_text("Citas de cliente interno")
    row = tech_page.locator(f"#ci-booking-{booking.pk}")
    expect(row).to_contain_text("está esperando", timeout=15_000)
    expect(row).to_contain_text(EMPLOYEE_NAME)
    expect(row).to_contain_text(turn.number)
    expect(tech_page.locator("#ci-day-waiting")).to_have_text(
        "Hay 1 funcionario esperando en la sala."
    )
    screenshot(tech_page, "cliente-interno-tecnologo-dia")
    row.get_by_role("button", name="Llamar turno").click()

    expect(tech_page.locator("h1")).to_have_text("Cita de cliente interno")
    expect(tech_page.locator("#ci-room-status")).to_have_text("en atención")
    expect(employee_page.locator("#ci-call")).to_be_visible(timeout=15_000)
    for page in (tech_page, employee_page):
        page.wait_for_function(CONNECTED, timeout=CONNECT_MS)
    for page in (tech_page, employee_page):
        page.wait_for_function(VIDEO_BYTES, timeout=CONNECT_MS, polling=250)
    expect(tech_page.locator("#video-status")).to_contain_text("Videollamada conectada.")
    expect(employee_page.locator("#ci-room-state")).to_have_text("En atención")
    expect(employee_page.locator("#ci-preview")).to_be_hidden()
    print(f"videollamada conectada a los {time.monotonic() - started:.1f} s de la prueba")
    screenshot(tech_page, "cliente-interno-tecnologo-videollamada")
    screenshot(employee_page, "cliente-interno-funcionario-videollamada")

    # --- CI-05: documents both ways ------------------------------------------------------------
    booking.appointment.refresh_from_db()
    case = booking.appointment.case
    assert case is not None
    expect(tech_page.locator("#ci-room-case")).to_have_text(case.number)
    tech_pdf = tmp_path / "recibo-tecnologo.pdf"
    tech_pdf.write_bytes(PDF)
    employee_pdf = tmp_path / "cedula-funcionaria.pdf"
    employee_pdf.write_bytes(PDF)

    _send_document(tech_page, tech_pdf, "recibo-tecnologo.pdf")
    employee_docs = employee_page.locator("#ci-documents-list li.ci-document")
    expect(employee_docs).to_have_count(1, timeout=15_000)  # live "ci.documents"
    expect(employee_docs.first).to_contain_text("recibo-tecnologo.pdf")
    expect(employee_docs.first).to_contain_text("Enviado por el tecnólogo")

    _send_document(employee_page, employee_pdf, "cedula-funcionaria.pdf")
    tech_docs = tech_page.locator("#ci-documents-list li.ci-document")
    expect(tech_docs).to_have_count(2, timeout=15_000)
    expect(tech_docs.nth(1)).to_contain_text("cedula-funcionaria.pdf")
    expect(tech_docs.nth(1)).to_contain_text("Enviado por el funcionario")
    expect(employee_docs).to_have_count(2)
    screenshot(tech_page, "cliente-interno-tecnologo-documentos")
    screenshot(employee_page, "cliente-interno-funcionario-documentos")
    assert set(
        Evidence.objects.filter(case=case, kind=EvidenceKind.OTHER).values_list(
            "original_name", "uploaded_by"
        )
    ) == {("recibo-tecnologo.pdf", tech.pk), ("cedula-funcionaria.pdf", employee.pk)}

    # "Terminar atención": the call ends on both screens; on to the case page.
    tech_page.get_by_role("button", name="Terminar atención").click()
    expect(tech_page).to_have_url(f"{base}/casos/{case.pk}/")
    expect(tech_page.get_by_text("Atención terminada.")).to_be_visible()
    expect(employee_page.locator("#video-status")).to_have_text("La videollamada terminó.")
    expect(employee_page.locator("#ci-room-state")).to_have_text("Atención terminada")
    session = VideoSession.objects.get(turn=turn)
    assert session.status == "finalizada" and session.connected_at is not None
    booking.appointment.refresh_from_db()
    assert booking.appointment.status == AppointmentStatus.ATENDIDA

    panel = tech_page.locator("#cliente-interno-panel")
    expect(panel.locator("#ci-case-employee")).to_have_text(EMPLOYEE_NAME)
    expect(panel.locator("#ci-case-status")).to_have_text("atendida")
    expect(panel.locator("#ci-case-documents")).to_have_attribute("data-count", "2")
    screenshot(tech_page, "cliente-interno-caso")

    # The notification authorisation, the constancia (sent by the worker), the closure.
    constancia_panel = tech_page.locator("#constancia-panel")
    expect(
        constancia_panel.get_by_role("button", name="Generar y enviar constancia")
    ).to_be_disabled()
    constancia_panel.locator("#autorizacion_medium_0").check()  # e-mail
    email = constancia_panel.locator("#autorizacion_email")
    if not email.input_value():
        email.fill(EMPLOYEE["email"])
    expect(email).to_have_value(EMPLOYEE["email"])
    constancia_panel.locator("#autorizacion_email_consent").check()
    constancia_panel.get_by_role("button", name="Registrar autorización").click()
    expect(tech_page.get_by_text("Autorización de notificación registrada")).to_be_visible()
    tech_page.get_by_role("button", name="Generar y enviar constancia").click()
    expect(tech_page.get_by_text("Constancia generada")).to_be_visible()
    status = tech_page.locator("#constancia-list .constancia-status")
    expect(status).to_have_text("enviado", timeout=30_000)  # the worker sent it; htmx refresh
    constancia = Constancia.objects.select_related("notification").get(case=case)
    assert MAILBOX in constancia.notification.sender
    assert constancia.notification.recipient == EMPLOYEE["email"]
    screenshot(tech_page, "cliente-interno-constancia-enviada")

    close = tech_page.locator("#close-form")
    close.locator("#id_initial_cause").select_option(index=1)
    close.get_by_role("button", name="Registrar y cerrar").click()
    expect(tech_page.get_by_text("Caso registrado y cerrado.")).to_be_visible()
    tech_page.goto(f"{base}/casos/{case.pk}/")
    expect(tech_page.get_by_role("heading", name=f"Caso {case.number}")).to_contain_text("cerrado")
    screenshot(tech_page, "cliente-interno-caso-cerrado")

    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.turn_number == turn.number
    assert case.attention_medium == AttentionMedium.VERBAL
    assert case.channel.code == "presencial"
    assert case.office == Office.objects.get(is_internal_client=True)
    assert case.office.name == "Cliente Interno"
    assert case.modality == Modality.CLIENTE_INTERNO
    assert case.assigned_to == tech
    assert TransactionType.objects.get(code=TRANSACTION) == case.transaction_type
    print(f"recorrido completo en {time.monotonic() - started:.1f} s")
