"""A real Celery worker on Redis against PostgreSQL (CORE-09, CORE-12, NFR-03).

The worker is a separate process started by the test session (tests/conftest.py); these tests
skip locally without REDIS_URL/DATABASE_URL and fail under REQUIRE_SERVICES=1.
"""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AssignmentPool, Case, CaseStatus, Notification, StaffAvailability
from core.roles import Role
from core.services.messaging import notification_queue
from tests.factories import OfficeFactory, UserFactory, make_case
from tests.helpers import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _pool_with_technologist():
    office = OfficeFactory()
    tech = UserFactory(first_name="Beatriz", last_name="Gómez", home_office=office)
    tech.groups.add(Group.objects.get(name=Role.TECNOLOGO))
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode="trabajo_en_casa"
    )
    pool = AssignmentPool.objects.create(code="desborde-prueba", name="Desborde", batch_size=2)
    pool.members.add(tech)
    return office, tech, pool


def test_core09_worker_assigns_case_created_through_the_api(real_worker):
    office, tech, pool = _pool_with_technologist()
    creador = UserFactory(home_office=office)
    creador.groups.add(Group.objects.get(name=Role.CREADOR))
    api = APIClient()
    api.force_authenticate(creador)

    response = api.post(
        "/api/v1/cases/",
        {
            "customer": {
                "document_type": "CC",
                "document_number": "43512876",
                "full_name": "María Elena Restrepo",
                "mobile": "3104567890",
            },
            "kind": "PQR",
            "pqr_type": "peticion",
            "channel": "contact-center",
            "motive": "Consulta por el valor de la factura.",
            "pool": pool.code,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    case = wait_until(
        lambda: Case.objects.filter(pk=case_id, assigned_to=tech).first(),
        message=f"el worker no asignó el caso:\n{real_worker['log'].read_text()[-3000:]}",
    )
    assert case.status == CaseStatus.ASIGNADO
    assert "core.assign_pending_cases" in real_worker["log"].read_text()  # the worker did it
    assert case.history.filter(history_change_reason__startswith="asignación automática").exists()


def test_nfr03_case_saved_while_broker_down_is_assigned_by_the_sweep(real_worker, monkeypatch):
    from core import tasks

    _, tech, pool = _pool_with_technologist()

    def broker_down(*args, **kwargs):
        raise OSError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.assign_pending_cases_task, "apply_async", broker_down)
        case = make_case(pool=pool)
    assert Case.objects.get(pk=case.pk).assigned_to is None  # saved, not lost, not assigned

    tasks.assignment_sweep_task.delay()  # what beat sends every minute once Redis is back

    wait_until(
        lambda: Case.objects.filter(pk=case.pk, assigned_to=tech).exists(),
        message=f"el barrido no asignó el caso:\n{real_worker['log'].read_text()[-3000:]}",
    )


def test_core12_worker_sends_a_queued_notification(real_worker):
    notification = notification_queue(
        medium=Notification.Medium.EMAIL,
        modality="desborde",
        recipient="asignador@example.com",
        subject="PQR registradas",
        body="Se registró la PQR PQR-2026-000001.",
    )
    sent = wait_until(
        lambda: Notification.objects.filter(
            pk=notification.pk, status=Notification.Status.SENT
        ).first(),
        message=f"el worker no envió el correo:\n{real_worker['log'].read_text()[-3000:]}",
    )
    assert sent.attempts == 1
    assert "core.send_notification" in real_worker["log"].read_text()
    assert sent.sent_at is not None
