"""The periodic jobs of 2.7 run by a real Celery worker on Redis against PostgreSQL, as beat
starts them in production: the daily export e-mailed to the Regional gestores de oficina
(PQR-07) and the closing of unanswered information requests (PQR-02). Run twice, each does its
work once."""

import datetime as dt

import pytest
from django.utils import timezone

from core.business_days import BOGOTA
from core.models import Notification, OutboundMessage, Unit
from core.roles import Role
from pqr_digital.models import DigitalPqrExport, Interaction
from pqr_digital.tasks import close_unanswered_task, daily_export_task
from tests.factories import OfficeFactory
from tests.factories.pqr_digital import InteractionFactory, make_digital_pqr
from tests.helpers import make_user, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _yesterday_at(hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BOGOTA)


def test_pqr07_the_daily_export_runs_on_the_worker_and_mails_once(real_worker):
    regional = OfficeFactory(unit=Unit.REGIONAL)
    make_user(Role.GESTOR_OFICINA, regional, email="gestora.rionegro@example.com")
    cases = [make_digital_pqr(filed_at=_yesterday_at(h)) for h in (9, 15)]

    daily_export_task.apply_async()
    export = wait_until(
        lambda: DigitalPqrExport.objects.filter(emailed_at__isnull=False).first(),
        message=f"el worker no generó el exporte:\n{real_worker['log'].read_text()[-3000:]}",
    )
    sent = wait_until(
        lambda: Notification.objects.filter(
            recipient="gestora.rionegro@example.com", status=Notification.Status.SENT
        ).first(),
        message=f"el correo no salió:\n{real_worker['log'].read_text()[-3000:]}",
    )

    assert export.date_from == export.date_to == _yesterday_at(0).date()
    assert export.rows == len(cases)
    assert export.csv_file and export.xlsx_file
    assert len(sent.attachments) == 2
    daily_export_task.apply_async()  # a second run (beat fires again, a retry): nothing new
    wait_until(
        lambda: (
            "pqr_digital.daily_export" in real_worker["log"].read_text()
            and real_worker["log"].read_text().count("pqr_digital.daily_export") >= 4
        ),
        message="el worker no corrió el segundo exporte",
    )
    assert DigitalPqrExport.objects.count() == 1
    assert Notification.objects.filter(recipient="gestora.rionegro@example.com").count() == 1


def test_pqr02_the_closing_job_runs_on_the_worker_and_sends_one_message(real_worker):
    creador = make_user(Role.CREADOR, OfficeFactory())
    waiting = InteractionFactory(
        status=Interaction.Status.WAITING_INFO,
        handled_by=creador,
        full_name="Marcela Ríos",
        info_requested_at=_yesterday_at(10),
        arrived_at=_yesterday_at(9),
    )
    asked_today = InteractionFactory(
        status=Interaction.Status.WAITING_INFO,
        handled_by=creador,
        info_requested_at=timezone.now(),
        arrived_at=timezone.now(),
    )

    close_unanswered_task.apply_async()
    close_unanswered_task.apply_async()
    closed = wait_until(
        lambda: Interaction.objects.filter(
            pk=waiting.pk, status=Interaction.Status.UNATTENDED
        ).first(),
        message=f"el worker no cerró la interacción:\n{real_worker['log'].read_text()[-3000:]}",
    )
    wait_until(
        lambda: real_worker["log"].read_text().count("pqr_digital.close_unanswered") >= 4,
        message="el worker no corrió las dos ejecuciones",
    )

    assert closed.closed_at is not None
    messages = OutboundMessage.objects.filter(subject_id=waiting.pk)
    assert messages.count() == 1
    assert "Marcela Ríos" in messages.get().body
    asked_today.refresh_from_db()
    assert asked_today.status == Interaction.Status.WAITING_INFO
