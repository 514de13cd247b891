"""The panel of a condo case on the case page (issue 13): the copropiedad, the appointment (day,
hour, status) and core's notification authorisation + constancia block (COP-03)."""

from copropiedad.models import CondoCase
from core.selectors.agenda import case_appointment
from core.views import constancia_panel


def case_page_panel(request, case, forms) -> dict | None:
    """Three queries whatever the case holds: the condo row, the appointment, the constancias."""
    condo = CondoCase.objects.filter(case=case).select_related("copropiedad").first()
    solved_by_phone = bool(condo and condo.solved_by_phone)
    return {
        "template": "copropiedad/partials/_case_panel.html",
        "condo": condo,
        "appointment": case_appointment(case),
        "solved_by_phone": solved_by_phone,
        "constancia": None if solved_by_phone else constancia_panel(request, case, forms),
    }
