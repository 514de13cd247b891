"""The WhatsApp loop (WA-03): the technologist proposes how the case will be closed, the
orientador records whether the customer agrees, and closing waits for that agreement."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import Case, User
from desborde.models import Intake, IntakeMode, OutcomeProposal
from desborde.services.intake import intakes_changed


def _whatsapp_case(case: Case) -> Intake:
    intake = Intake.objects.filter(case=case).first()
    if intake is None or intake.mode != IntakeMode.WHATSAPP:
        raise ProtocolConflict("Este caso no llegó por desborde WhatsApp.")
    return intake


@transaction.atomic
def outcome_propose(*, case: Case, by: User, text: str) -> OutcomeProposal:
    """WA-03: the technologist tells the orientador how the case will be closed."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    intake = _whatsapp_case(case)
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
    intakes_changed(intake.office_id)  # the orientador's pending block lists it
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
    office_id = Intake.objects.filter(case=case).values_list("office_id", flat=True).first()
    if office_id:
        intakes_changed(office_id)
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
