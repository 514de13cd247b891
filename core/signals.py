"""Signals core sends so that modality apps can react without core importing them.

- ``case_closing(sender=Case, case, by)``: sent (not robustly) before a case is closed; a
  receiver may raise ``ProtocolConflict`` / ``ValidationError`` to refuse the closure (e.g. the
  WhatsApp overflow waits for the customer's agreement, WA-03).
- ``case_registered(sender=Case, case, by)``: sent after commit once the case is registered in
  the CRM (closed with or without contact, or a task generated), e.g. to tell the asignador
  the PQR number (DF-04).
"""

from django.dispatch import Signal

case_closing = Signal()
case_registered = Signal()

#: Extra panels on the case page: callables (request, case) -> dict(template=..., **context)
#: or None. Modality apps append to it in AppConfig.ready.
CASE_PAGE_PANELS: list = []
