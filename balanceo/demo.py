"""Balancing's part of ``manage.py seed_demo`` (registered in ``BalanceoConfig.ready``).

``tecnologo3`` (Daniela Vélez) is in today's balancing pool for Oficina Centro Medellín (three
kiosks) and Oficina Bello (two), with today's start-of-shift check (audio, video, printer) done
and "Disponible para balanceo"; a customer waits in Oficina Centro Medellín and accepted virtual
attention. So after ``make run``: open ``/kiosco/`` in another browser, pair it as a kiosk of
Oficina Centro Medellín, and the customer is matched to Daniela by itself — both pages open the
video call and the waiting-room display announces the turn. Everything is looked up first: a
second run the same day adds nothing."""

from django.utils import timezone

from balanceo.services import balance_availability_set, balance_shift_check_record
from core.modalities import DemoContext
from core.models import (
    RemoteModality,
    RosterEntry,
    StaffAvailability,
    TransactionType,
    Turn,
    TurnStatus,
    VirtualConsent,
)
from core.selectors.roster import shift_check_done
from core.services.roster import roster_entries_add_bulk
from core.services.turns import turn_create, turn_virtual_consent

TECHNOLOGIST = "tecnologo3"
OFFICES = ["MED-CEN", "BEL"]
#: office code, transaction code, who gives the turn and asks the customer (office staff).
WAITING = [("MED-CEN", "duplicado-de-factura", "orientador")]


def seed(context: DemoContext) -> str:
    users, offices = context.users, context.offices
    today = timezone.localdate()
    tech = users[TECHNOLOGIST]
    StaffAvailability.objects.get_or_create(
        user=tech, date=today, defaults={"is_available": True, "work_mode": tech.work_mode}
    )
    missing = [
        offices[code]
        for code in OFFICES
        if not RosterEntry.objects.filter(
            day=today, technologist=tech, office=offices[code], modality=RemoteModality.BALANCEO
        ).exists()
    ]
    if missing:  # one save: one e-mail for the day's roster (BAL-01)
        gestor = users["gestor"]
        same_unit = all(o.unit == gestor.home_office.unit for o in missing)
        roster_entries_add_bulk(
            day=today,
            technologists=[tech],
            offices=missing,
            modality=RemoteModality.BALANCEO,
            by=gestor if same_unit else users["admin"],
        )
    rostered = len(missing)
    if not shift_check_done(technologist=tech, day=today, video=True):
        balance_shift_check_record(technologist=tech, audio=True, video=True, printer=True)
    balance_availability_set(technologist=tech, available=True)
    added = 0
    for code, transaction_code, giver in WAITING:
        office = offices[code]
        transaction_type = TransactionType.objects.get(code=transaction_code)
        if Turn.objects.filter(
            office=office,
            day=today,
            transaction_type=transaction_type,
            virtual_consent=VirtualConsent.ACEPTA,
        ).exists():
            continue
        turn = turn_create(
            office=office,
            transaction_type=transaction_type,
            accepts_remote=False,
            by=users[giver],
        )
        if turn.status == TurnStatus.EN_ESPERA:
            turn_virtual_consent(turn=turn, accepts=True, by=users[giver])
        added += 1
    return (
        f"Balanceo: {tech.get_full_name()} disponible (apoyos programados nuevos: {rostered}); "
        f"clientes nuevos en espera que aceptaron la atención virtual: {added}."
    )
