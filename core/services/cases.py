import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from core.business_days import pqr_due_date
from core.models import (
    AssignmentPool,
    AttentionMedium,
    Case,
    CaseKind,
    CaseNumberSequence,
    CaseStatus,
    Channel,
    Customer,
    InitialCause,
    Modality,
    Office,
    TransactionType,
    User,
)
from core.models.choices import MODALITY_BY_CHANNEL


def case_number_allocate(*, kind: str, year: int) -> str:
    """The next case number of a kind and year (PQR-2026-000123, PED-2026-000045).

    Must run inside the transaction that saves the case: the counter row stays locked until that
    transaction ends, so concurrent requests queue on it (no duplicates), and a rolled-back case
    rolls its increment back too (no gaps). On PostgreSQL one INSERT … ON CONFLICT DO UPDATE
    creates or increments the row; elsewhere the row is created if missing, then locked.
    """
    if connection.vendor == "postgresql":
        # One statement: creates the row or locks and increments it until commit.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CaseNumberSequence._meta.db_table} AS s (kind, year, last_value) "
                "VALUES (%s, %s, 1) ON CONFLICT (kind, year) "
                "DO UPDATE SET last_value = s.last_value + 1 RETURNING last_value",
                [kind, year],
            )
            value = cursor.fetchone()[0]
    else:
        CaseNumberSequence.objects.bulk_create(
            [CaseNumberSequence(kind=kind, year=year, last_value=0)], ignore_conflicts=True
        )
        seq = CaseNumberSequence.objects.select_for_update().get(kind=kind, year=year)
        seq.last_value += 1
        seq.save(update_fields=["last_value"])
        value = seq.last_value
    prefix = "PQR" if kind == CaseKind.PQR else "PED"
    return f"{prefix}-{year}-{value:06d}"


RELATED_FIELDS = [
    "customer",
    "channel",
    "transaction_type",
    "initial_cause",
    "office",
    "supported_office",
    "assigned_to",
    "created_by",
    "pool",
]


def case_open(
    *,
    kind: str,
    customer: Customer,
    channel: Channel | str,
    created_by: User | None = None,
    pqr_type: str = "",
    transaction_type: TransactionType | None = None,
    initial_cause: InitialCause | str | None = None,
    contract_number: str = "",
    property_address: str = "",
    motive: str = "",
    turn_number: str = "",
    attention_medium: str = AttentionMedium.VERBAL,
    office: Office | None = None,
    supported_office: Office | None = None,
    filed_at: dt.datetime | None = None,
    pool: AssignmentPool | None = None,
    reason: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    modality: str | None = None,
    assigned_to: User | None = None,
) -> Case:
    """Open a case: number allocated by the database, due date for PQR (LEG-01), history.

    ``assigned_to``: the technologist attending it right now (a turn taken in the virtual
    booth): the case opens assigned to them, in one history row, and never enters a pool.

    The data are validated before anything is written, so a caller inside its own transaction
    can catch the ValidationError and go on. The writes take no savepoint of their own (two
    round trips on every intake): a database error there aborts the caller's transaction, as
    PostgreSQL would anyway.
    A case opened into a pool is handed out by the round-robin task once this transaction
    commits; if the broker is down then, the periodic sweep assigns it later (NFR-03).
    """
    if isinstance(channel, str):
        channel = Channel.objects.get(code=channel)
    if isinstance(initial_cause, str):
        initial_cause = InitialCause.objects.get(code=initial_cause)
    filed_at = filed_at or timezone.now()
    if assigned_to is not None and pool is not None:
        raise ValueError("Un caso asignado al abrirse no entra en un grupo de asignación.")
    if modality is None:
        modality = MODALITY_BY_CHANNEL.get(channel.code, Modality.GENERAL)
    case = Case(
        modality=modality,
        kind=kind,
        pqr_type=pqr_type if kind == CaseKind.PQR else "",
        customer=customer,
        channel=channel,
        created_by=created_by,
        transaction_type=transaction_type,
        initial_cause=initial_cause,
        contract_number=contract_number,
        property_address=property_address,
        motive=motive,
        turn_number=turn_number,
        attention_medium=attention_medium,
        office=office,
        supported_office=supported_office,
        filed_at=filed_at,
        due_date=pqr_due_date(filed_at) if kind == CaseKind.PQR else None,
        status=CaseStatus.ASIGNADO if assigned_to is not None else CaseStatus.ABIERTO,
        assigned_to=assigned_to,
        assigned_at=filed_at if assigned_to is not None else None,
        pool=pool,
        contact_phone=contact_phone,
        contact_email=contact_email,
    )
    # The related objects were just loaded by the caller and the check constraints are the
    # database's (clean() gives their Spanish messages): validating them again would cost a
    # query each on every intake.
    case.full_clean(exclude=["number", *RELATED_FIELDS], validate_constraints=False)
    case._change_reason = reason or "caso registrado"
    if created_by is not None:
        case._history_user = created_by
    with transaction.atomic(savepoint=False):
        case.number = case_number_allocate(kind=kind, year=timezone.localtime(filed_at).year)
        case.save()
        if pool is not None:
            from core.tasks import assignment_request

            transaction.on_commit(lambda: assignment_request(pool.pk))
    if assigned_to is not None:  # attending it now: their "Mis casos" shows it
        from core.services.assignment import cases_changed

        cases_changed(user_ids=[assigned_to.pk])
    # The reason belongs to this history row only, not to the next save of the same object.
    del case._change_reason
    return case


@transaction.atomic
def case_register(*, created_by: User, customer: dict, **case_fields) -> Case:
    """Register a case for a customer found or created by document (CORE-03, CORE-05).

    The phone and e-mail given are the case's contact; for a customer already registered they
    are kept beside the record, not written over it."""
    from core.personal_data import contact_fields_normalize
    from core.services.customers import contact_details_record, customer_get_or_create

    customer = contact_fields_normalize(**customer)
    found, created = customer_get_or_create(**customer)
    case = case_open(
        customer=found,
        created_by=created_by,
        contact_phone=customer.get("mobile") or customer.get("phone") or "",
        contact_email=customer.get("email") or "",
        **case_fields,
    )
    if not created:
        contact_details_record(customer=found, case=case, by=created_by, **customer)
    return case
