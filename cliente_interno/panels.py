"""The panel of an internal-client case on the case page (2.8, CI-05): the appointment that
opened it (the employee, the hour, the turn), the documents exchanged in its room, and core's
notification authorisation + constancia block (the constancia leaves the internal-client
mailbox: core picks the sender by the case's modality; the closing rule is registered in
apps.py)."""

from cliente_interno.models import InternalBooking
from cliente_interno.services.attention import STATE_LABELS, booking_documents, booking_state
from core.models import CaseKind, Modality
from core.views import constancia_panel


def case_page_panel(request, case, forms) -> dict | None:
    """Three queries whatever the case holds: the booking (with its appointment, employee,
    transaction and turn), its documents, the constancias."""
    if case.modality != Modality.CLIENTE_INTERNO:
        return None
    booking = (
        InternalBooking.objects.select_related(
            "appointment", "employee", "transaction_type", "turn"
        )
        .filter(appointment__case_id=case.pk)
        .first()
    )
    documents = booking_documents(booking) if booking is not None else []
    state = booking_state(booking) if booking is not None else ""
    return {
        "template": "cliente_interno/partials/_case_panel.html",
        "booking": booking,
        "state_label": STATE_LABELS.get(state, ""),
        "documents": documents,
        "constancia": constancia_panel(request, case, forms) if case.kind == CaseKind.PQR else None,
    }
