"""The overflow intake (DF-01, DF-02, WA-01): which transactions go by overflow, the unit's
overflow pool, and the registration that opens the case."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.live.groups import office_group
from core.live.publish import live_publish
from core.models import (
    AssignmentPool,
    AttentionMedium,
    CaseKind,
    EvidenceKind,
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
from core.services.cases import case_open
from core.services.customers import contact_details_record, customer_get_or_create
from core.services.evidence import evidence_attach, evidence_validate_file
from desborde.models import (
    CHANNEL_BY_MODE,
    DATA_CONSENT_VERSION,
    Intake,
    IntakeMode,
)

NOT_ELIGIBLE = (
    "Esta transacción no se atiende por desborde: indique al cliente que continúe en la fila, "
    "tome el ficho y espere a ser atendido en un módulo de atención."
)
PHOTO_KINDS = {EvidenceKind.INVOICE_PHOTO, EvidenceKind.ID_PHOTO, EvidenceKind.OTHER}


def intakes_changed(office_id: int) -> None:
    """After commit, tell the office's live pages (the orientador's start page: today's intakes
    and the pending block) that an intake was registered, reported or got a proposal."""
    live_publish(office_group(office_id), {"type": "intakes.changed", "office": office_id})


def transaction_check_eligible(*, transaction_type: TransactionType) -> None:
    """DF-01 / WA-01: only the 12 transactions of 2.1 step 1 go by overflow."""
    if not (transaction_type.active and transaction_type.eligible_overflow):
        raise ValidationError({"transaction_type": NOT_ELIGIBLE})


def overflow_pool_for(office) -> AssignmentPool | None:
    return AssignmentPool.objects.filter(code=f"desborde-{office.unit}", active=True).first()


def intake_create(**kwargs) -> tuple[Intake, bool]:
    """See ``_intake_create``. Its transaction fails on a unique index in two cases, and then
    nothing of it is kept: the ``client_token`` was already stored (a double tap, or a retry
    after a lost answer), and the stored intake is returned; or another request created the
    same customer a moment before, and the intake is registered again, finding that customer."""
    token = kwargs.get("client_token")
    retries = 1
    while True:
        try:
            return _intake_create(**kwargs)
        except IntegrityError:
            existing = (
                Intake.objects.filter(client_token=token).select_related("case").first()
                if token
                else None
            )
            if existing is not None:
                if existing.orientador_id != kwargs["orientador"].pk:
                    raise ValidationError(
                        "Este envío ya fue registrado por otra persona."
                    ) from None
                return existing, False
            if not retries:
                raise
            retries -= 1


@transaction.atomic
def _intake_create(
    *,
    orientador: User,
    office,
    mode: str,
    transaction_type: TransactionType,
    full_name: str,
    document_type: str,
    document_number: str,
    phone: str,
    contract: str = "",
    email: str = "",
    data_consent: bool,
    client_token=None,
    photos: list[tuple[str, UploadedFile]] = (),
) -> tuple[Intake, bool]:
    """Register an overflow customer and open the case in one transaction (DF-01, DF-02, WA-01).

    Nothing is written when the transaction is not eligible, the data are invalid, or the
    customer did not authorise the processing of personal data. ``client_token`` makes a
    double tap harmless: the token's unique index refuses the second intake, and
    ``intake_create`` returns the one already stored (created=False).
    The case enters the unit's overflow pool and is assigned after commit (CORE-09).
    """
    if mode not in IntakeMode.values:
        raise ValidationError({"mode": "Seleccione formulario web o WhatsApp."})
    transaction_check_eligible(transaction_type=transaction_type)
    errors = {}
    full_name = " ".join((full_name or "").split())
    if not full_name:
        errors["full_name"] = "Ingrese el nombre del cliente."
    try:
        number = document_normalize(document_type=document_type, document_number=document_number)
        if not number:
            errors["document_number"] = "Ingrese el número de documento."
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        phone = phone_normalize(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    contract = (contract or "").strip()
    if contract and not contract.isdigit():
        errors["contract"] = "El contrato EPM solo lleva dígitos."
    email = (email or "").strip()
    if email:
        try:
            email = email_normalize(email)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not data_consent:
        errors["data_consent"] = (
            "Sin la autorización del cliente para tratar sus datos personales (Ley 1581 de "
            "2012) no se puede registrar."
        )
    if mode != IntakeMode.WHATSAPP and photos:
        errors["photos"] = "Las fotos se envían solo en la modalidad WhatsApp."
    for kind, upload in photos:
        if kind not in PHOTO_KINDS:
            errors["photos"] = "Tipo de foto no válido."
            continue
        try:
            evidence_validate_file(upload=upload)
        except ValidationError as exc:
            errors["photos"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    customer, customer_created = customer_get_or_create(
        document_type=document_type,
        document_number=number,
        full_name=full_name,
        email=email,
        savepoint=False,  # intake_create retries the whole intake on IntegrityError
        **phone_fields(phone),
    )
    case = case_open(
        kind=transaction_type.kind,
        pqr_type=PqrType.PETICION if transaction_type.kind == CaseKind.PQR else "",
        customer=customer,
        channel=CHANNEL_BY_MODE[mode],
        created_by=orientador,
        transaction_type=transaction_type,
        contract_number=contract,
        turn_number="DFILA",
        attention_medium=AttentionMedium.VERBAL,
        supported_office=office,
        filed_at=now,
        pool=overflow_pool_for(office),
        reason=f"desborde {IntakeMode(mode).label}: registrado por el orientador",
        contact_phone=phone,
        contact_email=email,
    )
    if not customer_created:
        contact_details_record(
            customer=customer, case=case, by=orientador, email=email, **phone_fields(phone)
        )
    intake = Intake(
        client_token=client_token or Intake._meta.get_field("client_token").default(),
        mode=mode,
        office=office,
        zone=office.zone,
        orientador=orientador,
        started_at=now,
        transaction_type=transaction_type,
        full_name=full_name,
        document_type=document_type,
        document_number=number,
        phone=phone,
        contract=contract,
        email=email,
        data_consent_at=now,
        data_consent_version=DATA_CONSENT_VERSION,
        case=case,
    )
    # Inputs were validated above and the related rows were just loaded or created: skip the
    # per-field existence queries; the token's uniqueness is the index's job.
    intake.full_clean(
        exclude=["office", "orientador", "transaction_type", "case"], validate_unique=False
    )
    intake.save()
    for kind, upload in photos:
        evidence_attach(case=case, kind=kind, upload=upload, uploaded_by=orientador)
    intakes_changed(office.pk)
    return intake, True
