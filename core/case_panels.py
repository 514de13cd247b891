"""The case-page panel of a case opened from a turn attended at a kiosk (asesor en línea AL-04,
balanceo BAL-04): one core template, the modality's labels and actions as context."""

from core.models import Case, Turn

KIOSK_CASE_PANEL = "core/partials/_kiosk_case_panel.html"


def kiosk_case_turn(case: Case) -> Turn | None:
    """The latest turn attended at a kiosk that opened the case, with its office, kiosk and
    the kiosk's printer (one query; none when the case has no turn)."""
    if not case.turn_number:
        return None
    return (
        Turn.objects.filter(case=case, kiosk__isnull=False)
        .select_related("office", "kiosk", "kiosk__printer")
        .order_by("-id")
        .first()
    )


def kiosk_case_panel(case: Case, turn: Turn, **labels) -> dict:
    """The panel's context: the turn, the supported office, the documents sent to the printer
    (one query) and the modality's ``labels`` (see the template)."""
    return {
        "template": KIOSK_CASE_PANEL,
        "turn": turn,
        "office": case.supported_office or turn.office,
        "print_jobs": list(case.print_jobs.select_related("printer")),
        **labels,
    }
