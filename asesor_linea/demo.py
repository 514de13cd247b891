"""Asesor en línea's part of ``manage.py seed_demo`` (registered in ``AsesorLineaConfig.ready``).

Today ``tecnologo3`` (Daniela Vélez) supports Oficina Itagüí by asesor en línea (AL-01: Itagüí
has one kiosk, "Módulo 1", so one supporter), and Itagüí has a waiting turn whose customer
accepted virtual attention when the encargado asked (AL-03), so "Asesor en línea" shows an
office, its kiosk and a turn to announce right after ``make run``. The start-of-shift check (with
video, AL-02) is left for the technologist to do, and the kiosk comes on when its page
(``/kiosco/``) is opened and paired. Everything is looked up first: a second run the same day
adds nothing."""

from django.utils import timezone

from core.modalities import DemoContext
from core.models import (
    Kiosk,
    RemoteModality,
    RosterEntry,
    StaffAvailability,
    TransactionType,
    Turn,
    VirtualConsent,
)
from core.services.roster import roster_entry_add
from core.services.turns import turn_create, turn_virtual_consent

TECHNOLOGIST = "tecnologo3"
OFFICE = "ITA"
#: The turn whose customer accepted virtual attention (the encargado of Itagüí asked).
TURN_TRANSACTION = "consulta-estado-de-cuenta"


def seed(context: DemoContext) -> str:
    users, offices = context.users, context.offices
    tech, office = users[TECHNOLOGIST], offices[OFFICE]
    encargado, gestor = users["encargado"], users["gestor"]
    today = timezone.localdate()
    if not Kiosk.objects.filter(office=office, active=True).exists():
        return f"Asesor en línea: {office.name} no tiene módulos; no se programó apoyo."
    StaffAvailability.objects.get_or_create(
        user=tech, date=today, defaults={"is_available": True, "work_mode": tech.work_mode}
    )
    rostered = 0
    if not RosterEntry.objects.filter(
        day=today, technologist=tech, office=office, modality=RemoteModality.ASESOR_EN_LINEA
    ).exists():
        roster_entry_add(
            day=today,
            technologist=tech,
            office=office,
            modality=RemoteModality.ASESOR_EN_LINEA,
            by=gestor,
        )
        rostered = 1
    transaction_type = TransactionType.objects.get(code=TURN_TRANSACTION)
    added = 0
    if not Turn.objects.filter(
        office=office, day=today, transaction_type=transaction_type, accepts_remote=False
    ).exists():
        turn = turn_create(
            office=office, transaction_type=transaction_type, accepts_remote=False, by=encargado
        )
        turn_virtual_consent(turn=turn, accepts=True, by=encargado)
        added = 1
    waiting = Turn.objects.filter(
        office=office, day=today, virtual_consent=VirtualConsent.ACEPTA
    ).count()
    return (
        f"Asesor en línea: {rostered} apoyo programado ({tech.username} → {office.name}), "
        f"{added} turno nuevo; {waiting} turno(s) que aceptaron la atención virtual."
    )
