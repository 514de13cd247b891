"""What the turn services share: messages, eligibility, the locked row and its event."""

import datetime as dt

from django.http import Http404

from core.exceptions import ProtocolConflict
from core.models import (
    Office,
    RemoteModality,
    TransactionType,
    Turn,
    TurnEvent,
    TurnStatus,
    User,
)

NOT_FOUND = "Turno no encontrado."
PAST_DAY = "Los turnos de días anteriores son de solo lectura."
TAKEN = "Otro tecnólogo ya tomó este turno."
NOT_REMOTE_ELIGIBLE = (
    "Esta transacción no se atiende por celular en esta oficina: no tiene orientador "
    "(Radicación de documentos y Pedidos de energía prepago)."
)
MOBILE_REQUIRED = "Ingrese el celular del cliente para la atención a distancia."
INACTIVE_TYPE = "El tipo de transacción no está activo."
INACTIVE_OFFICE = "La oficina no está activa."
NOT_HOLDER = "Este turno no lo llamó usted."
DECISIONS = {"celular": "Atender por celular", "presencial": "Atender presencial"}
DECISION_INVALID = "Indique «celular» o «presencial»."


def turn_eligible_remote(*, office: Office, transaction_type: TransactionType) -> bool:
    """CEL-02 (2.3 step 2): every transaction the office serves in person may be attended by
    cellphone, except Radicación de documentos and Pedidos de energía prepago
    (``requires_orientador``) in offices without an orientador, who would have to check the
    documents. "Solo presencial" transactions are served in person, so they qualify: the
    customer stays in the office to sign."""
    return transaction_type.active and (
        office.has_orientador or not transaction_type.requires_orientador
    )


def turn_dial(mobile: str) -> str:
    """What the booth dials from Skype empresarial: 003 and the ten digits (2.3 step 4)."""
    return f"003{mobile}" if mobile else ""


def rostered_today(*, office_id, technologist: User, day: dt.date):
    """The technologist's cellphone roster entry for that office and day (CEL-03)."""
    from core.selectors.roster import roster_entries_for

    return roster_entries_for(
        technologist=technologist, day=day, modality=RemoteModality.CELULAR, office_id=office_id
    )


def locked_for_change(turn: Turn, *, today: dt.date, past_allowed: bool = False) -> Turn:
    try:
        current = Turn.objects.select_for_update().get(pk=turn.pk)
    except Turn.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    if current.day < today and not past_allowed:
        raise ProtocolConflict(PAST_DAY)
    return current


def change_record(
    turn: Turn, current: Turn, kind: str, *, by, at, note: str = "", **changes
) -> Turn:
    """Save ``changes`` on the locked row, record the event, mirror them on the caller's copy,
    and tell the office's live pages after commit (``turns_changed``: every turn change goes
    through here, so none can forget it)."""
    for field, value in changes.items():
        setattr(current, field, value)
        setattr(turn, field, value)
    current.save(update_fields=list(changes))
    TurnEvent.objects.create(turn=current, kind=kind, at=at, by=by, note=note)
    turns_changed(current.office_id)
    return current


def holder_check(current: Turn, by: User) -> None:
    if current.status != TurnStatus.LLAMADO:
        raise ProtocolConflict(
            f"El turno {current.number} no está llamado: {current.get_status_display()}."
        )
    if current.called_by_id != by.pk:
        raise ProtocolConflict(NOT_HOLDER)


def turns_changed(office_id: int) -> None:
    """Tell the office's live pages (turn desk, booths, orientador) that its turns changed."""
    from core.live.groups import office_group
    from core.live.publish import live_publish

    live_publish(office_group(office_id), {"type": "turns.changed", "office": office_id})
