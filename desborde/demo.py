"""Desborde's part of ``manage.py seed_demo`` (registered in ``DesbordeConfig.ready``).

The overflow pools get their technologists, and the demo orientador has today's intakes — one by
web form, one by WhatsApp — so "Desborde de fila" and "Registros de hoy" show something. Their
``client_token`` is derived from the day: a second run the same day finds them instead of adding
more, and a run on another day registers that day's.

Overflow by cellphone (2.3): today's support roster in modality ``celular`` (every demo
technologist supports one or two offices, within the caps of CEL-01) and waiting turns that
accepted remote attention in Oficina Itagüí and Oficina Bello, so ``tecnologo1`` (who supports
both) sees a non-empty "Taquilla virtual" right after ``make run``. Only ``tecnologo1``'s
start-of-shift check is recorded, so the booth opens at once for them; the other technologists
see the check form first (2.3 step 3). Everything is looked up first: a second run the same day
adds nothing."""

import uuid

from django.utils import timezone

from core.modalities import DemoContext
from core.models import (
    AssignmentPool,
    DocumentType,
    RemoteModality,
    RosterEntry,
    StaffAvailability,
    TransactionType,
    Turn,
    Unit,
)
from core.selectors.roster import shift_check_done
from core.services.roster import roster_entry_add, shift_check_record
from core.services.turns import turn_create
from desborde import services
from desborde.models import Intake, IntakeMode

POOL_MEMBERS = {
    Unit.METROPOLITANO: ["tecnologo1", "tecnologo2", "tecnologo3", "tecnologo4"],
    Unit.REGIONAL: ["tecnologo5"],
}

DEMO_NAMESPACE = uuid.UUID("6f6a1f0e-0d1b-4c55-9a51-0d3c1e9a0000")

# key, mode, transaction, name, document, phone, e-mail
INTAKES = [
    (
        "web",
        IntakeMode.FORMULARIO_WEB,
        "duplicado-de-factura",
        "Gloria Inés Marín",
        "32555111",
        "3155550101",
        "gloria.marin@example.com",
    ),
    (
        "whatsapp",
        IntakeMode.WHATSAPP,
        "consulta-estado-de-cuenta",
        "Hernán Darío Quintero",
        "70111222",
        "3005550202",
        "",
    ),
]


#: 2.3: who supports which offices by cellphone today (caps: Itagüí has one technologist of its
#: own, so at most two supporters; Bello has three, so at most three).
CELLPHONE_ROSTER = {
    "tecnologo1": ["ITA", "BEL"],
    "tecnologo2": ["ITA"],
    "tecnologo3": ["BEL"],
    "tecnologo4": ["ENV"],
    "tecnologo5": ["APA", "SFA"],
}
#: The technologists whose start-of-shift check the demo records (the others do it themselves).
SHIFT_CHECKED = ["tecnologo1"]
#: office code, transaction code, accepts remote attention, mobile; given by this user (None: the
#: office's external turn system, Bello has no orientador).
CELLPHONE_TURNS = [
    ("ITA", "duplicado-de-factura", True, "3112223344", "encargado"),
    ("ITA", "cambio-de-suscriptor", True, "3205556677", "encargado"),
    ("ITA", "financiacion-refinanciacion", False, "", "encargado"),
    ("BEL", "revision-de-medidor", True, "3014448899", None),
]


def seed(context: DemoContext) -> str:
    users = context.users
    for unit, members in POOL_MEMBERS.items():
        pool = AssignmentPool.objects.get(code=f"desborde-{unit}")
        pool.members.add(*[users[m] for m in members])
    orientador = users["orientador"]
    created = 0
    today = timezone.localdate().isoformat()
    for key, mode, transaction_code, name, document, phone, email in INTAKES:
        token = uuid.uuid5(DEMO_NAMESPACE, f"{today}-{key}")
        if Intake.objects.filter(client_token=token).exists():
            continue
        services.intake_create(
            orientador=orientador,
            office=orientador.home_office,
            mode=mode,
            transaction_type=TransactionType.objects.get(code=transaction_code),
            full_name=name,
            document_type=DocumentType.CC,
            document_number=document,
            phone=phone,
            email=email,
            data_consent=True,
            client_token=token,
        )
        created += 1
    roster, turns = _cellphone(context)
    return (
        f"Desborde: {created} registros nuevos de hoy para el orientador; celular: {roster} "
        f"apoyos programados y {turns} turnos nuevos en espera."
    )


def _cellphone(context: DemoContext) -> tuple[int, int]:
    """Today's cellphone roster and waiting turns (2.3); returns what was added."""
    users, offices = context.users, context.offices
    today = timezone.localdate()
    gestor, admin = users["gestor"], users["admin"]
    rostered = 0
    for username, codes in CELLPHONE_ROSTER.items():
        tech = users[username]
        StaffAvailability.objects.get_or_create(
            user=tech,
            date=today,
            defaults={"is_available": True, "work_mode": tech.work_mode},
        )
        for code in codes:
            office = offices[code]
            if RosterEntry.objects.filter(
                day=today, technologist=tech, office=office, modality=RemoteModality.CELULAR
            ).exists():
                continue
            roster_entry_add(
                day=today,
                technologist=tech,
                office=office,
                modality=RemoteModality.CELULAR,
                # The unit's gestor programs; the demo has one, of the Metropolitano unit.
                by=gestor if office.unit == gestor.home_office.unit else admin,
            )
            rostered += 1
    for username in SHIFT_CHECKED:
        if not shift_check_done(technologist=users[username], day=today):
            shift_check_record(technologist=users[username], audio=True, printer=True, day=today)
    added = 0
    for code, transaction_code, remote, mobile, giver in CELLPHONE_TURNS:
        office = offices[code]
        transaction_type = TransactionType.objects.get(code=transaction_code)
        if Turn.objects.filter(
            office=office,
            day=today,
            transaction_type=transaction_type,
            mobile=mobile,
        ).exists():
            continue
        turn_create(
            office=office,
            transaction_type=transaction_type,
            accepts_remote=remote,
            mobile=mobile,
            by=users[giver] if giver else None,
        )
        added += 1
    return rostered, added
