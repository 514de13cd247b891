"""Helpers of the internal-client tests (2.8)."""

from django.utils import timezone

from cliente_interno.selectors import booking_for_party
from core.models import Office
from core.services.turns import turn_create


def check_in(booking, *, at=None):
    """The employee checked in (CI-03) without going through the window: a turn of the
    "Cliente Interno" office, waiting; the booking as the selectors read it."""
    booking.turn = turn_create(
        office=Office.objects.get(is_internal_client=True),
        transaction_type=booking.transaction_type,
        accepts_remote=False,
        by=booking.employee,
    )
    booking.checked_in_at = at or timezone.now()
    booking.save(update_fields=["turn", "checked_in_at"])
    return booking_for_party(user=booking.employee, pk=booking.pk)
