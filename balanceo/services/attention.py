"""The attention of a matched customer (BAL-04, 2.5 steps 3 and 4): the CRM case of the turn,
the documents printed at the kiosk, the scans the technologist takes remotely, and "Terminar".

Everything is core's (``turn_case_open``, the print queue, the evidence, ``turn_kiosk_finish``);
this module names the channels of 2.5 and frees the technologist for the next customer."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from balanceo.services.seats import balance_seat_free
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseKind,
    Evidence,
    EvidenceKind,
    Modality,
    Printer,
    PrintJob,
    TransactionType,
    Turn,
    User,
)
from core.services.evidence import evidence_attach
from core.services.printing import print_job_send
from core.services.turns import turn_kiosk_finish
from core.services.turns.case import turn_case_open

#: 2.5 step 3: PQR → canal "asesor en línea" (oficina a la que se apoya); pedido → canal
#: "Balanceo automático" (oficina de atención). Both are the turn's office (``supported_office``).
CHANNEL_BY_KIND = {CaseKind.PQR: "asesor-en-linea", CaseKind.PEDIDO: "balanceo-automatico"}

NOT_ELIGIBLE = (
    "Esta transacción no se atiende por balanceo en esta oficina: no tiene orientador "
    "(Radicación de documentos y Pedidos de energía prepago)."
)
CASE_FIRST = "Registre primero el caso del cliente (PQR o pedido)."


@transaction.atomic
def balance_case_open(
    *,
    turn: Turn,
    by: User,
    customer: dict,
    kind: str,
    pqr_type: str = "",
    motive: str = "",
    transaction_type: TransactionType | None = None,
    contract_number: str = "",
    property_address: str = "",
) -> Case:
    """BAL-04: the customer matched to the technologist is at the kiosk; register them and their
    requirement and open the CRM case from the turn (core's ``turn_case_open``):

    - PQR → canal "asesor en línea", oficina a la que se apoya = the turn's office; pedido →
      canal "Balanceo automático", oficina de atención = the turn's office; modality balanceo;
    - número de turno = the turn's, medio verbal, oficina = the technologist's own, the case is
      the technologist's; the turn goes "en atención" with the case.

    Only the technologist the turn was matched to (409 otherwise); a double tap opens one case;
    nothing is written when a field is wrong (400, every message at once)."""
    return turn_case_open(
        turn=turn,
        by=by,
        customer=customer,
        kind=kind,
        pqr_type=pqr_type,
        motive=motive,
        transaction_type=transaction_type,
        contract_number=contract_number,
        property_address=property_address,
        channel_by_kind=CHANNEL_BY_KIND,
        modality=Modality.BALANCEO,
        reason=f"balanceo automático: turno {turn.number} de {turn.office.name}",
        not_eligible_message=NOT_ELIGIBLE,
    )


@transaction.atomic
def balance_turn_finish(*, turn: Turn, by: User, outcome: str) -> Turn:
    """ "Terminar" (core's ``turn_kiosk_finish``): "atendido" once the case is registered,
    "no_se_presento" or "devolver" (back to the waiting room; the office asks the customer
    again) while the turn is called. The video call ends, the kiosk is free, and the
    technologist is idle from now: the next waiting customer is matched right after commit."""
    result = turn_kiosk_finish(turn=turn, by=by, outcome=outcome)
    balance_seat_free(technologist_id=by.pk)
    return result


def _case_of(turn: Turn) -> Case:
    if turn.case_id is None:
        raise ProtocolConflict(CASE_FIRST)
    return turn.case


def balance_printer_for(turn: Turn) -> Printer | None:
    """2.5 step 3: "seleccionando la impresora del módulo virtual de la oficina que se apoya":
    the kiosk's printer; else the office's first active one (None: the office has no active
    printer and the print queue says so)."""
    printer = turn.kiosk.printer if turn.kiosk_id else None
    if printer is not None and printer.active and printer.office_id == turn.office_id:
        return printer
    return (
        Printer.objects.filter(office_id=turn.office_id, active=True).order_by("name", "id").first()
    )


def balance_print_send(*, turn: Turn, by: User, title: str, upload: UploadedFile) -> PrintJob:
    """A document of the turn's case to the kiosk's printer, through core's print queue (the
    assigned technologist only; Spanish messages; nothing stored on a refusal)."""
    return print_job_send(
        case=_case_of(turn),
        by=by,
        title=title,
        upload=upload,
        office=turn.office,
        printer=balance_printer_for(turn),
    )


def balance_scan_attach(*, turn: Turn, by: User, upload: UploadedFile) -> Evidence:
    """2.5 step 4: the technologist scans the signed documents at the kiosk by remote desktop
    and publishes them in the customer's expediente (also once the case is closed)."""
    return evidence_attach(
        case=_case_of(turn), kind=EvidenceKind.SIGNED_SCAN, upload=upload, uploaded_by=by
    )
