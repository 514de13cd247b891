"""Write paths of the overflow modalities (2.1, 2.2). The office print queue (WA-04) is core's:
``core.services.printing``."""

import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    AssignmentPool,
    AttentionMedium,
    Case,
    CaseKind,
    CaseStatus,
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
    OutcomeProposal,
)

NOT_ELIGIBLE = (
    "Esta transacción no se atiende por desborde: indique al cliente que continúe en la fila, "
    "tome el ficho y espere a ser atendido en un módulo de atención."
)
PHOTO_KINDS = {EvidenceKind.INVOICE_PHOTO, EvidenceKind.ID_PHOTO, EvidenceKind.OTHER}

log = logging.getLogger(__name__)


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
    return intake, True


def _whatsapp_case(case: Case) -> Intake:
    intake = Intake.objects.filter(case=case).first()
    if intake is None or intake.mode != IntakeMode.WHATSAPP:
        raise ProtocolConflict("Este caso no llegó por desborde WhatsApp.")
    return intake


@transaction.atomic
def outcome_propose(*, case: Case, by: User, text: str) -> OutcomeProposal:
    """WA-03: the technologist tells the orientador how the case will be closed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _whatsapp_case(case)
    if case.assigned_to_id != by.pk:
        raise ProtocolConflict("Solo el tecnólogo asignado envía la propuesta de cierre.")
    if case.is_closed:
        raise ProtocolConflict("El caso ya está cerrado.")
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            {
                "text": "Escriba cómo quedará el caso para que el orientador lo "
                "socialice con el cliente."
            }
        )
    if case.outcome_proposals.filter(response=OutcomeProposal.Response.PENDING).exists():
        raise ProtocolConflict("Ya hay una propuesta esperando la respuesta del cliente.")
    proposal = OutcomeProposal(case=case, text=text, proposed_by=by, proposed_at=timezone.now())
    proposal.full_clean()
    proposal._change_reason = "propuesta de cierre enviada al orientador"
    proposal.save()
    case._change_reason = "propuesta de cierre enviada al orientador"
    case._history_user = by
    case.save(update_fields=["updated_at"])
    return proposal


@transaction.atomic
def outcome_respond(
    *, proposal: OutcomeProposal, by: User, agreed: bool, comment: str = ""
) -> OutcomeProposal:
    """WA-03: the orientador records whether the customer agrees."""
    proposal = (
        OutcomeProposal.objects.select_for_update().select_related("case").get(pk=proposal.pk)
    )
    if proposal.response != OutcomeProposal.Response.PENDING:
        raise ProtocolConflict("Esta propuesta ya tiene respuesta del cliente.")
    if proposal.case.is_closed:
        raise ProtocolConflict("El caso ya está cerrado; la propuesta no admite respuesta.")
    comment = (comment or "").strip()
    if not agreed and not comment:
        raise ValidationError({"comment": "Indique por qué el cliente no está de acuerdo."})
    proposal.response = (
        OutcomeProposal.Response.AGREED if agreed else OutcomeProposal.Response.DISAGREED
    )
    proposal.comment = comment
    proposal.responded_by = by
    proposal.responded_at = timezone.now()
    proposal._change_reason = f"cliente {proposal.get_response_display()}"
    proposal.save(update_fields=["response", "comment", "responded_by", "responded_at"])
    case = proposal.case
    case._change_reason = f"el cliente está {proposal.get_response_display()} con la propuesta"
    case._history_user = by
    case.save(update_fields=["updated_at"])
    return proposal


def customer_agreed(case: Case) -> bool:
    """The customer agreed with the latest proposal: an earlier agreement does not cover a
    newer proposal that is pending or was rejected."""
    latest = (
        case.outcome_proposals.order_by("-proposed_at", "-id")
        .values_list("response", flat=True)
        .first()
    )
    return latest == OutcomeProposal.Response.AGREED


@transaction.atomic
def intake_report_pqr_number(*, case: Case) -> Intake | None:
    """DF-04: once the case is closed, the asignadores of the intake's unit get the PQR number by
    e-mail, and the intake records when (``reported_at``; the number is the case's).

    Runs from the ``case_closed`` receiver and from the periodic sweep, maybe both at once,
    maybe twice: the intake row is locked and ``reported_at`` read under the lock, and the
    e-mails are queued in the transaction that sets it. So a case is reported once, and never
    marked reported without its e-mails. Answers the intake when this call reported it, None
    when there is nothing to do (no intake, case not closed, already reported).
    """
    from core.models import Modality, Notification
    from core.roles import Role
    from core.services.messaging import notification_queue

    intake = (
        Intake.objects.select_for_update(of=("self",))
        .select_related("office", "case")
        .filter(case_id=case.pk)
        .first()
    )
    if intake is None or intake.reported_at is not None:
        return None
    case = intake.case
    if case.status not in CaseStatus.closed():
        return None
    intake.reported_at = timezone.now()
    intake._change_reason = "PQR informada al asignador"
    intake.save(update_fields=["reported_at"])
    assigners = User.objects.filter(
        groups__name=Role.ASIGNADOR, is_active=True, home_office__unit=intake.office.unit
    ).exclude(email="")
    for assigner in assigners.distinct():
        notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.DESBORDE,
            recipient=assigner.email,
            subject=f"PQR registrada {case.number} — desborde {intake.office.name}",
            body=(
                f"Se registró la PQR {case.number} ({case.get_status_display()}) para "
                f"{intake.full_name}, ingresado por desborde {intake.get_mode_display()} en "
                f"{intake.office.name} el {timezone.localtime(intake.started_at):%d/%m/%Y %H:%M}."
            ),
            case=case,
        )
    return intake


#: Intakes one sweep run reports at most; the next run (a minute later) takes the rest.
PQR_REPORT_SWEEP_BATCH = 200


def intakes_report_pending(*, limit: int = PQR_REPORT_SWEEP_BATCH) -> int:
    """DF-04 sweep (``desborde.pqr_report_sweep``, every minute): report the closed cases whose
    report did not happen after commit (the receiver raised, the process stopped between the
    commit and the receiver). Safe to run twice and alongside the receiver: each report takes
    the intake's row lock. An intake that fails is logged and left for the next run, so it
    does not hold the others back. Answers how many were reported."""
    pending = (
        Intake.objects.filter(reported_at__isnull=True, case__status__in=CaseStatus.closed())
        .select_related("case")
        .order_by("case__closed_at", "pk")[:limit]
    )
    reported = 0
    for intake in pending:
        try:
            if intake_report_pqr_number(case=intake.case) is not None:
                reported += 1
        except Exception:  # noqa: BLE001 - one bad intake must not stop the sweep
            log.exception(
                "No se pudo informar la PQR %s al asignador; se reintentará en el próximo barrido.",
                intake.case.number,
            )
    return reported
