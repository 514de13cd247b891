"""Filing the PQR of an interaction (PQR-03..06): 2.7's redirect rules (PQR-04, PQR-05), the
notification medium (CORE-13), the contact by document, the case itself and the message with its
number; then the chat's screenshot as evidence, and marking a manual message as sent.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.business_days import local_date
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseKind,
    DocumentType,
    EvidenceKind,
    Modality,
    NotificationMedium,
    OutboundMessage,
    PqrType,
    User,
)
from core.personal_data import email_normalize, mobile_normalize
from core.services.cases import case_open
from core.services.closing import case_evidence_add
from core.services.customers import customer_find_by_document, customer_get_or_create
from core.services.messaging import case_template_context, template_render
from core.services.outbound import outbound_mark_sent
from pqr_digital.models import CASE_CHANNEL, DigitalChannel, Interaction
from pqr_digital.reference_data import (
    TEMPLATE_FILED,
    TEMPLATE_REDIRECT_LEGAL_ENTITY,
    TEMPLATE_REDIRECT_WRITTEN,
)
from pqr_digital.services.interactions.common import (
    DEFAULT_DOCUMENT_TYPE,
    INITIAL_CAUSE,
    MAX_LENGTHS,
    MISSING_MESSAGES,
    RECORDING_RETENTION,
    InteractionRedirected,
    Purpose,
    Status,
    _apply,
    _clean_data,
    _context,
    _lock,
    _one_line,
    _queue,
    _require_open,
    _save,
    _take,
    _with_current_type,
    interaction_missing_fields,
    needs_screenshot,
)


def _redirect_rule(interaction: Interaction) -> tuple[str, str, str, str] | None:
    """(status, template, purpose, creador's explanation) when 2.7's notes send the user
    elsewhere, else None."""
    if interaction.sewerage_not_provided and interaction.sewerage_payments:
        return (
            Status.REDIRECTED_WRITTEN,
            TEMPLATE_REDIRECT_WRITTEN,
            Purpose.REDIRECT_WRITTEN,
            "Reclamo por alcantarillado no prestado con pagos realizados: involucra devolución "
            "de valores y se tramita por el canal escrito.",
        )
    legal = (
        interaction.holder == Interaction.Holder.LEGAL
        or interaction.document_type == DocumentType.NIT
    )
    if interaction.premises == Interaction.Premises.NON_RESIDENTIAL and legal:
        return (
            Status.REDIRECTED_OTHER,
            TEMPLATE_REDIRECT_LEGAL_ENTITY,
            Purpose.REDIRECT_LEGAL_ENTITY,
            "Inmueble no residencial a nombre de una persona jurídica (NIT o empresa): la "
            "solicitud se presenta por medios donde se acredite la relación con el inmueble.",
        )
    return None


def _notification(
    *, medium: str, email: str, consent: bool, mobile: str, address: str
) -> dict[str, object]:
    """CORE-13: the medium the user authorises for the answer (optional here), validated with
    the case's own rules before anything is written."""
    errors: dict[str, str] = {}
    medium = medium or ""
    if medium and medium not in NotificationMedium.values:
        raise ValidationError({"notification_medium": "Medio de notificación no válido."})
    email, mobile, address = (email or "").strip(), (mobile or "").strip(), _one_line(address)
    try:
        email = email_normalize(email, field="notification_email") if email else ""
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    try:
        mobile = mobile_normalize(mobile, field="notification_mobile") if mobile else ""
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    values = {
        "notification_medium": medium,
        "notification_email": email if medium == NotificationMedium.EMAIL else "",
        "notification_email_consent": bool(consent) and medium == NotificationMedium.EMAIL,
        "notification_mobile": mobile if medium == NotificationMedium.SMS else "",
        "notification_address": address if medium == NotificationMedium.ADDRESS else "",
    }
    if not errors:
        try:
            Case(kind=CaseKind.PQR, pqr_type=PqrType.RECLAMO, **values).clean()
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return values


NOTIFICATION_PHRASES = {
    NotificationMedium.EMAIL: "correo electrónico",
    NotificationMedium.SMS: "citación por mensaje de texto a su celular",
    NotificationMedium.ADDRESS: "citación por correo a su dirección",
}
NOTIFICATION_UNKNOWN = "los medios previstos por la ley"


def _contact_for(interaction: Interaction):
    """PQR-03: the contact whose document matches the number the user gave; otherwise a new
    contact "Sin identificación" with the data given (the stated number stays on the
    interaction)."""
    found = customer_find_by_document(
        document_type=interaction.document_type or DEFAULT_DOCUMENT_TYPE,
        document_number=interaction.document_number,
    )
    if found is not None:
        return found
    customer, _ = customer_get_or_create(
        document_type=DocumentType.SIN_ID, full_name=interaction.full_name
    )
    return customer


def interaction_pqr_create(
    *,
    interaction: Interaction,
    by: User,
    sewerage_not_provided: bool = False,
    sewerage_payments: bool = False,
    premises: str = Interaction.Premises.RESIDENTIAL,
    holder: str = Interaction.Holder.NATURAL,
    relation_to_premises: str = "",
    notification_medium: str = "",
    notification_email: str = "",
    notification_email_consent: bool = False,
    notification_mobile: str = "",
    notification_address: str = "",
    at: dt.datetime | None = None,
    **missing_fields,
) -> Case:
    """PQR-03..06: file the reclamo of an interaction, after 2.7's rules.

    1. The rules first (PQR-04, PQR-05): sewerage not provided with payments → written channel;
       non-residential premises of a legal entity (or a NIT) → channels where the relation with
       the premises can be proven. Then no case and no contact are created: the interaction is
       closed as redirected and the redirect message to the user is queued — both committed, as
       the record that the user was told — and ``InteractionRedirected`` (409) is raised
       after that transaction (a caller's outer transaction must not roll back on it).
    2. The minimum content (PQR-02), the relation with non-residential premises of a natural
       person (PQR-05) and, for a call, the recording reference (PQR-06): 400 per field, nothing
       written.
    3. The PQR: reclamo, the network's CRM channel, contact by document or "Sin identificación",
       causa inicial "inconformidad con consumo o producción facturado", open, in no pool (it is
       handed out through the daily export, PQR-07), due date by LEG-01.
    4. PQR-06: the user is told the motive and the number through the same channel (in a call,
       by the creador: recorded as sent by them). The screenshot of the chat is attached
       afterwards (``interaction_screenshot_add``): it must show that message.
    """
    at = at or timezone.now()
    redirected = None
    with transaction.atomic():
        interaction = _lock(interaction)
        _require_open(interaction)
        errors: dict[str, str] = {}
        if premises not in Interaction.Premises.values:
            errors["premises"] = "Indique si el inmueble es residencial o no residencial."
        if holder not in Interaction.Holder.values:
            errors["holder"] = "Indique si el titular es persona natural o jurídica."
        relation = _one_line(relation_to_premises)
        if len(relation) > MAX_LENGTHS["relation_to_premises"]:
            errors["relation_to_premises"] = "Escriba como máximo 300 caracteres."
        try:
            data = _clean_data(interaction.channel, _with_current_type(interaction, missing_fields))
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        if errors:
            raise ValidationError(errors)
        fields = _take(interaction, by) + _apply(interaction, data)
        interaction.sewerage_not_provided = bool(sewerage_not_provided)
        interaction.sewerage_payments = bool(sewerage_not_provided and sewerage_payments)
        interaction.premises = premises
        interaction.holder = holder
        interaction.relation_to_premises = relation
        fields += ["sewerage_not_provided", "sewerage_payments", "premises", "holder"]
        fields.append("relation_to_premises")

        rule = _redirect_rule(interaction)
        if rule is not None:
            status, template, purpose, explanation = rule
            _, body = template_render(
                code=template, context=_context(interaction, at=at, missing=[])
            )
            message = _queue(
                interaction,
                key=f"pqr-digital:{interaction.pk}:{purpose.replace('_', '-')}",
                purpose=purpose,
                body=body,
                by=by,
            )
            interaction.status = status
            interaction.closed_at = at
            interaction.closed_by = by
            interaction.full_clean()
            _save(
                interaction,
                [*fields, "status", "closed_at", "closed_by"],
                by=by,
                reason=f"sin PQR: {interaction.get_status_display()}",
            )
            redirected = (explanation, message)
        else:
            case = _file(
                interaction,
                by=by,
                at=at,
                fields=fields,
                notification=dict(
                    medium=notification_medium,
                    email=notification_email,
                    consent=notification_email_consent,
                    mobile=notification_mobile,
                    address=notification_address,
                ),
            )
    if redirected is not None:
        explanation, message = redirected
        told = (
            "el mensaje al usuario quedó listo: cópielo en la consola de la red y márquelo como "
            "enviado."
            if message.status == OutboundMessage.Status.HUMAN
            else "el mensaje al usuario quedó registrado."
        )
        raise InteractionRedirected(
            f"{explanation} No se radicó PQR: la interacción quedó cerrada como "
            f"«{interaction.get_status_display()}» y {told}"
        )
    return case


def _file(
    interaction: Interaction, *, by: User, at: dt.datetime, fields: list[str], notification: dict
) -> Case:
    errors = {f: MISSING_MESSAGES[f] for f in interaction_missing_fields(interaction)}
    if (
        interaction.premises == Interaction.Premises.NON_RESIDENTIAL
        and not interaction.relation_to_premises
    ):
        errors["relation_to_premises"] = (
            "Inmueble no residencial de persona natural: indique la relación del solicitante "
            "con el inmueble (propietario, arrendatario, administrador…)."
        )
    if interaction.channel == DigitalChannel.CONTACT_CENTER and not interaction.recording_ref:
        errors["recording_ref"] = (
            "Ingrese la referencia de la grabación de la llamada: es la evidencia de la atención."
        )
    try:
        notification = _notification(**notification)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    case = case_open(
        kind=CaseKind.PQR,
        pqr_type=PqrType.RECLAMO,
        customer=_contact_for(interaction),
        channel=CASE_CHANNEL[interaction.channel],
        created_by=by,
        initial_cause=INITIAL_CAUSE,
        contract_number=interaction.contract,
        property_address=interaction.property_address,
        motive=interaction.motive,
        filed_at=at,
        modality=Modality.PQR_DIGITAL,
        reason="PQR radicada desde la interacción (2.7)",
    )
    if notification["notification_medium"]:
        for key, value in notification.items():
            setattr(case, key, value)
        case._change_reason = "medio autorizado de notificación (CORE-13)"
        case._history_user = by
        case.save(update_fields=[*notification, "updated_at"])

    interaction.status = Status.PQR_CREATED
    interaction.case = case
    interaction.closed_at = at
    interaction.closed_by = by
    if interaction.channel == DigitalChannel.CONTACT_CENTER:
        interaction.recording_retained_until = local_date(at) + RECORDING_RETENTION
        fields.append("recording_retained_until")
    interaction.full_clean(exclude=["case"])
    _save(
        interaction,
        [*fields, "status", "case", "closed_at", "closed_by"],
        by=by,
        reason=f"PQR {case.number} radicada",
    )

    context = case_template_context(case=case, now=at)
    # The template ends the motive with its own period.
    context["motivo"] = case.motive.rstrip().rstrip(".")
    context["medio_notificacion"] = NOTIFICATION_PHRASES.get(
        case.notification_medium, NOTIFICATION_UNKNOWN
    )
    _, body = template_render(code=TEMPLATE_FILED, context=context)
    _queue(
        interaction,
        key=f"pqr-digital:{interaction.pk}:pqr-radicada",
        purpose=Purpose.FILED,
        body=body,
        by=by,
    )
    return case


@transaction.atomic
def interaction_screenshot_add(*, interaction: Interaction, by: User, upload):
    """PQR-06: the screenshot of the chat or mention — showing the message with the motive and
    the PQR number — into the case's evidence (``captura_chat``)."""
    interaction = _lock(interaction)
    if interaction.status != Status.PQR_CREATED:
        raise ProtocolConflict("Primero radique la PQR: la captura se adjunta al caso.")
    if not needs_screenshot(interaction):
        raise ProtocolConflict(
            "En las llamadas del Contact Center la evidencia es la grabación, no una captura."
        )
    if upload is None:
        raise ValidationError({"file": "Seleccione la captura de la interacción."})
    return case_evidence_add(
        case=interaction.case, by=by, kind=EvidenceKind.CHAT_SCREENSHOT, upload=upload
    )


def interaction_message_mark_sent(
    *, interaction: Interaction, message: OutboundMessage, by: User
) -> OutboundMessage:
    """The creador copied a manual message into the network's console (or said it in the call):
    who and when are recorded; marking it again answers 409."""
    if message.subject_id != interaction.pk:
        raise ProtocolConflict("El mensaje no pertenece a esta interacción.")
    return outbound_mark_sent(message=message, by=by)
