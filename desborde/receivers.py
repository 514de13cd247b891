"""How the overflow modalities plug into core's case lifecycle (closing rule, signal, case
page panel); registered in ``DesbordeConfig.ready``."""

from core.exceptions import ProtocolConflict
from core.models import Case
from core.roles import Role, user_has_role
from desborde import services
from desborde.models import Intake, IntakeMode


def require_customer_agreement(*, case: Case, by) -> None:
    """Closing rule (WA-03): a WhatsApp overflow case closes only after the customer agreed."""
    intake = Intake.objects.filter(case=case).only("mode").first()
    if intake and intake.mode == IntakeMode.WHATSAPP and not services.customer_agreed(case):
        raise ProtocolConflict(
            "Antes de cerrar, el orientador debe registrar que el cliente está de acuerdo con la "
            "propuesta de cierre."
        )


def report_pqr_number(sender, *, case: Case, by, **kwargs) -> None:
    """``case_closed`` (DF-04): the asignador gets the PQR number. If this fails the close still
    stands; ``desborde.pqr_report_sweep`` does the report later."""
    services.intake_report_pqr_number(case=case)


def case_page_panel(request, case: Case, forms) -> dict | None:
    """The WhatsApp loop and print queue on the technologist's case page."""
    intake = Intake.objects.filter(case=case).select_related("office").first()
    if intake is None:
        return None
    is_assignee = case.assigned_to_id == request.user.pk and user_has_role(
        request.user, Role.TECNOLOGO
    )
    return {
        "template": "desborde/partials/_case_panel.html",
        "intake": intake,
        "is_whatsapp": intake.mode == IntakeMode.WHATSAPP,
        "proposals": list(case.outcome_proposals.select_related("responded_by")),
        "print_jobs": list(case.print_jobs.all()),
        "can_act": is_assignee and not case.is_closed,
        "proposal_form": forms.get("proposal_form"),
        "print_form": forms.get("print_form"),
    }
