"""The office print queue (WA-04, CEL-04, AL-04, BAL-04): the assigned technologist sends a final
document to a printer of the office; the office prints it, verifies it with the customer, uploads
the signed scan to the case's evidence and hands it over, each step in the history."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import Case, Evidence, EvidenceKind, Office, Printer, PrintJob, PrintStep, User
from core.services.evidence import evidence_attach

NOT_VERIFIED = "Verifique primero que el documento corresponde al caso."
TITLE_MAX_LENGTH = PrintJob._meta.get_field("title").max_length


def _printer_for(*, office: Office, printer: Printer | None) -> Printer:
    """The chosen printer, which must be an active one of the office; else the office's first
    active printer. No active printer: the document would wait where nobody prints it."""
    if printer is not None:
        if printer.office_id != office.pk or not printer.active:
            raise ValidationError(
                {"printer": f"La impresora no es una impresora activa de {office.name}."}
            )
        return printer
    printer = office.printers.filter(active=True).order_by("name", "id").first()
    if printer is None:
        raise ValidationError(
            {
                "printer": f"{office.name} no tiene una impresora activa: pida al encargado de "
                "la oficina o al gestor que la registre antes de enviar documentos a imprimir."
            }
        )
    return printer


@transaction.atomic
def print_job_send(
    *,
    case: Case,
    by: User,
    title: str,
    upload: UploadedFile,
    office: Office | None = None,
    printer: Printer | None = None,
) -> PrintJob:
    """The assigned technologist sends a final document (factura, constancia…) of any case to
    the print queue of an office: the one given, else the chosen printer's, else the case's
    supported office (where the customer is). Every rule is checked before the file is stored,
    so a refused request leaves nothing behind."""
    if case.assigned_to_id != by.pk:
        raise ProtocolConflict("Solo el tecnólogo asignado envía documentos a imprimir.")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Indique qué documento es (factura, constancia…)."})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": f"Escriba como máximo {TITLE_MAX_LENGTH} caracteres."})
    office = office or (printer.office if printer is not None else None) or case.supported_office
    if office is None:
        raise ValidationError(
            {"office": "El caso no tiene oficina a la que se apoya: indique la oficina."}
        )
    if not office.active:
        raise ValidationError({"office": f"{office.name} no está activa."})
    printer = _printer_for(office=office, printer=printer)
    document = evidence_attach(
        case=case,
        kind=EvidenceKind.CONSTANCIA
        if (upload.name or "").lower().endswith(".pdf")
        else EvidenceKind.OTHER,
        upload=upload,
        uploaded_by=by,
    )
    job = PrintJob(
        office=office,
        printer=printer,
        case=case,
        document=document,
        title=title,
        sent_by=by,
        sent_at=timezone.now(),
    )
    # The related rows were just checked or created: no per-field existence queries.
    job.full_clean(exclude=["office", "printer", "case", "document", "sent_by"])
    job._change_reason = "enviado a la cola de impresión de la oficina"
    job._history_user = by
    job.save()
    return job


@transaction.atomic
def print_job_update(
    *,
    job: PrintJob,
    by: User,
    step: str,
    signatures: bool = False,
    fingerprints: bool = False,
) -> PrintJob:
    """The office's steps on a printed document, in order (impreso → verificado with signatures
    and fingerprints → entregado), each one in the job's and the case's history. The row is
    locked so two taps on the tablet record one step."""
    if step not in PrintStep.values:
        raise ValidationError({"step": "Paso no válido."})
    step = PrintStep(step)
    job = PrintJob.objects.select_for_update().select_related("case").get(pk=job.pk)
    now = timezone.now()
    if job.handed_at and step != PrintStep.ENTREGADO:
        raise ProtocolConflict("Los documentos ya se entregaron al cliente.")
    if step == PrintStep.IMPRESO:
        job.printed_at = job.printed_at or now
        fields = ["printed_at"]
    elif step == PrintStep.VERIFICADO:
        if not job.printed_at:
            raise ProtocolConflict("Primero imprima el documento.")
        job.belongs_confirmed = True
        job.signatures_taken = signatures
        job.fingerprints_taken = fingerprints
        fields = ["belongs_confirmed", "signatures_taken", "fingerprints_taken"]
    else:
        if not job.belongs_confirmed:
            raise ProtocolConflict(NOT_VERIFIED)
        job.handed_at = job.handed_at or now
        fields = ["handed_at"]
    job._change_reason = step.label
    job._history_user = by
    job.save(update_fields=fields)
    case = job.case
    case._change_reason = f"{job.title}: {step.label}"
    case._history_user = by
    case.save(update_fields=["updated_at"])
    return job


def print_job_scan(*, job: PrintJob, by: User, upload: UploadedFile) -> Evidence:
    """The signed, scanned document lands in the case's expediente (also on a closed case: the
    customer signs after the technologist closed)."""
    if not job.belongs_confirmed:
        raise ProtocolConflict(NOT_VERIFIED)
    return evidence_attach(
        case=job.case, kind=EvidenceKind.SIGNED_SCAN, upload=upload, uploaded_by=by
    )
