"""CORE-09 / PQR-07 / NFR-03: a Celery worker killed (SIGKILL) in the middle of an assignment
round and of the daily export. After it is restarted every case is assigned exactly once, and
the export is complete and not duplicated.

How the kill lands mid-task, whatever the sizes: a second connection holds a lock the task's
transaction needs after it has done most of its work, the test sees the worker's backend wait
on it in ``pg_stat_activity``, kills the worker, then releases the lock (the dead worker's
backend finds its client gone and rolls back).

- The round: the test holds ``SHARE`` on the case history table, so the round stops between its
  ``UPDATE`` of the cases and the ``INSERT`` of their history rows.
- The export: a trigger of the test takes an advisory lock the test holds before the export's
  row is updated, i.e. once both files are written to the storage.

What brings the work back (settings of ``config/settings.py``): ``CELERY_TASK_ACKS_LATE = True``
keeps the message of a killed worker unacknowledged in Redis; kombu's Redis transport re-queues
it when its delivery is older than the visibility timeout (not set: kombu's default, 3600 s) —
the test moves the delivery time back by that long instead of waiting an hour. The assignment
sweep that beat sends every minute assigns whatever is pending meanwhile. The daily export has no
sweep: the redelivered message is what builds it. ``CELERY_TASK_REJECT_ON_WORKER_LOST`` is not
set: when only the pool process running the task dies (prefork, as ``make worker`` and the compose
file run it; the kernel's OOM killer), Celery acknowledges the message and the task is lost.
"""

import collections
import csv
import datetime as dt
import io
import os
import signal
import time
import zlib

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from openpyxl import load_workbook

from core.models import Case, CaseStatus, Notification, Unit
from core.roles import Role
from core.tasks import assign_pending_cases_task, assignment_sweep_task
from pqr_digital.models import DigitalPqrExport
from pqr_digital.tasks import daily_export_task
from tests.factories import OfficeFactory
from tests.helpers import make_user, wait_until

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

AUTO = "asignación automática"
PAUSE_KEY = zlib.crc32(b"tests.faults: pausa del exporte")


def _wait_task(worker, task_id: str, what: str) -> None:
    wait_until(
        lambda: worker.task_done(task_id),
        timeout=120,
        interval=0.2,
        message=f"{what} no terminó en el worker:\n{worker.tail()}",
    )


def _kill_while_waiting(*, worker, side_db, wait_event: str = "", query_like: str = "%"):
    """Wait until the worker's backend blocks on the test's lock, then SIGKILL the worker.
    Returns the backend's pid (still alive until the lock is released)."""
    pids = wait_until(
        lambda: side_db.waiting_backends(wait_event=wait_event, query_like=query_like),
        timeout=60,
        interval=0.05,
        message=f"la tarea no llegó al punto de corte:\n{worker.tail()}",
    )
    worker.kill()
    return pids[0]


def _dead_backend_gone(side_db, pid: int) -> None:
    wait_until(
        lambda: not side_db.backend_alive(pid),
        timeout=30,
        message="PostgreSQL no cerró la sesión del worker muerto",
    )


# --- the assignment round ------------------------------------------------------------------


def _pool_with_pending_cases(n_cases: int, n_techs: int, k: int):
    from bench import fixtures  # the benchmark's bulk data: technologists, a pool, cases

    techs = fixtures.technologists(n_techs, fixtures.office())
    pool = fixtures.pool(techs, k)
    fixtures.cases(n_cases, pool_obj=pool)
    return pool, techs


def _assignments(ids) -> collections.Counter:
    """Automatic assignments per case, from the cases' history."""
    rows = (
        Case.history.filter(id__in=ids, history_change_reason__startswith=AUTO)
        .values("id")
        .annotate(n=Count("history_id"))
        .values_list("id", "n")
    )
    return collections.Counter(dict(rows))


def test_core09_worker_killed_mid_round_every_case_assigned_once(
    workers, side_db, broker, figures, scaled
):
    n, n_techs, k = scaled(1000), 20, 5
    pool, techs = _pool_with_pending_cases(n, n_techs, k)
    ids = list(Case.objects.filter(pool=pool).values_list("pk", flat=True))
    history = Case.history.model._meta.db_table
    worker = workers.start()

    side_db.execute(f'LOCK TABLE "{history}" IN SHARE MODE')
    started = time.monotonic()
    round_ = assign_pending_cases_task.apply_async(args=[pool.pk])
    backend = _kill_while_waiting(
        worker=worker, side_db=side_db, query_like=f'INSERT INTO "{history}"%'
    )
    killed = time.monotonic() - started
    side_db.rollback()  # the dead worker's transaction goes on, finds no client, rolls back
    _dead_backend_gone(side_db, backend)

    mine = Case.objects.filter(pk__in=ids)
    assert not mine.filter(assigned_to__isnull=False).exists(), "quedó una asignación a medias"
    assert not _assignments(ids)
    unacked = broker.unacked(workers.queue)
    assert [h.get("id") for h in unacked.values()] == [round_.id], (
        "el mensaje de la ronda no quedó sin confirmar en Redis (acks_late)"
    )

    # The supervisor restarts the worker at once; beat's per-minute sweep assigns the cases.
    worker = workers.start()
    restarted = time.monotonic()
    sweep = assignment_sweep_task.apply_async()
    _wait_task(worker, sweep.id, "el barrido de asignación")
    swept = time.monotonic() - restarted
    still_unacked = round_.id in [h.get("id") for h in broker.unacked(workers.queue).values()]

    per_case = _assignments(ids)
    assert not mine.filter(status=CaseStatus.ABIERTO, assigned_to__isnull=True).exists()
    assert set(per_case) == set(ids), "casos sin su fila de asignación automática"
    assert set(per_case.values()) == {1}, "casos asignados más de una vez"
    per_tech = collections.Counter(mine.values_list("assigned_to", flat=True))
    assert set(per_tech) <= {t.pk for t in techs}
    assert max(per_tech.values()) - min(per_tech.values()) <= k

    # An hour later kombu re-queues the killed round (visibility timeout), here on the next
    # worker start: it finds nothing pending and changes nothing.
    timeout = broker.visibility_timeout()
    broker.age(unacked, timeout)
    worker.stop()
    worker = workers.start()
    _wait_task(worker, round_.id, "la ronda reentregada")
    assert f"[{round_.id}] succeeded" in worker.text()
    assert _assignments(ids) == per_case
    assert not broker.unacked(workers.queue)

    figures(
        f"{n} casos pendientes, {n_techs} tecnólogos, K={k}; worker muerto (SIGKILL) a los "
        f"{killed:.2f} s de encolar la ronda, entre su UPDATE y el historial: 0 casos asignados, "
        f"el mensaje queda sin confirmar en Redis"
    )
    figures(
        f"worker reiniciado: el barrido de beat (cada minuto) asignó los {n} en {swept:.2f} s; "
        f"ronda aún sin reentregar tras el reinicio: {'sí' if still_unacked else 'no'}; "
        f"reentregada al pasar visibility_timeout={timeout:.0f} s: 0 casos más; asignaciones por "
        f"caso: {dict(collections.Counter(per_case.values()))}, por tecnólogo: "
        f"{min(per_tech.values())}–{max(per_tech.values())}"
    )


# --- the daily export ----------------------------------------------------------------------


def _digital_pqr(day: dt.date, n: int, offset: int) -> None:
    """``n`` digital PQR filed on the Bogotá day ``day`` (the export benchmark's bulk insert)."""
    from bench.pqr_export import _create

    _create(day, n, offset)


def _regional_gestores(count: int = 2) -> list[str]:
    regional = OfficeFactory(unit=Unit.REGIONAL)
    return [
        make_user(Role.GESTOR_OFICINA, regional, email=f"gestor{i}.regional@example.com").email
        for i in range(count)
    ]


class ExportPause:
    """A trigger that makes the export's ``UPDATE`` of its row wait for an advisory lock the
    test holds: the worker has written both files and not committed."""

    def __init__(self, side_db):
        self.side_db = side_db
        table = DigitalPqrExport._meta.db_table
        side_db.execute(
            "CREATE OR REPLACE FUNCTION tests_faults_export_pause() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock("
            f"{PAUSE_KEY}); RETURN NEW; END $$"
        )
        side_db.execute(
            f'CREATE TRIGGER tests_faults_export_pause BEFORE UPDATE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION tests_faults_export_pause()"
        )
        side_db.commit()
        side_db.execute("SELECT pg_advisory_lock(%s)", [PAUSE_KEY])
        self.table = table

    def release(self) -> None:
        self.side_db.execute("SELECT pg_advisory_unlock_all()")

    def drop(self) -> None:
        self.release()
        self.side_db.rollback()
        self.side_db.execute(f'DROP TRIGGER IF EXISTS tests_faults_export_pause ON "{self.table}"')
        self.side_db.execute("DROP FUNCTION IF EXISTS tests_faults_export_pause()")
        self.side_db.commit()


@pytest.fixture
def export_pause(side_db):
    pause = ExportPause(side_db)
    try:
        yield pause
    finally:
        pause.drop()


def _export_files(media) -> list[str]:
    return sorted(
        str(p.relative_to(media)) for p in (media / "pqr_digital" / "exportes").rglob("*.*")
    )


def _check_export(*, day: dt.date, n: int, recipients: list[str]) -> DigitalPqrExport:
    """One export of ``day``, e-mailed, whose files hold each PQR of the day once."""
    assert DigitalPqrExport.objects.count() == 1, "exporte duplicado"
    export = DigitalPqrExport.objects.get()
    assert (export.date_from, export.date_to) == (day, day)
    assert export.emailed_at is not None
    assert export.rows == n
    expected = set(
        Case.objects.filter(
            modality="pqr_digital", filed_at__date=day, number__startswith="PQR-2025-D"
        ).values_list("number", flat=True)
    )
    assert len(expected) == n
    with export.csv_file.open("rb") as handle:
        rows = list(
            csv.reader(
                io.StringIO(handle.read().decode("utf-8-sig"), newline=""),
                delimiter=settings.PQR_EXPORT_CSV_DELIMITER,
            )
        )
    numbers = [row[0] for row in rows[1:]]
    assert len(numbers) == n, f"el CSV tiene {len(numbers)} filas de {n}"
    assert set(numbers) == expected and len(set(numbers)) == n
    with export.xlsx_file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True).active
        assert sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True)) == n
    mails = Notification.objects.filter(recipient__in=recipients)
    assert sorted(mails.values_list("recipient", flat=True)) == sorted(recipients), (
        "el correo del exporte salió más de una vez, o a nadie"
    )
    return export


def test_pqr07_worker_killed_mid_export_export_complete_once(
    workers, side_db, broker, export_pause, figures, scaled
):
    n = scaled(1000)
    day = timezone.localdate() - dt.timedelta(days=1)
    _digital_pqr(day, n, 0)
    _digital_pqr(day - dt.timedelta(days=1), 10, n)  # another day: not in this export
    recipients = _regional_gestores()
    worker = workers.start()
    media = settings.MEDIA_ROOT

    started = time.monotonic()
    run = daily_export_task.apply_async()
    backend = _kill_while_waiting(worker=worker, side_db=side_db, wait_event="advisory")
    killed = time.monotonic() - started
    export_pause.release()
    _dead_backend_gone(side_db, backend)
    export_pause.drop()

    assert not DigitalPqrExport.objects.exists(), "quedó un exporte a medias"
    orphans = _export_files(media)
    unacked = broker.unacked(workers.queue)
    assert [h.get("id") for h in unacked.values()] == [run.id]

    # No sweep builds the export: the killed run, re-queued once the visibility timeout has
    # passed (here: on the next worker start, its delivery time moved back by that long).
    timeout = broker.visibility_timeout()
    broker.age(unacked, timeout)
    worker = workers.start()
    restarted = time.monotonic()
    _wait_task(worker, run.id, "el exporte reentregado")
    wait_until(
        lambda: (
            Notification.objects.filter(recipient__in=recipients)
            .exclude(status=Notification.Status.PENDING)
            .count()
            == len(recipients)
        ),
        message=f"los correos del exporte no salieron:\n{worker.tail()}",
    )
    rebuilt = time.monotonic() - restarted
    export = _check_export(day=day, n=n, recipients=recipients)
    assert set(
        Notification.objects.filter(recipient__in=recipients).values_list("status", flat=True)
    ) == {Notification.Status.SENT}

    # The next daily run (beat, or the same message delivered twice): nothing new.
    again = daily_export_task.apply_async()
    _wait_task(worker, again.id, "la segunda corrida del exporte")
    _check_export(day=day, n=n, recipients=recipients)
    files = _export_files(media)
    kept = {export.csv_file.name, export.xlsx_file.name}
    left = [f for f in files if f not in kept]

    figures(
        f"{n} PQR digitales del {day:%d/%m/%Y}; worker muerto (SIGKILL) a los {killed:.2f} s, "
        f"con los dos archivos escritos y sin confirmar: 0 exportes, mensaje sin confirmar; "
        f"reentregado al pasar visibility_timeout={timeout:.0f} s: exporte en {rebuilt:.2f} s, "
        f"{export.rows} filas (CSV y Excel), 1 fila de exporte, {len(recipients)} correos (uno "
        f"por gestor); una segunda corrida no cambia nada"
    )
    figures(
        f"archivos del intento muerto que quedan en el almacenamiento: {len(orphans)} "
        f"({', '.join(orphans)}); archivos sin exporte al final: {len(left)}; nombres del "
        f"exporte: {', '.join(sorted(os.path.basename(k) for k in kept))}"
    )


def _export_outcome(broker, queue: str, *, settle: float = 2.0) -> str:
    """ "hecha": the export was built and e-mailed (its task was delivered again); "perdida":
    no message of the queue is left in Redis (the killed task's was acknowledged) for
    ``settle`` seconds, and no export. A re-queued message is in the queue's list or, once
    taken again, among the unacknowledged ones (between the two only for the instant of the
    hand-over)."""
    gone_since = None

    def outcome():
        nonlocal gone_since
        if Notification.objects.filter(status=Notification.Status.SENT).count() and (
            DigitalPqrExport.objects.filter(emailed_at__isnull=False).exists()
        ):
            return "hecha"
        if broker.unacked(queue) or broker.queued(queue):
            gone_since = None
            return None
        gone_since = gone_since or time.monotonic()
        return "perdida" if time.monotonic() - gone_since >= settle else None

    return wait_until(outcome, timeout=90, message="la tarea muerta no terminó ni se perdió")


def test_pqr07_pool_process_killed_mid_export_task_not_lost(
    workers, side_db, broker, export_pause, figures, scaled
):
    n = scaled(200)
    day = timezone.localdate() - dt.timedelta(days=1)
    _digital_pqr(day, n, 0)
    recipients = _regional_gestores()
    worker = workers.start(pool="prefork")

    daily_export_task.apply_async()
    backend = wait_until(
        lambda: side_db.waiting_backends(wait_event="advisory"),
        timeout=60,
        interval=0.05,
        message=f"el exporte no llegó al punto de corte:\n{worker.tail()}",
    )[0]
    children = worker.children()
    assert len(children) == 1, f"procesos del pool: {children}"
    os.kill(children[0], signal.SIGKILL)  # the OOM killer's choice: the process, not the worker
    killed = time.monotonic()
    wait_until(
        lambda: "WorkerLostError" in worker.text(),
        timeout=30,
        message=f"el worker no notó la muerte de su proceso:\n{worker.tail()}",
    )
    lost_after = time.monotonic() - killed
    export_pause.release()
    _dead_backend_gone(side_db, backend)
    export_pause.drop()
    outcome = _export_outcome(broker, workers.queue)
    figures(
        f"{n} PQR; proceso del pool (prefork) muerto a mitad del exporte; el worker sigue vivo "
        f"y detecta la muerte en {lost_after:.1f} s; la tarea: {outcome}"
    )
    assert outcome != "perdida", "Celery confirmó el mensaje de la tarea muerta: exporte perdido"
    _check_export(day=day, n=n, recipients=recipients)
