"""How balancing plugs into core (connected in ``BalanceoConfig.ready``): the matcher's triggers
on core's signals, and the panel of a balanced case on the case page.

Every trigger runs a matching round right after its transaction commits, in the same request or
socket handler (the fast path, no broker); ``balanceo.match_sweep`` runs one every minute for
anything a trigger missed."""

from balanceo.selectors import balance_entries, balance_today, open_sessions
from balanceo.services import (
    balance_call_unanswered,
    balance_match_soon,
    balance_seat_free,
)
from core.case_panels import kiosk_case_panel, kiosk_case_turn
from core.models import Case, Modality, TurnEvent
from core.roles import Role, user_has_role
from core.services.turns.documents import kiosk_turn_printer


def consent_accepted(sender, *, instance: TurnEvent, created: bool, raw: bool = False, **kwargs):
    """``post_save`` of ``TurnEvent``: the office recorded that the customer accepts virtual
    attention (AL-03) in an office with balanceo supporters today → match after commit."""
    if raw or not created or instance.kind != TurnEvent.Kind.VIRTUAL_ACEPTA:
        return
    turn = instance.turn
    if balance_entries(day=turn.day).filter(office_id=turn.office_id).exists():
        balance_match_soon()


def call_ended(sender, *, session, **kwargs) -> None:
    """``video_session_ended``: the technologist is free of that call at once (idle from now);
    a round follows (they are matched only once they hold no active turn either). A balancing
    call that ended without ever connecting gives its customer back to the queue and pauses the
    technologist (``balance_call_unanswered``). This signal may fire in the live socket's
    database thread: the round goes through the broker when there is one.

    A technologist already in their next call (a round that ran after this call ended matched
    them, as after "Terminar") is not idle, and that round saw what this call freed: nothing
    to do (one has at most one open call, so the next began after this one ended)."""
    if open_sessions().filter(technologist_id=session.technologist_id).exists():
        return
    if session.modality == Modality.BALANCEO and session.connected_at is None:
        balance_call_unanswered(session=session)
        return
    balance_seat_free(technologist_id=session.technologist_id, via_broker=True)


def kiosk_came_on(sender, *, kiosk, **kwargs) -> None:
    """``kiosk_connected`` (fired in the live socket's database thread): customers who waited
    for a kiosk of that office can be matched — by the broker's worker when there is one."""
    if balance_entries(day=balance_today()).filter(office_id=kiosk.office_id).exists():
        balance_match_soon(via_broker=True)


def case_closed(sender, *, case: Case, by, **kwargs) -> None:
    """``case_closed`` of a balanced case: its turn is finished by core; the technologist is
    free from now (when they hold no other turn or call, the matcher decides)."""
    if case.modality == Modality.BALANCEO and case.assigned_to_id:
        balance_seat_free(technologist_id=case.assigned_to_id)


def case_page_panel(request, case: Case, forms) -> dict | None:
    """BAL-04 on the case page: the balanced turn, its kiosk and office, and the documents for
    the kiosk's printer (two queries)."""
    turn = kiosk_case_turn(case)
    if turn is None:
        return None
    is_assignee = (
        case.assigned_to_id == request.user.pk
        and turn.called_by_id == request.user.pk
        and user_has_role(request.user, Role.TECNOLOGO)
    )
    return kiosk_case_panel(
        case,
        turn,
        title="Balanceo",
        border="primary",
        element_id="balanceo-panel",
        kiosk_default="—",
        show_printer=True,
        printer=kiosk_turn_printer(turn),
        jobs_heading="Documentos para imprimir en el módulo",
        jobs_id="balanceo-print-jobs",
        queued_label="en cola de impresión",
        actions="balanceo/partials/_case_panel_actions.html",
        can_act=is_assignee and not case.is_closed,
    )
