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
    Case,
    CaseKind,
    ContactAttempt,
    Modality,
    RemoteModality,
    TransactionType,
    Turn,
    TurnStatus,
    User,
)
from core.selectors.roster import roster_offices_for
from core.selectors.turns import turn_get_for_user
from core.services.calls import attempt_log
from core.services.turns import (
    NOT_FOUND,
    turn_dial,
    turn_no_connect,
    turn_refuse,
    turn_take,
)
from core.services.turns.case import turn_case_open

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

NOT_ROSTERED = (
    "No está programado hoy para apoyar oficinas por celular: la taquilla virtual se abre solo "
    "a los tecnólogos de la programación de apoyo del día. Pida a su gestor que lo programe."
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
      (``core.receivers.turns_finish_for_case``).

    The turn's row is locked first: a double tap on "Registrar" opens one case, the second
    request finds the turn already in attention (409). Nothing is written when a field is wrong.
    """
    case = turn_case_open(
        turn=turn,
        by=by,
        customer=customer,
        kind=kind,
        pqr_type=pqr_type,
        motive=motive,
        transaction_type=transaction_type,
        contract_number=contract_number,
        property_address=property_address,
        channel_by_kind=CHANNEL_BY_KIND,
        modality=Modality.DESBORDE,
        reason=f"desborde por celular: turno {turn.number} de {turn.office.name}",
    )
    attempt_log(
        case=case,
        by=by,
        outcome=ContactAttempt.Outcome.CONTESTO,
        number_dialled=turn_dial(turn.mobile),
    )
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
