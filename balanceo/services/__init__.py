"""Write paths of balancing (2.5): the matcher (``matcher``), the technologist's seat
(``seats``) and the attention of a matched customer (``attention``)."""

from balanceo.services.attention import (
    CHANNEL_BY_KIND,
    balance_case_open,
    balance_turn_finish,
)
from balanceo.services.matcher import Match, balance_match_round, balance_match_soon
from balanceo.services.seats import (
    NOT_ROSTERED,
    PAUSED_NO_VIDEO,
    SHIFT_CHECK_FIRST,
    balance_availability_set,
    balance_call_unanswered,
    balance_seat_free,
    balance_shift_check_record,
)

__all__ = [
    "CHANNEL_BY_KIND",
    "NOT_ROSTERED",
    "SHIFT_CHECK_FIRST",
    "Match",
    "PAUSED_NO_VIDEO",
    "balance_availability_set",
    "balance_call_unanswered",
    "balance_case_open",
    "balance_match_round",
    "balance_match_soon",
    "balance_seat_free",
    "balance_shift_check_record",
    "balance_turn_finish",
]
