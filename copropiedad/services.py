"""Condo administrators (2.6 step 1, COP-01, COP-04): the Contact Center's creador de experiencia
books, moves or cancels the administrator's appointment, or records the requirement solved by
phone. The agenda (slots, holds, the no-double-booking guarantee) is core's
(``core.services.agenda``); this module adds the case, the copropiedad and the e-mails.

Rules kept here:
- Financiación / refinanciación (a transaction type with ``presencial_only``) is refused with the
  procedure's message and nothing is written: not the customer, not the copropiedad, and the hold
  stays as it was (it expires by itself or the creador releases it).
- Everything is validated before the first write; then one transaction confirms the hold
  (compare-and-set: 409 when it expired), opens the case assigned to the slot's technologist
  (COP-04: turno DFILA, medio verbal, canal "Administradores de Copropiedad", oficina = the
  technologist's home office, PQR) and queues the e-mail with the .ics invitation.
- Every e-mail of this modality leaves from the condo mailbox (``modality="copropiedad"``:
  ``notification_queue`` picks the sender, 2.6 step 2).
- A cancelled appointment leaves its case open and assigned, with "cita cancelada" in its history:
  the requirement is still registered, and the technologist or the asignador decide what follows.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from copropiedad import ics
from copropiedad.models import CondoCase, Copropiedad
from core.business_days import BOGOTA
from core.exceptions import ProtocolConflict
from core.models import (
    Appointment,
    AttentionMedium,
    Case,
    CaseKind,
    CaseStatus,
    Channel,
    Customer,
    InitialCause,
    Modality,
    PqrType,
    TransactionType,
    User,
)
from core.personal_data import (
    document_normalize,
    email_normalize,
    phone_fields,
    phone_normalize,
)
from core.services import agenda
from core.services.assignment import case_reassign, cases_changed
from core.services.cases import case_open
from core.services.closing import case_closed_announce
from core.services.customers import contact_details_record, customer_get_or_create

CHANNEL_CODE = "administradores-copropiedad"
TURN_NUMBER = "DFILA"
PHONE_SOLUTION_CAUSE = "informacion-general"
#: The longest motive or solution text taken.
MAX_TEXT = 4000

PRESENCIAL_ONLY = (
    "La financiación o refinanciación solo se puede tramitar de manera presencial en cualquier "
    "oficina de atención al cliente."
)
NIT_MESSAGE = (
    "Ingrese el NIT de la copropiedad: entre 6 y 10 dígitos, con o sin dígito de verificación "
    "después de un guion (900123456-8)."
)
HOLD_MISSING = "No existe esa reserva de horario."
NOT_A_CONDO_APPOINTMENT = "Esta cita no es de un caso de administradores de copropiedad."
CASE_CLOSED = "El caso de esta cita ya está cerrado: no se puede reprogramar."

#: DIAN's weights for the NIT's check digit, from the rightmost digit leftwards.
_NIT_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_NIT = re.compile(r"^(\d{6,10})(?:-(\d))?$")


# --- validation (no writes) ---------------------------------------------------------------


def nit_check_digit(number: str) -> int:
    """The DIAN check digit of a NIT's digits."""
    total = sum(int(d) * w for d, w in zip(reversed(number), _NIT_WEIGHTS, strict=False))
    rest = total % 11
    return rest if rest < 2 else 11 - rest


def nit_normalize(raw: str, *, field: str = "nit") -> str:
    """A NIT typed with or without dots, spaces and check digit → ``900123456-8``: the digits and
    their DIAN check digit, so "900.123.456" and "900123456-8" are the same copropiedad. A check
    digit that does not match is refused (a typo in the number)."""
    value = re.sub(r"[\s.]", "", raw or "")
    match = _NIT.match(value)
    if not match:
        raise ValidationError({field: NIT_MESSAGE})
    number, given = match.groups()
    digit = nit_check_digit(number)
    if given is not None and int(given) != digit:
        raise ValidationError(
            {field: f"El dígito de verificación no corresponde al NIT {number} (es {digit})."}
        )
    return f"{number}-{digit}"


def _clean_text(value: str) -> str:
    return " ".join((value or "").split())


def _refuse_presencial(transaction_type: TransactionType | None) -> None:
    """COP-01: financiación / refinanciación only in person; no appointment, nothing written."""
    if transaction_type is not None and transaction_type.presencial_only:
        raise ValidationError({"transaction_type": PRESENCIAL_ONLY})


def requirement_clean(
    *,
    nit: str,
    copropiedad: str,
    full_name: str,
    document_type: str,
    document_number: str,
    phone: str,
    email: str,
    transaction_type: TransactionType | None,
    motive: str,
    pqr_type: str,
    contact_required: bool,
) -> dict:
    """Every field of the administrator's requirement, normalised, or one ValidationError with
    every field's Spanish message. Financiación is refused first, alone: nothing else matters
    once the creador knows the requirement is presencial."""
    _refuse_presencial(transaction_type)
    errors: dict[str, list[str]] = {}

    def check(field, rule):
        try:
            return rule()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name if name != "__all__" else field, []).extend(messages)
            return None

    def required(field: str, value: str, message: str, max_length: int) -> str:
        if not value:
            errors.setdefault(field, []).append(message)
        elif len(value) > max_length:
            errors.setdefault(field, []).append(f"Escriba como máximo {max_length} caracteres.")
        return value

    data = {
        "nit": check("nit", lambda: nit_normalize(nit)),
        "copropiedad": required(
            "copropiedad",
            _clean_text(copropiedad),
            "Ingrese el nombre de la copropiedad.",
            Copropiedad._meta.get_field("name").max_length,
        ),
        "full_name": required(
            "full_name",
            _clean_text(full_name),
            "Ingrese el nombre del administrador.",
            Customer._meta.get_field("full_name").max_length,
        ),
        "document_type": document_type,
        "document_number": check(
            "document_number",
            lambda: document_normalize(
                document_type=document_type, document_number=document_number
            ),
        ),
        "motive": required(
            "motive", (motive or "").strip(), "Indique el motivo PQR (detalle).", MAX_TEXT
        ),
        "pqr_type": pqr_type,
        "transaction_type": transaction_type,
    }
    phone = (phone or "").strip()
    if phone:
        data["phone"] = check("phone", lambda: phone_normalize(phone))
    elif contact_required:
        errors["phone"] = ["Ingrese el teléfono en que el tecnólogo llamará al administrador."]
    else:
        data["phone"] = ""
    email = (email or "").strip()
    if email:
        data["email"] = check("email", lambda: email_normalize(email))
    elif contact_required:
        errors["email"] = ["Ingrese el correo del administrador: allí le llega la cita."]
    else:
        data["email"] = ""
    if transaction_type is None:
        errors["transaction_type"] = ["Seleccione el tipo de transacción."]
    elif not transaction_type.active:
        errors["transaction_type"] = ["El tipo de transacción no está activo."]
    if pqr_type not in PqrType.values:
        errors["pqr_type"] = ["Indique petición, queja o reclamo."]
    if errors:
        raise ValidationError(errors)
    return data


def _hold_for(*, hold_id: int, by: User) -> Appointment:
    """The hold of this modality's agenda that ``by`` made (another creador's hold, or one of
    another modality, is "missing")."""
    hold = (
        Appointment.objects.filter(pk=hold_id, type__modality=Modality.COPROPIEDAD)
        .only("pk", "created_by_id")
        .first()
    )
    if hold is None or (hold.created_by_id is not None and hold.created_by_id != by.pk):
        raise ValidationError({"hold": HOLD_MISSING})
    return hold


# --- writes ---------------------------------------------------------------------------------


def condo_case_open(
    *,
    by: User,
    data: dict,
    technologist: User | None,
    office,
    motive: str,
    initial_cause: InitialCause | None = None,
    solved_by_phone: bool = False,
    reason: str,
) -> Case:
    """The customer (found by document or created), the copropiedad (found by NIT or created)
    and the CRM case with the fields of COP-04; the contact given now goes on the case."""
    contact = {**(phone_fields(data["phone"]) if data["phone"] else {}), "email": data["email"]}
    customer, created = customer_get_or_create(
        document_type=data["document_type"],
        document_number=data["document_number"],
        full_name=data["full_name"],
        **contact,
    )
    copropiedad, _ = Copropiedad.objects.get_or_create(
        nit=data["nit"], defaults={"name": data["copropiedad"]}
    )
    case = case_open(
        kind=CaseKind.PQR,
        pqr_type=data["pqr_type"],
        customer=customer,
        channel=Channel.objects.get(code=CHANNEL_CODE),
        created_by=by,
        transaction_type=data["transaction_type"],
        initial_cause=initial_cause,
        motive=motive,
        turn_number=TURN_NUMBER,
        attention_medium=AttentionMedium.VERBAL,
        office=office,
        modality=Modality.COPROPIEDAD,
        assigned_to=technologist,
        contact_phone=data["phone"],
        contact_email=data["email"],
        reason=reason,
    )
    if not created:
        contact_details_record(customer=customer, case=case, by=by, **contact)
    CondoCase.objects.create(
        case=case, copropiedad=copropiedad, solved_by_phone=solved_by_phone, created_by=by
    )
    return case


def condo_appointment_book(
    *,
    hold_id: int,
    by: User,
    nit: str,
    copropiedad: str,
    full_name: str,
    document_type: str,
    document_number: str,
    phone: str,
    email: str,
    transaction_type: TransactionType | None,
    motive: str,
    pqr_type: str = PqrType.PETICION,
    now: dt.datetime | None = None,
) -> tuple[Case, Appointment]:
    """COP-01: register the administrator's requirement and confirm the held slot.

    400 (nothing written, the hold untouched) for financiación or any invalid field; 409 when the
    hold expired, was released or confirmed meanwhile (the compare-and-set of ``agenda_confirm``;
    the transaction rolls back, so no case or customer is left behind). The case opens assigned
    to the slot's technologist (it is in their "Mis casos"), never through a pool. The
    confirmation e-mail with the .ics goes out after commit."""
    now = now or timezone.now()
    data = requirement_clean(
        nit=nit,
        copropiedad=copropiedad,
        full_name=full_name,
        document_type=document_type,
        document_number=document_number,
        phone=phone,
        email=email,
        transaction_type=transaction_type,
        motive=motive,
        pqr_type=pqr_type,
        contact_required=True,
    )
    hold = _hold_for(hold_id=hold_id, by=by)
    with transaction.atomic():
        appointment = agenda.agenda_confirm(hold_id=hold.pk, now=now, modality=Modality.COPROPIEDAD)
        technologist = appointment.technologist
        case = condo_case_open(
            by=by,
            data=data,
            technologist=technologist,
            office=technologist.home_office,
            motive=data["motive"],
            reason=f"cita agendada para el {_short(appointment.start)}",
        )
        appointment.case = case
        appointment._change_reason = f"cita confirmada: caso {case.number}"
        appointment._history_user = by
        appointment.save(update_fields=["case", "updated_at"])
        ics.invitation_send(appointment=appointment, case=case, kind=ics.CONFIRMED, now=now)
    return case, appointment


def _condo_case_of(appointment: Appointment) -> Case:
    case = appointment.case
    if case is None or case.modality != Modality.COPROPIEDAD:
        raise ValidationError(NOT_A_CONDO_APPOINTMENT)
    return case


def condo_appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    start: dt.datetime,
    technologist: User,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move the appointment to another free slot (core's ``agenda_reschedule``: same UID,
    SEQUENCE + 1; 400 not a slot of the agenda, 409 taken or not confirmed). When the
    technologist changes, the case follows them (``case_reassign``, recorded) and its office
    becomes theirs (COP-04). The administrator gets the updated invitation."""
    now = now or timezone.now()
    case = _condo_case_of(appointment)
    if case.is_closed:
        raise ProtocolConflict(CASE_CLOSED)
    with transaction.atomic():
        moved = agenda.agenda_reschedule(
            appointment=appointment, start=start, technologist=technologist, now=now
        )
        note = f"cita reprogramada para el {_short(moved.start)}"
        if case.assigned_to_id != technologist.pk:
            case = case_reassign(case=case, to_user=technologist, by_user=by, reason=note)
            if case.office_id != technologist.home_office_id:
                case.office = technologist.home_office
                case._change_reason = "oficina del tecnólogo que atiende la cita"
                case._history_user = by
                case.save(update_fields=["office", "updated_at"])
        else:
            case = _case_note(case=case, by=by, note=note)
            cases_changed(user_ids=[case.assigned_to_id])
        moved.case = case
        ics.invitation_send(appointment=moved, case=case, kind=ics.RESCHEDULED, now=now)
    return moved


def condo_appointment_cancel(
    *, appointment: Appointment, by: User, now: dt.datetime | None = None
) -> Appointment:
    """Cancel a confirmed appointment (core's ``agenda_cancel``: SEQUENCE + 1; 409 when it is not
    confirmed any more) and send ``METHOD:CANCEL``. The case stays open and assigned, with
    "cita cancelada" in its history."""
    now = now or timezone.now()
    case = _condo_case_of(appointment)
    with transaction.atomic():
        cancelled = agenda.agenda_cancel(appointment=appointment, now=now)
        case = _case_note(
            case=case, by=by, note=f"cita cancelada (era el {_short(cancelled.start)})"
        )
        cases_changed(user_ids=[case.assigned_to_id])
        cancelled.case = case
        ics.invitation_send(appointment=cancelled, case=case, kind=ics.CANCELLED, now=now)
    return cancelled


def condo_phone_solution(
    *,
    by: User,
    nit: str,
    copropiedad: str,
    full_name: str,
    document_type: str,
    document_number: str,
    phone: str,
    email: str,
    transaction_type: TransactionType | None,
    motive: str,
    solution: str,
    pqr_type: str = PqrType.PETICION,
    initial_cause: InitialCause | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """COP-01: the Contact Center solved the requirement on the phone: the case is registered
    (COP-04's fields, the creador's office) and closed at once "cerrado con solución en primer
    contacto", with no appointment. The solution is written in the case's motive after the
    requirement, so it shows wherever the case does. No call was placed from this system, so
    no call recording is asked for, and the modality's closing rules (COP-03: the constancia
    before the technologist closes) do not apply to a requirement that never reached step 2.
    Financiación is refused as for a booking."""
    now = now or timezone.now()
    data = requirement_clean(
        nit=nit,
        copropiedad=copropiedad,
        full_name=full_name,
        document_type=document_type,
        document_number=document_number,
        phone=phone,
        email=email,
        transaction_type=transaction_type,
        motive=motive,
        pqr_type=pqr_type,
        contact_required=False,
    )
    solution = (solution or "").strip()
    if not solution:
        raise ValidationError({"solution": "Describa la solución dada por teléfono."})
    if len(solution) > MAX_TEXT:
        raise ValidationError({"solution": f"Escriba como máximo {MAX_TEXT} caracteres."})
    if initial_cause is None:
        initial_cause = InitialCause.objects.get(code=PHONE_SOLUTION_CAUSE)
    elif not initial_cause.active:
        raise ValidationError({"initial_cause": "La causa inicial no está activa."})
    with transaction.atomic():
        case = condo_case_open(
            by=by,
            data=data,
            technologist=None,
            office=by.home_office,
            motive=f"{data['motive']}\n\nSolución dada por teléfono en el Contact Center: "
            f"{solution}",
            initial_cause=initial_cause,
            solved_by_phone=True,
            reason="registrado por el Contact Center",
        )
        case.status = CaseStatus.CERRADO_PRIMER_CONTACTO
        case.closed_at = now
        case._change_reason = "cerrado con solución en primer contacto en el Contact Center"
        case._history_user = by
        case.save(update_fields=["status", "closed_at", "updated_at"])
        case_closed_announce(case, by)
    return case


def _case_note(*, case: Case, by: User, note: str) -> Case:
    """A row in the case's history saying what happened to its appointment (the case re-read
    under lock: the history row copies every field of the instance saved)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case._change_reason = note[:100]
    case._history_user = by
    case.save(update_fields=["updated_at"])
    return case


def _short(moment: dt.datetime) -> str:
    return f"{moment.astimezone(BOGOTA):%d/%m/%Y %H:%M}"
