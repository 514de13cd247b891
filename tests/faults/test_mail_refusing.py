"""CORE-12 / NFR-03: the mail server refuses for a while, then accepts again — every notification
is sent exactly once after it returns, none lost, none twice.

A real worker (``-P solo``, Django's SMTP backend) sends to a local SMTP server that answers
``451`` (temporary failure) at ``RCPT`` or after ``DATA``, then accepts. The server counts the
messages it accepted by the tag each notification carries in its subject.

Time is compressed: a failed notification is tried again only by the periodic sweep
(``core.send_pending_notifications``, scheduled by django-celery-beat every minute — the row
``core.reference_data.PERIODIC_TASKS`` installs; managers may edit it in admin). The test plays
beat: each "minute" of refusal is one sweep, sent as soon as the previous one finished (read in
the worker's log). ``notification_send`` gives a notification up ("fallido") after 5 failed
attempts (a constant in ``core/services/messaging.py``, not a setting).
"""

import collections
import inspect
import math
import os
import time

import pytest

from core.models import Modality, Notification
from core.services.messaging import notification_queue, notifications_send_pending
from core.tasks import send_pending_notifications_task
from tests.helpers import wait_until

FAULTS_SCALE = float(os.environ.get("FAULTS_SCALE", "1"))

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

SWEEP = "core.send_pending_notifications"
#: What one sweep sends at most.
SWEEP_LIMIT = inspect.signature(notifications_send_pending).parameters["limit"].default


def _sweep_minutes() -> float:
    """Minutes between two sweeps, as beat has them scheduled."""
    from django_celery_beat.models import PeriodicTask

    from core.reference_data import PERIODIC_TASKS

    task = PeriodicTask.objects.filter(task=SWEEP).select_related("interval").first()
    if task is not None and task.interval is not None:
        every, period = task.interval.every, task.interval.period
        return every * {"seconds": 1 / 60, "minutes": 1, "hours": 60, "days": 1440}[period]
    return next(minutes for _, task_name, minutes in PERIODIC_TASKS if task_name == SWEEP)


def _sweep(worker) -> None:
    """One run of the sweep, as beat sends it, waited for to its end."""
    result = send_pending_notifications_task.apply_async()
    wait_until(
        lambda: worker.task_done(result.id),
        timeout=300,
        interval=0.2,
        message=f"el barrido de notificaciones no terminó:\n{worker.tail()}",
    )


#: Minutes the mail server refuses: the issue's 10 (CI and ``make faults``); at FAULTS_SCALE > 1
#: also 3, within the attempts cap, which passes even without the fix.
REFUSALS = [
    pytest.param(10, id="10-minutos"),
]
if FAULTS_SCALE > 1:
    REFUSALS.insert(0, pytest.param(3, id="3-minutos"))


@pytest.mark.parametrize("refusal_minutes", REFUSALS)
def test_core12_mail_server_refusing_every_notification_sent_once(
    refusal_minutes, workers, smtp_server, figures, scaled
):
    n = scaled(200)
    smtp_server.refusing.set()
    worker = workers.start(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_server.port,
    )
    every = _sweep_minutes()
    sweeps_refusing = math.ceil(refusal_minutes / every)
    started = time.monotonic()

    tags = {}
    for i in range(n):
        tag = f"F2-{i:06d}"
        notification = notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.GENERAL,
            recipient=f"cliente{i}@example.com",
            subject=f"Actualización de su solicitud {tag}",
            body=f"Buenos días. Su solicitud {tag} fue registrada; le avisaremos las novedades.",
        )
        tags[notification.pk] = tag
    queued = time.monotonic() - started
    mine = Notification.objects.filter(pk__in=tags)
    # Each notification's own task (sent on commit) tries once: refused.
    wait_until(
        lambda: not mine.filter(attempts=0).exists(),
        timeout=120 * max(1.0, n / 200),
        interval=0.2,
        message=f"el worker no intentó enviar todas las notificaciones:\n{worker.tail()}",
    )
    for _ in range(sweeps_refusing):
        _sweep(worker)
    during = collections.Counter(mine.values_list("status", flat=True))
    refused = smtp_server.refused_rcpt + smtp_server.refused_data
    assert sum(smtp_server.received.values()) == 0  # nothing got through while refusing
    refusing_seconds = time.monotonic() - started

    smtp_server.refusing.clear()
    sweeps_after = 0
    while mine.filter(status=Notification.Status.PENDING).exists():
        assert sweeps_after <= math.ceil(n / SWEEP_LIMIT) + 1, "el barrido no vacía la cola"
        _sweep(worker)
        sweeps_after += 1
    total_seconds = time.monotonic() - started

    after = collections.Counter(mine.values_list("status", flat=True))
    received = smtp_server.received
    twice = sorted(tag for tag, count in received.items() if count > 1)
    lost = sorted(tag for tag in tags.values() if not received[tag])
    attempts = collections.Counter(mine.values_list("attempts", flat=True))
    figures(
        f"{n} notificaciones; servidor SMTP con 451 durante {refusal_minutes} min "
        f"= {sweeps_refusing} barridos (beat cada {every:g} min; comprimidos en "
        f"{refusing_seconds:.1f} s, encolar {queued:.1f} s); rechazos 451: {refused} "
        f"(RCPT {smtp_server.refused_rcpt}, DATA {smtp_server.refused_data}); al volver: "
        f"{sweeps_after} barridos (≤ {SWEEP_LIMIT} c/u), {total_seconds:.1f} s en total"
    )
    figures(
        f"estados al final del rechazo: {dict(during)}; al final: {dict(after)}; "
        f"intentos por notificación: {dict(sorted(attempts.items()))}"
    )
    figures(
        f"recibidos por el servidor: {sum(received.values())} mensajes de {len(received)} "
        f"notificaciones; enviados dos veces: {len(twice)}; perdidos: {len(lost)}; "
        f"sin etiqueta: {smtp_server.untagged}"
    )
    assert not twice, f"notificaciones enviadas más de una vez: {twice[:20]}"
    assert smtp_server.untagged == 0
    assert not lost, f"{len(lost)} notificaciones nunca llegaron al servidor: {lost[:20]}"
    assert after == {Notification.Status.SENT: n}
    assert set(received) == set(tags.values())
