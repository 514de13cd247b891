"""Core's own receivers of core's signals (connected in ``CoreConfig.ready``)."""

from core.models import Case, Turn, TurnStatus


def turns_finish_for_case(sender, *, case: Case, by, **kwargs) -> None:
    """``case_closed`` (CEL-04, AL, BAL): the office turn attended through the case becomes
    "atendido", whichever modality attended it. If this fails the close still stands; the
    technologist's next call of a turn finishes the turn of a closed case first
    (``core.services.turns.booth``)."""
    from core.services.turns import turn_finish

    for turn in Turn.objects.filter(case=case, status=TurnStatus.EN_ATENCION):
        turn_finish(turn=turn, by=by)
