"""LEG-02 (issue 16): the silencio-administrativo-positivo queue — the 72-hour clock, who enters,
the alerts (once each, to the unit's managers) and the recognition."""

import datetime as dt
import hashlib
import os
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.utils import timezone

from core.business_days import BOGOTA
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseKind,
    CaseStatus,
    Evidence,
    EvidenceKind,
    Notification,
    SapCase,
    Unit,
    User,
)
from core.roles import Role
from core.selectors.sap import sap_queue_for_user
from core.services.deadlines import pqr_due_alerts_send
from core.services.sap import (
    sap_hours_left,
    sap_is_expired,
    sap_is_urgent,
    sap_recognise,
    sap_sweep,
)
from core.tasks import sap_sweep_task
from tests.factories import CustomerFactory, OfficeFactory, UserFactory, make_case
from tests.helpers import MP3, PDF

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 11, 27)
#: 8 December 2026 (Tuesday) is a holiday in Colombia (Inmaculada Concepción).
MONDAY_BEFORE_HOLIDAY = dt.date(2026, 12, 7)


def bogota(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BOGOTA)


def _manager(role, office, email, **kwargs):
    user = UserFactory(home_office=office, email=email, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def _case(office, due, *, closed_at=None, **kwargs):
    case = make_case(supported_office=office, **kwargs)
    changes = {"due_date": due}
    if closed_at is not None:
        changes.update(status=CaseStatus.CERRADO_PRIMER_CONTACTO, closed_at=closed_at)
    Case.objects.filter(pk=case.pk).update(**changes)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def metro():
    return OfficeFactory(unit=Unit.METROPOLITANO)


@pytest.fixture
def regional():
    return OfficeFactory(unit=Unit.REGIONAL)


@pytest.fixture
def managers(metro, regional):
    """The Metropolitano unit's gestora and asignador, plus people who must get nothing."""
    return {
        "gestora": _manager(Role.GESTOR, metro, "gestora@example.com"),
        "asignador": _manager(Role.ASIGNADOR, metro, "asignador@example.com"),
        "tecnologo": _manager(Role.TECNOLOGO, metro, "tecnologo@example.com"),
        "inactivo": _manager(Role.GESTOR, metro, "inactivo@example.com", is_active=False),
        "sin_correo": _manager(Role.ASIGNADOR, metro, ""),
        "regional": _manager(Role.GESTOR, regional, "gestor.regional@example.com"),
    }


# --- the 72-hour clock -----------------------------------------------------------------------


def test_leg02_clock_counts_72_calendar_hours_across_a_weekend(metro):
    """Due Friday → silence from Saturday 00:00 Bogotá, recognise by Tuesday 00:00 (hours, not
    business days: the weekend counts)."""
    case = _case(metro, FRIDAY)

    sap_sweep(now=bogota(2026, 11, 30, 10, 0))

    record = SapCase.objects.get(case=case)
    assert record.due_date == FRIDAY
    assert record.began_at == bogota(2026, 11, 28, 0, 0)
    assert record.deadline == bogota(2026, 12, 1, 0, 0)
    assert record.unit == Unit.METROPOLITANO
    assert sap_hours_left(record, bogota(2026, 11, 30, 10, 0)) == 14
    assert sap_hours_left(record, bogota(2026, 12, 1, 2, 30)) == -3


def test_leg02_hours_left_and_the_orange_badge_agree_at_24_hours(metro):
    """ "Quedan 24 h" is said only with 24 hours or fewer left — when the case is urgent and its
    alert goes out —; 24 h 30 min left reads "Quedan 25 h"."""
    record = SapCase(deadline=bogota(2026, 12, 1, 0, 0))
    for now, hours, urgent in (
        (bogota(2026, 11, 29, 23, 30), 25, False),
        (bogota(2026, 11, 30, 0, 0), 24, True),
        (bogota(2026, 11, 30, 0, 1), 24, True),
        (bogota(2026, 11, 30, 23, 59), 1, True),
    ):
        assert (sap_hours_left(record, now), sap_is_urgent(record, now)) == (hours, urgent), now


def test_leg02_clock_counts_a_holiday_as_hours_too(metro):
    """Due Monday 7 December; Tuesday 8 is a holiday and still counts: deadline Friday 00:00."""
    case = _case(metro, MONDAY_BEFORE_HOLIDAY)

    sap_sweep(now=bogota(2026, 12, 8, 9, 0))

    record = SapCase.objects.get(case=case)
    assert record.began_at == bogota(2026, 12, 8, 0, 0)
    assert record.deadline == bogota(2026, 12, 11, 0, 0)


def test_leg02_a_late_sweep_does_not_move_the_clock(metro):
    case = _case(metro, FRIDAY)

    sap_sweep(now=bogota(2026, 12, 3, 16, 45))  # days after the term ended

    record = SapCase.objects.get(case=case)
    assert record.began_at == bogota(2026, 11, 28, 0, 0)
    assert record.deadline == bogota(2026, 12, 1, 0, 0)


# --- who enters ------------------------------------------------------------------------------


def test_leg02_entry_open_past_due_enters_and_others_do_not(metro):
    past_due = _case(metro, FRIDAY)
    due_today = _case(metro, dt.date(2026, 11, 30))  # its term ends tonight
    closed_in_time = _case(metro, FRIDAY, closed_at=bogota(2026, 11, 27, 23, 59))
    closed_late = _case(metro, FRIDAY, closed_at=bogota(2026, 11, 28, 8, 15))
    pedido = make_case(kind=CaseKind.PEDIDO, supported_office=metro)
    Case.objects.filter(pk=pedido.pk).update(due_date=FRIDAY)

    result = sap_sweep(now=bogota(2026, 11, 30, 10, 0))

    assert result["entered"] == 2
    assert set(SapCase.objects.values_list("case_id", flat=True)) == {past_due.pk, closed_late.pk}
    late = SapCase.objects.get(case=closed_late)
    assert late.answered_at == bogota(2026, 11, 28, 8, 15)
    assert SapCase.objects.get(case=past_due).answered_at is None
    assert not SapCase.objects.filter(case__in=[due_today, closed_in_time, pedido]).exists()
    # The late answer stays in the queue: its effects still have to be recognised.
    gestora = _manager(Role.GESTOR, metro, "g@example.com")
    pending = sap_queue_for_user(user=gestora)
    assert {r.case_id for r in pending} == {past_due.pk, closed_late.pk}


def test_leg02_sweeping_twice_keeps_one_record_per_case(metro):
    case = _case(metro, FRIDAY)
    now = bogota(2026, 11, 30, 10, 0)

    assert sap_sweep(now=now)["entered"] == 1
    assert sap_sweep(now=now)["entered"] == 0
    assert sap_sweep(now=now + dt.timedelta(hours=5))["entered"] == 0

    assert SapCase.objects.filter(case=case).count() == 1
    record = SapCase.objects.get(case=case)
    assert record.history.count() == 2  # entered, then the 24-hour alert


def test_leg02_a_case_closed_after_entering_is_recorded_as_answered_late(metro):
    case = _case(metro, FRIDAY)
    sap_sweep(now=bogota(2026, 11, 28, 9, 0))
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CERRADO_PRIMER_CONTACTO, closed_at=bogota(2026, 11, 29, 11, 0)
    )

    result = sap_sweep(now=bogota(2026, 11, 29, 12, 0))

    record = SapCase.objects.get(case=case)
    assert result["answered"] == 1
    assert record.answered_at == bogota(2026, 11, 29, 11, 0)
    assert record.recognised_at is None
    assert record.history.first().history_change_reason == "caso respondido fuera de término"


def test_leg02_digital_pqr_without_office_goes_to_its_modalitys_unit():
    case = make_case(channel="facebook")
    Case.objects.filter(pk=case.pk).update(due_date=FRIDAY)
    assert case.office_id is None and case.supported_office_id is None

    sap_sweep(now=bogota(2026, 11, 30, 10, 0))

    assert SapCase.objects.get(case=case).unit == Unit.REGIONAL


# --- the alerts -------------------------------------------------------------------------------


def _sent(subject_part: str) -> list:
    return [m for m in mail.outbox if subject_part in m.subject]


def test_leg02_24_hour_alert_at_deadline_minus_24h_once_to_the_units_managers(
    metro, managers, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://atencion.example"
    tech = _manager(Role.TECNOLOGO, metro, "t2@example.com", first_name="Álvaro", last_name="Ruiz")
    customer = CustomerFactory(full_name="Ana María Gómez")
    case = _case(metro, FRIDAY, customer=customer, assigned_to=tech)
    unassigned = _case(metro, FRIDAY)
    deadline = bogota(2026, 12, 1, 0, 0)

    with django_capture_on_commit_callbacks(execute=True):
        early = sap_sweep(now=deadline - dt.timedelta(hours=24, minutes=1))
    assert early["entered"] == 2 and early["alerts_24h"] == 0
    assert _sent("quedan 24 horas") == []

    with django_capture_on_commit_callbacks(execute=True):
        first = sap_sweep(now=deadline - dt.timedelta(hours=24))
        again = sap_sweep(now=deadline - dt.timedelta(hours=2))

    assert first["alerts_24h"] == 2 and first["emails"] == 2  # one e-mail per recipient
    assert again["alerts_24h"] == 0 and again["emails"] == 0
    sent = _sent("quedan 24 horas")
    assert sorted(m.to[0] for m in sent) == ["asignador@example.com", "gestora@example.com"]
    body = sent[0].body
    line = next(x for x in body.splitlines() if case.number in x)
    assert "Ana María Gómez" in line
    assert "fecha límite de respuesta 27/11/2026" in line
    assert "reconocer a más tardar 01/12/2026 12:00 a.m." in line
    assert "quedan 24 h" in line
    assert "debe actuar: Álvaro Ruiz" in line
    assert "sin asignar" in next(x for x in body.splitlines() if unassigned.number in x)
    assert "https://atencion.example/silencio-positivo/" in body
    assert "Unidad Canales Metropolitano" in sent[0].subject
    assert SapCase.objects.filter(alert_24h_sent_at=deadline - dt.timedelta(hours=24)).count() == 2


def test_leg02_expiry_alert_once_and_none_for_a_recognised_record(
    metro, managers, django_capture_on_commit_callbacks
):
    pending = _case(metro, FRIDAY)
    recognised = _case(metro, FRIDAY)
    with django_capture_on_commit_callbacks(execute=True):
        sap_sweep(now=bogota(2026, 11, 30, 8, 0))  # 16 h left: the 24-hour alert
        sap_recognise(case_id=recognised.pk, by=managers["gestora"], act_reference="RES-1")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        expired = sap_sweep(now=bogota(2026, 12, 1, 0, 0))
        later = sap_sweep(now=bogota(2026, 12, 2, 0, 0))

    assert expired["alerts_expired"] == 1 and expired["alerts_24h"] == 0
    assert later["alerts_expired"] == 0 and later["emails"] == 0
    sent = _sent("venció el plazo")
    assert sorted(m.to[0] for m in sent) == ["asignador@example.com", "gestora@example.com"]
    assert pending.number in sent[0].body and recognised.number not in sent[0].body
    assert "vencido hace 0 h" in sent[0].body
    assert len(mail.outbox) == 2
    assert SapCase.objects.get(case=recognised).alert_expired_sent_at is None


def test_leg02_a_record_entering_expired_gets_only_the_expiry_alert(
    metro, managers, django_capture_on_commit_callbacks
):
    case = _case(metro, FRIDAY)

    with django_capture_on_commit_callbacks(execute=True):
        result = sap_sweep(now=bogota(2026, 12, 3, 9, 0))

    assert result == {
        "entered": 1,
        "answered": 0,
        "alerts_24h": 0,
        "alerts_expired": 1,
        "emails": 2,
    }
    assert _sent("quedan 24 horas") == []
    assert len(_sent("venció el plazo")) == 2
    assert "vencido hace 57 h" in _sent("venció el plazo")[0].body
    record = SapCase.objects.get(case=case)
    assert record.alert_24h_sent_at is None and record.alert_expired_sent_at is not None


def test_leg02_a_record_entering_with_less_than_24h_gets_the_24h_alert_first(
    metro, managers, django_capture_on_commit_callbacks
):
    _case(metro, FRIDAY)

    with django_capture_on_commit_callbacks(execute=True):
        first = sap_sweep(now=bogota(2026, 11, 30, 12, 0))  # enters with 12 h left
        second = sap_sweep(now=bogota(2026, 12, 1, 0, 5))

    assert (first["alerts_24h"], first["alerts_expired"]) == (1, 0)
    assert (second["alerts_24h"], second["alerts_expired"]) == (0, 1)
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 4
    assert all("quedan 24 horas" in s for s in subjects[:2])
    assert all("venció el plazo" in s for s in subjects[2:])


def test_leg02_alert_recipients_are_only_that_units_managers(
    metro, regional, managers, django_capture_on_commit_callbacks
):
    metro_case = _case(metro, FRIDAY)
    regional_case = _case(regional, FRIDAY)

    with django_capture_on_commit_callbacks(execute=True):
        sap_sweep(now=bogota(2026, 12, 3, 9, 0))

    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert set(by_recipient) == {
        "gestora@example.com",
        "asignador@example.com",
        "gestor.regional@example.com",
    }
    assert metro_case.number in by_recipient["gestora@example.com"]
    assert regional_case.number not in by_recipient["gestora@example.com"]
    assert regional_case.number in by_recipient["gestor.regional@example.com"]
    assert metro_case.number not in by_recipient["gestor.regional@example.com"]
    # Queued in the outbox (sent by the worker), one row per e-mail.
    assert Notification.objects.filter(subject__contains="venció el plazo").count() == 3


def test_leg02_the_periodic_task_runs_the_sweep(metro, managers):
    case = _case(metro, FRIDAY)

    result = sap_sweep_task.apply().get()

    assert result["entered"] == 1
    assert SapCase.objects.filter(case=case).exists()
    # Scheduled by beat every 10 minutes (the 24-hour alert is at most 10 minutes late).
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="core.sap_sweep")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 10, "minutes")


def test_leg02_daily_due_alert_links_to_the_sap_queue(
    metro, managers, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://atencion.example"
    _case(metro, FRIDAY)

    with django_capture_on_commit_callbacks(execute=True):
        pqr_due_alerts_send(today=dt.date(2026, 12, 1))

    body = mail.outbox[0].body
    assert "https://atencion.example/silencio-positivo/" in body


@pytest.mark.django_db(transaction=True)
def test_leg02_two_concurrent_sweeps_make_one_record_and_one_email_per_alert(postgres, metro):
    """Two workers sweep at the same instant on PostgreSQL: the unique key keeps one record per
    case and the conditional UPDATE hands each alert to one of them."""
    _manager(Role.GESTOR, metro, "gestora@example.com")
    _manager(Role.ASIGNADOR, metro, "asignador@example.com")
    cases = [_case(metro, FRIDAY) for _ in range(5)]
    now = bogota(2026, 11, 30, 8, 0)  # 16 h left: the 24-hour alert is due too
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait(timeout=10)
            results.append(sap_sweep(now=now))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(results) == 2
    assert sum(r["entered"] for r in results) == 5
    assert SapCase.objects.count() == 5
    assert {r.case_id for r in SapCase.objects.all()} == {c.pk for c in cases}
    assert sum(r["alerts_24h"] for r in results) == 5
    emails = Notification.objects.filter(subject__contains="quedan 24 horas")
    assert sorted(emails.values_list("recipient", flat=True)) == [
        "asignador@example.com",
        "gestora@example.com",
    ]
    for case in cases:
        assert SapCase.objects.get(case=case).history.count() == 2


# --- the recognition --------------------------------------------------------------------------


@pytest.fixture
def queue(metro, regional, managers):
    """One pending record in each unit."""
    mine = _case(metro, FRIDAY)
    theirs = _case(regional, FRIDAY)
    sap_sweep(now=bogota(2026, 11, 30, 10, 0))
    return {"mine": mine, "theirs": theirs}


def _files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_leg02_recognition_stores_who_when_act_and_evidence_with_its_sha256(
    queue, managers, settings
):
    gestora = managers["gestora"]
    upload = SimpleUploadedFile("resolucion.pdf", PDF, content_type="application/pdf")

    record = sap_recognise(
        case_id=queue["mine"].pk,
        by=gestora,
        act_reference="  Resolución 123 de 2026 ",
        notes="Se reconoce lo pedido.",
        evidence_upload=upload,
    )

    record.refresh_from_db()
    assert record.recognised_by == gestora
    assert record.recognised_at is not None
    assert record.act_reference == "Resolución 123 de 2026"
    assert record.notes == "Se reconoce lo pedido."
    evidence = Evidence.objects.get(pk=record.evidence_id)
    assert evidence.kind == EvidenceKind.SAP_RECOGNITION
    assert evidence.case_id == queue["mine"].pk
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.file.read() == PDF
    assert queue["mine"].pk not in {r.case_id for r in sap_queue_for_user(user=gestora)}
    recognised = sap_queue_for_user(user=gestora, state="reconocido")
    assert [r.case_id for r in recognised] == [queue["mine"].pk]
    assert record.history.first().history_change_reason == (
        "silencio administrativo positivo reconocido"
    )


def test_leg02_recognition_on_a_case_answered_late_keeps_the_evidence(metro, managers):
    case = _case(metro, FRIDAY, closed_at=bogota(2026, 11, 28, 8, 0))
    sap_sweep(now=bogota(2026, 11, 30, 10, 0))
    upload = SimpleUploadedFile("acto.pdf", PDF, content_type="application/pdf")

    record = sap_recognise(
        case_id=case.pk, by=managers["asignador"], act_reference="OF-9", evidence_upload=upload
    )

    assert record.evidence.case_id == case.pk
    assert record.answered_at == bogota(2026, 11, 28, 8, 0)


def test_leg02_recognition_is_scoped_to_the_unit(queue, managers, metro):
    with pytest.raises(Http404):
        sap_recognise(case_id=queue["theirs"].pk, by=managers["gestora"], act_reference="X")
    with pytest.raises(PermissionDenied):
        sap_recognise(case_id=queue["mine"].pk, by=managers["tecnologo"], act_reference="X")
    oficina = _manager(Role.GESTOR_OFICINA, metro, "oficina@example.com")
    with pytest.raises(PermissionDenied):
        sap_recognise(case_id=queue["mine"].pk, by=oficina, act_reference="X")
    not_in_queue = _case(metro, dt.date(2026, 12, 30))
    with pytest.raises(Http404):
        sap_recognise(case_id=not_in_queue.pk, by=managers["gestora"], act_reference="X")
    assert not SapCase.objects.filter(recognised_at__isnull=False).exists()


def test_leg02_recognition_without_reference_writes_nothing(queue, managers, settings):
    upload = SimpleUploadedFile("resolucion.pdf", PDF, content_type="application/pdf")

    with pytest.raises(ValidationError) as excinfo:
        sap_recognise(
            case_id=queue["mine"].pk,
            by=managers["gestora"],
            act_reference="   ",
            notes="sin acto",
            evidence_upload=upload,
        )

    assert excinfo.value.message_dict == {
        "act_reference": [
            "Indique la referencia del acto de reconocimiento (número de la resolución u oficio)."
        ]
    }
    record = SapCase.objects.get(case=queue["mine"])
    assert record.recognised_at is None and record.notes == "" and record.evidence_id is None
    assert not Evidence.objects.exists()
    assert _files(settings) == []


def test_leg02_recognition_with_a_file_of_the_wrong_type_writes_nothing(queue, managers, settings):
    upload = SimpleUploadedFile("acto.exe", b"MZ\x90\x00", content_type="application/pdf")

    with pytest.raises(ValidationError) as excinfo:
        sap_recognise(
            case_id=queue["mine"].pk,
            by=managers["gestora"],
            act_reference="RES-1",
            evidence_upload=upload,
        )

    assert "Tipo de archivo no permitido" in excinfo.value.message_dict["evidence"][0]
    recording = SimpleUploadedFile("acto.mp3", MP3, content_type="audio/mpeg")
    with pytest.raises(ValidationError) as excinfo:
        sap_recognise(
            case_id=queue["mine"].pk,
            by=managers["gestora"],
            act_reference="RES-1",
            evidence_upload=recording,
        )
    assert excinfo.value.message_dict == {
        "evidence": ["El acto de reconocimiento se carga como PDF o imagen (jpg, png)."]
    }
    assert SapCase.objects.get(case=queue["mine"]).recognised_at is None
    assert not Evidence.objects.exists()
    assert _files(settings) == []


def test_leg02_recognising_twice_is_a_conflict(queue, managers, settings):
    sap_recognise(case_id=queue["mine"].pk, by=managers["gestora"], act_reference="RES-1")
    upload = SimpleUploadedFile("otro.pdf", PDF, content_type="application/pdf")

    with pytest.raises(ProtocolConflict) as excinfo:
        sap_recognise(
            case_id=queue["mine"].pk,
            by=managers["asignador"],
            act_reference="RES-2",
            evidence_upload=upload,
        )

    assert "ya fue reconocido" in excinfo.value.messages[0]
    assert "(acto RES-1)" in excinfo.value.messages[0]
    record = SapCase.objects.get(case=queue["mine"])
    assert record.act_reference == "RES-1" and record.recognised_by == managers["gestora"]
    assert not Evidence.objects.exists()
    assert _files(settings) == []


# --- the selector -----------------------------------------------------------------------------


def test_leg02_queue_scope_per_role_most_urgent_first(metro, regional, managers):
    other_metro = OfficeFactory(unit=Unit.METROPOLITANO)
    later = _case(metro, dt.date(2026, 11, 30))
    sooner = _case(metro, FRIDAY)
    elsewhere = _case(other_metro, FRIDAY)
    regional_case = _case(regional, FRIDAY)
    sap_sweep(now=bogota(2026, 12, 2, 10, 0))
    oficina = _manager(Role.GESTOR_OFICINA, metro, "oficina@example.com")

    gestora = [r.case_id for r in sap_queue_for_user(user=managers["gestora"])]
    assert gestora[0] == sooner.pk and gestora[-1] == later.pk
    assert set(gestora) == {sooner.pk, elsewhere.pk, later.pk}
    assert {r.case_id for r in sap_queue_for_user(user=managers["regional"])} == {regional_case.pk}
    assert [r.case_id for r in sap_queue_for_user(user=oficina)] == [sooner.pk, later.pk]
    with pytest.raises(PermissionDenied):
        sap_queue_for_user(user=managers["tecnologo"])
    with pytest.raises(ValidationError):
        sap_queue_for_user(user=managers["gestora"], state="otro")


def test_leg02_queue_reads_a_fixed_number_of_queries(metro, managers, django_assert_num_queries):
    def read():
        return [
            (r.case.number, r.case.customer.full_name, r.case.assigned_to, r.recognised_by)
            for r in sap_queue_for_user(user=managers["gestora"], state="todos")
        ]

    for _ in range(2):
        _case(metro, FRIDAY)
    sap_sweep(now=bogota(2026, 12, 2, 10, 0))
    with django_assert_num_queries(2):  # the user's roles, the queue
        assert len(read()) == 2
    for _ in range(4):
        _case(metro, FRIDAY)
    sap_sweep(now=bogota(2026, 12, 2, 10, 0))
    del managers["gestora"]._role_cache  # count the roles' query again
    with django_assert_num_queries(2):
        assert len(read()) == 6


# --- the demo ---------------------------------------------------------------------------------


def test_leg02_seed_demo_gives_the_managers_a_queue(settings):
    """seed_demo (twice: idempotent): the Metropolitano gestora sees one PQR with < 24 h left,
    one expired, one answered late, and one recognised with its act and evidence."""
    settings.DEBUG = True
    for _ in range(2):
        call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115

    gestora = User.objects.get(username="gestor")
    now = timezone.now()
    pending = [r for r in sap_queue_for_user(user=gestora) if "demo SAP" in r.case.motive]
    assert len(pending) == 3
    assert sum(sap_is_expired(r, now) for r in pending) == 1
    assert sum(sap_is_urgent(r, now) for r in pending) == 1
    assert sum(r.answered_at is not None for r in pending) == 1
    recognised = list(sap_queue_for_user(user=gestora, state="reconocido"))
    assert len(recognised) == 1
    assert recognised[0].recognised_by == gestora
    assert recognised[0].act_reference == "Resolución SAP-2026-001"
    assert recognised[0].evidence.kind == EvidenceKind.SAP_RECOGNITION
    assert SapCase.objects.filter(case__motive__contains="demo SAP").count() == 4
