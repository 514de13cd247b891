"""Helpers of the asesor en línea tests (fixtures in conftest.py use them too)."""

from django.utils import timezone

from core.models import Kiosk, RemoteModality, StaffAvailability, TransactionType, WorkMode
from core.roles import Role
from core.services.roster import roster_entry_add, shift_check_record
from core.services.turns import turn_create, turn_virtual_consent
from tests.helpers import make_user

AL = RemoteModality.ASESOR_EN_LINEA


def tt(code: str = "duplicado-de-factura") -> TransactionType:
    return TransactionType.objects.get(code=code)


def kiosk_on(kiosk: Kiosk) -> Kiosk:
    """A kiosk whose page is open (its live connection sets these; here by hand)."""
    Kiosk.objects.filter(pk=kiosk.pk).update(is_on=True, last_seen_at=timezone.now())
    kiosk.refresh_from_db()
    return kiosk


def technologist(office, username, **kwargs):
    tech = make_user(Role.TECNOLOGO, office, username=username, work_mode=WorkMode.HOME, **kwargs)
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    return tech


def rostered(tech, *offices, checked=True, video=True):
    for office in offices:
        roster_entry_add(
            day=timezone.localdate(), technologist=tech, office=office, modality=AL, by=None
        )
    if checked:
        shift_check_record(technologist=tech, audio=True, video=video, printer=True)
    return tech


def accepted_turn(office, by, code="duplicado-de-factura", at=None):
    """A turn whose customer said yes when the office asked (AL-03)."""
    turn = turn_create(office=office, transaction_type=tt(code), accepts_remote=False, by=by, at=at)
    turn_virtual_consent(turn=turn, accepts=True, by=by)
    turn.refresh_from_db()
    return turn


CUSTOMER = {
    "document_type": "CC",
    "document_number": "43.512.876",
    "full_name": "María Elena Restrepo",
}
