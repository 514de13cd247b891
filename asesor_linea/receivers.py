"""How asesor en línea plugs into core's case page (registered in ``AsesorLineaConfig.ready``)."""

from core.models import Case, Turn


def case_page_panel(request, case: Case, forms) -> dict | None:
    """AL-04 on the case page of an asesor en línea case: the turn and the kiosk it was attended
    at, the supported office, the documents sent to the printer, and for the technologist who
    attended it the way back to the attention page (printing and signed scans). Two queries."""
    turn = (
        Turn.objects.filter(case=case, kiosk__isnull=False)
        .select_related("office", "kiosk")
        .order_by("-id")
        .first()
        if case.turn_number
        else None
    )
    if turn is None:
        return None
    return {
        "template": "asesor_linea/partials/_case_panel.html",
        "turn": turn,
        "office": case.supported_office or turn.office,
        "print_jobs": list(case.print_jobs.select_related("printer")),
        "is_caller": turn.called_by_id == request.user.pk,
    }
