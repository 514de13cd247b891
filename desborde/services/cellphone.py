"""Overflow by cellphone (2.3, CEL-03, CEL-04): the technologist's side of the virtual booth.

The roster, the start-of-shift check and the office turns are core's (``core.services.roster``,
``core.services.turns`` and their selectors); this module is the thin desborde layer on top:
calling a waiting turn from the booth, recording what the customer said on the phone, and opening
the CRM case of a turn with the CRM fields 2.3 step 5 dictates. The page
(``desborde.views.booth``) and the API (``desborde.api_cellphone``) call the same functions, so a
rule answers with the same Spanish message whichever way the request arrives.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    AttentionMedium,
    Case,
    CaseKind,
    ContactAttempt,
    Modality,
    PqrType,
    RemoteModality,
    TransactionType,
    Turn,
    TurnStatus,
    User,
)
from core.personal_data import contact_fields_normalize, document_normalize
from core.selectors.roster import roster_offices_for
from core.selectors.turns import turn_get_for_user
from core.services.calls import attempt_log
from core.services.cases import case_register
from core.services.turns import (
    NOT_FOUND,
    NOT_REMOTE_ELIGIBLE,
    turn_attention_start,
    turn_dial,
    turn_eligible_remote,
    turn_finish,
    turn_no_connect,
    turn_refuse,
    turn_take,
)

#: What the customer said when the technologist called (the API's ``outcome``).
OUTCOME_ACCEPTS = "acepta"
OUTCOME_REFUSES = "rechaza"
OUTCOME_NO_CONNECT = "no_conecta"
OUTCOME_CHOICES = [
    (OUTCOME_ACCEPTS, "el cliente acepta la atención por celular"),
    (OUTCOME_REFUSES, "el cliente rechaza la atención por celular"),
    (OUTCOME_NO_CONNECT, "no se pudo comunicar con el cliente"),
]

#: 2.3 step 5: PQR → canal "desborde" (oficina a la que se apoya); pedido → canal "desborde
#: celular" (oficina de atención). Both are the turn's office, in ``Case.supported_office``.
CHANNEL_BY_KIND = {CaseKind.PQR: "desborde", CaseKind.PEDIDO: "desborde-celular"}

#: What the technologist registers of the customer (CORE-03, ``case_register``).
CUSTOMER_FIELDS = ("document_type", "document_number", "full_name", "phone", "mobile", "email")

NOT_ROSTERED = (
    "No está programado hoy para apoyar oficinas por celular: la taquilla virtual se abre solo "
    "a los tecnólogos de la programación de apoyo del día. Pida a su gestor que lo programe."
)
NO_HOME_OFFICE = (
    "Su usuario no tiene oficina asignada (el caso la lleva como «oficina»). Pida a su gestor "
    "que la configure."
)


# --- read paths of the booth --------------------------------------------------------------------


def booth_offices_for(*, technologist: User, day=None):
    """The offices the technologist supports by cellphone today (CEL-01); empty: no booth."""
    return roster_offices_for(
        technologist=technologist,
        day=day or timezone.localdate(),
        modality=RemoteModality.CELULAR,
    )


def cellphone_turn_get_for_user(*, user: User, turn_id: int) -> Turn:
    """A turn the user called from the booth. Any other turn — missing, of another office,
    taken by someone else — answers 404 alike: the outcome is only the caller's to record."""
    turn = turn_get_for_user(user=user, turn_id=turn_id)
    if turn.called_by_id != user.pk:
        raise Http404(NOT_FOUND)
    return turn


def booth_active_turn_for(*, technologist: User) -> Turn | None:
    """The turn the technologist is on now (called, or in attention with its case): at most one,
    a database constraint of core's turns."""
    return (
        Turn.objects.filter(called_by=technologist, status__in=TurnStatus.active())
        .select_related("office", "transaction_type", "case")
        .first()
    )


# --- write paths ----------------------------------------------------------------------------------


@transaction.atomic
def booth_turn_take(*, turn: Turn, by: User) -> Turn:
    """ "Llamar" in the booth (CEL-03), through core's ``turn_take``: only a waiting remote turn
    of an office the caller supports today (else 404); two technologists pressing at once get
    one winner and one 409 "Otro tecnólogo ya tomó este turno.". A turn of a case already closed
    that still holds the technologist is finished by core's take (web and API alike)."""
    return turn_take(turn=turn, by=by)


def _case_data_validate(
    *, customer, kind: str, pqr_type: str, motive: str, transaction_type
) -> dict:
    errors = {}
    if not isinstance(customer, dict) or not customer:
        errors["customer"] = "Ingrese los datos del cliente (documento y nombre)."
    else:  # every field's message at once (case_register would stop at the first)
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
def cellphone_case_open(
    *,
    turn: Turn,
    by: User,
    customer: dict,
    kind: str,
    pqr_type: str = "",
    motive: str = "",
    transaction_type: TransactionType | None = None,
    contract_number: str = "",
    property_address: str = "",
) -> Case:
    """The customer accepted on the phone (CEL-03): register them and their requirement and
    open the CRM case from the turn (CEL-04, 2.3 step 5).

    - PQR → canal "desborde", oficina a la que se apoya = the turn's office; pedido → canal
      "desborde celular", oficina de atención = the turn's office (both ``supported_office``);
    - número de turno = the turn's number; medio verbal; oficina = the technologist's own;
    - the case is the technologist's (they are attending it now), with the answered call of
      the booth logged as its first contact attempt (CORE-07, number dialled with 003), so
      core's protocol goes on from there: call recording, CRM fields, closing;
    - the turn goes "en atención" with the case; closing the case finishes it
      (``desborde.receivers.finish_turn``).

    The turn's row is locked first: a double tap on "Registrar" opens one case, the second
    request finds the turn already in attention (409). Nothing is written when a field is wrong.
    """
    turn = Turn.objects.select_for_update().select_related("office").get(pk=turn.pk)
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
        # CEL-02: changing the requirement must not bring in one this office cannot serve remotely.
        raise ValidationError({"transaction_type": NOT_REMOTE_ELIGIBLE})
    cleaned = _case_data_validate(
        customer=customer,
        kind=kind,
        pqr_type=pqr_type,
        motive=motive,
        transaction_type=transaction_type,
    )
    customer = {key: customer.get(key) or "" for key in CUSTOMER_FIELDS}
    if not customer["mobile"] and not customer["phone"]:
        customer["mobile"] = turn.mobile  # the number the customer left with the turn
    channel = CHANNEL_BY_KIND[kind]
    case = case_register(
        created_by=by,
        customer=customer,
        kind=kind,
        pqr_type=cleaned["pqr_type"],
        channel=channel,
        transaction_type=transaction_type,
        contract_number=(contract_number or "").strip(),
        property_address=(property_address or "").strip(),
        motive=cleaned["motive"],
        turn_number=turn.number,
        attention_medium=AttentionMedium.VERBAL,
        office=by.home_office,
        supported_office=turn.office,
        modality=Modality.DESBORDE,
        reason=f"desborde por celular: turno {turn.number} de {turn.office.name}",
        assigned_to=by,  # attending it now, from the virtual booth
    )
    attempt_log(
        case=case,
        by=by,
        outcome=ContactAttempt.Outcome.CONTESTO,
        number_dialled=turn_dial(turn.mobile),
    )
    turn_attention_start(turn=turn, by=by, case=case)
    case.refresh_from_db()
    return case


def cellphone_outcome_record(
    *, turn: Turn, by: User, outcome: str, **case_data
) -> tuple[Turn, Case | None]:
    """What the customer said on the phone (CEL-03): accepts → the case opens
    (``cellphone_case_open`` with ``case_data``); refuses → the turn goes back to the waiting
    room in its place (``turn_refuse``); no answer / cannot connect → the office is told and
    decides cellphone or in person (``turn_no_connect``). Returns the turn and the case, if any.
    """
    if outcome == OUTCOME_ACCEPTS:
        case = cellphone_case_open(turn=turn, by=by, **case_data)
        turn.refresh_from_db()
        return turn, case
    if turn.called_by_id != by.pk:
        raise ProtocolConflict("Solo el tecnólogo que llamó el turno registra su resultado.")
    record = {OUTCOME_REFUSES: turn_refuse, OUTCOME_NO_CONNECT: turn_no_connect}.get(outcome)
    if record is None:
        raise ValidationError(
            {"outcome": "Indique si el cliente acepta, rechaza o si no se pudo comunicar."}
        )
    record(turn=turn, by=by)
    turn.refresh_from_db()
    return turn, None


def cellphone_turn_finish_for_case(*, case: Case, by: User | None) -> list[Turn]:
    """``case_closed``: the turn attended through this case becomes "atendido"."""
    finished = list(Turn.objects.filter(case=case, status=TurnStatus.EN_ATENCION))
    for turn in finished:
        turn_finish(turn=turn, by=by)
    return finished
