"""Giving turns (CEL-02): numbers per office and day, eligibility, the mobile."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.models import (
    Office,
    TransactionType,
    Turn,
    TurnEvent,
    TurnSequence,
    User,
)
from core.personal_data import mobile_normalize
from core.services.turns.common import (
    INACTIVE_OFFICE,
    INACTIVE_TYPE,
    MOBILE_REQUIRED,
    NOT_REMOTE_ELIGIBLE,
    turn_eligible_remote,
    turns_changed,
)


def _sequence_next(*, office_id: int, day: dt.date) -> int:
    """The next number of an office's day. Runs inside the transaction that saves the turn: the
    counter row stays locked until it ends (concurrent turns queue on it: no duplicates), and a
    rolled-back turn rolls its increment back (no gaps). Same approach as case numbers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TurnSequence._meta.db_table} AS s (office_id, day, last_value) "
                "VALUES (%s, %s, 1) ON CONFLICT (office_id, day) "
                "DO UPDATE SET last_value = s.last_value + 1 RETURNING last_value",
                [office_id, day],
            )
            return cursor.fetchone()[0]
    TurnSequence.objects.bulk_create(
        [TurnSequence(office_id=office_id, day=day, last_value=0)], ignore_conflicts=True
    )
    seq = TurnSequence.objects.select_for_update().get(office_id=office_id, day=day)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return seq.last_value


def turn_create(
    *,
    office: Office,
    transaction_type: TransactionType,
    accepts_remote: bool,
    mobile: str = "",
    by: User | None = None,
    at: dt.datetime | None = None,
) -> Turn:
    """Give a turn (CEL-02): number ``<office code>-<sequence>`` per office and day, gap-free.

    A customer who accepts remote attention by cellphone leaves a Colombian mobile (stored as
    its ten digits); the transaction must be eligible in that office. Without acceptance no
    mobile is kept (it would be personal data nobody needs). Nothing is written when a field is
    wrong."""
    at = at or timezone.now()
    errors: dict[str, str] = {}
    if not office.active:
        errors["office"] = INACTIVE_OFFICE
    if not transaction_type.active:
        errors["transaction_type"] = INACTIVE_TYPE
    number = ""
    if accepts_remote:
        if transaction_type.active and not turn_eligible_remote(
            office=office, transaction_type=transaction_type
        ):
            errors["accepts_remote"] = NOT_REMOTE_ELIGIBLE
        if not (mobile or "").strip():
            errors["mobile"] = MOBILE_REQUIRED
        else:
            try:
                number = mobile_normalize(mobile, field="mobile")
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    day = timezone.localdate(at)
    with transaction.atomic():
        sequence = _sequence_next(office_id=office.pk, day=day)
        turn = Turn(
            office=office,
            day=day,
            sequence=sequence,
            number=f"{office.code}-{sequence:03d}",
            transaction_type=transaction_type,
            accepts_remote=bool(accepts_remote),
            mobile=number,
            created_by=by,
            created_at=at,
        )
        turn.full_clean(
            exclude=["office", "transaction_type", "created_by", "called_by", "case"],
            validate_unique=False,
            validate_constraints=False,
        )
        turn.save()
        TurnEvent.objects.create(turn=turn, kind=TurnEvent.Kind.CREADO, at=at, by=by)
        turns_changed(office.pk)  # after commit: the desk, the booths, the orientador
    return turn
