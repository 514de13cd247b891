"""LEG-02: the daily alert to managers of PQR near or past their legal term."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django_celery_beat.models import PeriodicTask

from core.models import Case, CaseKind, CaseStatus, DueAlertRun, Unit
from core.roles import Role
from core.services.deadlines import pqr_due_alerts_send
from tests.factories import OfficeFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)  # a Tuesday; 8 December is a holiday


def _manager(role, office, email):
    user = UserFactory(home_office=office, email=email)
    user.groups.add(Group.objects.get(name=role))
    return user


def _case(office, due, **kwargs):
    case = make_case(supported_office=office, **kwargs)
    Case.objects.filter(pk=case.pk).update(due_date=due)
    return Case.objects.get(pk=case.pk)


def test_leg02_daily_alert_lists_near_and_past_due_pqr_for_the_unit(
    django_capture_on_commit_callbacks,
):
    metro = OfficeFactory(unit=Unit.METROPOLITANO)
    regional = OfficeFactory(unit=Unit.REGIONAL)
    _manager(Role.GESTOR, metro, "gestora@example.com")
    _manager(Role.ASIGNADOR, metro, "asignador@example.com")
    _manager(Role.TECNOLOGO, metro, "tecnologo@example.com")  # not a manager
    _manager(Role.GESTOR, regional, "gestor.regional@example.com")
    past = _case(metro, dt.date(2026, 11, 27))
    near = _case(metro, dt.date(2026, 12, 4))  # 3 business days after 1 December
    far = _case(metro, dt.date(2026, 12, 9))  # 4 business days (8 December is a holiday)
    closed = _case(metro, dt.date(2026, 11, 20), status=CaseStatus.CERRADO_PRIMER_CONTACTO)
    pedido = make_case(kind=CaseKind.PEDIDO, supported_office=metro)

    with django_capture_on_commit_callbacks(execute=True):
        queued = pqr_due_alerts_send(today=TODAY)

    assert queued == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["asignador@example.com", "gestora@example.com"]
    body = mail.outbox[0].body
    assert past.number in body and near.number in body
    assert far.number not in body and closed.number not in body and pedido.number not in body
    past_line = next(line for line in body.splitlines() if past.number in line)
    assert "silencio administrativo positivo" in past_line and "72 horas" in past_line
    near_line = next(line for line in body.splitlines() if near.number in line)
    assert "próxima a vencer" in near_line and "04/12/2026" in near_line
    assert mail.outbox[0].subject == "PQR próximas a vencer o vencidas — 01/12/2026"


def test_leg02_alert_is_sent_once_a_day(django_capture_on_commit_callbacks):
    office = OfficeFactory(unit=Unit.METROPOLITANO)
    _manager(Role.GESTOR, office, "gestora@example.com")
    _case(office, dt.date(2026, 11, 27))

    with django_capture_on_commit_callbacks(execute=True):
        assert pqr_due_alerts_send(today=TODAY) == 1
        assert pqr_due_alerts_send(today=TODAY) == 0

    assert DueAlertRun.objects.filter(date=TODAY).count() == 1
    assert len([m for m in mail.outbox if "01/12/2026" in m.subject]) == 1


def test_leg02_daily_alert_is_scheduled_at_seven_in_bogota():
    task = PeriodicTask.objects.get(task="core.pqr_due_alerts")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("7", "0")
    assert str(task.crontab.timezone) == "America/Bogota"
