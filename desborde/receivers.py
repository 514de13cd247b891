"""How the overflow modalities plug into core's case lifecycle (closing rule, signals, case
page panel); registered in ``DesbordeConfig.ready``."""

from core.exceptions import ProtocolConflict
from core.models import Case, Turn
from core.roles import Role, user_has_role
from core.services.turns import turn_dial
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
    """The WhatsApp loop and print queue on the technologist's case page; for a case opened
    from an office turn by cellphone (2.3), the turn and the supported office's print queue."""
    intake = Intake.objects.filter(case=case).select_related("office").first()
    if intake is None:
        return _cellphone_panel(request, case, forms)
    is_assignee = case.assigned_to_id == request.user.pk and user_has_role(
        request.user, Role.TECNOLOGO
    )
    return {
        "template": "desborde/partials/_case_panel.html",
        "intake": intake,
        "is_whatsapp": intake.mode == IntakeMode.WHATSAPP,
        "proposals": list(case.outcome_proposals.select_related("responded_by")),
        "print_jobs": list(case.print_jobs.select_related("printer")),
        "can_act": is_assignee and not case.is_closed,
        "proposal_form": forms.get("proposal_form"),
        "print_form": forms.get("print_form"),
    }


def _cellphone_panel(request, case: Case, forms) -> dict | None:
    """CEL-04 on the case page: the turn, the number to dial with 003, and the documents for
    the supported office's printer (core's print queue, ``desborde:case_print``)."""
    turn = (
        Turn.objects.filter(case=case).select_related("office").order_by("-id").first()
        if case.turn_number
        else None
    )
    if turn is None:
        return None
    is_assignee = case.assigned_to_id == request.user.pk and user_has_role(
        request.user, Role.TECNOLOGO
    )
    return {
        "template": "desborde/partials/_booth_case_panel.html",
        "turn": turn,
        "office": case.supported_office or turn.office,
        "dial": turn_dial(turn.mobile) if is_assignee else "",
        "print_jobs": list(case.print_jobs.select_related("printer")),
        "can_act": is_assignee and not case.is_closed,
        "print_form": forms.get("print_form"),
    }
