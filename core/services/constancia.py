"""The notification authorisation (CORE-13) and the "constancia del contenido de la
reclamación" (COP-03, CI-05).

Procedure 2.6 step 2: the technologist asks the customer how to be notified of the decision
(e-mail with express consent → else a mobile to cite them by SMS → else a physical address),
and before closing with first-contact solution or generating the task e-mails the customer a
constancia with the motive and the authorised medium, from the modality's mailbox. The PDF and
the e-mail as sent stay in the case's expediente. Modality-neutral: condo administrators and
internal clients use the same functions.
"""

import hashlib
import logging
import secrets

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import modalities
from core.business_days import BOGOTA, clock_text
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseKind,
    Constancia,
    Evidence,
    EvidenceKind,
    MessageTemplate,
    Notification,
    NotificationMedium,
    User,
)
from core.personal_data import email_normalize, mobile_normalize
from core.services.calls import attempts_state, ensure_assignee
from core.services.messaging import (
    MONTHS,
    case_template_context,
    notification_queue,
    template_render,
)

log = logging.getLogger(__name__)

NOT_SENT_MESSAGE = "Envíe primero la constancia del contenido de la reclamación al cliente."
PENDING_MESSAGE = (
    "La constancia del contenido de la reclamación está pendiente de envío: el servidor de "
    "correo aún no la ha enviado. Intente cerrar el caso en unos minutos."
)
FAILED_MESSAGE = (
    "No se pudo enviar la constancia del contenido de la reclamación: revise el correo del "
    "cliente y envíela de nuevo."
)
PDF_UNAVAILABLE_MESSAGE = (
    "No se pudo generar el PDF de la constancia: falta WeasyPrint o sus bibliotecas del sistema "
    "(Pango). Avise al administrador de la plataforma."
)

#: The request's field names (API, forms) for the case's notification fields.
AUTHORISATION_FIELDS = {
    "notification_medium": "medium",
    "notification_email": "email",
    "notification_email_consent": "email_consent",
    "notification_mobile": "mobile",
    "notification_address": "address",
}

#: The PDF's stylesheet. Kept here, not in the template: templates carry no <style> (CSP), and
#: WeasyPrint fetches nothing from outside (see ``_refuse_fetch``).
PDF_CSS = """
@page { size: Letter; margin: 2cm 2cm 2.2cm;
        @bottom-center { content: "Página " counter(page) " de " counter(pages);
                         font: 8pt "DejaVu Sans", sans-serif; color: #555; } }
body { font: 10pt/1.4 "DejaVu Sans", sans-serif; color: #222; }
header { border-bottom: 2px solid #007a3d; margin-bottom: 1.2em; padding-bottom: .4em; }
.org { color: #007a3d; font-weight: bold; font-size: 12pt; margin: 0; }
h1 { font-size: 14pt; margin: .3em 0 0; }
h2 { font-size: 11pt; color: #007a3d; margin: 1.2em 0 .4em; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .25em .4em;
         border-bottom: 1px solid #ddd; }
th { width: 35%; font-weight: bold; color: #444; }
.motive { white-space: pre-wrap; border: 1px solid #ccc; padding: .6em; }
.note { margin-top: 1.5em; font-size: 9pt; color: #444; }
"""


class ConstanciaPdfUnavailable(ImproperlyConfigured):
    """WeasyPrint or its system libraries are missing: a server problem, not the user's."""


# --- notification authorisation (CORE-13) ----------------------------------------------------


@transaction.atomic
def case_notification_authorise(
    *,
    case: Case,
    by: User,
    medium: str,
    email: str = "",
    email_consent: bool = False,
    mobile: str = "",
    address: str = "",
) -> Case:
    """CORE-13 / 2.6 step 2: record how the customer authorised being notified of the PQR's
    decision. Only the assigned technologist, on an open PQR. The values given replace the
    previous authorisation (blank ones are cleared); e-mail needs the customer's express
    consent, SMS a Colombian mobile, the physical address a non-empty address. A constancia
    sent for another medium no longer allows closing (``require_constancia_sent``)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_assignee(case, by)
    if case.kind != CaseKind.PQR:
        raise ValidationError(
            {"medium": "Solo una PQR lleva autorización del medio de notificación."}
        )
    if medium not in NotificationMedium.values:
        raise ValidationError(
            {
                "medium": "Indique el medio autorizado de notificación: correo electrónico, "
                "celular o dirección física."
            }
        )
    values = {"email": (email or "").strip(), "mobile": (mobile or "").strip()}
    errors: dict[str, list[str]] = {}
    for field, rule in (("email", email_normalize), ("mobile", mobile_normalize)):
        if values[field]:
            try:
                values[field] = rule(values[field], field=field)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    case.notification_medium = medium
    case.notification_email = values["email"]
    case.notification_email_consent = bool(email_consent)
    case.notification_mobile = values["mobile"]
    case.notification_address = " ".join((address or "").split())
    try:
        case.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(
            {AUTHORISATION_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}
        ) from None
    case._change_reason = f"autorización de notificación: {case.get_notification_medium_display()}"
    case._history_user = by
    case.save(update_fields=[*AUTHORISATION_FIELDS, "updated_at"])
    return case


# --- the constancia (COP-03) -----------------------------------------------------------------


def constancia_recipient(case: Case) -> str:
    """Where the constancia goes: the notification e-mail when the customer authorised e-mail,
    else the case's contact e-mail, else the customer's."""
    if case.notification_medium == NotificationMedium.EMAIL and case.notification_email:
        return case.notification_email
    return case.contact_email or case.customer.email


def _long_datetime(moment) -> str:
    local = moment.astimezone(BOGOTA)
    return (
        f"{local.day} de {MONTHS[local.month - 1]} de {local.year}, "
        f"{clock_text(local)} (hora de Bogotá)"
    )


def _refuse_fetch(url: str, *args, **kwargs):
    """The PDF is built from our own template only: never fetch a URL (a motive is the
    customer's text; even escaped, nothing in it may reach the network or the disk)."""
    raise ValueError(f"Recurso externo no permitido en la constancia: {url[:80]}")


def constancia_pdf(*, case: Case, by: User, at) -> bytes:
    """Render ``templates/core/constancia_pdf.html`` to PDF with WeasyPrint."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as exc:  # OSError: Pango / fontconfig cannot be loaded
        log.error("WeasyPrint no disponible: %s", exc)
        raise ConstanciaPdfUnavailable(PDF_UNAVAILABLE_MESSAGE) from exc
    customer = case.customer
    html = render_to_string(
        "core/constancia_pdf.html",
        {
            "case": case,
            "customer": customer,
            "document": (
                f"{customer.get_document_type_display()} {customer.document_number}".strip()
            ),
            "generated_at": _long_datetime(at),
            "filed_at": _long_datetime(case.filed_at),
            "medium_display": case.get_notification_medium_display(),
            "medium": case.notification_medium,
            "media": NotificationMedium,
            "by_name": by.get_full_name() or by.username,
        },
    )
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[CSS(string=PDF_CSS)])


def evidence_store_generated(
    *,
    case: Case,
    kind: str,
    filename: str,
    content: bytes,
    content_type: str,
    by: User,
    reason: str,
) -> Evidence:
    """Keep a file the product generated (the constancia PDF, a sent e-mail) in the case's
    expediente. Not ``evidence_attach``: its checks are for uploads (type sniffing, size, closed
    cases), and a sent e-mail must be kept whatever the case's state. The stored name ends in
    ``filename`` (under a random folder), so an attachment reaches the customer with a readable
    name; the SHA-256 lets a download be verified, as for uploads."""
    token = secrets.token_hex(8)
    now = timezone.now()
    digest = hashlib.sha256(content).hexdigest()
    stored = default_storage.save(
        f"evidencias/{now:%Y/%m}/{digest[:16]}-{token}/{filename}", ContentFile(content)
    )
    evidence = Evidence(
        case=case,
        customer_id=case.customer_id,
        kind=kind,
        token=token,
        original_name=filename[-255:],
        content_type=content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=by,
        uploaded_at=now,
    )
    evidence.file.name = stored
    try:
        evidence.full_clean()
        evidence._change_reason = reason
        evidence._history_user = by
        evidence.save()
    except Exception:
        default_storage.delete(stored)
        raise
    return evidence


def _email_text(case: Case) -> tuple[str, str]:
    """Subject and body: the modality's "constancia" template (CORE-11) when it registered one
    that exists, else the fixed text."""
    subject = f"Constancia del contenido de su reclamación — caso {case.number}"
    registration = modalities.registration_for(case.modality)
    code = registration.templates.get("constancia") if registration else None
    if code and MessageTemplate.objects.filter(code=code).exists():
        template_subject, body = template_render(
            code=code, context=case_template_context(case=case)
        )
        return template_subject or subject, body
    body = (
        f"Señor(a) {case.customer.full_name}:\n\n"
        "Empresas Públicas de Medellín le envía adjunta la constancia del contenido de la "
        f"reclamación que presentó en el caso {case.number}, con el motivo de su solicitud y el "
        "medio que usted autorizó para ser notificado de la respuesta: "
        f"{case.get_notification_medium_display()}.\n\n"
        "La respuesta a su PQR se le comunicará por ese medio.\n\n"
        "Cordialmente,\nEmpresas Públicas de Medellín E.S.P."
    )
    return subject, body


@transaction.atomic
def constancia_send(*, case: Case, by: User) -> Constancia:
    """COP-03 / CI-05: generate the constancia PDF, keep it in the expediente and queue the
    e-mail that carries it, from the mailbox of the case's modality (sent after commit by the
    worker; ``notification_send`` keeps the sent e-mail in the expediente too).

    Needs the recorded authorisation (CORE-13) and the motive. A constancia of the same medium
    and recipient still waiting for the mail server is not queued twice (a double click)."""
    case = Case.objects.select_for_update().select_related("customer", "channel").get(pk=case.pk)
    ensure_assignee(case, by)
    if case.kind != CaseKind.PQR:
        raise ValidationError("La constancia del contenido de la reclamación es solo para PQR.")
    if not case.notification_medium:
        raise ValidationError(
            {
                "notification_medium": "Registre primero el medio autorizado de notificación "
                "del cliente."
            }
        )
    if not case.motive.strip():
        raise ValidationError(
            {"motive": "Registre el motivo de la PQR antes de enviar la constancia."}
        )
    recipient = constancia_recipient(case)
    if not recipient:
        raise ValidationError(
            {
                "recipient": "El cliente no tiene correo electrónico para enviarle la constancia: "
                "regístrelo en la autorización de notificación o en el contacto del caso."
            }
        )
    if Constancia.objects.filter(
        case=case,
        medium=case.notification_medium,
        notification__recipient=recipient,
        notification__status=Notification.Status.PENDING,
    ).exists():
        raise ProtocolConflict(
            "Ya hay una constancia de este medio esperando el envío al cliente; espere a que "
            "salga antes de enviar otra."
        )

    now = timezone.now()
    pdf = constancia_pdf(case=case, by=by, at=now)
    evidence = evidence_store_generated(
        case=case,
        kind=EvidenceKind.CONSTANCIA,
        filename=f"constancia-{case.number}.pdf",
        content=pdf,
        content_type="application/pdf",
        by=by,
        reason="constancia del contenido de la reclamación generada",
    )
    subject, body = _email_text(case)
    notification = notification_queue(
        medium=Notification.Medium.EMAIL,
        modality=case.modality,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        case=case,
        attachments=[evidence.file.name],
    )
    constancia = Constancia(
        case=case,
        evidence=evidence,
        notification=notification,
        medium=case.notification_medium,
        created_by=by,
    )
    constancia.full_clean()
    constancia.save()
    return constancia


def constancia_email_keep(*, notification: Notification, eml: bytes) -> Evidence | None:
    """After the mail server took an e-mail of a case: keep the message as sent (.eml) in the
    case's expediente when it went to the customer — a constancia's (COP-03, CI-05), an
    appointment's invitation (COP-04: "publicar … los correos electrónicos"), any message to the
    case's contact. Internal e-mails (to staff: DF-04's report to the asignador) are left out.
    Called by ``core.services.messaging.notification_send`` once per notification (a sent one
    is never sent again)."""
    constancia = (
        Constancia.objects.filter(notification_id=notification.pk)
        .select_related("case", "created_by")
        .first()
    )
    if constancia is not None:
        case, by = constancia.case, constancia.created_by
        name = f"constancia-{case.number}.eml"
    else:
        case = (
            Case.objects.select_related("customer", "created_by", "assigned_to")
            .filter(pk=notification.case_id)
            .first()
        )
        if case is None:
            return None
        customer_addresses = {
            address.strip().lower()
            for address in (case.notification_email, case.contact_email, case.customer.email)
            if address
        }
        by = case.created_by or case.assigned_to
        if notification.recipient.strip().lower() not in customer_addresses or by is None:
            return None
        name = f"correo-{case.number}-{notification.pk}.eml"
    return evidence_store_generated(
        case=case,
        kind=EvidenceKind.EMAIL,
        filename=name,
        content=eml,
        content_type="message/rfc822",
        by=by,
        reason=f"correo enviado a {notification.recipient}: {notification.subject}"[:100],
    )


# --- the closing rule (COP-03) ---------------------------------------------------------------


def require_constancia_sent(*, case: Case, by: User) -> None:
    """COP-03 closing rule: a PQR is closed with first-contact solution or a task only after
    the constancia for the case's current notification medium left the mail server. Not for
    the closure without contact (voicemail after three unanswered calls: there was no
    conversation to certify) nor for pedidos. A modality registers it in its closing_rules."""
    if case.kind != CaseKind.PQR or attempts_state(case)["needs_voicemail"]:
        return
    statuses = set(
        Constancia.objects.filter(case=case, medium=case.notification_medium).values_list(
            "notification__status", flat=True
        )
    )
    if Notification.Status.SENT in statuses:
        return
    if Notification.Status.PENDING in statuses:
        raise ProtocolConflict(PENDING_MESSAGE)
    if Notification.Status.FAILED in statuses:
        raise ProtocolConflict(FAILED_MESSAGE)
    raise ProtocolConflict(NOT_SENT_MESSAGE)
