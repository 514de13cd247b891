"""The CRM case of an office turn attended from a distance (CEL-04, AL-04, BAL-04): whichever the
modality — cellphone, online advisor, balancing — the technologist who called the turn registers
the customer and their requirement, and the case opens from the turn with the CRM fields the
modality dictates (its channel by kind, the supported office)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.exceptions import ProtocolConflict
from core.models import (
    AttentionMedium,
    Case,
    CaseKind,
    PqrType,
    TransactionType,
    Turn,
    TurnStatus,
    User,
)
from core.personal_data import contact_fields_normalize, document_normalize
from core.services.cases import case_register
from core.services.turns.common import NOT_REMOTE_ELIGIBLE, turn_eligible_remote
from core.services.turns.office import turn_attention_start

#: What the technologist registers of the customer (CORE-03, ``case_register``).
CUSTOMER_FIELDS = ("document_type", "document_number", "full_name", "phone", "mobile", "email")

NO_HOME_OFFICE = (
    "Su usuario no tiene oficina asignada (el caso la lleva como «oficina»). Pida a su gestor "
    "que la configure."
)


def turn_case_data_validate(
    *, customer, kind: str, pqr_type: str, motive: str, transaction_type
) -> dict:
    """Every field's Spanish message at once (``case_register`` would stop at the first)."""
    errors = {}
    if not isinstance(customer, dict) or not customer:
        errors["customer"] = "Ingrese los datos del cliente (documento y nombre)."
    else:
        try:
            document_normalize(
                document_type=customer.get("document_type") or "",
                document_number=customer.get("document_number") or "",
            )
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        if not " ".join((customer.get("full_name") or "").split()):
            errors["full_name"] = "Ingrese el nombre del cliente."
        try:
            contact_fields_normalize(
                **{k: customer.get(k) or "" for k in ("phone", "mobile", "email")}
            )
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if kind not in CaseKind.values:
        errors["kind"] = "Indique si el requerimiento es una PQR o un pedido."
    pqr_type = pqr_type or ""
    motive = (motive or "").strip()
    if kind == CaseKind.PQR:
        if pqr_type not in PqrType.values:
            errors["pqr_type"] = "Indique si la PQR es una petición, una queja o un reclamo."
        if not motive:
            errors["motive"] = "Indique el motivo PQR (detalle)."
    else:
        pqr_type = ""
    if transaction_type is not None and not transaction_type.active:
        errors["transaction_type"] = "El tipo de transacción no está activo."
    if errors:
        raise ValidationError(errors)
    return {"pqr_type": pqr_type, "motive": motive}


@transaction.atomic
def turn_case_open(
    *,
    turn: Turn,
    by: User,
    customer: dict,
    kind: str,
    channel_by_kind: dict[str, str],
    modality: str,
    reason: str,
    pqr_type: str = "",
    motive: str = "",
    transaction_type: TransactionType | None = None,
    contract_number: str = "",
    property_address: str = "",
    not_eligible_message: str = NOT_REMOTE_ELIGIBLE,
) -> Case:
    """Open the CRM case of a turn the technologist ``by`` called and is attending now:

    - canal by kind (``channel_by_kind``: PQR / pedido → channel code), supported office /
      oficina de atención = the turn's office (``Case.supported_office``);
    - número de turno = the turn's number; medio verbal; oficina = the technologist's own;
    - the case is the technologist's (assigned in its creation row, ``case_open``);
    - the turn goes "en atención" with the case.

    The turn's row is locked first: a double tap opens one case, the second finds the turn in
    attention (409). Nothing is written when a field is wrong (400, every message at once)."""
    turn = Turn.objects.select_for_update(of=("self",)).select_related("office").get(pk=turn.pk)
    if turn.called_by_id != by.pk:
        raise ProtocolConflict("Solo el tecnólogo que llamó el turno registra su atención.")
    if turn.status != TurnStatus.LLAMADO:
        raise ProtocolConflict(
            f"El turno {turn.number} está {turn.get_status_display()}: ya no se puede abrir un "
            "caso desde él."
        )
    if by.home_office_id is None:
        raise ValidationError(NO_HOME_OFFICE)
    transaction_type = transaction_type or turn.transaction_type
    if not turn_eligible_remote(office=turn.office, transaction_type=transaction_type):
        # Changing the requirement must not bring in one this office cannot serve remotely.
        raise ValidationError({"transaction_type": not_eligible_message})
    cleaned = turn_case_data_validate(
        customer=customer,
        kind=kind,
        pqr_type=pqr_type,
        motive=motive,
        transaction_type=transaction_type,
    )
    customer = {key: customer.get(key) or "" for key in CUSTOMER_FIELDS}
    if not customer["mobile"] and not customer["phone"]:
        customer["mobile"] = turn.mobile  # the number the customer left with the turn, if any
    case = case_register(
        created_by=by,
        customer=customer,
        kind=kind,
        pqr_type=cleaned["pqr_type"],
        channel=channel_by_kind[kind],
        transaction_type=transaction_type,
        contract_number=(contract_number or "").strip(),
        property_address=(property_address or "").strip(),
        motive=cleaned["motive"],
        turn_number=turn.number,
        attention_medium=AttentionMedium.VERBAL,
        office=by.home_office,
        supported_office=turn.office,
        modality=modality,
        reason=reason,
        assigned_to=by,
    )
    turn_attention_start(turn=turn, by=by, case=case)
    case.refresh_from_db()
    return case
