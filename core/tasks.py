"""Thin Celery tasks: look ids up, call one service. Safe to run twice."""

import contextlib
import functools
import logging

import redis
from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from core.services import assignment, deadlines, messaging
from core.tasks_retention import recordings_retention_task  # noqa: F401 (registers the task)

log = logging.getLogger(__name__)


def enqueue(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Send a task to the broker; when it is unreachable, log and let the periodic sweep catch up.

    Whatever the task works on is already saved in the database, so nothing is lost (NFR-03).
    """
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False, countdown=countdown)
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
    # Cleared before reading the pending cases: a case committed from now on queues a new run.
    _queued_flag_clear(pool_id)
    return assignment.assign_pending_cases(pool_id=pool_id)


#: Set while an assignment run of the pool waits in the queue (seconds: a lost message only
#: holds new runs back this long; the periodic sweep assigns meanwhile).
QUEUED_FLAG_SECONDS = 120


def _queued_flag(pool_id: int) -> str:
    """Per database and queue: pool ids of another database (tests, benchmark) never collide."""
    from django.db import connection

    database = connection.settings_dict["NAME"]
    return f"atencion:{database}:{settings.CELERY_TASK_DEFAULT_QUEUE}:asignacion-en-cola:{pool_id}"


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def _queued_flag_clear(pool_id: int) -> None:
    if settings.REDIS_URL:
        with contextlib.suppress(redis.RedisError):
            _redis().delete(_queued_flag(pool_id))


def assignment_request(pool_id: int) -> bool:
    """After a case enters a pool (on commit): make sure one assignment run of the pool is queued.

    One run assigns every pending case of the pool, so while a run is waiting in the queue the
    next cases need no run of their own: a flag in Redis, set with the run and cleared when it
    starts, skips them. The run starts ``ASSIGNMENT_DELAY_SECONDS`` (1 s) after the first case,
    so the cases registered meanwhile go in the same run: a busy office costs the worker about
    one run a second per pool, not one per case. Without Redis (tasks in-process) or when the
    flag cannot be read, a run is queued at once for every case.
    """
    if settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        key = _queued_flag(pool_id)
        try:
            if not _redis().set(key, "1", nx=True, ex=QUEUED_FLAG_SECONDS):
                return True  # a queued run will see this case: it reads them when it starts
        except redis.RedisError:
            pass
        if not enqueue(
            assign_pending_cases_task, pool_id, countdown=settings.ASSIGNMENT_DELAY_SECONDS
        ):
            _queued_flag_clear(pool_id)  # nothing queued: the next case must try again
            return False
        return True
    return enqueue(assign_pending_cases_task, pool_id)


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


@shared_task(name="core.send_outbound_message")
def send_outbound_message_task(message_id: int) -> str:
    from core.services import outbound

    message = outbound.outbound_send(message_id=message_id)
    return message.status if message else "no existe"


@shared_task(name="core.outbound_sweep")
def outbound_sweep_task() -> int:
    """Periodic: send the outbox messages whose (re)try time has come (broker down, retries)."""
    from core.services import outbound

    return outbound.outbound_send_due()


@shared_task(name="core.kiosks_offline_sweep")
def kiosks_offline_sweep_task() -> int:
    """Periodic (every minute): kiosks whose heartbeat went stale are "desconectado" (BAL-02),
    video calls that rang without connecting for VIDEO_RING_TIMEOUT_SECONDS end "fallida" (so a
    kiosk or a technologist whose browsers died is not held by the call), connected calls whose
    kiosk has been off that long end "fallida" too, and kiosk turns of past days still active
    are released."""
    from core.services import kiosks
    from core.services.turns.stale import kiosk_turns_stale_release
    from core.video.services import (
        video_sessions_kiosk_lost_sweep,
        video_sessions_unanswered_sweep,
    )

    video_sessions_unanswered_sweep()
    offline = kiosks.kiosks_offline_sweep()
    # Before the release of past days' turns: a call whose kiosk died just before midnight ends
    # "fallida" with its real reason (the kiosk was lost), not as a stale turn of yesterday.
    video_sessions_kiosk_lost_sweep()
    kiosk_turns_stale_release()
    return offline


@shared_task(name="core.agenda_holds_expire")
def agenda_holds_expire_task() -> int:
    """Periodic (every minute): holds of the agenda whose time ran out become "vencida" (a new
    hold on the same time expires them at once anyway)."""
    from core.services.agenda import agenda_holds_expire

    return agenda_holds_expire()


@shared_task(name="core.sap_sweep")
def sap_sweep_task() -> dict:
    """Periodic (every 10 minutes, LEG-02): PQR past their term enter the silencio-administrativo-
    positivo queue, late answers are recorded, and the 24-hour and expiry alerts go out once."""
    from core.services.sap import sap_sweep

    return sap_sweep()


@shared_task(name="core.dashboard_rollup")
def dashboard_rollup_task() -> int:
    """Daily (00:20 Bogotá, issue 16): roll the closed cases of the days before today into the
    dashboard's daily figures (idempotent: days already rolled are skipped)."""
    from core.services.dashboard_rollup import dashboard_rollup

    return dashboard_rollup()


@shared_task(name="core.dashboard_snapshots")
def dashboard_snapshots_task() -> int:
    """Every minute (issue 16): recompute the dashboards looked at in the last minutes, so their
    page, its refresh and the API serve figures of less than a minute without computing them."""
    from core.services.dashboard_snapshot import dashboard_snapshots_refresh

    return dashboard_snapshots_refresh()
