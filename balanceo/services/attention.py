"""The attention of a matched customer (BAL-04, 2.5 steps 3 and 4): the CRM case of the turn,
the documents printed at the kiosk, the scans the technologist takes remotely, and "Terminar".

Everything is core's (``turn_case_open``, ``core.services.turns.documents`` for the kiosk's
printer and the scans, ``turn_kiosk_finish``);
this module names the channels of 2.5 and frees the technologist for the next customer."""

from django.db import transaction

from balanceo.services.seats import balance_seat_free
from core.models import (
    Case,
    CaseKind,
    Modality,
    TransactionType,
    Turn,
    User,
)
from core.services.turns import turn_kiosk_finish
from core.services.turns.case import turn_case_open

#: 2.5 step 3: PQR → canal "asesor en línea" (oficina a la que se apoya); pedido → canal
#: "Balanceo automático" (oficina de atención). Both are the turn's office (``supported_office``).
CHANNEL_BY_KIND = {CaseKind.PQR: "asesor-en-linea", CaseKind.PEDIDO: "balanceo-automatico"}

NOT_ELIGIBLE = (
    "Esta transacción no se atiende por balanceo en esta oficina: no tiene orientador "
    "(Radicación de documentos y Pedidos de energía prepago)."
)


@transaction.atomic
def balance_case_open(
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
    """BAL-04: the customer matched to the technologist is at the kiosk; register them and their
    requirement and open the CRM case from the turn (core's ``turn_case_open``):

    - PQR → canal "asesor en línea", oficina a la que se apoya = the turn's office; pedido →
      canal "Balanceo automático", oficina de atención = the turn's office; modality balanceo;
    - número de turno = the turn's, medio verbal, oficina = the technologist's own, the case is
      the technologist's; the turn goes "en atención" with the case.

    Only the technologist the turn was matched to (409 otherwise); a double tap opens one case;
    nothing is written when a field is wrong (400, every message at once)."""
    return turn_case_open(
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
        modality=Modality.BALANCEO,
        reason=f"balanceo automático: turno {turn.number} de {turn.office.name}",
        not_eligible_message=NOT_ELIGIBLE,
    )


@transaction.atomic
def balance_turn_finish(*, turn: Turn, by: User, outcome: str) -> Turn:
    """ "Terminar" (core's ``turn_kiosk_finish``): "atendido" once the case is registered,
    "no_se_presento" or "devolver" (back to the waiting room; the office asks the customer
    again) while the turn is called. The video call ends, the kiosk is free, and the
    technologist is idle from now: the next waiting customer is matched right after commit.

    The seat is freed first, so its matching round is the first thing that runs after commit:
    the next customer's ``video.connect`` does not wait for the ended call's messages and
    receivers. A refusal rolls both back."""
    balance_seat_free(technologist_id=by.pk)
    return turn_kiosk_finish(turn=turn, by=by, outcome=outcome)
