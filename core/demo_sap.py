"""``seed_demo``'s part for the silencio-administrativo-positivo queue (LEG-02, issue 16).

The Unidad Canales Metropolitano's gestora and asignador find in ``/silencio-positivo/``: one PQR
with less than 24 hours left to recognise, one whose 72 hours ran out, one answered late, and in
the "Reconocidos" tab one recognised by the gestora with its act and a PDF. The cases are opened
through ``case_open`` and the queue is written by the real sweep (``sap_sweep``), so the alerts
of the moment are queued too.

Idempotent: each case is looked up by its motive; a record already recognised stays as it is.
The 72-hour clock starts from the due date, so a case's due date is the one that puts it in the
wanted state *today*: when that date is not the 15th business day after a filing date (it falls
on a weekend or a holiday), it is set on the case with the reason in its history.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.business_days import BOGOTA, add_business_days, pqr_due_date
from core.models import Case, CaseKind, CaseStatus, PqrType, SapCase, TransactionType
from core.services.cases import case_open
from core.services.sap import sap_recognise, sap_sweep

#: A minimal PDF: the scanned act of the recognised case.
ACT_PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

# motive (key), customer index, calendar days between the due date and today, assignee,
# closed (answered late), recognised
SAP_CASES = [
    ("Reclamo por cobro de reconexión sin respuesta (demo SAP, < 24 h).", 0, 3, "tecnologo1"),
    ("Petición de revisión de medidor sin respuesta (demo SAP, vencido).", 1, 6, None),
    ("Queja por atención telefónica respondida tarde (demo SAP).", 2, 2, "tecnologo4"),
    ("Reclamo por consumo estimado, silencio reconocido (demo SAP).", 4, 10, "tecnologo1"),
]
ANSWERED_LATE = 2
RECOGNISED = 3
ACT_REFERENCE = "Resolución SAP-2026-001"


def _filed_at(due: dt.date) -> dt.datetime:
    """A filing date whose LEG-01 due date is ``due`` (or the first business day after it)."""
    day = due - dt.timedelta(days=30)
    while add_business_days(day, 15) < due:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9, 30), tzinfo=BOGOTA)


def sap_demo(*, offices: dict, users: dict, customers: list) -> str:
    today = timezone.localdate()
    now = timezone.now()
    transaction_type = TransactionType.objects.get(code="reclamo-facturacion")
    cases = []
    for index, (motive, customer, days, assignee) in enumerate(SAP_CASES):
        case = Case.objects.filter(customer=customers[customer], motive=motive).first()
        if case is None:
            due = today - dt.timedelta(days=days)
            case = case_open(
                kind=CaseKind.PQR,
                pqr_type=PqrType.RECLAMO if index != 1 else PqrType.PETICION,
                customer=customers[customer],
                channel="desborde-formulario-web",
                transaction_type=transaction_type,
                contract_number="1234567",
                property_address=customers[customer].address,
                motive=motive,
                office=offices["MED-CEN"],
                supported_office=offices["ITA"],
                filed_at=_filed_at(due),
                reason="caso de demostración (silencio administrativo positivo)",
            )
            changed = []
            if case.due_date != due:
                case.due_date = due
                changed.append("due_date")
            if assignee:
                case.assigned_to = users[assignee]
                case.assigned_at = case.filed_at + dt.timedelta(minutes=5)
                case.status = CaseStatus.ASIGNADO
                changed += ["assigned_to", "assigned_at", "status"]
            if index == ANSWERED_LATE:
                case.status = CaseStatus.CERRADO_PRIMER_CONTACTO
                case.closed_at = max(
                    now - dt.timedelta(hours=1),
                    dt.datetime.combine(due + dt.timedelta(days=1), dt.time(8), tzinfo=BOGOTA),
                )
                changed += ["status", "closed_at"]
            if changed:
                case._change_reason = (
                    "demostración: fecha límite para la cola de silencio positivo"
                    if case.due_date != pqr_due_date(case.filed_at)
                    else "estado de demostración"
                )
                case.save(update_fields=sorted(set(changed)) + ["updated_at"])
        cases.append(case)
    sweep = sap_sweep(now=now)
    recognised = cases[RECOGNISED]
    record = SapCase.objects.filter(case=recognised).first()
    if record is not None and record.recognised_at is None:
        sap_recognise(
            case_id=recognised.pk,
            by=users["gestor"],
            act_reference=ACT_REFERENCE,
            notes="Se reconocen los efectos del silencio: se reliquida el consumo.",
            evidence_upload=SimpleUploadedFile(
                "resolucion-sap-2026-001.pdf", ACT_PDF, content_type="application/pdf"
            ),
        )
    pending = SapCase.objects.filter(recognised_at__isnull=True).count()
    return (
        f"Silencio administrativo positivo: {sweep['entered']} casos nuevos en la cola, "
        f"{pending} pendientes de reconocer."
    )
