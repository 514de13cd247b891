"""LEG-02: the silencio-administrativo-positivo (SAP) queue and its 72-hour clock.

When a PQR's legal term (LEG-01, ``Case.due_date``: 15 días hábiles) ends without an answer,
the petition is granted by law (Ley 142 de 1994, art. 158) and the utility must recognise the
silence's effects within 72 hours (Decreto 2150 de 1995, art. 123). Reading of the law used
here: the 72 hours are calendar hours (weekends and holidays count), and they start at 00:00
America/Bogota of the day after the due date — the term ends with the due date's last minute,
whatever time the sweep notices it.

``sap_sweep`` (every 10 minutes, ``core.tasks.sap_sweep_task``) writes the queue and sends the
two alerts; ``sap_recognise`` records the recognition. Both are safe under concurrency: the
queue is one row per case (a unique key), the alerts are claimed with a conditional UPDATE in
the transaction that queues their e-mails, and a recognition locks its row.
"""

from core.services.sap.clock import (
    ALERT_HOURS,
    RECOGNISE_ROLES,
    SAP_HOURS,
    bogota_moment,
    sap_began_at,
    sap_can_recognise,
    sap_deadline,
    sap_hours_left,
    sap_is_expired,
    sap_is_urgent,
    sap_queue_url,
)
from core.services.sap.recognise import (
    ACT_REFERENCE_REQUIRED,
    EVIDENCE_EXTENSIONS,
    EVIDENCE_LABEL,
    EVIDENCE_TYPES_MESSAGE,
    NOT_IN_QUEUE,
    sap_recognise,
)
from core.services.sap.sweep import sap_sweep

__all__ = [
    "ACT_REFERENCE_REQUIRED",
    "ALERT_HOURS",
    "EVIDENCE_EXTENSIONS",
    "EVIDENCE_LABEL",
    "EVIDENCE_TYPES_MESSAGE",
    "NOT_IN_QUEUE",
    "RECOGNISE_ROLES",
    "SAP_HOURS",
    "bogota_moment",
    "sap_began_at",
    "sap_can_recognise",
    "sap_deadline",
    "sap_hours_left",
    "sap_is_expired",
    "sap_is_urgent",
    "sap_queue_url",
    "sap_recognise",
    "sap_sweep",
]
