"""Browser: condo administrators (2.6, COP-01..04) end to end, with a real Celery worker.

The creador de experiencia takes the administrator's call: financiación is refused with the
presencial message; a billing claim is booked on the first free slot of today (the slot held
with a countdown while the data are typed) and the confirmation shows the case number, the
hour, the technologist and the invitation sent. The technologist's "Mis casos", with the
browser clock injected (page.clock), shows the reminder 5 minutes before the appointment and
highlights it when its time comes; on the case page the technologist logs the answered call,
uploads the recording, records the notification authorisation (e-mail with express consent),
sends the constancia — really sent by the worker, the page shows "enviado" by itself — and
closes with first-contact solution. A second test: closing before the constancia shows the
409 message on the page.
"""

import datetime as dt
import re

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from playwright.sync_api import expect

from config import settings as project_settings
from copropiedad.services import condo_appointment_book
from core.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Case,
    CaseStatus,
    Constancia,
    Evidence,
    Notification,
    TransactionType,
    WorkingHours,
)
from core.roles import Role
from core.services.agenda import agenda_free_slots, agenda_hold
from core.services.constancia import NOT_SENT_MESSAGE, case_notification_authorise
from tests.factories import OfficeFactory
from tests.helpers import MP3, TABLET, afternoon_clock, answer_call, make_user, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_EMAIL = "administracion@torresdelparque.example.com"
PRESENCIAL = "solo se puede tramitar de manera presencial"


@pytest.fixture
def shared_media(settings):
    """The worker (another process) reads the attachments from its MEDIA_ROOT, the project's:
    store them there for this test and remove what the test stored afterwards."""
    settings.MEDIA_ROOT = project_settings.MEDIA_ROOT
    yield
    names = list(Evidence.objects.values_list("file", flat=True))
    for attachments in Notification.objects.values_list("attachments", flat=True):
        names.extend(attachments)
    for name in set(names):
        if name and default_storage.exists(name):
            default_storage.delete(name)


@pytest.fixture
def agenda(monkeypatch):
    """The "copropiedad" appointment type (its data migration's row; transactional tests flush
    it) with one technologist who works every day, so that today has free slots. A national
    holiday would close the agenda today: the test pretends there is none."""
    afternoon_clock(monkeypatch)  # slots are left today whenever the suite runs (also at 11 p.m.)
    monkeypatch.setattr("core.business_days.is_holiday", lambda day: False)
    monkeypatch.setattr("core.services.agenda.is_holiday", lambda day: False)
    office = OfficeFactory(name="Oficina Envigado")
    tech = make_user(
        Role.TECNOLOGO, office, username="tecnologa", first_name="Beatriz", last_name="Gómez"
    )
    creador = make_user(
        Role.CREADOR, office, username="creadora", first_name="Camila", last_name="Ríos"
    )
    appointment_type, _ = AppointmentType.objects.get_or_create(
        code="copropiedad",
        defaults={
            "name": "Cita telefónica de administrador de copropiedad",
            "modality": "copropiedad",
            "duration_minutes": 30,
            "days_ahead": 30,
        },
    )
    appointment_type.technologists.add(tech)
    for weekday in range(7):
        WorkingHours.objects.create(
            technologist=tech, weekday=weekday, start=dt.time(0), end=dt.time(23, 59)
        )
    return {"tech": tech, "creador": creador, "type": appointment_type}


def _book_through_the_pages(page, screenshot) -> None:
    """COP-01 on the creador's screen: refused financiación, then a booking."""
    page.get_by_role("link", name="Citas de copropiedad").click()
    expect(page.locator("h1")).to_have_text("Atender llamada de administrador de copropiedad")

    page.get_by_label("Tipo de transacción").select_option(label="Financiación / Refinanciación")
    page.get_by_label("Motivo PQR (detalle)").fill("Quiere financiar la deuda de la copropiedad.")
    page.get_by_label("Agendar cita").check()
    expect(page.get_by_label("Solución dada por teléfono")).to_be_hidden()
    page.get_by_role("button", name="Continuar").click()
    expect(page.locator("#transaction-error")).to_contain_text(PRESENCIAL)
    screenshot(page, "copropiedad-financiacion-presencial")
    assert not Case.objects.exists()
    assert not Appointment.objects.exists()

    page.get_by_label("Tipo de transacción").select_option(
        label="Reclamo por consumo o producción facturado"
    )
    page.get_by_label("Tipo de PQR").select_option(label="reclamo")
    page.get_by_label("Motivo PQR (detalle)").fill(
        "Consumo de agua de las zonas comunes facturado por encima del promedio."
    )
    page.get_by_label("Agendar cita").check()
    page.get_by_role("button", name="Continuar").click()

    expect(page.locator("h1")).to_have_text("Agendar cita — horario")
    first_slot = page.locator("button.slot").first
    expect(first_slot).to_contain_text("Beatriz Gómez")
    screenshot(page, "copropiedad-horarios-libres")
    first_slot.click()

    expect(page.locator("h1")).to_have_text("Agendar cita — datos del administrador")
    expect(page.locator("#hold")).to_contain_text("Horario reservado")
    expect(page.locator("#hold-countdown")).to_have_text(re.compile(r"^\d{1,2}:\d{2}$"))
    page.get_by_label("NIT de la copropiedad").fill("900.123.456")
    page.get_by_label("Nombre de la copropiedad").fill("Unidad Residencial Torres del Parque P.H.")
    page.get_by_label("Nombre del administrador").fill("Luz Marina Cárdenas Ospina")
    page.get_by_label("Número de documento").fill("43876512")
    page.get_by_label("Teléfono (celular o fijo)").fill("312 666 7788")
    page.get_by_label("Correo electrónico").fill(ADMIN_EMAIL)
    screenshot(page, "copropiedad-datos-administrador")
    page.get_by_role("button", name="Agendar cita").click()

    expect(page.locator("h1")).to_have_text("Cita agendada")
    expect(page.locator("#invitation-sent")).to_have_text(
        f"Se envió la invitación a {ADMIN_EMAIL}."
    )
    expect(page.locator("#appointment-technologist")).to_have_text("Beatriz Gómez")
    screenshot(page, "copropiedad-cita-agendada")


def test_cop01_cop02_cop03_cop04_booking_to_closure_with_constancia(
    page,
    browser,
    live_server,
    login,
    screenshot,
    agenda,
    shared_media,
    real_worker,
    tmp_path,
    settings,
):
    settings.AGENDA_REMINDER_MINUTES = 5
    page.set_viewport_size(TABLET)
    login(page, "creadora")
    _book_through_the_pages(page, screenshot)

    appointment = Appointment.objects.select_related("case").get(
        status=AppointmentStatus.CONFIRMADA
    )
    case = appointment.case
    expect(page.locator("#case-number")).to_have_text(case.number)
    expect(page.locator("#appointment-hour")).to_contain_text(
        f"{timezone.localtime(appointment.start):%-I:%M}"
    )
    assert (case.assigned_to, case.turn_number, case.channel.name) == (
        agenda["tech"],
        "DFILA",
        "Administradores de Copropiedad",
    )
    invitation = wait_until(
        lambda: Notification.objects.filter(
            case=case, status=Notification.Status.SENT, subject__startswith="Confirmación"
        ).first(),
        timeout=30,
        message=f"el worker no envió la invitación:\n{real_worker['log'].read_text()[-3000:]}",
    )
    assert invitation.sender.endswith("Administradorescopiedades@epm.com.co>") or (
        invitation.sender == "Administradorescopiedades@epm.com.co"
    )

    # The technologist, in another browser, with the clock 6 minutes before the appointment.
    context = browser.new_context(locale="es-CO", timezone_id="America/Bogota", viewport=TABLET)
    tech_page = context.new_page()
    tech_page.clock.install(time=appointment.start - dt.timedelta(minutes=6))
    login(tech_page, "tecnologa")
    expect(tech_page.get_by_role("heading", name="Mis casos")).to_be_visible()
    row = tech_page.locator(f'tr[data-appointment="{appointment.pk}"]')
    expect(tech_page.get_by_role("heading", name="Citas de hoy")).to_be_visible()
    expect(row).to_contain_text("Luz Marina Cárdenas Ospina")
    expect(row.get_by_role("link", name=case.number)).to_be_visible()
    expect(tech_page.locator("#agenda-reminder")).to_be_hidden()

    tech_page.clock.fast_forward("01:30")  # 4.5 minutes before: the 5-minute reminder
    reminder = tech_page.locator("#agenda-reminder")
    expect(reminder).to_be_visible()
    expect(reminder).to_contain_text("empieza en 5 minutos")
    expect(reminder).to_contain_text("Luz Marina Cárdenas Ospina")
    expect(row.locator(".appointment-now")).to_be_hidden()
    screenshot(tech_page, "copropiedad-mis-casos-recordatorio")

    tech_page.clock.fast_forward("04:40")  # its time has come
    expect(row.locator(".appointment-now")).to_be_visible()
    expect(row.locator(".appointment-now")).to_have_text("Es la hora de la cita")
    expect(row).to_have_class(re.compile(r"\btable-warning\b"))
    expect(reminder).to_be_hidden()
    screenshot(tech_page, "copropiedad-mis-casos-hora-de-la-cita")

    # The case page: the call, the recording, the authorisation, the constancia, the closure.
    row.get_by_role("link", name=case.number).click()
    expect(tech_page.locator("#copropiedad-panel")).to_contain_text(
        "Unidad Residencial Torres del Parque P.H."
    )
    expect(tech_page.locator("#case-appointment-status")).to_have_text("confirmada")
    tech_page.get_by_role("button", name="Contestó").click()
    expect(tech_page.get_by_text("Intento 1 registrado: contestó.")).to_be_visible()

    recording = tmp_path / "llamada-administrador.mp3"
    recording.write_bytes(MP3)
    tech_page.locator("#id_kind").select_option("grabacion_llamada")
    tech_page.locator("#id_file").set_input_files(str(recording))
    tech_page.get_by_role("button", name="Cargar evidencia").click()
    expect(tech_page.get_by_text("Evidencia cargada en el expediente.")).to_be_visible()

    panel = tech_page.locator("#constancia-panel")
    expect(panel.get_by_role("button", name="Generar y enviar constancia")).to_be_disabled()
    panel.locator("#autorizacion_medium_0").check()  # e-mail, the procedure's first choice
    expect(panel.locator("#autorizacion_email")).to_have_value(ADMIN_EMAIL)
    panel.locator("#autorizacion_email_consent").check()
    panel.get_by_role("button", name="Registrar autorización").click()
    expect(tech_page.get_by_text("Autorización de notificación registrada")).to_be_visible()
    expect(tech_page.locator("#notification-warning")).to_contain_text(
        "no informe la respuesta durante la llamada"
    )
    screenshot(tech_page, "copropiedad-autorizacion-registrada")

    tech_page.get_by_role("button", name="Generar y enviar constancia").click()
    expect(tech_page.get_by_text("Constancia generada")).to_be_visible()
    status = tech_page.locator("#constancia-list .constancia-status")
    expect(status).to_have_text("enviado", timeout=30_000)  # the worker sent it; htmx refresh
    constancia = Constancia.objects.select_related("notification").get(case=case)
    assert constancia.notification.sender.endswith("Administradorescopiedades@epm.com.co>") or (
        constancia.notification.sender == "Administradorescopiedades@epm.com.co"
    )
    pdf_link = tech_page.locator("#constancia-list a").first
    expect(pdf_link).to_have_attribute(
        "href", f"/evidencias/{constancia.evidence_id}/descargar/?ver=1"
    )
    screenshot(tech_page, "copropiedad-constancia-enviada")

    close = tech_page.locator("#close-form")
    close.locator("#id_initial_cause").select_option(index=1)
    # The close form shows the authorisation recorded before the constancia (not blanks that
    # would erase it): the technologist closes without typing it again.
    expect(close.locator("#id_notification_medium")).to_have_value("email")
    expect(close.locator("#id_notification_email")).to_have_value(ADMIN_EMAIL)
    expect(close.locator("#id_notification_email_consent")).to_be_checked()
    close.get_by_role("button", name="Registrar y cerrar").click()
    expect(tech_page.get_by_text("Caso registrado y cerrado.")).to_be_visible()

    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    tech_page.goto(f"{live_server.url}/casos/{case.pk}/")
    expect(tech_page.get_by_role("heading", name=f"Caso {case.number}")).to_contain_text("cerrado")
    screenshot(tech_page, "copropiedad-caso-cerrado")
    context.close()


def test_cop03_closing_before_the_constancia_shows_the_409_message(
    page, live_server, login, screenshot, agenda
):
    tech, creador = agenda["tech"], agenda["creador"]
    slot = agenda_free_slots(appointment_type=agenda["type"], day=timezone.localdate())[0]
    held = agenda_hold(
        appointment_type=agenda["type"], start=slot.start, technologist=tech, by=creador
    )
    case, _ = condo_appointment_book(
        hold_id=held.pk,
        by=creador,
        nit="900123456",
        copropiedad="Edificio Los Almendros P.H.",
        full_name="Jorge Iván Restrepo",
        document_type="CC",
        document_number="71234567",
        phone="3105554433",
        email=ADMIN_EMAIL,
        transaction_type=TransactionType.objects.get(code="reclamo-facturacion"),
        motive="Cobro de alumbrado de zonas comunes no reconocido.",
    )
    answer_call(case, tech)
    case_notification_authorise(
        case=case, by=tech, medium="email", email=ADMIN_EMAIL, email_consent=True
    )

    page.set_viewport_size(TABLET)
    login(page, "tecnologa")
    page.goto(f"{live_server.url}/casos/{case.pk}/")
    close = page.locator("#close-form")
    close.locator("#id_initial_cause").select_option(index=1)
    close.get_by_role("button", name="Registrar y cerrar").click()

    expect(page.locator("#close-form .alert-danger")).to_contain_text(NOT_SENT_MESSAGE)
    screenshot(page, "copropiedad-cierre-sin-constancia")
    case.refresh_from_db()
    assert not case.is_closed
