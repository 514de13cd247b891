"""The daily retention job of call recordings (PQR-06, issue 15). Thin: one service call.

Registered by ``core/tasks.py`` importing this module (Celery autodiscovers ``core.tasks`` only).
"""

from celery import shared_task
from django.db import OperationalError

from core.services import retention


@shared_task(
    name="core.recordings_retention",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def recordings_retention_task() -> int:
    """Flag or purge the expired recordings per the settings' policy; the audit row says what."""
    return retention.recordings_retention_run(trigger=retention.SCHEDULED).evidence_count
