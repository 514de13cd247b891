"""Office turns (CEL-02) and the turn side of the virtual booth (CEL-03).

NovoSGA's model without its bugs: numbers come from a locked counter row per office and day
(duplicates under load are its #290), a technologist holds at most one called / in-attention turn
(a partial unique constraint, its #213), a turn that goes back to the waiting room keeps its
arrival time. Every change is one transaction that records a ``TurnEvent`` (the audit trail and
the live pages' feed). Turns of past days are read-only (409), with one exception: the turn of a
case closed after midnight still becomes "atendido" (``turn_finish``), or it would block its
technologist for good.

Errors: ``ValidationError`` with Spanish messages per field (400), ``ProtocolConflict`` when the
turn's state does not allow the change (409), ``Http404`` for a turn the user may not act on.
"""

from core.services.turns.booth import turn_take
from core.services.turns.common import (
    DECISION_INVALID,
    DECISIONS,
    INACTIVE_OFFICE,
    INACTIVE_TYPE,
    MOBILE_REQUIRED,
    NOT_FOUND,
    NOT_HOLDER,
    NOT_REMOTE_ELIGIBLE,
    PAST_DAY,
    TAKEN,
    turn_dial,
    turn_eligible_remote,
    turns_changed,
)
from core.services.turns.kiosk import turn_kiosk_call, turn_kiosk_finish, turn_virtual_consent
from core.services.turns.office import (
    turn_attention_start,
    turn_finish,
    turn_no_connect,
    turn_office_decision,
    turn_refuse,
)
from core.services.turns.queue import turn_create

__all__ = [
    "DECISIONS",
    "DECISION_INVALID",
    "INACTIVE_OFFICE",
    "INACTIVE_TYPE",
    "MOBILE_REQUIRED",
    "NOT_FOUND",
    "NOT_HOLDER",
    "NOT_REMOTE_ELIGIBLE",
    "PAST_DAY",
    "TAKEN",
    "turn_attention_start",
    "turn_create",
    "turn_dial",
    "turn_eligible_remote",
    "turn_finish",
    "turn_kiosk_call",
    "turn_kiosk_finish",
    "turn_virtual_consent",
    "turn_no_connect",
    "turn_office_decision",
    "turn_refuse",
    "turn_take",
    "turns_changed",
]
