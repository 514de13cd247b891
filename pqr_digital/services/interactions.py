"""Interactions of 2.7 (PQR-01..06): registered by the creador or delivered by a provider's
webhook, completed, turned into a PQR or redirected, or closed for lack of information.

The creadores share one inbox (the Contact Center's): an interaction nobody handles yet is
visible to all of them, and the first who acts on it (completes it, asks for the missing data,
files the PQR, closes it) takes it (``handled_by``); from then on it is theirs.

Every message to the user goes through core's outbox (``core.services.outbound``) with an
idempotency key per logical message, as a row linked to the interaction (``Interaction.messages``):
the proof that the user was told. Messages of interactions registered by hand (no id of the
user on the network) and of Contact Center calls are "manual": the creador copies the text into
the network's console, or says it during the call, and marks it sent.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.business_days import bogota_day_bounds, local_date
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
from core.personal_data import document_normalize, email_normalize, mobile_normalize
from core.services.cases import case_open
from core.services.closing import case_evidence_add
from core.services.customers import customer_find_by_document, customer_get_or_create
from core.services.messaging import case_template_context, greeting, template_render
from core.services.outbound import outbound_mark_sent, outbound_queue, provider_for
from pqr_digital.models import CASE_CHANNEL, SCREENSHOT_CHANNELS, DigitalChannel, Interaction
from pqr_digital.reference_data import (
    TEMPLATE_CLOSE_UNANSWERED,
    TEMPLATE_FILED,
    TEMPLATE_REDIRECT_LEGAL_ENTITY,
    TEMPLATE_REDIRECT_WRITTEN,
    TEMPLATE_REQUEST_INFO,
)

Status = Interaction.Status

#: PQR-02's minimum content, by the API's field names, as the user reads it in a message.
#: Contract and property address are one requirement ("contrato o dirección del inmueble"):
#: both are listed as missing when neither was given.
MINIMUM_LABELS = {
    "full_name": "nombre",
    "document_number": "número de identificación",
    "contract": "contrato o dirección del inmueble",
    "property_address": "contrato o dirección del inmueble",
    "motive": "motivo de la petición",
}
MISSING_MESSAGES = {
    "full_name": "Falta el nombre del usuario.",
    "document_number": "Falta el número de identificación del usuario.",
    "contract": "Falta el contrato o la dirección del inmueble.",
    "property_address": "Falta el contrato o la dirección del inmueble.",
    "motive": "Falta el motivo de la petición.",
}
#: What the creador may complete on an interaction (and give with the PQR request).
DATA_FIELDS = (
    "author_handle",
    "full_name",
    "document_type",
    "document_number",
    "contract",
    "property_address",
    "motive",
    "recording_ref",
)
#: Max lengths of the one-line fields (the model's), to answer 400 instead of a database error.
MAX_LENGTHS = {
    "author_handle": 200,
    "full_name": 160,
    "document_number": 20,
    "contract": 30,
    "property_address": 200,
    "recording_ref": 120,
    "relation_to_premises": 300,
}
#: The document the user states: any type but "Sin identificación" (that one is only for the
#: contact created when the number matches none, PQR-03). Without a type, a cédula.
DEFAULT_DOCUMENT_TYPE = DocumentType.CC
#: Contact Center recordings are kept 6 months (2.7 paso 1).
RECORDING_RETENTION = relativedelta(months=6)
#: Meta's customer-service window after the user's last message.
META_REPLY_WINDOW = dt.timedelta(hours=24)
INITIAL_CAUSE = "inconformidad-consumo"


class Purpose:
    """``OutboundMessage.purpose`` of each message of 2.7, and its Spanish label."""

    REQUEST_INFO = "solicitud_informacion"
    CLOSE_UNANSWERED = "cierre_sin_informacion"
    FILED = "pqr_radicada"
    REDIRECT_WRITTEN = "redireccion_canal_escrito"
    REDIRECT_LEGAL_ENTITY = "redireccion_persona_juridica"

    LABELS = {
        REQUEST_INFO: "solicitud de información",
        CLOSE_UNANSWERED: "cierre por falta de información",
        FILED: "PQR radicada: motivo y número",
        REDIRECT_WRITTEN: "redirección a canal escrito",
        REDIRECT_LEGAL_ENTITY: "redirección: persona jurídica",
    }


class InteractionRedirected(ProtocolConflict):
    """A rule of 2.7 (PQR-04, PQR-05) sends the user elsewhere: no PQR, no contact. Raised after
    the interaction's closing and the redirect message were committed (they are the record that
    the user was told); the API answers 409 with this message."""

    def __init__(self, message: str, *, interaction: Interaction, outbound: OutboundMessage):
        super().__init__(message)
        self.interaction = interaction
        self.outbound = outbound


# --- reading helpers (no queries) ------------------------------------------------------------


def interaction_missing_fields(interaction: Interaction) -> list[str]:
    """PQR-02: the minimum content still missing, by field name (``contract`` and
    ``property_address`` together when neither was given)."""
    missing = []
    if not interaction.full_name.strip():
        missing.append("full_name")
    if not interaction.document_number.strip():
        missing.append("document_number")
    if not (interaction.contract.strip() or interaction.property_address.strip()):
        missing += ["contract", "property_address"]
    if not interaction.motive.strip():
        missing.append("motive")
    return missing


def missing_text(missing: list[str]) -> str:
    """ "nombre, número de identificación y motivo de la petición"."""
    labels = list(dict.fromkeys(MINIMUM_LABELS[f] for f in missing))
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " y " + labels[-1]


def needs_screenshot(interaction: Interaction) -> bool:
    """PQR-06: chats, WhatsApp and social networks attach the screenshot of the interaction."""
    return interaction.channel in SCREENSHOT_CHANNELS


def can_message(interaction: Interaction) -> bool:
    """Whether an inbox message can reach the user: not in a call, not when they cannot
    receive messages."""
    return (
        interaction.channel != DigitalChannel.CONTACT_CENTER
        and not interaction.cannot_receive_messages
    )


# --- internal helpers --------------------------------------------------------------------------


def _lock(interaction: Interaction) -> Interaction:
    # ``of=self``: PostgreSQL cannot lock the nullable side of the join to the case.
    return (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=interaction.pk)
    )


def _require_open(interaction: Interaction) -> None:
    if interaction.status == Status.PQR_CREATED:
        raise ProtocolConflict(
            f"Ya se radicó la PQR {interaction.case.number} para esta interacción."
        )
    if not interaction.is_open:
        raise ProtocolConflict(f"La interacción está cerrada ({interaction.get_status_display()}).")


def _take(interaction: Interaction, by: User | None) -> list[str]:
    """The shared inbox: acting on an interaction nobody handles makes it yours."""
    if by is None:
        return []
    if interaction.handled_by_id is None:
        interaction.handled_by = by
        return ["handled_by"]
    if interaction.handled_by_id != by.pk and not by.is_superuser:
        raise ProtocolConflict("Esta interacción está a cargo de otro creador de experiencia.")
    return []


def _save(interaction: Interaction, fields: list[str], *, by: User | None, reason: str) -> None:
    interaction._change_reason = reason[:100]
    if by is not None:
        interaction._history_user = by
    interaction.save(update_fields=list(dict.fromkeys([*fields, "updated_at"])))


def _one_line(value) -> str:
    return " ".join(str(value or "").split())


def _clean_data(channel: str, given: dict) -> dict:
    """Normalise the data the creador typed (or the API sent); every field's Spanish message at
    once. Only the keys given are returned."""
    unknown = set(given) - set(DATA_FIELDS)
    if unknown:
        raise TypeError(f"Campos desconocidos: {', '.join(sorted(unknown))}")
    data = {
        key: (str(value or "").strip() if key == "motive" else _one_line(value))
        for key, value in given.items()
    }
    errors: dict[str, str] = {}
    for key, value in data.items():
        limit = MAX_LENGTHS.get(key)
        if limit and len(value) > limit:
            errors[key] = f"Escriba como máximo {limit} caracteres."
    doc_type = data.get("document_type")
    if doc_type and (doc_type not in DocumentType.values or doc_type == DocumentType.SIN_ID):
        errors["document_type"] = (
            "Tipo de documento no válido: indique el documento que informó el usuario."
        )
    number = data.get("document_number")
    if number and "document_type" not in errors and "document_number" not in errors:
        data["document_type"] = doc_type or DEFAULT_DOCUMENT_TYPE
        try:
            data["document_number"] = document_normalize(
                document_type=data["document_type"], document_number=number
            )
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if data.get("recording_ref") and channel != DigitalChannel.CONTACT_CENTER:
        errors["recording_ref"] = (
            "La referencia de la grabación solo aplica a llamadas del Contact Center."
        )
    if errors:
        raise ValidationError(errors)
    return data


def _with_current_type(interaction: Interaction, given: dict) -> dict:
    """A number given alone keeps the document type already recorded."""
    if given.get("document_number") and not given.get("document_type"):
        return {**given, "document_type": interaction.document_type}
    return given


def _apply(interaction: Interaction, data: dict) -> list[str]:
    changed = [k for k, v in data.items() if getattr(interaction, k) != v]
    for key in changed:
        setattr(interaction, key, data[key])
    return changed


def _message_provider(interaction: Interaction) -> str:
    """A message goes automatically only to a user the network identified (a webhook's
    sender id); one registered by hand, or a call, is sent by the creador."""
    if interaction.provider == "manual" or not interaction.provider_sender_id:
        return "manual"
    return provider_for(interaction.channel)


def _queue(
    interaction: Interaction, *, key: str, purpose: str, body: str, by: User | None
) -> OutboundMessage:
    """Queue one message to the user through the network of the interaction. In a call the
    creador says it: recorded as sent by hand by them at once."""
    provider = _message_provider(interaction)
    window = None
    if provider == "meta" and interaction.last_inbound_at:
        window = interaction.last_inbound_at + META_REPLY_WINDOW
    message = outbound_queue(
        key=key,
        channel=interaction.channel,
        recipient=interaction.provider_sender_id or interaction.author_handle or "—",
        body=body,
        purpose=purpose,
        subject=interaction,
        created_by=by,
        reply_window_ends_at=window,
        provider=provider,
    )
    if (
        interaction.channel == DigitalChannel.CONTACT_CENTER
        and by is not None
        and message.status == OutboundMessage.Status.HUMAN
    ):
        message = outbound_mark_sent(message=message, by=by)
    return message


def _context(interaction: Interaction, *, at: dt.datetime, missing: list[str]) -> dict:
    return {
        "saludo": greeting(at),
        "nombre_cliente": interaction.full_name or interaction.author_handle or "apreciado usuario",
        "canal": interaction.get_channel_display(),
        "datos_faltantes": missing_text(missing),
    }


# --- write paths -------------------------------------------------------------------------------


@transaction.atomic
def interaction_receive(
    *,
    channel: str,
    provider: str,
    sender_id: str,
    sender_name: str = "",
    text: str,
    at: dt.datetime,
) -> Interaction:
    """A message from a network's user: the answer to their open interaction (it stops the
    clock of an information request: back to "abierta", so the daily closing leaves it), or a
    new interaction in the shared inbox."""
    interaction = (
        Interaction.objects.select_for_update()
        .filter(
            provider=provider,
            channel=channel,
            provider_sender_id=sender_id,
            status__in=Interaction.Status.open_values(),
        )
        .order_by("-arrived_at", "-id")
        .first()
    )
    if interaction is None:
        return Interaction.objects.create(
            channel=channel,
            provider=provider,
            provider_sender_id=sender_id,
            author_handle=sender_name or sender_id,
            text=text,
            arrived_at=at,
            last_inbound_at=at,
        )
    interaction.last_inbound_at = max(at, interaction.last_inbound_at or at)
    fields = ["last_inbound_at", "updated_at"]
    if interaction.status == Interaction.Status.WAITING_INFO:
        interaction.status = Interaction.Status.OPEN
        interaction.info_answered_at = at
        fields += ["status", "info_answered_at"]
    interaction._change_reason = "mensaje del usuario recibido"
    interaction.save(update_fields=fields)
    return interaction


@transaction.atomic
def interaction_register(
    *,
    by: User,
    channel: str,
    text: str,
    author_handle: str = "",
    full_name: str = "",
    document_type: str = "",
    document_number: str = "",
    contract: str = "",
    property_address: str = "",
    motive: str = "",
    recording_ref: str = "",
    arrived_at: dt.datetime | None = None,
) -> Interaction:
    """PQR-01: the creador registers by hand a mention, a chat or a call of the group
    "Orientación a la factura" (Contact Center). It is theirs from the start."""
    now = timezone.now()
    errors = {}
    if channel not in DigitalChannel.values:
        errors["channel"] = "Seleccione la red o el canal por el que llegó."
    text = (text or "").strip()
    if not text:
        errors["text"] = "Escriba lo que dijo el usuario (la mención, el chat o la llamada)."
    if arrived_at is not None and arrived_at > now + dt.timedelta(minutes=5):
        errors["arrived_at"] = "La fecha de llegada no puede estar en el futuro."
    try:
        data = _clean_data(
            channel,
            {
                "author_handle": author_handle,
                "full_name": full_name,
                "document_type": document_type,
                "document_number": document_number,
                "contract": contract,
                "property_address": property_address,
                "motive": motive,
                "recording_ref": recording_ref,
            },
        )
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        data = {}
    if errors:
        raise ValidationError(errors)
    arrived_at = arrived_at or now
    interaction = Interaction(
        channel=channel,
        text=text,
        arrived_at=arrived_at,
        last_inbound_at=arrived_at,
        handled_by=by,
        provider="manual",
        **data,
    )
    interaction.full_clean()
    interaction._change_reason = "interacción registrada por el creador de experiencia"
    interaction._history_user = by
    interaction.save()
    return interaction


@transaction.atomic
def interaction_update(*, interaction: Interaction, by: User, **changes) -> Interaction:
    """Complete the minimum data (PQR-02) as the user gives it. While an information request
    waits, the user's data typed in here is their answer: the interaction is open again and the
    daily closing leaves it."""
    interaction = _lock(interaction)
    _require_open(interaction)
    data = _clean_data(interaction.channel, _with_current_type(interaction, changes))
    fields = _take(interaction, by) + _apply(interaction, data)
    answered = interaction.status == Status.WAITING_INFO and any(
        f in MINIMUM_LABELS or f == "document_type" for f in fields
    )
    if answered:
        interaction.status = Status.OPEN
        interaction.info_answered_at = timezone.now()
        fields += ["status", "info_answered_at"]
    if not fields:
        return interaction
    interaction.full_clean()
    reason = "datos completados: respuesta del usuario" if answered else "datos completados"
    _save(interaction, fields, by=by, reason=reason)
    return interaction


@transaction.atomic
def interaction_request_info(
    *, interaction: Interaction, by: User, at: dt.datetime | None = None
) -> OutboundMessage:
    """PQR-02: ask the user through the network's inbox for the minimum data still missing
    (template TEMPLATE_REQUEST_INFO, editable in admin). If there is no answer by the next
    Bogotá day, the daily job closes the interaction (``interactions_close_unanswered_due``).

    Each request is its own message (key ``…:solicitud-informacion:<n>``): asking again after a
    partial answer sends a new one; a repeated click sends nothing twice because the row is
    locked and the status says a request is waiting."""
    at = at or timezone.now()
    interaction = _lock(interaction)
    _require_open(interaction)
    missing = interaction_missing_fields(interaction)
    if not missing:
        raise ProtocolConflict("No falta ningún dato mínimo: puede radicar la PQR.")
    if interaction.channel == DigitalChannel.CONTACT_CENTER:
        raise ProtocolConflict(
            "En una llamada los datos se piden durante la llamada: complételos o cierre la "
            "interacción como no atendida."
        )
    if interaction.cannot_receive_messages:
        raise ProtocolConflict(
            "El usuario no puede recibir mensajes: cierre la interacción como no atendida."
        )
    if interaction.status == Status.WAITING_INFO:
        raise ProtocolConflict(
            "Ya se solicitó la información y se espera la respuesta del usuario."
        )
    fields = _take(interaction, by)
    number = interaction.messages.filter(purpose=Purpose.REQUEST_INFO).count() + 1
    _, body = template_render(
        code=TEMPLATE_REQUEST_INFO, context=_context(interaction, at=at, missing=missing)
    )
    message = _queue(
        interaction,
        key=f"pqr-digital:{interaction.pk}:solicitud-informacion:{number}",
        purpose=Purpose.REQUEST_INFO,
        body=body,
        by=by,
    )
    interaction.status = Status.WAITING_INFO
    interaction.info_requested_at = at
    interaction.info_answered_at = None
    _save(
        interaction,
        [*fields, "status", "info_requested_at", "info_answered_at"],
        by=by,
        reason=f"información solicitada al usuario: {missing_text(missing)}",
    )
    return message


def _close_unanswered(
    interaction: Interaction, *, by: User | None, at: dt.datetime, reason: str
) -> OutboundMessage | None:
    """Close (locked row) as not attended; the closing message goes when it can reach the user.
    One key per interaction: the message is queued once whoever closes it."""
    missing = interaction_missing_fields(interaction)
    message = None
    if can_message(interaction):
        _, body = template_render(
            code=TEMPLATE_CLOSE_UNANSWERED,
            context=_context(interaction, at=at, missing=missing),
        )
        message = _queue(
            interaction,
            key=f"pqr-digital:{interaction.pk}:cierre-sin-informacion",
            purpose=Purpose.CLOSE_UNANSWERED,
            body=body,
            by=by,
        )
    elif interaction.channel == DigitalChannel.CONTACT_CENTER:
        reason += " (llamada: sin mensaje por inbox)"
    else:
        reason += " (el usuario no puede recibir mensajes: no se envió mensaje)"
    fields = _take(interaction, by)
    interaction.status = Status.UNATTENDED
    interaction.closed_at = at
    interaction.closed_by = by
    _save(interaction, [*fields, "status", "closed_at", "closed_by"], by=by, reason=reason)
    return message


@transaction.atomic
def interaction_close_unanswered(
    *,
    interaction: Interaction,
    by: User | None = None,
    cannot_receive_messages: bool = False,
    at: dt.datetime | None = None,
) -> Interaction:
    """PQR-02: the user did not give the minimum data. Closed as "no atendida" with the closing
    inbox message (TEMPLATE_CLOSE_UNANSWERED) once the information request went unanswered
    until the next Bogotá day; at once, without a message, when the user cannot receive
    messages (``cannot_receive_messages``, recorded) or the call ended (Contact Center)."""
    at = at or timezone.now()
    interaction = _lock(interaction)
    _require_open(interaction)
    missing = interaction_missing_fields(interaction)
    if not missing:
        raise ProtocolConflict(
            "La interacción tiene los datos mínimos: radique la PQR en lugar de cerrarla."
        )
    fields = []
    if cannot_receive_messages and not interaction.cannot_receive_messages:
        interaction.cannot_receive_messages = True
        fields.append("cannot_receive_messages")
    if can_message(interaction):
        if interaction.status != Status.WAITING_INFO:
            raise ProtocolConflict(
                "Primero solicite al usuario la información que falta; si no responde, la "
                "interacción se cierra al día siguiente."
            )
        if local_date(interaction.info_requested_at) >= local_date(at):
            raise ProtocolConflict(
                "La información se solicitó hoy: el usuario tiene hasta mañana para responder."
            )
    if fields:
        _save(interaction, fields, by=by, reason="el usuario no puede recibir mensajes")
    _close_unanswered(
        interaction,
        by=by,
        at=at,
        reason="cerrada como no atendida por falta de información",
    )
    return interaction


def interactions_close_unanswered_due(*, now: dt.datetime | None = None) -> int:
    """The daily job (task ``pqr_digital.close_unanswered``, 08:00 Bogotá, hour editable in
    admin): close the interactions whose information request was sent on an earlier Bogotá day
    and got no answer (an answer puts them back to "abierta").

    One short transaction per interaction, its row locked with SKIP LOCKED: two workers never
    close the same one, a creador working on one is not blocked, and a failure leaves the others
    closed. Running it twice closes once and sends one message (the status is re-checked under
    the lock and the message has one key per interaction)."""
    now = now or timezone.now()
    start_of_today, _ = bogota_day_bounds(local_date(now))
    due = Interaction.objects.filter(
        status=Status.WAITING_INFO, info_requested_at__lt=start_of_today
    )
    closed = 0
    for pk in list(due.order_by("info_requested_at", "id").values_list("pk", flat=True)):
        with transaction.atomic():
            interaction = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("case")
                .filter(pk=pk)
                .first()
            )
            if interaction is None:
                continue
            _close_unanswered(
                interaction,
                by=None,
                at=now,
                reason="cierre automático: el usuario no respondió la solicitud de información",
            )
            closed += 1
    return closed


# --- PQR (PQR-03..06) --------------------------------------------------------------------------


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
            f"«{interaction.get_status_display()}» y {told}",
            interaction=interaction,
            outbound=message,
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
