"""The technologist serves an internal-client appointment (2.8, CI-04, CI-05): calls the turn
(the CRM case opens and the video call rings), both parties exchange documents inside the
room, and "Terminar atención" ends the call, the turn and the appointment.

Everything here is core's, put together: the turn (``core.services.turns``), the case
(``case_register``), the video session with the employee as its attendee
(``core.video.services``), the evidence (``evidence_attach``), the agenda outcome
(``agenda_outcome_record``). The case stays open after the attention: the technologist closes
it on the case page, where the modality's closing rule asks for the constancia (apps.py).

Errors: ``Http404`` for a booking the user is not a party of (as for a missing one, NFR-02),
``ProtocolConflict`` (409) when the state does not allow the step, ``ValidationError`` (400)
for a refused file."""

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.http import Http404
from django.utils import timezone

from cliente_interno.models import InternalBooking
from core.db_errors import is_deadlock
from core.exceptions import ProtocolConflict
from core.live.auth import LiveParty
from core.live.groups import user_group
from core.live.publish import live_publish
from core.models import (
    Appointment,
    AppointmentStatus,
    AttentionMedium,
    CaseKind,
    DocumentType,
    Evidence,
    EvidenceKind,
    Modality,
    Office,
    PqrType,
    Turn,
    TurnEvent,
    TurnStatus,
    User,
    VideoSession,
    VideoSessionStatus,
)
from core.services.agenda import agenda_outcome_record
from core.services.cases import case_register
from core.services.evidence import evidence_attach
from core.services.turns.common import change_record, locked_for_change
from core.services.turns.office import turn_attention_start, turn_finish
from core.video.services import video_session_end, video_session_open

NOT_FOUND = "Cita no encontrada."
NOT_CHECKED_IN = (
    "El funcionario aún no se ha presentado: podrá llamar el turno cuando ingrese a la sala de "
    "espera con el enlace «Asistir a cita»."
)
ALREADY_CALLED = "El turno {number} ya fue llamado: la cita está {status}."
NOT_WAITING = "El turno {number} ya no está en espera: {status}."
NOT_CONFIRMED = "La cita no está confirmada: {status}."
HOLDING = "Ya tiene el turno {number} {status}: termínelo antes de llamar otro."
HOLDING_ANY = "Ya tiene un turno llamado o en atención: termínelo antes de llamar otro."
CALL_RACE = "La cita cambió mientras la llamaba: recargue la página e intente de nuevo."
NO_CASE_YET = (
    "Los documentos se envían durante la atención: podrá enviarlos cuando el tecnólogo llame "
    "el turno."
)
NOT_IN_ATTENTION = "La cita no está en atención: llame primero el turno."
#: CI-05: the case of an internal-client appointment is a PQR "petición" unless its transaction
#: says pedido; the technologist changes the PQR type on the case page when it is a queja or a
#: reclamo.
DEFAULT_PQR_TYPE = PqrType.PETICION
CHANNEL_CODE = "presencial"
FINISH_REASON = "atención de cliente interno terminada"

#: What the day view and the API call each moment of a booking.
STATE_LABELS = {
    "pendiente": "pendiente",
    "en_espera": "en espera",
    "en_atencion": "en atención",
    "atendida": "atendida",
    "no_asistio": "no asistió",
    "cancelada": "cancelada",
}


def booking_state(booking: InternalBooking) -> str:
    """Where the booking stands, from rows already loaded (no query): pendiente (not checked
    in), en_espera (checked in, the turn waits: the employee is waiting), en_atencion (called
    or in attention), atendida, no_asistio, cancelada."""
    status = booking.appointment.status
    turn = booking.turn if booking.turn_id else None
    if status == AppointmentStatus.NO_ASISTIO:
        return "no_asistio"
    if status == AppointmentStatus.ATENDIDA or (turn and turn.status == TurnStatus.ATENDIDO):
        return "atendida"
    if status in (AppointmentStatus.CANCELADA, AppointmentStatus.VENCIDA):
        return "cancelada"
    if turn is not None and turn.status in TurnStatus.active():
        return "en_atencion"
    if turn is not None and booking.checked_in_at and turn.status == TurnStatus.EN_ESPERA:
        return "en_espera"
    return "pendiente"


def _parties(booking: InternalBooking) -> list[str]:
    return [user_group(booking.employee_id), user_group(booking.appointment.technologist_id)]


def booking_changed(booking: InternalBooking, state: str) -> None:
    """Tell both parties' pages (the employee's room, the technologist's day view) after
    commit."""
    live_publish(_parties(booking), {"type": "ci.booking", "booking": booking.pk, "state": state})


def _technologist_check(booking: InternalBooking, by: User) -> None:
    if booking.appointment.technologist_id != by.pk:
        raise Http404(NOT_FOUND)


def _holding_message(technologist: User) -> str:
    held = Turn.objects.filter(called_by=technologist, status__in=TurnStatus.active()).first()
    if held is None:
        return HOLDING_ANY
    return HOLDING.format(number=held.number, status=held.get_status_display())


def booking_call(
    *, booking: InternalBooking, by: User, now: dt.datetime | None = None
) -> InternalBooking:
    """ "Llamar turno" (CI-04): ``_call``; a deadlock with another writer of the same rows (the
    no-show job, say) rolls this one back: 409, nothing written."""
    try:
        return _call(booking=booking, by=by, now=now)
    except OperationalError as exc:
        if not is_deadlock(exc):
            raise
        raise ProtocolConflict(CALL_RACE) from None


@transaction.atomic
def _call(*, booking: InternalBooking, by: User, now: dt.datetime | None) -> InternalBooking:
    """Call the checked-in employee's turn and open the attention, in one transaction:

    1. the turn row is locked first (a double click waits here; the second finds it called:
       409 — one case, one video session); it must be waiting, the appointment confirmed;
    2. turn → llamado (the database keeps one active turn per technologist: 409 naming it);
    3. the CRM case (CI-05): customer by the booking's document, número de turno = the turn's,
       medio verbal, canal "Presencial", oficina = "Cliente Interno", modality cliente_interno,
       the booking's transaction (PQR "petición" or pedido), assigned to the technologist,
       contact = the booking's e-mail and mobile; the appointment points to it;
    4. turn → en atención with the case;
    5. the video session rings with the employee as its attendee: both pages get
       "video.connect" after commit; if it cannot open (the employee or the technologist is in
       another call: 409) nothing of the above stays."""
    now = now or timezone.now()
    _technologist_check(booking, by)
    if booking.turn_id is None or booking.checked_in_at is None:
        raise ProtocolConflict(NOT_CHECKED_IN)
    turn = booking.turn
    current = locked_for_change(turn, today=timezone.localdate(now))
    if current.status in TurnStatus.active():
        raise ProtocolConflict(
            ALREADY_CALLED.format(number=current.number, status=current.get_status_display())
        )
    if current.status != TurnStatus.EN_ESPERA:
        raise ProtocolConflict(
            NOT_WAITING.format(number=current.number, status=current.get_status_display())
        )
    appointment = Appointment.objects.select_for_update().get(pk=booking.appointment_id)
    if appointment.status != AppointmentStatus.CONFIRMADA:
        raise ProtocolConflict(NOT_CONFIRMED.format(status=appointment.get_status_display()))
    try:
        with transaction.atomic():
            change_record(
                turn,
                current,
                TurnEvent.Kind.LLAMADO,
                by=by,
                at=now,
                status=TurnStatus.LLAMADO,
                called_by=by,
                called_at=now,
            )
    except IntegrityError:
        raise ProtocolConflict(_holding_message(by)) from None

    case = _case_open(booking=booking, turn=current, by=by, filed_at=now)
    appointment.case = case
    appointment._change_reason = f"cita en atención: caso {case.number}"
    appointment._history_user = by
    appointment.save(update_fields=["case", "updated_at"])
    booking.appointment.case = case

    turn_attention_start(turn=turn, by=by, case=case)
    video_session_open(
        technologist=by, modality=Modality.CLIENTE_INTERNO, turn=turn, attendee=booking.employee
    )
    booking.turn = turn
    booking_changed(booking, "en_atencion")
    return booking


def _case_open(*, booking: InternalBooking, turn: Turn, by: User, filed_at: dt.datetime):
    transaction_type = booking.transaction_type
    kind = transaction_type.kind or CaseKind.PQR
    office = Office.objects.get(is_internal_client=True)  # "Cliente Interno" (code CLI)
    return case_register(
        created_by=by,
        customer={
            "document_type": booking.document_type or DocumentType.CC,
            "document_number": booking.document_number,
            "full_name": booking.full_name or booking.employee.get_full_name(),
            "mobile": booking.mobile,
            "email": booking.email,
        },
        kind=kind,
        pqr_type=DEFAULT_PQR_TYPE if kind == CaseKind.PQR else "",
        channel=CHANNEL_CODE,
        transaction_type=transaction_type,
        contract_number=booking.contract_number,
        property_address=booking.property_address,
        motive=(booking.motive or "").strip()
        or f"Cita de cliente interno: {transaction_type.name}",
        turn_number=turn.number,
        attention_medium=AttentionMedium.VERBAL,
        office=office,
        supported_office=office,
        modality=Modality.CLIENTE_INTERNO,
        assigned_to=by,
        filed_at=filed_at,
        reason="cita de cliente interno: turno llamado",
    )


# --- documents, both ways (CI-05) ------------------------------------------------------------


def booking_documents(booking: InternalBooking) -> list[Evidence]:
    """The documents the two parties exchanged in the appointment (the case's evidence of kind
    "otro" uploaded by the employee or the technologist), oldest first; one query (none before
    the call: there is no case yet)."""
    case_id = booking.appointment.case_id
    if case_id is None:
        return []
    return list(
        Evidence.objects.filter(
            case_id=case_id,
            kind=EvidenceKind.OTHER,
            uploaded_by_id__in=[booking.employee_id, booking.appointment.technologist_id],
        ).order_by("uploaded_at", "pk")
    )


def booking_document_add(*, booking: InternalBooking, by: User, upload: UploadedFile) -> Evidence:
    """Either party sends a document: it goes to the case's expediente (core's type and size
    checks: a refused file leaves nothing; 409 before the call or once the case is closed) and
    both parties' lists refresh ("ci.documents" after commit)."""
    if by.pk not in (booking.employee_id, booking.appointment.technologist_id):
        raise Http404(NOT_FOUND)
    case = booking.appointment.case
    if case is None:
        raise ProtocolConflict(NO_CASE_YET)
    evidence = evidence_attach(case=case, kind=EvidenceKind.OTHER, upload=upload, uploaded_by=by)
    live_publish(_parties(booking), {"type": "ci.documents", "booking": booking.pk})
    return evidence


# --- the end of the attention ----------------------------------------------------------------


@transaction.atomic
def booking_finish(
    *, booking: InternalBooking, by: User, now: dt.datetime | None = None
) -> InternalBooking:
    """ "Terminar atención": the open video call ends (both parties told), the turn becomes
    "atendido" and the appointment "atendida". Only the appointment's technologist (404);
    before the call: 409. Idempotent: a second click (or a case closed first, which already
    finished the turn) changes nothing more. The case stays open for the technologist to
    close on the case page (the constancia first, CI-05)."""
    _technologist_check(booking, by)
    if booking.turn_id is None or booking.appointment.case_id is None:
        raise ProtocolConflict(NOT_IN_ATTENTION)
    turn = Turn.objects.select_for_update().get(pk=booking.turn_id)
    if turn.status not in (TurnStatus.EN_ATENCION, TurnStatus.ATENDIDO):
        raise ProtocolConflict(NOT_IN_ATTENTION)
    for session in VideoSession.objects.filter(
        turn_id=turn.pk, status__in=VideoSessionStatus.open()
    ):
        video_session_end(session=session, party=LiveParty(user=by), reason=FINISH_REASON)
    booking.turn = turn_finish(turn=turn, by=by)
    outcome = agenda_outcome_record(
        appointment=booking.appointment,
        status=AppointmentStatus.ATENDIDA,
        reason="cita de cliente interno atendida por video",
    )
    if outcome is not None:
        booking.appointment.status = outcome.status
    booking_changed(booking, "atendida")
    return booking


CALL_STILL_OPEN = "La videollamada de esta cita sigue abierta."


@transaction.atomic
def booking_video_again(*, booking: InternalBooking, by: User) -> VideoSession:
    """ "Volver a llamar por video": the call of an appointment in attention failed or was hung
    up (the employee's browser closed, the network dropped) — ring the employee again, on the
    same turn and case. Only the appointment's technologist; 409 when the appointment is not in
    attention or its call is still open."""
    _technologist_check(booking, by)
    if booking.turn_id is None:
        raise ProtocolConflict(NOT_IN_ATTENTION)
    turn = Turn.objects.select_for_update().get(pk=booking.turn_id)
    if turn.status not in TurnStatus.active():
        raise ProtocolConflict(NOT_IN_ATTENTION)
    if VideoSession.objects.filter(turn=turn, status__in=VideoSessionStatus.open()).exists():
        raise ProtocolConflict(CALL_STILL_OPEN)
    session = video_session_open(
        technologist=by, modality=Modality.CLIENTE_INTERNO, turn=turn, attendee=booking.employee
    )
    booking_changed(booking, "en_atencion")
    return session
