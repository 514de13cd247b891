"""Signals core sends so that modality apps can react without core importing them.

(A modality that must refuse a closure registers a closing rule in ``core.modalities``.)

- ``case_closed(sender=Case, case, by)``: sent after commit once the case is closed (with or
  without contact, or a task generated), e.g. to tell the asignador the PQR number (DF-04).
  Sent robustly: the case is already closed, so a receiver that raises is logged and the close
  still succeeds. A receiver whose work must not be lost also needs a periodic sweep that
  finds the closed cases it missed (DF-04: ``desborde.pqr_report_sweep``).
- ``video_session_ended(sender=VideoSession, session)``: sent after commit when a video call
  ends (finalizada or fallida), e.g. so balancing makes its technologist available at once.
- ``kiosk_connected(sender=Kiosk, kiosk)``: sent when a kiosk's live connection turns it on
  ("conectado"), e.g. so balancing matches the customers that waited for a free kiosk.
"""

from django.dispatch import Signal

case_closed = Signal()
video_session_ended = Signal()
kiosk_connected = Signal()
