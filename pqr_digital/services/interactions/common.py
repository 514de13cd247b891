"""What 2.7's interaction services share: PQR-02's minimum content and the field rules, the
purposes of the messages to the user (``Purpose``), the 409 of a redirect
(``InteractionRedirected``), the reading helpers the pages and the API use too, and the internal
steps every write path takes (lock the row, take it in the shared inbox, clean the data, save
with a history reason, queue a message to the user through core's outbox).
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from core.exceptions import ProtocolConflict
from core.models import DocumentType, OutboundMessage, User
from core.personal_data import document_normalize
from core.services.messaging import greeting
from core.services.outbound import outbound_mark_sent, outbound_queue, provider_for
from pqr_digital.models import SCREENSHOT_CHANNELS, DigitalChannel, Interaction

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
    name: Interaction._meta.get_field(name).max_length
    for name in (
        "author_handle",
        "full_name",
        "document_number",
        "contract",
        "property_address",
        "recording_ref",
        "relation_to_premises",
    )
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
