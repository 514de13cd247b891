"""COP-01 / COP-04 / CORE-12: the creador books, moves and cancels the administrator's
appointment, or records the requirement solved on the phone (copropiedad.services)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from copropiedad import services
from copropiedad.models import CondoCase, Copropiedad
from core.exceptions import ProtocolConflict
from core.models import (
    Appointment,
    AppointmentStatus,
    Case,
    CaseStatus,
    ContactDetail,
    Customer,
    Notification,
    TransactionType,
)
from core.roles import Role
from core.selectors import workbench_cases_for_user
from tests.factories import CustomerFactory
from tests.factories.copropiedad import (
    ADMIN_EMAIL,
    CONDO_MAILBOX,
    NIT_NORMALISED,
    at,
    book,
    hold,
    requirement,
)
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

PRESENCIAL = (
    "La financiación o refinanciación solo se puede tramitar de manera presencial en cualquier "
    "oficina de atención al cliente."
)
CONTACT_LINES = "44 44 115 en Medellín y el Valle de Aburrá o 01 800 415 115 para otros municipios"


def counts() -> dict:
    return {
        "cases": Case.objects.count(),
        "customers": Customer.objects.count(),
        "copropiedades": Copropiedad.objects.count(),
        "condo_cases": CondoCase.objects.count(),
        "notifications": Notification.objects.count(),
        "confirmed": Appointment.objects.filter(status=AppointmentStatus.CONFIRMADA).count(),
    }


def test_cop01_financiacion_is_refused_and_nothing_is_written(creador, techs, day):
    """COP-01: financiación / refinanciación only in person: the procedure's message, no
    customer, case, copropiedad or e-mail, and the hold stays as it was."""
    held = hold(technologist=techs[0], start=at(day, 9), by=creador)
    before = counts()
    financiacion = TransactionType.objects.get(code="financiacion-refinanciacion")

    with pytest.raises(ValidationError) as refused:
        services.condo_appointment_book(
            hold_id=held.pk, by=creador, **requirement(transaction_type=financiacion)
        )

    assert refused.value.message_dict == {"transaction_type": [PRESENCIAL]}
    assert counts() == before
    held.refresh_from_db()
    assert (held.status, held.case_id) == (AppointmentStatus.RETENIDA, None)
    assert held.held_until > timezone.now()


def test_cop01_cop04_booking_opens_the_case_assigned_to_the_slots_technologist(
    creador, techs, tech_office, day
):
    """COP-01 / COP-04: the case is a PQR with turno DFILA, medio verbal, canal "Administradores
    de Copropiedad", the technologist's office, assigned to the slot's technologist (in their
    "Mis casos"); the appointment is confirmed and linked; the copropiedad is kept by NIT."""
    case, appointment = book(by=creador, technologist=techs[0], start=at(day, 9, 30))

    case = Case.objects.select_related("channel", "customer").get(pk=case.pk)
    assert (case.kind, case.pqr_type, case.modality) == ("PQR", "peticion", "copropiedad")
    assert (case.turn_number, case.attention_medium) == ("DFILA", "verbal")
    assert case.channel.name == "Administradores de Copropiedad"
    assert case.office == tech_office
    assert (case.assigned_to, case.status) == (techs[0], CaseStatus.ASIGNADO)
    assert case.created_by == creador
    assert case.due_date is not None  # LEG-01
    assert (case.contact_phone, case.contact_email) == ("3126667788", ADMIN_EMAIL)
    assert case.customer.full_name == "Luz Marina Cárdenas Ospina"
    assert case.customer.document_number == "43876512"
    assert case.pool_id is None
    assert list(workbench_cases_for_user(user=techs[0])) == [case]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.case_id) == (AppointmentStatus.CONFIRMADA, case.pk)
    assert appointment.start == at(day, 9, 30)
    condo = CondoCase.objects.select_related("copropiedad").get(case=case)
    assert condo.copropiedad.nit == NIT_NORMALISED
    assert condo.copropiedad.name == "Unidad Residencial Torres del Parque P.H."
    assert (condo.solved_by_phone, condo.created_by) == (False, creador)


def test_core12_confirmation_email_leaves_from_the_condo_mailbox_with_the_ics(
    creador, techs, day, django_capture_on_commit_callbacks
):
    """COP-01 / CORE-12: the administrator gets the confirmation from
    Administradorescopiedades@epm.com.co, with the case, the date and the contact lines, and the
    calendar invitation attached."""
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = book(by=creador, technologist=techs[0], start=at(day, 10))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.from_email == f"EPM Administradores de Copropiedad <{CONDO_MAILBOX}>"
    assert message.to == [ADMIN_EMAIL]
    assert case.number in message.subject
    assert "Confirmación de su cita" in message.subject
    assert f"{day.day} de" in message.body and "a las 10:00 a.m." in message.body
    assert CONTACT_LINES in message.body
    assert "Unidad Residencial Torres del Parque P.H." in message.body
    [attachment] = message.attachments
    assert attachment.get_filename() == "cita-epm.ics"
    assert b"METHOD:REQUEST" in attachment.get_payload(decode=True)
    notification = Notification.objects.get(case=case)
    assert (notification.modality, notification.status) == ("copropiedad", "enviado")
    # COP-04: the e-mails of the attention are published in the customer's expediente.
    [kept] = case.evidence.filter(kind="correo")
    assert kept.content_type == "message/rfc822"
    eml = kept.file.read()
    assert case.number.encode() in eml and ADMIN_EMAIL.encode() in eml


def test_cop01_expired_hold_is_a_conflict_and_nothing_is_written(creador, techs, day):
    """COP-01: a hold whose time ran out cannot be booked (409); no case, customer or e-mail
    is left behind."""
    stale = hold(
        technologist=techs[0],
        start=at(day, 11),
        by=creador,
        now=timezone.now() - dt.timedelta(hours=1),
    )
    before = counts()

    with pytest.raises(ProtocolConflict) as conflict:
        services.condo_appointment_book(hold_id=stale.pk, by=creador, **requirement())

    assert conflict.value.messages == [
        "La reserva del horario venció: elija de nuevo un horario libre."
    ]
    assert counts() == before


def test_cop01_another_creadors_hold_is_not_found(creador, techs, day, users, office):
    """COP-01: a creador books only their own hold (another's answers like a missing one)."""
    other = make_user(Role.CREADOR, office, username="creador-2")
    held = hold(technologist=techs[0], start=at(day, 8), by=other)

    with pytest.raises(ValidationError) as refused:
        services.condo_appointment_book(hold_id=held.pk, by=creador, **requirement())

    assert refused.value.message_dict == {"hold": ["No existe esa reserva de horario."]}


def test_cop01_invalid_fields_get_spanish_messages_and_nothing_is_written(creador, techs, day):
    """COP-01: every invalid field is named with its message; nothing is written."""
    held = hold(technologist=techs[0], start=at(day, 8, 30), by=creador)
    before = counts()

    with pytest.raises(ValidationError) as refused:
        services.condo_appointment_book(
            hold_id=held.pk,
            by=creador,
            **requirement(
                nit="900123456-7",
                copropiedad=" ",
                phone="12",
                email="no-es-correo",
                motive="",
                document_number="12AB",
            ),
        )

    assert refused.value.message_dict == {
        "nit": ["El dígito de verificación no corresponde al NIT 900123456 (es 8)."],
        "copropiedad": ["Ingrese el nombre de la copropiedad."],
        "document_number": ["La cédula de ciudadanía debe tener entre 3 y 10 dígitos."],
        "motive": ["Indique el motivo PQR (detalle)."],
        "phone": ["Ingrese un teléfono colombiano válido (celular 3xx xxx xxxx o fijo 60x)."],
        "email": ["Ingrese un correo electrónico válido."],
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("900.123.456", "900123456-8"),
        ("900123456-8", "900123456-8"),
        (" 811 045 672 ", "811045672-5"),
        ("8600123361", "8600123361-6"),
    ],
)
def test_cop01_nit_is_normalised_with_its_check_digit(typed, stored):
    """COP-01: the copropiedad's NIT, typed with dots, spaces or its check digit, is kept one
    way: digits, a hyphen and the DIAN check digit."""
    assert services.nit_normalize(typed) == stored


@pytest.mark.parametrize("typed", ["", "12345", "90012345678901", "900-123-456", "NIT900123456"])
def test_cop01_invalid_nit_is_refused_with_a_message(typed):
    with pytest.raises(ValidationError) as refused:
        services.nit_normalize(typed)
    assert refused.value.message_dict == {"nit": [services.NIT_MESSAGE]}


def test_cop01_second_booking_reuses_the_copropiedad_and_keeps_the_customer_record(
    creador, techs, day
):
    """COP-01 / CORE-03: the same NIT is the same copropiedad; a known administrator's record
    is not rewritten, the new contact data go on the case and beside the record."""
    known = CustomerFactory(document_number="43876512", mobile="3001112233", email="a@b.co")
    first, _ = book(by=creador, technologist=techs[0], start=at(day, 9))
    second, _ = book(
        by=creador, technologist=techs[1], start=at(day, 9), nit="900123456-8", copropiedad="X"
    )

    assert Copropiedad.objects.get().name == "Unidad Residencial Torres del Parque P.H."
    assert {first.customer_id, second.customer_id} == {known.pk}
    known.refresh_from_db()
    assert (known.mobile, known.email) == ("3001112233", "a@b.co")
    assert second.contact_email == ADMIN_EMAIL
    assert set(ContactDetail.objects.filter(case=second).values_list("kind", "value")) == {
        ("mobile", "3126667788"),
        ("email", ADMIN_EMAIL),
    }


def test_cop01_reschedule_moves_the_case_to_the_new_technologist(
    creador, techs, office, day, django_capture_on_commit_callbacks
):
    """COP-01 / COP-04: moving the appointment to another technologist's slot keeps the UID,
    raises the SEQUENCE, reassigns the case (and its office) to them, and e-mails the update."""
    case, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))
    uid = appointment.uid

    with django_capture_on_commit_callbacks(execute=True):
        moved = services.condo_appointment_reschedule(
            appointment=appointment, by=creador, start=at(day, 14), technologist=techs[1]
        )

    moved.refresh_from_db()
    assert (moved.uid, moved.sequence, moved.start) == (uid, 1, at(day, 14))
    assert moved.technologist == techs[1]
    case.refresh_from_db()
    assert (case.assigned_to, case.office, case.status) == (techs[1], office, "asignado")
    assert list(workbench_cases_for_user(user=techs[0])) == []
    assert list(workbench_cases_for_user(user=techs[1])) == [case]
    reasons = list(case.history.values_list("history_change_reason", flat=True))
    assert any("cita reprogramada" in (r or "") for r in reasons)
    [message] = mail.outbox
    assert "reprogramada" in message.subject
    assert "a las 2:00 p.m." in message.body
    assert message.from_email.endswith(f"<{CONDO_MAILBOX}>")


def test_cop01_reschedule_to_a_taken_slot_is_a_conflict(creador, techs, day):
    """COP-01: a slot another booking holds cannot be taken (409); the appointment stays."""
    _, appointment = book(by=creador, technologist=techs[0], start=at(day, 9))
    hold(technologist=techs[1], start=at(day, 10), by=creador)

    with pytest.raises(ProtocolConflict):
        services.condo_appointment_reschedule(
            appointment=appointment, by=creador, start=at(day, 10), technologist=techs[1]
        )

    appointment.refresh_from_db()
    assert (appointment.start, appointment.sequence) == (at(day, 9), 0)
    assert appointment.technologist == techs[0]


def test_cop01_cancel_keeps_the_case_open_and_sends_the_cancellation(
    creador, techs, day, django_capture_on_commit_callbacks
):
    """COP-01: a cancelled appointment leaves its case open and assigned, with "cita cancelada"
    in its history, and the administrator gets METHOD:CANCEL."""
    case, appointment = book(by=creador, technologist=techs[0], start=at(day, 15))

    with django_capture_on_commit_callbacks(execute=True):
        services.condo_appointment_cancel(appointment=appointment, by=creador)

    appointment.refresh_from_db()
    assert (appointment.status, appointment.sequence) == (AppointmentStatus.CANCELADA, 1)
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (CaseStatus.ASIGNADO, techs[0])
    assert case.history.first().history_change_reason.startswith("cita cancelada")
    [message] = mail.outbox
    assert "cancelada" in message.subject
    assert b"METHOD:CANCEL" in message.attachments[0].get_payload(decode=True)
    with pytest.raises(ProtocolConflict):
        services.condo_appointment_cancel(appointment=appointment, by=creador)


def test_cop01_phone_solution_closes_the_case_at_once(creador, office):
    """COP-01: solved by the Contact Center on the phone: the case is registered and closed
    "cerrado con solución en primer contacto", no appointment, the solution in the motive."""
    case = services.condo_phone_solution(
        by=creador,
        solution="Se le explicó cómo descargar el duplicado de la factura.",
        **requirement(email="", phone=""),
    )

    case = Case.objects.select_related("initial_cause", "channel").get(pk=case.pk)
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.closed_at is not None
    assert (case.turn_number, case.attention_medium) == ("DFILA", "verbal")
    assert case.channel.name == "Administradores de Copropiedad"
    assert case.office == office  # the creador's
    assert case.assigned_to is None
    assert case.initial_cause.code == "informacion-general"
    assert "Se le explicó cómo descargar el duplicado" in case.motive
    assert case.motive.startswith("Consumo de agua de las zonas comunes")
    assert CondoCase.objects.get(case=case).solved_by_phone is True
    assert not Appointment.objects.filter(case=case).exists()
    assert case.history.first().history_change_reason == (
        "cerrado con solución en primer contacto en el Contact Center"
    )


def test_cop01_phone_solution_refuses_financiacion_and_needs_the_solution(creador):
    """COP-01: financiación is refused on the phone too; a solution must be described."""
    before = counts()
    financiacion = TransactionType.objects.get(code="financiacion-refinanciacion")

    with pytest.raises(ValidationError) as refused:
        services.condo_phone_solution(
            by=creador, solution="x", **requirement(transaction_type=financiacion)
        )
    assert refused.value.message_dict == {"transaction_type": [PRESENCIAL]}
    with pytest.raises(ValidationError) as missing:
        services.condo_phone_solution(by=creador, solution="  ", **requirement())
    assert missing.value.message_dict == {"solution": ["Describa la solución dada por teléfono."]}
    assert counts() == before
