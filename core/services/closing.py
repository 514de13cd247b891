"""Closing rules (core.modalities): what a modality requires before one of its cases closes."""

from core import modalities
from core.models import Case, User


def case_closing_check(*, case: Case, by: User) -> None:
    """Run the closing rules the case's modality registered; a rule refuses the closure by
    raising ValidationError / ProtocolConflict with a Spanish message (e.g. WA-03: a WhatsApp
    overflow case waits for the customer's agreement)."""
    for rule in modalities.closing_rules(case.modality):
        rule(case=case, by=by)
