"""The documents of a turn attended by video at a kiosk (asesor en línea 2.4, balanceo 2.5): the
printer where the customer sits, a final document of the turn's case sent to it, and the signed
scan published in the case's expediente.

Everything goes through core's print queue (``print_job_send``) and evidence
(``evidence_attach``): the assigned technologist only, Spanish messages, nothing stored on a
refusal."""

from django.core.files.uploadedfile import UploadedFile

from core.exceptions import ProtocolConflict
from core.models import Case, Evidence, EvidenceKind, Printer, PrintJob, Turn, User
from core.services.evidence import evidence_attach
from core.services.printing import print_job_send

CASE_FIRST = "Registre primero el caso del cliente (PQR o pedido)."


def kiosk_turn_case(turn: Turn) -> Case:
    """The turn's case; 409 while it has none (register the customer first)."""
    if turn.case_id is None:
        raise ProtocolConflict(CASE_FIRST)
    return turn.case


def kiosk_turn_printer(turn: Turn) -> Printer | None:
    """Where the turn's documents print (2.4 and 2.5 step 3, "la impresora del módulo virtual de
    la oficina que se apoya"): the kiosk's printer when it is active and of the turn's office,
    else the office's first active one (None: the office has no active printer and the print
    queue says so)."""
    printer = turn.kiosk.printer if turn.kiosk_id else None
    if printer is not None and printer.active and printer.office_id == turn.office_id:
        return printer
    return (
        Printer.objects.filter(office_id=turn.office_id, active=True).order_by("name", "id").first()
    )


def kiosk_turn_print_send(*, turn: Turn, by: User, title: str, upload: UploadedFile) -> PrintJob:
    """A final document (factura, constancia…) of the turn's case to ``kiosk_turn_printer``."""
    return print_job_send(
        case=kiosk_turn_case(turn),
        by=by,
        title=title,
        upload=upload,
        office=turn.office,
        printer=kiosk_turn_printer(turn),
    )


def kiosk_turn_scan_attach(*, turn: Turn, by: User, upload: UploadedFile) -> Evidence:
    """2.4 and 2.5 step 4: the documents the customer signed at the kiosk, scanned and sent to
    the technologist, go into the case's expediente (also once the case is closed)."""
    return evidence_attach(
        case=kiosk_turn_case(turn), kind=EvidenceKind.SIGNED_SCAN, upload=upload, uploaded_by=by
    )
