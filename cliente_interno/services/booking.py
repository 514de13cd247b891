"""Internal clients book their video appointment (2.8 step 1, CI-01).

The agenda (free slots, holds that expire, the no-double-booking guarantee) is core's
(``core.services.agenda``, type ``cliente-interno``); this module adds what the employee brings:
the transaction chosen, the personal data and the two consents, and the confirmation e-mail.

Rules kept here:
- Employees book every active transaction but those that are only presencial (financiación /
  refinanciación, as in 2.6): those are refused before any slot is held.
- One live hold per employee: holding a slot gives back the slot they held before (a second tab
  or a client that never releases cannot sit on the agenda).
- When two employees go for the same slot the database lets one hold it (core's exclusion
  constraint); the other gets a 409 that carries the next free slots, so the page and the API
  can offer them at once (``SlotUnavailable``). The same when the hold expired by the time the
  employee reserves.
- Reserving validates everything first (Spanish message per field; terms and the Ley 1581
  authorisation both required) and writes nothing on a refusal; then, in one transaction, the
  hold is confirmed (a compare-and-set: 409 when it expired), the booking gets its data and
  consent timestamps, and the e-mail with the "Asistir a cita" link is queued (sent after
  commit from the internal-client mailbox).
- A hold is only its employee's: anyone else gets "no existe" (404 in the API).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cliente_interno.models import InternalBooking, PropertyRelation
from core.business_days import BOGOTA
from core.exceptions import ProtocolConflict
from core.models import (
    AppointmentStatus,
    AppointmentType,
    DocumentType,
    Modality,
    TransactionType,
    User,
)
from core.personal_data import document_normalize, email_normalize, mobile_normalize
from core.services import agenda

APPOINTMENT_TYPE = "cliente-interno"
#: How many free slots a refusal offers instead.
NEXT_SLOTS = 6
MAX_MOTIVE = 4000

NO_AGENDA = (
    "La agenda de citas de cliente interno no está disponible: comuníquese con la línea de "
    "atención."
)
PRESENCIAL_ONLY = (
    "La financiación o refinanciación solo se puede tramitar de manera presencial en cualquier "
    "oficina de atención al cliente."
)
NOT_OFFERED = "Esa transacción no está disponible para agendar una cita."
NOT_A_TECHNOLOGIST = "Ese tecnólogo no atiende las citas de cliente interno."
HOLD_MISSING = agenda.HOLD_MISSING
ALREADY_BOOKED = "Esta cita ya fue reservada."
TERMS_REQUIRED = "Debe aceptar los términos y condiciones."
CONSENT_REQUIRED = "Debe autorizar el tratamiento de sus datos personales (Ley 1581 de 2012)."
FULL_NAME_REQUIRED = "Ingrese su nombre completo."
EMAIL_REQUIRED = "Ingrese su correo electrónico: allí le llega el enlace «Asistir a cita»."
MOBILE_REQUIRED = "Ingrese su número de celular."
RELATION_REQUIRED = "Indique si es propietario, inquilino o usuario del servicio."
DOCUMENT_TYPE_INVALID = "Seleccione el tipo de documento."

#: An employee books as a natural person: every document type but NIT and "sin identificación".
DOCUMENT_TYPES = [
    (value, label)
    for value, label in DocumentType.choices
    if value not in (DocumentType.NIT, DocumentType.SIN_ID)
]


class SlotUnavailable(ProtocolConflict):
    """409: the slot was taken (or the hold expired); ``next_slots`` are the free slots from
    that time on, for the page or the API to offer."""

    def __init__(self, message: str, *, next_slots: list[agenda.Slot]):
        super().__init__(message)
        self.next_slots = next_slots


# --- reads ----------------------------------------------------------------------------------


def appointment_type() -> AppointmentType:
    """The ``cliente-interno`` appointment type (data migration); 400 when it was switched
    off in admin."""
    kind = AppointmentType.objects.filter(code=APPOINTMENT_TYPE, active=True).first()
    if kind is None:
        raise ValidationError(NO_AGENDA)
    return kind


def transaction_types_offered() -> QuerySet[TransactionType]:
    """What an employee can book: every active transaction but the presencial-only ones."""
    return TransactionType.objects.filter(active=True, presencial_only=False).order_by("name")


def next_free_slots(
    *,
    appointment_type: AppointmentType,
    after: dt.datetime,
    now: dt.datetime | None = None,
    limit: int = NEXT_SLOTS,
) -> list[agenda.Slot]:
    """The first ``limit`` free slots that start at ``after`` or later, over the bookable
    days (three queries per day looked at, and one for the days)."""
    now = now or timezone.now()
    if timezone.is_naive(after):
        after = timezone.make_aware(after, BOGOTA)
    first_day = timezone.localtime(after, BOGOTA).date()
    found: list[agenda.Slot] = []
    for day in agenda.agenda_bookable_days(appointment_type=appointment_type, now=now):
        if day < first_day:
            continue
        slots = agenda.agenda_free_slots(appointment_type=appointment_type, day=day, now=now)
        found.extend(slot for slot in slots if slot.start >= after)
        if len(found) >= limit:
            break
    return found[:limit]


def transaction_type_check(transaction_type: TransactionType | None) -> None:
    if transaction_type is None:
        raise ValidationError({"transaction_type": "Seleccione la transacción."})
    if transaction_type.presencial_only:
        raise ValidationError({"transaction_type": PRESENCIAL_ONLY})
    if not transaction_type.active:
        raise ValidationError({"transaction_type": NOT_OFFERED})


def _check_own(booking: InternalBooking, by: User) -> None:
    """Another person's hold does not exist for ``by`` (never data about it)."""
    if booking.employee_id != by.pk:
        raise ValidationError({"hold": HOLD_MISSING})


# --- the hold -------------------------------------------------------------------------------


def _release_live_holds(*, employee: User, kind: AppointmentType) -> None:
    """The employee's holds of the type not reserved yet go back to the agenda."""
    live = InternalBooking.objects.filter(
        employee=employee,
        booked_at__isnull=True,
        appointment__type=kind,
        appointment__status=AppointmentStatus.RETENIDA,
    ).values_list("appointment_id", flat=True)
    for hold_id in list(live):
        agenda.agenda_release(hold_id=hold_id)


def booking_hold(
    *,
    employee: User,
    transaction_type: TransactionType,
    start: dt.datetime,
    technologist: User,
    now: dt.datetime | None = None,
) -> InternalBooking:
    """Hold the slot ``start`` with ``technologist`` for ``AGENDA_HOLD_MINUTES`` and record the
    transaction chosen (CI-01). 400 for a transaction not offered or a slot not in the agenda;
    409 ``SlotUnavailable`` (core's TAKEN, with the next free slots) when someone else holds or
    booked it. The employee's previous hold, if any, is given back first."""
    now = now or timezone.now()
    transaction_type_check(transaction_type)
    kind = appointment_type()
    if not kind.technologists.filter(pk=technologist.pk, is_active=True).exists():
        raise ValidationError({"technologist": NOT_A_TECHNOLOGIST})
    try:
        with transaction.atomic():
            _release_live_holds(employee=employee, kind=kind)
            hold = agenda.agenda_hold(
                appointment_type=kind,
                start=start,
                technologist=technologist,
                by=employee,
                now=now,
            )
            booking = InternalBooking(
                appointment=hold, employee=employee, transaction_type=transaction_type
            )
            booking.full_clean()
            booking.save()
    except ProtocolConflict as exc:
        raise SlotUnavailable(
            " ".join(exc.messages),
            next_slots=next_free_slots(appointment_type=kind, after=start, now=now),
        ) from exc
    return booking


def booking_release(*, booking: InternalBooking, by: User) -> bool:
    """The employee went back: their hold returns to the agenda (``cancelada``). False when it
    was no longer held (expired or released already); 409 once reserved (that is a booking,
    not a hold); another person's hold does not exist."""
    _check_own(booking, by)
    if booking.booked_at is not None:
        raise ProtocolConflict(ALREADY_BOOKED)
    return agenda.agenda_release(hold_id=booking.appointment_id)


# --- the reservation ------------------------------------------------------------------------


def booking_data_clean(*, data: dict, terms_accepted: bool, data_consent: bool) -> dict:
    """The personal data of the reservation, normalised, or one ValidationError with every
    field's Spanish message (nothing is written here)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def text(field: str, max_length: int, required_message: str = "") -> str:
        value = " ".join(str(data.get(field) or "").split())
        if not value and required_message:
            fail(field, required_message)
        elif len(value) > max_length:
            fail(field, f"Escriba como máximo {max_length} caracteres.")
        return value

    def rule(field: str, check, required_message: str) -> str:
        raw = str(data.get(field) or "").strip()
        if not raw:
            fail(field, required_message)
            return ""
        try:
            return check(raw)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name if name != "__all__" else field, []).extend(messages)
            return ""

    cleaned: dict = {}
    document_type = str(data.get("document_type") or "")
    if document_type not in dict(DOCUMENT_TYPES):
        fail("document_type", DOCUMENT_TYPE_INVALID)
    else:
        cleaned["document_number"] = rule(
            "document_number",
            lambda raw: document_normalize(document_type=document_type, document_number=raw),
            "Ingrese el número de documento.",
        )
    cleaned["document_type"] = document_type
    cleaned["full_name"] = text(
        "full_name", InternalBooking._meta.get_field("full_name").max_length, FULL_NAME_REQUIRED
    )
    cleaned["email"] = rule("email", email_normalize, EMAIL_REQUIRED)
    cleaned["mobile"] = rule("mobile", mobile_normalize, MOBILE_REQUIRED)
    relation = str(data.get("relation") or "")
    if relation not in PropertyRelation.values:
        fail("relation", RELATION_REQUIRED)
    cleaned["relation"] = relation
    cleaned["contract_number"] = text(
        "contract_number", InternalBooking._meta.get_field("contract_number").max_length
    )
    cleaned["property_address"] = text(
        "property_address", InternalBooking._meta.get_field("property_address").max_length
    )
    motive = str(data.get("motive") or "").strip()
    if len(motive) > MAX_MOTIVE:
        fail("motive", f"Escriba como máximo {MAX_MOTIVE} caracteres.")
    cleaned["motive"] = motive
    if terms_accepted is not True:
        fail("terms_accepted", TERMS_REQUIRED)
    if data_consent is not True:
        fail("data_consent", CONSENT_REQUIRED)
    if errors:
        raise ValidationError(errors)
    return cleaned


def booking_reserve(
    *,
    booking: InternalBooking,
    by: User,
    data: dict,
    terms_accepted: bool,
    data_consent: bool,
    now: dt.datetime | None = None,
) -> InternalBooking:
    """CI-01: the employee reserves the held slot with their data and consents.

    400 (nothing written, the hold untouched) for any invalid field or a missing consent; 409
    ``SlotUnavailable`` when the hold expired or was released (core's ``agenda_confirm``
    compare-and-set; the transaction rolls back, the booking keeps ``booked_at`` empty) with
    the next free slots; 409 when it was reserved already. Then the consents are timestamped
    (Ley 1581: when the authorisation was given) and the confirmation e-mail (CI-02) is queued
    from the internal-client mailbox."""
    from cliente_interno import emails

    now = now or timezone.now()
    _check_own(booking, by)
    if booking.booked_at is not None:
        raise ProtocolConflict(ALREADY_BOOKED)
    cleaned = booking_data_clean(
        data=data, terms_accepted=terms_accepted, data_consent=data_consent
    )
    try:
        with transaction.atomic():
            agenda.agenda_confirm(
                hold_id=booking.appointment_id, now=now, modality=Modality.CLIENTE_INTERNO
            )
            locked = InternalBooking.objects.select_for_update().get(pk=booking.pk)
            for field, value in cleaned.items():
                setattr(locked, field, value)
            locked.terms_accepted_at = locked.data_consent_at = locked.booked_at = now
            locked.full_clean()
            locked.save(
                update_fields=[*cleaned, "terms_accepted_at", "data_consent_at", "booked_at"]
            )
            booking = InternalBooking.objects.select_related(
                "appointment", "appointment__technologist", "employee", "transaction_type"
            ).get(pk=booking.pk)
            emails.booking_confirmation_send(booking=booking, now=now)
    except ProtocolConflict as exc:
        appointment = booking.appointment
        raise SlotUnavailable(
            " ".join(exc.messages),
            next_slots=next_free_slots(
                appointment_type=appointment.type, after=appointment.start, now=now
            ),
        ) from exc
    return booking
