"""Celery tasks of internal clients (2.8)."""

from celery import shared_task


@shared_task(name="cliente_interno.no_shows_mark")
def no_shows_mark_task() -> int:
    """CI-04: appointments whose employee did not check in within the grace period become
    "no asistió", and each employee is e-mailed once a link to book again."""
    from cliente_interno.services.checkin import no_shows_mark

    return no_shows_mark()
