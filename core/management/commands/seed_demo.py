"""Demo data: offices of both units, staff of every role, customers and cases in every state.

Idempotent: every row is looked up by a stable key first, so running it twice changes nothing.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core import modalities
from core.business_days import add_business_days
from core.demo_sap import sap_demo
from core.models import (
    Case,
    CaseDailyStats,
    CaseKind,
    CaseStatus,
    Customer,
    DashboardRollupDay,
    DocumentType,
    InitialCause,
    Kiosk,
    Office,
    PqrType,
    Printer,
    StaffAvailability,
    TransactionType,
    Unit,
    User,
    WorkMode,
)
from core.personal_data import phone_fields
from core.roles import Role
from core.services.cases import case_open
from core.services.customers import customer_get_or_create
from core.services.dashboard_rollup import dashboard_rollup

# code, name, unit, zone, capacity, has_orientador, technologists, kiosks
OFFICES = [
    ("MED-CEN", "Oficina Centro Medellín", Unit.METROPOLITANO, "Centro", 60, True, 6, 3),
    ("ITA", "Oficina Itagüí", Unit.METROPOLITANO, "Sur", 30, True, 1, 1),
    ("BEL", "Oficina Bello", Unit.METROPOLITANO, "Norte", 35, False, 3, 2),
    ("ENV", "Oficina Envigado", Unit.METROPOLITANO, "Sur", 25, True, 2, 0),
    ("RIO", "Oficina Rionegro", Unit.REGIONAL, "Oriente", 25, True, 1, 1),
    ("APA", "Oficina Apartadó", Unit.REGIONAL, "Urabá", 20, False, 1, 0),
    ("SFA", "Oficina Santa Fe de Antioquia", Unit.REGIONAL, "Occidente", 15, False, 2, 2),
]

# username, first name, last name, roles, office code, work mode
STAFF = [
    ("orientador", "Luisa", "Fernanda Ospina", [Role.ORIENTADOR], "MED-CEN", ""),
    ("asignador", "Jorge", "Iván Cardona", [Role.ASIGNADOR], "MED-CEN", WorkMode.OFFICE),
    ("gestor", "Marta", "Lucía Henao", [Role.GESTOR], "MED-CEN", WorkMode.OFFICE),
    ("encargado", "Andrés", "Felipe Montoya", [Role.ENCARGADO], "ITA", ""),
    ("creador", "Paula", "Andrea Ríos", [Role.CREADOR], "MED-CEN", WorkMode.OFFICE),
    ("mesa", "Santiago", "Mejía Arango", [Role.MESA], "RIO", WorkMode.OFFICE),
    ("gestor_oficina", "Gloria", "Patricia Zuluaga", [Role.GESTOR_OFICINA], "RIO", ""),
    ("empleado", "Camilo", "Andrés Betancur", [Role.CLIENTE_INTERNO], None, ""),
    # Alphabetical order of full names (Álvaro, Beatriz, Carlos, Daniela, Óscar) differs from
    # the username order on purpose: assignment goes by name (CORE-09).
    ("tecnologo1", "Óscar", "Ramírez Toro", [Role.TECNOLOGO], "MED-CEN", WorkMode.HOME),
    ("tecnologo2", "Beatriz", "Gómez Salazar", [Role.TECNOLOGO], "BEL", WorkMode.OFFICE),
    ("tecnologo3", "Daniela", "Vélez Correa", [Role.TECNOLOGO], "ENV", WorkMode.HOME),
    (
        "tecnologo4",
        "Álvaro",
        "Restrepo Mesa",
        [Role.TECNOLOGO],
        "MED-CEN",
        WorkMode.LOW_TRAFFIC_BOOTH,
    ),
    ("tecnologo5", "carlos", "Zapata Uribe", [Role.TECNOLOGO], "RIO", WorkMode.HOME),
]

# document type, number, name, phone, email, address
CUSTOMERS = [
    (
        DocumentType.CC,
        "43512876",
        "María Elena Restrepo",
        "3104567890",
        "maria.restrepo@example.com",
        "Calle 50 # 45-20, Medellín",
    ),
    (DocumentType.CC, "71234567", "Juan Pablo Arango", "3159876543", "", "Carrera 70 # 32-10"),
    (DocumentType.CE, "E1234567", "Ana Sofía Pérez", "3001234567", "ana.perez@example.com", ""),
    (
        DocumentType.NIT,
        "900123456-7",
        "Conjunto Residencial Los Almendros P.H.",
        "6044445566",
        "admin.almendros@example.com",
        "Calle 10 Sur # 43-50, Medellín",
    ),
    (DocumentType.CC, "1036654321", "Luis Alberto Gómez", "3127654321", "", "Vereda La Mosca"),
    (DocumentType.SIN_ID, "", "Usuario Facebook @vecinobello", "", "", ""),
]

# key (motive), customer index, kind, pqr type, channel, transaction, status, assignee,
# office code, supported office code, business days ago, turn
CASES = [
    (
        "Solicita duplicado de la factura de octubre.",
        0,
        CaseKind.PQR,
        PqrType.PETICION,
        "desborde-formulario-web",
        "duplicado-de-factura",
        CaseStatus.ABIERTO,
        None,
        None,
        "MED-CEN",
        0,
        "DFILA",
    ),
    (
        "Consulta el estado de cuenta del contrato.",
        1,
        CaseKind.PQR,
        PqrType.PETICION,
        "desborde-formulario-web",
        "consulta-estado-de-cuenta",
        CaseStatus.ASIGNADO,
        "tecnologo1",
        "MED-CEN",
        "ITA",
        1,
        "DFILA",
    ),
    (
        "Cambio de suscriptor por compraventa del inmueble.",
        2,
        CaseKind.PEDIDO,
        "",
        "desborde-whatsapp",
        "cambio-de-suscriptor",
        CaseStatus.EN_ATENCION,
        "tecnologo2",
        "BEL",
        "MED-CEN",
        2,
        "DFILA",
    ),
    (
        "Alternativas de pago para deuda vencida.",
        1,
        CaseKind.PQR,
        PqrType.PETICION,
        "desborde-formulario-web",
        "alternativas-de-pago",
        CaseStatus.CERRADO_PRIMER_CONTACTO,
        "tecnologo4",
        "MED-CEN",
        "ENV",
        5,
        "DFILA",
    ),
    (
        "Cliente no contestó tras tres intentos.",
        4,
        CaseKind.PQR,
        PqrType.PETICION,
        "desborde-formulario-web",
        "disponibilidad-de-energia",
        CaseStatus.CERRADO_SIN_CONTACTO,
        "tecnologo3",
        "ENV",
        "RIO",
        6,
        "DFILA",
    ),
    (
        "Reclamo por cobro de zonas comunes; se genera tarea de revisión.",
        3,
        CaseKind.PQR,
        PqrType.RECLAMO,
        "administradores-copropiedad",
        "reclamo-facturacion",
        CaseStatus.TAREA_GENERADA,
        "tecnologo1",
        "MED-CEN",
        None,
        8,
        "DFILA",
    ),
    (
        "Inconformidad con el consumo facturado en septiembre.",
        5,
        CaseKind.PQR,
        PqrType.RECLAMO,
        "facebook",
        "reclamo-facturacion",
        CaseStatus.ABIERTO,
        "tecnologo5",
        "RIO",
        None,
        13,
        "",
    ),
    (
        "Reclamo por consumo elevado, sin respuesta aún.",
        0,
        CaseKind.PQR,
        PqrType.RECLAMO,
        "chat-epm",
        "reclamo-facturacion",
        CaseStatus.ASIGNADO,
        "tecnologo5",
        "RIO",
        None,
        17,
        "",
    ),
]


class Command(BaseCommand):
    help = "Carga datos de demostración (idempotente). Contraseña por defecto: demo."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo", help="Contraseña de los usuarios demo.")
        parser.add_argument(
            "--force", action="store_true", help="Permite ejecutarlo con DEBUG desactivado."
        )

    def handle(self, *args, password: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo crea usuarios con contraseñas conocidas: no se ejecuta con DEBUG "
                "desactivado salvo con --force."
            )
        with transaction.atomic():
            offices = self._offices()
            users = self._staff(offices, password)
            customers = [self._customer(row) for row in CUSTOMERS]
            created = self._cases(offices, users, customers)
            # Each modality app adds its own part (core.modalities: demo_data).
            context = modalities.DemoContext(offices=offices, users=users, customers=customers)
            parts = [
                registration.demo_data(context)
                for registration in modalities.registrations()
                if registration.demo_data
            ]
            # LEG-02: the silencio-administrativo-positivo queue (after every PQR is there).
            parts.append(sap_demo(offices=offices, users=users, customers=customers))
            # The demo writes cases closed on past days: the dashboard's daily rollup of those
            # days is stale, so it is dropped and rebuilt (core.services.dashboard_rollup).
            DashboardRollupDay.objects.all().delete()
            CaseDailyStats.objects.all().delete()
            dashboard_rollup()
        for line in parts:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Datos demo listos: {len(offices)} oficinas, {len(users)} usuarios, "
                f"{len(customers)} contactos, {created} casos nuevos "
                f"({Case.objects.count()} en total). Contraseña: {password!r}."
            )
        )

    def _offices(self) -> dict[str, Office]:
        offices = {}
        for code, name, unit, zone, capacity, orientador, techs, kiosks in OFFICES:
            office, _ = Office.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "unit": unit,
                    "zone": zone,
                    "capacity": capacity,
                    "has_orientador": orientador,
                    "technologist_count": techs,
                },
            )
            printer, _ = Printer.objects.get_or_create(office=office, name=f"Impresora {code}")
            # Kiosks start "desconectado": they come on when their page is opened and paired.
            for n in range(1, kiosks + 1):
                Kiosk.objects.get_or_create(
                    office=office, label=f"Módulo {n}", defaults={"printer": printer}
                )
            offices[code] = office
        offices["CLI"], _ = Office.objects.update_or_create(
            code="CLI",
            defaults={
                "name": "Cliente Interno",
                "unit": Unit.METROPOLITANO,
                "zone": "Virtual",
                "capacity": 0,
                "has_orientador": False,
                "technologist_count": 0,
                "is_internal_client": True,
            },
        )
        return offices

    def _staff(self, offices, password: str) -> dict[str, User]:
        users = {}
        today = timezone.localdate()
        for username, first, last, roles, office_code, mode in STAFF:
            user, created = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.epm.local",
                    "home_office": offices.get(office_code) if office_code else None,
                    "work_mode": mode,
                    # The gestor configures rosters, offices and templates in admin.
                    "is_staff": Role.GESTOR in roles,
                },
            )
            if created or not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
            if Role.TECNOLOGO in roles:
                StaffAvailability.objects.get_or_create(
                    user=user, date=today, defaults={"is_available": True, "work_mode": mode}
                )
            users[username] = user
        admin, created = User.objects.update_or_create(
            username="admin",
            defaults={
                "first_name": "Administrador",
                "last_name": "Demo",
                "is_staff": True,
                "is_superuser": True,
                "email": "admin@demo.epm.local",
            },
        )
        if created or not admin.check_password(password):
            admin.set_password(password)
            admin.save(update_fields=["password"])
        users["admin"] = admin
        return users

    def _customer(self, row):
        doc_type, number, name, phone, email, address = row
        if doc_type == DocumentType.SIN_ID:
            existing = Customer.objects.filter(document_type=doc_type, full_name=name).first()
            if existing:
                return existing
        customer, _ = customer_get_or_create(
            document_type=doc_type,
            document_number=number,
            full_name=name,
            email=email,
            address=address,
            **phone_fields(phone),
        )
        return customer

    def _cases(self, offices, users, customers) -> int:
        created = 0
        now = timezone.now()
        info_general = InitialCause.objects.get(code="informacion-general")
        for (
            motive,
            cust,
            kind,
            pqr_type,
            channel,
            transaction_code,
            status,
            assignee,
            office,
            supported,
            days_ago,
            turn,
        ) in CASES:
            customer = customers[cust]
            if Case.objects.filter(customer=customer, motive=motive).exists():
                continue
            filed_day = _business_days_before(timezone.localdate(), days_ago)
            filed_at = timezone.make_aware(
                dt.datetime.combine(filed_day, dt.time(9, 30)), timezone.get_current_timezone()
            )
            case = case_open(
                kind=kind,
                pqr_type=pqr_type,
                customer=customer,
                channel=channel,
                transaction_type=TransactionType.objects.get(code=transaction_code),
                contract_number="1234567" if cust != 5 else "",
                property_address=customer.address,
                motive=motive,
                turn_number=turn,
                office=offices.get(office) if office else None,
                supported_office=offices.get(supported) if supported else None,
                filed_at=filed_at,
                created_by=users["creador"] if channel in {"facebook", "chat-epm"} else None,
                reason="caso de demostración",
            )
            changed = []
            if assignee:
                case.assigned_to = users[assignee]
                case.assigned_at = min(now, filed_at + dt.timedelta(minutes=5))
                changed += ["assigned_to", "assigned_at"]
            if status != CaseStatus.ABIERTO:
                case.status = status
                changed.append("status")
            if status == CaseStatus.CERRADO_SIN_CONTACTO:
                case.initial_cause = info_general
                changed.append("initial_cause")
            if status in CaseStatus.closed():
                case.closed_at = min(now, filed_at + dt.timedelta(hours=2))
                changed.append("closed_at")
            if changed:
                case._change_reason = "estado de demostración"
                case.save(update_fields=changed + ["updated_at"])
            created += 1
        return created


def _business_days_before(day: dt.date, days: int) -> dt.date:
    """The date from which ``days`` business days lead to ``day`` (approximately, for demo)."""
    if days == 0:
        return day
    candidate = day - dt.timedelta(days=int(days * 1.5) + 2)
    while add_business_days(candidate, days) < day:
        candidate += dt.timedelta(days=1)
    return candidate
