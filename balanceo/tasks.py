"""Thin Celery tasks of balancing: call one service. Safe to run twice."""

from celery import shared_task

from balanceo.services import balance_match_round


@shared_task(name="balanceo.match_sweep")
def match_sweep_task() -> int:
    """Periodic (BAL-03, NFR-03): one matching round, for anything the triggers after commit
    missed (a worker or web process that died between commit and round, a kiosk that came on
    while a round was failing). A failed run needs no retry: the next one is a minute later."""
    return len(balance_match_round())


@shared_task(name="balanceo.match_round")
def match_round_task() -> int:
    """One matching round, enqueued by the triggers that fire inside the live socket's database
    thread (a kiosk turning on, a video call ending) so the socket worker is not stalled. Safe
    to run twice; lost (broker down) it is caught by ``balanceo.match_sweep``."""
    return len(balance_match_round())
