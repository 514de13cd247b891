"""Thin Celery tasks of 2.7: look ids up, call one service. Safe to run twice."""

from celery import shared_task


@shared_task(name="pqr_digital.process_inbound")
def process_inbound_task(inbound_id: int) -> str:
    from pqr_digital.services import inbound

    return inbound.inbound_process(inbound_id=inbound_id)


@shared_task(name="pqr_digital.inbound_sweep")
def inbound_sweep_task() -> int:
    """Periodic: deliveries stored while the broker was down, or whose task was lost."""
    from pqr_digital.services import inbound

    return inbound.inbound_process_pending()


@shared_task(name="pqr_digital.close_unanswered")
def close_unanswered_task() -> int:
    """Daily (PQR-02): close the interactions whose information request went unanswered."""
    from pqr_digital.services import interactions

    return interactions.interactions_close_unanswered_due()


@shared_task(name="pqr_digital.daily_export")
def daily_export_task() -> int:
    """Daily (PQR-07): build and e-mail the previous Bogotá day's export (and missed days)."""
    from pqr_digital.services import export

    return export.daily_exports_run()
