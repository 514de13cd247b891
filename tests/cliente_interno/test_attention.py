"""CI-04 / CI-05, the services of the attention: the technologist calls the checked-in
employee's turn (the CRM case with the modality's fields, the video call ringing with the
employee as the attendee), a double click opens one case and one call, "Terminar atención"
ends the call, the turn and the appointment; the constancia leaves the internal-client mailbox
and the PQR is not closed before it was sent."""

import datetime as dt
from email.utils import parseaddr

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from cliente_interno.reference_data import MAILBOX_NOTICE
from cliente_interno.selectors import booking_for_party
from cliente_interno.services.attention import (
    NOT_CHECKED_IN,
    NOT_IN_ATTENTION,
    booking_call,
    booking_finish,
)
from core.exceptions import ProtocolConflict
from core.live.groups import user_group
from core.models import (
    AppointmentStatus,
    AttentionMedium,
    Case,
    CaseKind,
    CaseStatus,
    Modality,
    Notification,
    Office,
    TransactionType,
    TurnEvent,
    TurnStatus,
    VideoSession,
    VideoSessionStatus,
)
from core.roles import Role
from core.services.closing import case_closing_check
from core.services.constancia import (
    NOT_SENT_MESSAGE,
    case_notification_authorise,
    constancia_send,
)
from tests.cliente_interno.helpers import check_in
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

INTERNAL_MAILBOX = "clienteinternovirtual@epm.com.co"


@pytest.fixture
def live_sent(monkeypatch):
    """What the services publish to live pages (after commit)."""
    sent = []
    monkeypatch.setattr(
        "core.live.publish._send", lambda groups, payload: sent.append((list(groups), payload))
    )
    return sent


@pytest.fixture
def booking(reserved_booking):
    """A booking of now, reserved: the employee has not checked in yet."""
    start = timezone.now().replace(second=0, microsecond=0)
    found = reserved_booking(start, motive="Me llegó una factura con un consumo que no es mío.")
    return booking_for_party(user=found.employee, pk=found.pk)


@pytest.fixture
def waiting(booking):
    return check_in(booking)


def fresh(booking):
    return booking_for_party(user=booking.employee, pk=booking.pk)


# --- the call ---------------------------------------------------------------------------------


def test_ci04_ci05_call_opens_the_case_with_the_crm_fields(
    waiting, ci_tech, employee, live_sent, django_capture_on_commit_callbacks
):
    """CI-05 CRM: número de turno = the appointment's turn, medio verbal, canal "Presencial",
    oficina "Cliente Interno", modality cliente_interno, the booking's transaction, assigned to
    the technologist, the customer found by the booking's document with its contact."""
    with django_capture_on_commit_callbacks(execute=True):
        booking_call(booking=waiting, by=ci_tech)

    booking = fresh(waiting)
    case = Case.objects.select_related("channel", "office", "customer").get()
    turn = booking.turn
    assert booking.appointment.case == case
    assert case.turn_number == turn.number
    assert turn.number.startswith("CLI-")
    assert case.attention_medium == AttentionMedium.VERBAL
    assert case.channel.code == "presencial"
    assert case.channel.name == "Presencial"
    assert case.office == Office.objects.get(is_internal_client=True)
    assert case.office.name == "Cliente Interno"
    assert case.modality == Modality.CLIENTE_INTERNO
    assert case.transaction_type == booking.transaction_type
    assert case.kind == CaseKind.PQR
    assert case.pqr_type == "peticion"
    assert case.motive == "Me llegó una factura con un consumo que no es mío."
    assert case.assigned_to == ci_tech
    assert case.status == CaseStatus.ASIGNADO
    assert case.due_date is not None  # LEG-01
    assert case.customer.document_number == employee.document_number
    assert case.customer.full_name == employee.get_full_name()
    assert case.contact_email == employee.email
    assert case.contact_phone == booking.mobile
    # The turn: called by the technologist, then in attention with the case.
    assert turn.status == TurnStatus.EN_ATENCION
    assert turn.called_by == ci_tech
    assert turn.case == case
    assert list(turn.events.values_list("kind", flat=True)) == [
        TurnEvent.Kind.CREADO,
        TurnEvent.Kind.LLAMADO,
        TurnEvent.Kind.ACEPTA,
    ]
    # The video call rings, the employee as the attendee (the answerer).
    session = VideoSession.objects.get()
    assert session.status == VideoSessionStatus.TIMBRANDO
    assert session.attendee == employee
    assert session.technologist == ci_tech
    assert session.kiosk is None
    assert session.turn == turn
    assert session.modality == Modality.CLIENTE_INTERNO
    # Both parties are told: the call ("video.connect") and the booking's new state.
    both = {user_group(employee.pk), user_group(ci_tech.pk)}
    connect = [groups for groups, payload in live_sent if payload["type"] == "video.connect"]
    assert set(connect[0]) == both
    changed = [
        (set(groups), payload) for groups, payload in live_sent if payload["type"] == "ci.booking"
    ]
    assert changed == [
        (both, {"type": "ci.booking", "booking": booking.pk, "state": "en_atencion"})
    ]


def test_ci05_pedido_transaction_opens_a_pedido(reserved_booking, ci_tech):
    """A transaction of kind pedido opens a pedido (no PQR type, no due date); without a motive
    the case says which appointment it came from."""
    start = timezone.now().replace(second=0, microsecond=0)
    booking = reserved_booking(
        start, transaction_type=TransactionType.objects.get(code="cambio-de-suscriptor")
    )
    waiting = check_in(booking_for_party(user=booking.employee, pk=booking.pk))

    booking_call(booking=waiting, by=ci_tech)

    case = Case.objects.get()
    assert case.kind == CaseKind.PEDIDO
    assert case.pqr_type == ""
    assert case.due_date is None
    assert case.motive == "Cita de cliente interno: Cambio de suscriptor"


def test_ci04_call_before_check_in_is_refused(booking, ci_tech):
    """409: the employee has not checked in; nothing is written."""
    with pytest.raises(ProtocolConflict) as refused:
        booking_call(booking=booking, by=ci_tech)

    assert refused.value.messages == [NOT_CHECKED_IN]
    assert refused.value.messages[0].startswith("El funcionario aún no se ha presentado")
    assert not Case.objects.exists()
    assert not VideoSession.objects.exists()


def test_ci04_double_call_opens_one_case_and_one_session(waiting, ci_tech):
    """A double click: the second call finds the turn in attention (409); one case, one call."""
    booking_call(booking=waiting, by=ci_tech)

    with pytest.raises(ProtocolConflict) as second:
        booking_call(booking=waiting, by=ci_tech)

    assert "ya fue llamado" in second.value.messages[0]
    assert Case.objects.count() == 1
    assert VideoSession.objects.count() == 1


def test_ci04_another_technologist_cannot_call(waiting, office, ci_tech):
    """NFR-02: only the appointment's technologist calls it (404 as for a missing one)."""
    other = make_user(Role.TECNOLOGO, office, username="tec-ci-otro")

    with pytest.raises(Http404):
        booking_call(booking=waiting, by=other)

    assert fresh(waiting).turn.status == TurnStatus.EN_ESPERA
    assert not Case.objects.exists()


def test_ci04_technologist_holding_another_turn_is_refused(
    reserved_booking, waiting, ci_tech, other_employee
):
    """One active turn per technologist (the database's rule): the second call says which turn
    they hold, and nothing of it is written."""
    later = reserved_booking(
        waiting.appointment.end + dt.timedelta(minutes=30), employee=other_employee
    )
    later = check_in(booking_for_party(user=other_employee, pk=later.pk))
    booking_call(booking=waiting, by=ci_tech)

    with pytest.raises(ProtocolConflict) as refused:
        booking_call(booking=later, by=ci_tech)

    held = fresh(waiting).turn
    assert refused.value.messages == [
        f"Ya tiene el turno {held.number} en atención: termínelo antes de llamar otro."
    ]
    later = fresh(later)
    assert later.turn.status == TurnStatus.EN_ESPERA
    assert later.appointment.case is None
    assert Case.objects.count() == 1
    assert VideoSession.objects.count() == 1


def test_ci04_employee_in_another_call_rolls_the_call_back(waiting, ci_tech, office, employee):
    """The video call cannot open (the employee is in another call): 409 and nothing of the
    call stays (the turn waits, no case)."""
    other = make_user(Role.TECNOLOGO, office, username="tec-ci-otro")
    VideoSession.objects.create(
        provider="webrtc",
        modality=Modality.CLIENTE_INTERNO,
        status=VideoSessionStatus.TIMBRANDO,
        technologist=other,
        attendee=employee,
        created_at=timezone.now(),
    )

    with pytest.raises(ProtocolConflict) as refused:
        booking_call(booking=waiting, by=ci_tech)

    assert refused.value.messages == ["La persona ya está en otra videollamada."]
    assert fresh(waiting).turn.status == TurnStatus.EN_ESPERA
    assert not Case.objects.exists()


def test_ci04_cancelled_appointment_is_not_called(waiting, ci_tech):
    waiting.appointment.status = AppointmentStatus.CANCELADA
    waiting.appointment.save(update_fields=["status"])

    with pytest.raises(ProtocolConflict) as refused:
        booking_call(booking=fresh(waiting), by=ci_tech)

    assert refused.value.messages == ["La cita no está confirmada: cancelada."]
    assert not Case.objects.exists()


# --- the end of the attention -----------------------------------------------------------------


def test_ci05_finish_ends_call_turn_and_appointment(
    waiting, ci_tech, employee, live_sent, django_capture_on_commit_callbacks
):
    """ "Terminar atención": the call finalizada, the turn atendido, the appointment atendida;
    the case stays open for the technologist to close."""
    booking_call(booking=waiting, by=ci_tech)
    live_sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        booking_finish(booking=fresh(waiting), by=ci_tech)

    booking = fresh(waiting)
    assert booking.turn.status == TurnStatus.ATENDIDO
    assert booking.turn.finished_at is not None
    assert booking.appointment.status == AppointmentStatus.ATENDIDA
    session = VideoSession.objects.get()
    assert session.status == VideoSessionStatus.FINALIZADA
    assert session.end_reason == "atención de cliente interno terminada"
    assert booking.appointment.case.status == CaseStatus.ASIGNADO
    states = [p for _, p in live_sent if p["type"] in ("ci.booking", "video.state")]
    assert {"type": "ci.booking", "booking": booking.pk, "state": "atendida"} in states
    assert any(p["type"] == "video.state" and p["state"] == "finalizada" for p in states)

    # A second click changes nothing more.
    booking_finish(booking=fresh(waiting), by=ci_tech)
    assert fresh(waiting).appointment.status == AppointmentStatus.ATENDIDA


def test_ci05_finish_before_the_call_is_refused(waiting, ci_tech):
    with pytest.raises(ProtocolConflict) as refused:
        booking_finish(booking=waiting, by=ci_tech)

    assert refused.value.messages == [NOT_IN_ATTENTION]
    assert fresh(waiting).appointment.status == AppointmentStatus.CONFIRMADA


def test_ci05_only_the_technologist_finishes(waiting, ci_tech, employee):
    booking_call(booking=waiting, by=ci_tech)

    with pytest.raises(Http404):
        booking_finish(booking=fresh(waiting), by=employee)

    assert fresh(waiting).turn.status == TurnStatus.EN_ATENCION


# --- the constancia and the closing rule --------------------------------------------------------


@pytest.fixture
def attended_case(waiting, ci_tech):
    booking_call(booking=waiting, by=ci_tech)
    booking_finish(booking=fresh(waiting), by=ci_tech)
    return fresh(waiting).appointment.case


def test_ci05_constancia_leaves_the_internal_client_mailbox_with_the_pdf(
    attended_case, ci_tech, employee, django_capture_on_commit_callbacks
):
    """CI-05: the constancia e-mail comes from clienteinternovirtual@epm.com.co (core picks the
    sender by the case's modality) and carries the PDF."""
    case_notification_authorise(
        case=attended_case,
        by=ci_tech,
        medium="email",
        email=employee.email,
        email_consent=True,
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        constancia = constancia_send(case=attended_case, by=ci_tech)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert parseaddr(message.from_email)[1] == INTERNAL_MAILBOX
    assert message.to == [employee.email]
    assert attended_case.number in message.subject
    assert message.from_email == f"EPM Cliente Interno <{INTERNAL_MAILBOX}>"
    # 2.8 step 2: that mailbox's e-mails say it takes no new requests (its footer, core).
    assert message.body.rstrip().endswith(MAILBOX_NOTICE)
    [attachment] = message.attachments
    assert attachment.get_filename() == f"constancia-{attended_case.number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF-")
    constancia.notification.refresh_from_db()
    assert constancia.notification.status == Notification.Status.SENT
    # No other mailbox sent anything for this case.
    assert {parseaddr(m.from_email)[1] for m in mail.outbox} == {INTERNAL_MAILBOX}


def test_ci05_pqr_is_not_closed_before_the_constancia_was_sent(
    attended_case, ci_tech, employee, django_capture_on_commit_callbacks
):
    """CI-05: the modality's closing rule (registered in apps.py) refuses with core's 409 until
    the constancia left the mail server; then it lets the closure through."""
    with pytest.raises(ProtocolConflict) as refused:
        case_closing_check(case=attended_case, by=ci_tech)
    assert refused.value.messages == [NOT_SENT_MESSAGE]

    case = case_notification_authorise(
        case=attended_case, by=ci_tech, medium="email", email=employee.email, email_consent=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        constancia_send(case=case, by=ci_tech)

    case_closing_check(case=case, by=ci_tech)  # no longer refused
