"""Thin Celery tasks: look ids up, call one service. Safe to run twice."""

import logging

from celery import shared_task
from django.db import OperationalError

from core.services import assignment, deadlines, messaging

log = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Send a task to the broker; when it is unreachable, log and let the periodic sweep catch up.

    Whatever the task works on is already saved in the database, so nothing is lost (NFR-03).
    """
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception as exc:  # noqa: BLE001 - kombu raises several types for a dead broker
        log.warning(
            "Broker no disponible; %s quedará para el barrido periódico: %s", task.name, exc
        )
        return False
    return True


@shared_task(name="core.send_notification")
def send_notification_task(notification_id: int) -> str:
    notification = messaging.notification_send(notification_id=notification_id)
    return notification.status if notification else "no existe"


@shared_task(name="core.send_pending_notifications")
def send_pending_notifications_task() -> int:
    return messaging.notifications_send_pending()


@shared_task(
    name="core.assign_pending_cases",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def assign_pending_cases_task(pool_id: int) -> int:
    return assignment.assign_pending_cases(pool_id=pool_id)


@shared_task(name="core.assignment_sweep")
def assignment_sweep_task() -> int:
    """Periodic: assign whatever is pending in any pool (cases saved while the broker was down,
    technologists who became available, caps freed by closed cases)."""
    return sum(
        assignment.assign_pending_cases(pool_id=pool_id)
        for pool_id in assignment.pools_with_pending_cases()
    )


@shared_task(name="core.pqr_due_alerts")
def pqr_due_alerts_task() -> int:
    """Daily (LEG-02): managers get the PQR near or past their legal term."""
    return deadlines.pqr_due_alerts_send()
