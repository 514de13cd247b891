"""Desborde's part of ``manage.py seed_demo`` (registered in ``DesbordeConfig.ready``).

The overflow pools get their technologists, and the demo orientador has today's intakes — one by
web form, one by WhatsApp — so "Desborde de fila" and "Registros de hoy" show something. Their
``client_token`` is derived from the day: a second run the same day finds them instead of adding
more, and a run on another day registers that day's."""

import uuid

from django.utils import timezone

from core.modalities import DemoContext
from core.models import AssignmentPool, DocumentType, TransactionType, Unit
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
    return f"Desborde: {created} registros nuevos de hoy para el orientador."
