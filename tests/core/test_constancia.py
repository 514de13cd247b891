"""COP-03 / CI-05: the "constancia del contenido de la reclamación" — the PDF with the motive
and the authorised notification medium, e-mailed to the customer from the modality's mailbox,
kept (PDF and sent e-mail) in the case's expediente — and the closing rule that refuses a
first-contact closure or a task until it was sent."""

import email
import hashlib
import io
import logging
import sys
from email import policy
from smtplib import SMTPException

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from pypdf import PdfReader

from core import modalities
from core.business_days import BOGOTA
from core.exceptions import ProtocolConflict
from core.models import (
    CaseKind,
    CaseStatus,
    Constancia,
    ContactAttempt,
    Evidence,
    EvidenceKind,
    InitialCause,
    Modality,
    Notification,
    SenderMailbox,
)
from core.roles import Role
from core.services import constancia as constancia_services
from core.services.calls import attempt_log
from core.services.closing import case_close, case_close_without_contact
from core.services.constancia import (
    PDF_UNAVAILABLE_MESSAGE,
    ConstanciaPdfUnavailable,
    case_notification_authorise,
    constancia_send,
    require_constancia_sent,
)
from core.services.messaging import MONTHS, notification_queue, notification_send, sender_for
from tests.factories import CustomerFactory, UserFactory, make_case
from tests.helpers import MP3, answer_call

pytestmark = pytest.mark.django_db

MOTIVE = "Facturación errónea en la copropiedad Ñandú"
CONDO_MAILBOX = "EPM Administradores de Copropiedad <Administradorescopiedades@epm.com.co>"
NOTIFICATION_EMAIL = "administracion@nandu.com.co"
NOT_SENT = "Envíe primero la constancia del contenido de la reclamación al cliente."
PENDING = (
    "La constancia del contenido de la reclamación está pendiente de envío: el servidor de "
    "correo aún no la ha enviado. Intente cerrar el caso en unos minutos."
)
CLOSE_FIELDS = {
    "outcome": "primer_contacto",
    "turn_number": "DFILA",
    "attention_medium": "verbal",
    "channel": "administradores-copropiedad",
    "initial_cause": "informacion-general",
    "motive": MOTIVE,
}


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise SMTPException("Servidor SMTP no disponible")


# --- setup ------------------------------------------------------------------------------------


@pytest.fixture
def condo_case(tecnologo, office):
    """A condo administrator's PQR (2.6) the technologist is attending."""
    return make_case(
        channel="administradores-copropiedad",
        office=office,
        assigned_to=tecnologo,
        status=CaseStatus.EN_ATENCION,
        pqr_type="reclamo",
        customer=CustomerFactory(
            full_name="Administración Edificio Ñandú PH",
            document_number="43567890",
            email="porteria@nandu.com.co",
        ),
        motive=MOTIVE,
        contract_number="1234567",
    )


@pytest.fixture
def authorised(condo_case, tecnologo):
    """The customer authorised the e-mail, with express consent (CORE-13)."""
    return case_notification_authorise(
        case=condo_case,
        by=tecnologo,
        medium="email",
        email=NOTIFICATION_EMAIL,
        email_consent=True,
    )


@pytest.fixture
def tech_api(api_as, tecnologo):
    return api_as(tecnologo)


@pytest.fixture
def constancia_rule(monkeypatch):
    """Copropiedad's closing rules for this test: only the constancia (COP-03). Registering it
    is copropiedad's job; the test does not depend on it."""
    monkeypatch.setitem(
        modalities._REGISTRY,
        Modality.COPROPIEDAD,
        modalities.ModalityRegistration(
            modality=Modality.COPROPIEDAD, closing_rules=[require_constancia_sent]
        ),
    )


def pdf_text(evidence: Evidence) -> str:
    with evidence.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def stored_bytes(evidence: Evidence) -> bytes:
    with evidence.file.open("rb") as handle:
        return handle.read()


def nothing_written(case) -> bool:
    return not (
        Evidence.objects.filter(case=case).exists()
        or Notification.objects.filter(case=case).exists()
        or Constancia.objects.filter(case=case).exists()
    )


def close_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/close/"


# --- the PDF ----------------------------------------------------------------------------------


def test_cop03_pdf_has_case_number_motive_and_medium_with_accents(authorised, tecnologo):
    """COP-03: the PDF certifies the case number, the date in Bogotá, the customer and their
    document, the motive and the authorised medium with its data, and the channel — with the
    Spanish accents intact. It is kept in the expediente as the case's constancia."""
    constancia = constancia_send(case=authorised, by=tecnologo)

    evidence = constancia.evidence
    assert evidence.kind == EvidenceKind.CONSTANCIA
    assert evidence.case == authorised
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == f"constancia-{authorised.number}.pdf"
    content = stored_bytes(evidence)
    assert content.startswith(b"%PDF-")
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    text = pdf_text(evidence)
    assert "Constancia del contenido de la reclamación" in text
    assert authorised.number in text
    assert MOTIVE in text
    assert "correo electrónico (autorización expresa)" in text
    assert NOTIFICATION_EMAIL in text
    assert "Administración Edificio Ñandú PH" in text
    assert "Cédula de ciudadanía 43567890" in text
    assert "Administradores de Copropiedad" in text
    local = constancia.created_at.astimezone(BOGOTA)
    assert f"{local.day} de {MONTHS[local.month - 1]} de {local.year}" in text
    assert constancia.medium == "email"
    assert constancia.created_by == tecnologo


def test_cop03_pdf_of_an_sms_citation_gives_the_mobile(condo_case, tecnologo):
    """CORE-13 / COP-03: without e-mail authorisation the constancia certifies the SMS citation
    and its mobile; it still goes by e-mail to the case's contact address."""
    condo_case.contact_email = "contacto.caso@nandu.com.co"
    condo_case.save(update_fields=["contact_email"])
    case_notification_authorise(case=condo_case, by=tecnologo, medium="sms", mobile="3104567890")

    constancia = constancia_send(case=condo_case, by=tecnologo)

    text = pdf_text(constancia.evidence)
    assert "celular: citación por mensaje de texto" in text
    assert "3104567890" in text
    assert constancia.medium == "sms"
    assert constancia.notification.recipient == "contacto.caso@nandu.com.co"


def test_cop03_pdf_unavailable_gives_a_spanish_error_and_writes_nothing(
    authorised, tecnologo, monkeypatch
):
    """COP-03: without WeasyPrint (or its Pango libraries) the constancia is not half made: a
    clear Spanish error for the administrator, no evidence, no e-mail."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the import fails

    with pytest.raises(ConstanciaPdfUnavailable, match="falta WeasyPrint") as refused:
        constancia_send(case=authorised, by=tecnologo)

    assert str(refused.value) == PDF_UNAVAILABLE_MESSAGE
    assert nothing_written(authorised)


# --- the e-mail -------------------------------------------------------------------------------


def test_cop03_email_leaves_the_condo_mailbox_with_the_pdf_and_is_kept_as_evidence(
    authorised, tecnologo, django_capture_on_commit_callbacks
):
    """COP-03: after commit the worker sends the constancia from Administradorescopiedades@
    epm.com.co to the authorised e-mail, the PDF attached; the message as sent (.eml) is kept
    in the expediente (2.6: "publicar … los correos electrónicos")."""
    with django_capture_on_commit_callbacks(execute=True):
        constancia = constancia_send(case=authorised, by=tecnologo)

    constancia.notification.refresh_from_db()
    assert constancia.notification.status == Notification.Status.SENT
    [message] = mail.outbox
    subject = f"Constancia del contenido de su reclamación — caso {authorised.number}"
    assert message.from_email == CONDO_MAILBOX
    assert message.to == [NOTIFICATION_EMAIL]
    assert message.subject == subject
    assert "Administración Edificio Ñandú PH" in message.body
    [attachment] = message.attachments
    pdf = stored_bytes(constancia.evidence)
    assert attachment.get_filename() == f"constancia-{authorised.number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_payload(decode=True) == pdf

    kept = Evidence.objects.get(case=authorised, kind=EvidenceKind.EMAIL)
    assert kept.content_type == "message/rfc822"
    assert kept.original_name == f"constancia-{authorised.number}.eml"
    assert kept.uploaded_by == tecnologo
    eml = email.message_from_bytes(stored_bytes(kept), policy=policy.default)
    assert eml["From"] == CONDO_MAILBOX
    assert eml["To"] == NOTIFICATION_EMAIL
    assert eml["Subject"].strip() == subject  # folded after "Subject:" by the stdlib
    assert eml["Message-ID"] == message.message()["Message-ID"]  # the very message sent
    [kept_pdf] = list(eml.iter_attachments())
    assert kept_pdf.get_filename() == f"constancia-{authorised.number}.pdf"
    assert kept_pdf.get_content() == pdf


def test_cop03_desborde_case_leaves_from_its_own_mailbox(tecnologo, office):
    """COP-03 is core: a case of another modality sends its constancia from that modality's
    mailbox (CORE-12), not the condo administrators'."""
    SenderMailbox.objects.update_or_create(
        modality=Modality.DESBORDE,
        defaults={"from_email": "desborde.pruebas@epm.com.co", "display_name": "EPM Desborde"},
    )
    case = make_case(
        channel="desborde-formulario-web",
        office=office,
        assigned_to=tecnologo,
        status=CaseStatus.EN_ATENCION,
        motive="Cobro de reconexión no realizada",
    )
    case_notification_authorise(
        case=case, by=tecnologo, medium="email", email="cliente@correo.co", email_consent=True
    )
    constancia = constancia_send(case=case, by=tecnologo)

    notification_send(notification_id=constancia.notification_id)

    [message] = mail.outbox
    assert message.from_email == "EPM Desborde <desborde.pruebas@epm.com.co>"
    assert message.from_email == sender_for(Modality.DESBORDE)
    assert message.to == ["cliente@correo.co"]
    assert [a.get_filename() for a in message.attachments] == [f"constancia-{case.number}.pdf"]
    assert Evidence.objects.filter(case=case, kind=EvidenceKind.EMAIL).count() == 1


def test_cop03_recipient_falls_back_to_the_customers_email(condo_case, tecnologo):
    """COP-03: cited at an address, with no contact e-mail on the case, the constancia goes to
    the customer's e-mail."""
    case_notification_authorise(
        case=condo_case, by=tecnologo, medium="direccion", address="Calle 10 # 43-20"
    )

    constancia = constancia_send(case=condo_case, by=tecnologo)

    assert constancia.notification.recipient == "porteria@nandu.com.co"
    assert constancia.medium == "direccion"
    assert "Calle 10 # 43-20" in pdf_text(constancia.evidence)


def test_cop03_other_notifications_are_not_kept_in_the_expediente(condo_case, users):
    """CORE-12: an internal e-mail about a case (e.g. to the asignador) is sent as before and
    does not go into the customer's expediente."""
    notification = notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=Modality.DESBORDE,
        recipient=users[Role.ASIGNADOR].email,
        subject="PQR registrada",
        body="Se registró la PQR.",
        case=condo_case,
    )

    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert not Evidence.objects.filter(case=condo_case).exists()


def test_cop03_a_failure_keeping_the_email_does_not_resend_it(
    authorised, tecnologo, monkeypatch, caplog
):
    """NFR-03: the e-mail left; if keeping it in the expediente fails, the notification stays
    sent (never sent twice) and the failure is logged."""
    constancia = constancia_send(case=authorised, by=tecnologo)

    def broken(**kwargs):
        raise OSError("disco lleno")

    monkeypatch.setattr(constancia_services, "constancia_email_keep", broken)
    with caplog.at_level(logging.ERROR, logger="core.services.messaging"):
        notification_send(notification_id=constancia.notification_id)

    constancia.notification.refresh_from_db()
    assert constancia.notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert "no se pudo guardar el correo en el expediente" in caplog.text
    assert not Evidence.objects.filter(case=authorised, kind=EvidenceKind.EMAIL).exists()


# --- the API ----------------------------------------------------------------------------------


def test_cop03_api_sends_the_constancia_201(tech_api, authorised):
    """COP-03: ``POST /api/v1/cases/{id}/constancia/`` → 201 with the PDF's evidence, the
    notification and its status (pending until the worker sends it)."""
    response = tech_api.post(f"/api/v1/cases/{authorised.pk}/constancia/")

    assert response.status_code == 201, response.content
    body = response.json()
    constancia = Constancia.objects.get(case=authorised)
    assert body["id"] == constancia.pk
    assert body["evidence"] == constancia.evidence_id
    assert body["notification"] == constancia.notification_id
    assert body["status"] == "pendiente"
    assert body["medium"] == "email"
    assert body["recipient"] == NOTIFICATION_EMAIL
    assert body["sender"] == CONDO_MAILBOX
    assert body["document_url"] == f"/evidencias/{constancia.evidence_id}/descargar/"


def test_cop03_api_twice_while_pending_409(tech_api, authorised):
    """COP-03: a second click while the first constancia waits for the mail server does not
    send the customer two e-mails."""
    assert tech_api.post(f"/api/v1/cases/{authorised.pk}/constancia/").status_code == 201

    response = tech_api.post(f"/api/v1/cases/{authorised.pk}/constancia/")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Ya hay una constancia de este medio esperando")
    assert Constancia.objects.filter(case=authorised).count() == 1


def test_cop03_api_without_authorisation_400_nothing_written(tech_api, condo_case):
    """COP-03: the constancia certifies the authorised medium: none recorded → 400."""
    response = tech_api.post(f"/api/v1/cases/{condo_case.pk}/constancia/")

    assert response.status_code == 400
    assert response.json() == {
        "notification_medium": ["Registre primero el medio autorizado de notificación del cliente."]
    }
    assert nothing_written(condo_case)


def test_cop03_api_without_any_email_400_nothing_written(tech_api, tecnologo, office):
    """COP-03: the constancia goes by e-mail; a customer with none anywhere → 400."""
    case = make_case(
        channel="administradores-copropiedad",
        office=office,
        assigned_to=tecnologo,
        status=CaseStatus.EN_ATENCION,
        customer=CustomerFactory(email=""),
        motive=MOTIVE,
    )
    case_notification_authorise(case=case, by=tecnologo, medium="sms", mobile="3104567890")

    response = tech_api.post(f"/api/v1/cases/{case.pk}/constancia/")

    assert response.status_code == 400
    assert response.json() == {
        "recipient": [
            "El cliente no tiene correo electrónico para enviarle la constancia: regístrelo en "
            "la autorización de notificación o en el contacto del caso."
        ]
    }
    assert nothing_written(case)


def test_cop03_api_other_technologist_404_other_roles_403(api_as, authorised, office, users):
    """NFR-02: another technologist gets 404 (not their case); other roles 403; nothing sent."""
    other = UserFactory(username="tecnologo.otro", home_office=office)
    other.groups.add(Group.objects.get(name=Role.TECNOLOGO))

    refused = api_as(other).post(f"/api/v1/cases/{authorised.pk}/constancia/")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Caso no encontrado."}
    for role in (Role.GESTOR, Role.ASIGNADOR, Role.CREADOR):
        response = api_as(users[role]).post(f"/api/v1/cases/{authorised.pk}/constancia/")
        assert response.status_code == 403
    assert nothing_written(authorised)


# --- the closing rule -------------------------------------------------------------------------


def test_cop03_close_refused_before_then_while_pending_allowed_once_sent(
    tech_api, authorised, tecnologo, constancia_rule
):
    """COP-03: closing with first-contact solution is refused (409) until the constancia was
    sent: first with nothing sent, then while the mail server has not sent it yet; once sent,
    the case closes."""
    answer_call(authorised, tecnologo)

    before = tech_api.post(close_url(authorised), CLOSE_FIELDS, format="json")
    assert before.status_code == 409
    assert before.json() == {"detail": NOT_SENT}

    constancia = constancia_send(case=authorised, by=tecnologo)
    pending = tech_api.post(close_url(authorised), CLOSE_FIELDS, format="json")
    assert pending.status_code == 409
    assert pending.json() == {"detail": PENDING}
    authorised.refresh_from_db()
    assert authorised.status == CaseStatus.EN_ATENCION

    notification_send(notification_id=constancia.notification_id)
    closed = tech_api.post(close_url(authorised), CLOSE_FIELDS, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == CaseStatus.CERRADO_PRIMER_CONTACTO


def test_cop03_close_refused_while_the_mail_server_fails(
    authorised, tecnologo, constancia_rule, settings
):
    """COP-03: a constancia the mail server refused stays pending and the closure (generate a
    task) is still refused with the pending message."""
    answer_call(authorised, tecnologo)
    constancia = constancia_send(case=authorised, by=tecnologo)
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    notification_send(notification_id=constancia.notification_id)

    with pytest.raises(ProtocolConflict) as refused:
        case_close(
            case=authorised,
            by=tecnologo,
            outcome="tarea_generada",
            turn_number="DFILA",
            initial_cause=InitialCause.objects.get(code="informacion-general"),
        )

    assert refused.value.messages == [PENDING]
    authorised.refresh_from_db()
    assert authorised.status == CaseStatus.EN_ATENCION
    assert not Evidence.objects.filter(case=authorised, kind=EvidenceKind.EMAIL).exists()


def test_cop03_constancia_of_another_medium_does_not_allow_closing(
    tech_api, authorised, tecnologo, constancia_rule
):
    """COP-03: the constancia certifies a medium; the close form changing the medium to SMS
    needs a new constancia."""
    answer_call(authorised, tecnologo)
    constancia = constancia_send(case=authorised, by=tecnologo)
    notification_send(notification_id=constancia.notification_id)

    response = tech_api.post(
        close_url(authorised),
        {**CLOSE_FIELDS, "notification_medium": "sms", "notification_mobile": "3104567890"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {"detail": NOT_SENT}
    authorised.refresh_from_db()
    assert authorised.status == CaseStatus.EN_ATENCION
    assert authorised.notification_medium == "email"


def test_cop03_voicemail_closure_needs_no_constancia(condo_case, tecnologo, constancia_rule):
    """COP-02 / COP-03: after three unanswered calls the case closes without contact (voicemail)
    with no constancia: there was no conversation to certify."""
    for _ in range(3):
        attempt_log(
            case=condo_case,
            by=tecnologo,
            outcome=ContactAttempt.Outcome.NO_CONTESTA,
            number_dialled="3104567890",
        )

    case_close_without_contact(
        case=condo_case,
        by=tecnologo,
        voicemail=SimpleUploadedFile("buzon.mp3", MP3, content_type="audio/mpeg"),
    )

    condo_case.refresh_from_db()
    assert condo_case.status == CaseStatus.CERRADO_SIN_CONTACTO
    assert not Constancia.objects.filter(case=condo_case).exists()


def test_cop03_rule_leaves_pedidos_alone(tecnologo, office):
    """COP-03: the constancia is of a reclamación (PQR); a pedido is not held back."""
    pedido = make_case(
        kind=CaseKind.PEDIDO,
        channel="administradores-copropiedad",
        office=office,
        assigned_to=tecnologo,
        status=CaseStatus.EN_ATENCION,
    )

    assert require_constancia_sent(case=pedido, by=tecnologo) is None
