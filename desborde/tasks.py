"""Thin Celery tasks of the overflow modalities: call one service. Safe to run twice."""

from celery import shared_task

from desborde import services


@shared_task(name="desborde.pqr_report_sweep")
def pqr_report_sweep_task() -> int:
    """Periodic (DF-04): report to the asignador the closed cases the ``case_closed`` receiver
    missed. A failed run needs no retry of its own: the next run, a minute later, is one."""
    return services.intakes_report_pending()
