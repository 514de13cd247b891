"""Write paths of the overflow modalities (2.1, 2.2). The office print queue (WA-04) is core's:
``core.services.printing``.

One module per use case: ``intake`` (the overflow intake: eligibility, the unit's pool, the
registration), ``whatsapp`` (WA-03: the proposed outcome and the customer's agreement) and
``pqr_report`` (DF-04: the PQR number back to the asignador, and its sweep). Callers use the
package: ``from desborde import services; services.intake_create(...)``.
"""

from desborde.services.intake import (
    NOT_ELIGIBLE,
    PHOTO_KINDS,
    intake_create,
    overflow_pool_for,
    transaction_check_eligible,
)
from desborde.services.pqr_report import (
    PQR_REPORT_SWEEP_BATCH,
    intake_report_pqr_number,
    intakes_report_pending,
)
from desborde.services.whatsapp import customer_agreed, outcome_propose, outcome_respond

__all__ = [
    "NOT_ELIGIBLE",
    "PHOTO_KINDS",
    "PQR_REPORT_SWEEP_BATCH",
    "customer_agreed",
    "intake_create",
    "intake_report_pqr_number",
    "intakes_report_pending",
    "outcome_propose",
    "outcome_respond",
    "overflow_pool_for",
    "transaction_check_eligible",
]
