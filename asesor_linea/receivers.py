"""How asesor en línea plugs into core's case page (registered in ``AsesorLineaConfig.ready``)."""

from core.case_panels import kiosk_case_panel, kiosk_case_turn
from core.models import Case


def case_page_panel(request, case: Case, forms) -> dict | None:
    """AL-04 on the case page of an asesor en línea case: the turn and the kiosk it was attended
    at, the supported office, the documents sent to the printer, and for the technologist who
    attended it the way back to the attention page (printing and signed scans). Two queries."""
    turn = kiosk_case_turn(case)
    if turn is None:
        return None
    office = case.supported_office or turn.office
    return kiosk_case_panel(
        case,
        turn,
        title="Asesor en línea",
        border="success",
        element_id="asesor-linea-panel",
        kiosk_default="",
        jobs_heading=f"Documentos enviados a imprimir en {office.name}",
        jobs_id="al-print-jobs",
        actions="asesor_linea/partials/_case_panel_actions.html",
        is_caller=turn.called_by_id == request.user.pk,
    )
