"""PQR-06 / issue 15 item 5: call and voicemail recordings past their term (6 months by default)
are flagged or purged by a daily job, per RETENTION_ACTION, with an audit row of every run.

The clock is injected (``now=``): recordings are backdated, the job runs "on" a chosen day.
"""

import datetime as dt
import importlib
import threading

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.models import Evidence, EvidenceKind
from core.models.retention import RetentionAudit
from core.services import retention
from core.services.evidence import evidence_attach
from core.tasks_retention import recordings_retention_task
from tests.factories import make_case
from tests.helpers import MP3, PDF

pytestmark = pytest.mark.django_db

BOGOTA = dt.timezone(dt.timedelta(hours=-5))
#: The day the job runs in most tests: 16 July 2026, 02:30 in Bogotá.
NOW = dt.datetime(2026, 7, 16, 2, 30, tzinfo=BOGOTA)
FLAGGED = (
    "La grabación superó su tiempo de conservación (6 meses, PQR-06) y ya no se puede descargar."
)


def attach(case, by, *, kind=EvidenceKind.CALL_RECORDING, at: dt.datetime, name="llamada.mp3"):
    """An evidence uploaded through the real service, then dated ``at``."""
    content = PDF if name.endswith(".pdf") else MP3
    evidence = evidence_attach(
        case=case, kind=kind, upload=SimpleUploadedFile(name, content), uploaded_by=by
    )
    evidence.uploaded_at = at
    evidence.save(update_fields=["uploaded_at"])
    return evidence


def on_disk(evidence) -> bool:
    return evidence.file.storage.exists(evidence.file.name)


def states() -> dict[int, str]:
    return dict(
        retention.evidence_with_retention_state(Evidence.objects.all()).values_list(
            "pk", "retention_state"
        )
    )


@pytest.fixture
def case(tecnologo):
    return make_case(assigned_to=tecnologo)


@pytest.fixture
def files(case, tecnologo):
    """Two expired recordings (a call, a voicemail), a recent call, an old document."""
    return {
        "old_call": attach(case, tecnologo, at=dt.datetime(2026, 1, 10, 9, tzinfo=BOGOTA)),
        "old_voicemail": attach(
            case,
            tecnologo,
            kind=EvidenceKind.VOICEMAIL_RECORDING,
            at=dt.datetime(2025, 12, 1, 15, tzinfo=BOGOTA),
        ),
        "recent_call": attach(case, tecnologo, at=dt.datetime(2026, 3, 1, 11, tzinfo=BOGOTA)),
        "old_document": attach(
            case,
            tecnologo,
            kind=EvidenceKind.SIGNED_SCAN,
            at=dt.datetime(2025, 1, 5, 10, tzinfo=BOGOTA),
            name="firmado.pdf",
        ),
    }


def test_pqr06_flag_marks_only_expired_recordings_and_audits_the_run(
    settings, files, django_assert_max_num_queries
):
    """Flag: the expired call and voicemail recordings are marked (files kept, not served); the
    recent recording and the old signed scan are untouched; the audit row says who/what/when."""
    settings.RETENTION_ACTION = "flag"

    with django_assert_max_num_queries(6):
        audit = retention.recordings_retention_run(now=NOW)

    expired = {files["old_call"].pk, files["old_voicemail"].pk}
    assert audit.action == "flag"
    assert audit.months == 6
    assert audit.ran_at == NOW
    assert audit.cutoff == dt.datetime(2026, 1, 16, tzinfo=BOGOTA)
    assert audit.triggered_by is None
    assert audit.trigger == "tarea programada (retención de grabaciones)"
    assert audit.evidence_count == 2
    assert set(audit.evidence.values_list("pk", flat=True)) == expired
    assert audit.bytes_freed == 0
    assert audit.errors == []
    assert all(on_disk(e) for e in files.values())
    assert states() == {
        files["old_call"].pk: "vencida",
        files["old_voicemail"].pk: "vencida",
        files["recent_call"].pk: "",
        files["old_document"].pk: "",
    }
    assert retention.evidence_retention_notice(evidence=files["old_call"]) == FLAGGED
    assert retention.evidence_retention_notice(evidence=files["recent_call"]) == ""


def test_pqr06_purge_deletes_the_file_and_keeps_the_row_with_its_sha256(settings, files):
    """Purge: the expired files leave storage; the Evidence rows, sizes and SHA-256 stay, marked
    "purgada", and the notice says when and keeps the fingerprint."""
    settings.RETENTION_ACTION = "purge"
    old_call = files["old_call"]

    audit = retention.recordings_retention_run(now=NOW)

    assert audit.action == "purge"
    assert audit.evidence_count == 2
    assert audit.bytes_freed == 2 * len(MP3)
    assert not on_disk(old_call)
    assert not on_disk(files["old_voicemail"])
    assert on_disk(files["recent_call"])
    assert on_disk(files["old_document"])
    kept = Evidence.objects.get(pk=old_call.pk)
    assert (kept.sha256, kept.size, kept.file.name) == (
        old_call.sha256,
        old_call.size,
        old_call.file.name,
    )
    assert states()[old_call.pk] == "purgada"
    assert retention.evidence_retention_notice(evidence=kept) == (
        "La grabación se eliminó el 16/07/2026 al vencer su tiempo de conservación (6 meses, "
        f"PQR-06). Se conserva su huella SHA-256: {old_call.sha256}."
    )


@pytest.mark.parametrize("action", ["flag", "purge"])
def test_pqr06_a_second_run_does_nothing_more(settings, files, action):
    """Idempotent: the second run (same day or later) writes its audit row with nothing in it."""
    settings.RETENTION_ACTION = action
    first = retention.recordings_retention_run(now=NOW)
    before = (states(), {k: on_disk(e) for k, e in files.items()})

    second = retention.recordings_retention_run(now=NOW + dt.timedelta(days=1))

    assert first.evidence_count == 2
    assert (second.evidence_count, second.bytes_freed, second.errors) == (0, 0, [])
    assert second.evidence.count() == 0
    assert (states(), {k: on_disk(e) for k, e in files.items()}) == before
    assert RetentionAudit.objects.count() == 2


def test_pqr06_a_purge_run_takes_the_recordings_flagged_before(settings, files):
    """The policy changed from flag to purge: the flagged recordings are purged once."""
    settings.RETENTION_ACTION = "flag"
    retention.recordings_retention_run(now=NOW)
    settings.RETENTION_ACTION = "purge"

    purge = retention.recordings_retention_run(now=NOW + dt.timedelta(days=1))
    again = retention.recordings_retention_run(now=NOW + dt.timedelta(days=2))

    assert set(purge.evidence.values_list("pk", flat=True)) == {
        files["old_call"].pk,
        files["old_voicemail"].pk,
    }
    assert not on_disk(files["old_call"])
    assert again.evidence_count == 0
    assert states()[files["old_call"].pk] == "purgada"


def test_pqr06_term_ends_the_day_after_upload_plus_the_months(settings, case, tecnologo):
    """A recording uploaded 15 Jan is kept through 15 Jul (as ``recording_retained_until`` of a
    Contact Center PQR) and expires on 16 Jul, Bogotá time."""
    settings.RETENTION_ACTION = "flag"
    attach(case, tecnologo, at=dt.datetime(2026, 1, 15, 23, 50, tzinfo=BOGOTA))

    last_day = retention.recordings_retention_run(
        now=dt.datetime(2026, 7, 15, 23, 59, tzinfo=BOGOTA)
    )
    next_day = retention.recordings_retention_run(now=dt.datetime(2026, 7, 16, tzinfo=BOGOTA))

    assert (last_day.evidence_count, next_day.evidence_count) == (0, 1)


def test_pqr06_the_term_comes_from_settings(settings, files):
    """RETENTION_RECORDINGS_MONTHS=3: the 4½-month-old recording is past its term too."""
    settings.RETENTION_RECORDINGS_MONTHS = 3
    settings.RETENTION_ACTION = "flag"

    audit = retention.recordings_retention_run(now=NOW)

    assert audit.months == 3
    assert files["recent_call"].pk in set(audit.evidence.values_list("pk", flat=True))
    assert retention.evidence_retention_notice(evidence=files["recent_call"]) == (
        "La grabación superó su tiempo de conservación (3 meses, PQR-06) y ya no se puede "
        "descargar."
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RETENTION_ACTION", "borrar", 'RETENTION_ACTION: use "flag" (marcar) o "purge" (purgar).'),
        (
            "RETENTION_RECORDINGS_MONTHS",
            0,
            "RETENTION_RECORDINGS_MONTHS debe ser un número entero de meses mayor que cero.",
        ),
    ],
)
def test_pqr06_a_bad_policy_stops_the_job_and_changes_nothing(
    settings, files, name, value, message
):
    setattr(settings, name, value)

    with pytest.raises(ImproperlyConfigured) as raised:
        retention.recordings_retention_run(now=NOW)

    assert str(raised.value) == message
    assert RetentionAudit.objects.count() == 0
    assert all(on_disk(e) for e in files.values())


def test_pqr06_a_file_that_cannot_be_deleted_is_left_for_the_next_run(settings, files, monkeypatch):
    """Storage refuses one deletion: that recording is not marked (the error is in the audit)
    and the next run purges it."""
    settings.RETENTION_ACTION = "purge"
    stuck = files["old_voicemail"]
    real_delete = FileSystemStorage.delete

    def refuse(storage, name):
        if name == stuck.file.name:
            raise PermissionError(13, "Permiso denegado")
        real_delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    first = retention.recordings_retention_run(now=NOW)
    monkeypatch.setattr(FileSystemStorage, "delete", real_delete)
    second = retention.recordings_retention_run(now=NOW + dt.timedelta(days=1))

    assert set(first.evidence.values_list("pk", flat=True)) == {files["old_call"].pk}
    assert first.errors == [
        {"evidencia": stuck.pk, "archivo": stuck.file.name, "error": "[Errno 13] Permiso denegado"}
    ]
    assert set(second.evidence.values_list("pk", flat=True)) == {stuck.pk}
    assert not on_disk(stuck)


def test_pqr06_the_daily_task_applies_the_policy(settings, case, tecnologo):
    """The Celery task (eager here) runs the service with the settings' policy and today's date."""
    settings.RETENTION_ACTION = "purge"
    old = attach(case, tecnologo, at=timezone.now() - dt.timedelta(days=200))

    result = recordings_retention_task.delay()

    assert result.get() == 1
    audit = RetentionAudit.objects.get()
    assert (audit.action, audit.trigger, audit.triggered_by) == (
        "purge",
        "tarea programada (retención de grabaciones)",
        None,
    )
    assert not on_disk(old)


def test_pqr06_the_job_is_scheduled_every_day_in_bogota():
    """Migration 0031 schedules it (again, idempotently, here: a transactional test flushes the
    database and reloads only core.reference_data)."""
    importlib.import_module("core.migrations.0031_retention_audit").load(apps)

    task = PeriodicTask.objects.select_related("crontab").get(task="core.recordings_retention")

    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "2",
        "30",
        "America/Bogota",
    )
    assert task.crontab.day_of_week == "*"


@pytest.mark.django_db(transaction=True)
def test_pqr06_two_runs_at_once_never_take_the_same_recording(postgres, settings, tecnologo):
    """A recording locked by another run is skipped (``skip_locked``), not purged twice; the next
    run takes it."""
    settings.RETENTION_ACTION = "purge"
    case = make_case(assigned_to=tecnologo)
    locked, free = (
        attach(case, tecnologo, at=dt.datetime(2025, 11, day, tzinfo=BOGOTA)) for day in (3, 4)
    )
    holding, release = threading.Event(), threading.Event()

    def other_run():
        try:
            with transaction.atomic():
                Evidence.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        during = retention.recordings_retention_run(now=NOW)
    finally:
        release.set()
        thread.join(timeout=30)
    after = retention.recordings_retention_run(now=NOW)

    assert set(during.evidence.values_list("pk", flat=True)) == {free.pk}
    assert set(after.evidence.values_list("pk", flat=True)) == {locked.pk}
    assert not on_disk(locked)


@pytest.mark.parametrize("action", ["flag", "purge"])
def test_pqr06_an_expired_recording_is_not_served(client, settings, tecnologo, files, action):
    settings.RETENTION_ACTION = action
    retention.recordings_retention_run(now=NOW)
    client.force_login(tecnologo)

    expired = client.get(reverse("core:evidence_download", args=[files["old_call"].pk]))
    recent = client.get(reverse("core:evidence_download", args=[files["recent_call"].pk]))

    assert expired.status_code == 410
    assert expired.content.decode() == retention.evidence_retention_notice(
        evidence=files["old_call"]
    )
    assert recent.status_code == 200
    recent.close()


def test_pqr06_the_case_page_shows_why_instead_of_a_link(client, settings, tecnologo, files):
    settings.RETENTION_ACTION = "flag"
    retention.recordings_retention_run(now=NOW)
    client.force_login(tecnologo)

    page = client.get(reverse("core:case_detail", args=[files["old_call"].case_id]))

    content = page.content.decode()
    assert reverse("core:evidence_download", args=[files["old_call"].pk]) not in content
    assert reverse("core:evidence_download", args=[files["recent_call"].pk]) in content
    assert "grabación vencida: ya no se puede descargar" in content
