"""Faults (issue 15, item 1): PostgreSQL restarted while intakes are being registered (NFR-03).

A private PostgreSQL cluster of this test only (``initdb`` into a temporary directory, a free
port, its socket in that directory — never the machine's shared server): the database is
migrated, the app is served by gunicorn (uvicorn workers, DEBUG off: the production shape) from
a subprocess against it, and client threads register overflow intakes through
``POST /api/v1/desborde/intakes/``, each with its own ``client_token``, retrying the same token
until it is stored. Midway the cluster is restarted (``pg_ctl restart -m fast``: the backends
of the requests in flight are terminated, new connections are refused for a moment): a request
then fails cleanly and is retried, or waits in the web's connection pool for a new connection and
is answered after the restart — a short restart may fail none, so the run checks that requests
were in flight across it.

What a caller sees is checked: every intake retried with its ``client_token`` ends stored once
(no duplicate, no case without its intake), the case numbers have no gap, the app recovers by
itself (the same gunicorn workers answer afterwards: ``CONN_HEALTH_CHECKS``), and the errors
while the database was down are clean — JSON with a Spanish message, never an HTML page or a
traceback.

The scenario runs once for the module (migrating a fresh database costs ~20 s); the tests read
its results. ``FAULTS_SCALE`` multiplies the number of intakes.
"""

import glob
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults.conftest import FAULTS_SCALE, ROOT, scaled
from tests.helpers import skip_or_fail, wait_until

pytestmark = pytest.mark.faults

HOST = "127.0.0.1"
INTAKES = "/api/v1/desborde/intakes/"
CLIENTS = 4
#: Intakes each client registers (times FAULTS_SCALE).
PER_CLIENT = 8
#: The restart happens once this share of the intakes is stored.
RESTART_AT = 0.4
#: Longest a client keeps retrying one intake.
RETRY_SECONDS = 60
DATABASE = "atencion_f7_restart"

SETUP = """
import sys
from django.apps import apps
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from cliente_interno.reference_data import load_all as load_cliente_interno
from copropiedad.reference_data import load_all as load_copropiedad
from core.reference_data import load_all
from desborde.reference_data import load_pools
from pqr_digital.reference_data import load_all as load_pqr_digital
from core.models import Office, Unit, User
from core.roles import Role

load_all(apps); load_pools(apps); load_pqr_digital(apps)
load_copropiedad(apps); load_cliente_interno(apps)
office = Office.objects.create(
    name="Oficina Rionegro", code="F7R", unit=Unit.METROPOLITANO, zone="Oriente",
    capacity=30, has_orientador=True, technologist_count=2,
)
user = User.objects.create(username="orientadora_f7", first_name="Orientadora",
                           home_office=office)
user.groups.add(Group.objects.get(name=Role.ORIENTADOR))
token, _ = Token.objects.get_or_create(user=user)
sys.stdout.write(f"SETUP {office.pk} {token.key}\\n")
"""

SETTINGS = """from config.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- the private cluster -----------------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster in a temporary directory, run as the ``postgres`` user when this
    process is root (initdb refuses root)."""

    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = found[-1] if found else shutil.which("initdb")
        if not initdb:
            skip_or_fail("no se encontró initdb (PostgreSQL) para el clúster privado")
        self.bin = Path(initdb).parent
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if not shutil.which("runuser"):
                skip_or_fail("se necesita runuser para iniciar PostgreSQL como postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="f7-pg-", dir="/tmp"))
        self.data, self.log = self.dir / "data", self.dir / "postgres.log"
        if self.as_user:
            shutil.chown(self.dir, user="postgres")
        self.port = _free_port()
        self.restart_seconds = 0.0

    def _run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode:
            pytest.fail(f"{args[0]} falló ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def pg_ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args)

    def start(self) -> "Cluster":
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c fsync=off"
        self.pg_ctl("start", "-w", "-t", "60", "-o", options)
        return self

    def restart(self) -> None:
        began = time.monotonic()
        self.pg_ctl("restart", "-m", "fast", "-w", "-t", "60")
        self.restart_seconds = time.monotonic() - began

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "stop",
                 "-m", "immediate", "-w", "-t", "30"],
                capture_output=True, timeout=60, check=False,
            )  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{name}"

    def query(self, sql: str, params=()) -> list[tuple]:
        import psycopg

        conn = psycopg.connect(host=HOST, port=self.port, user="postgres", dbname=DATABASE)
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


# --- the app server ------------------------------------------------------------------------------


class Server:
    def __init__(self, *, database_url: str, log: Path):
        self.port, self.log = _free_port(), log
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            # No broker: the assignment runs in the request, the live layer in memory, the
            # throttles in a local cache — nothing of the shared Redis is touched.
            "REDIS_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "WARNING",
            # The product's settings but static files served unhashed: the image collects them
            # (collectstatic, minutes on this machine), and 500.html names its stylesheet
            # through that manifest. Nothing else differs.
            "DJANGO_SETTINGS_MODULE": "f7_restart_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(log.parent), str(ROOT)])),
        }
        (log.parent / "f7_restart_settings.py").write_text(SETTINGS)
        self.proc: subprocess.Popen | None = None

    def manage(self, *args: str, stdin: str | None = None, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode:
            pytest.fail(f"manage.py {args[0]} falló:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self) -> "Server":
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.asgi:application",
                 "-k", "uvicorn_worker.UvicornWorker", "--workers", "2",
                 "--bind", f"{HOST}:{self.port}", "--graceful-timeout", "5"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

        def ready() -> bool:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn terminó al arrancar:\n{self.tail()}")
            try:
                return self.request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        wait_until(ready, timeout=60, interval=0.2, message="gunicorn no respondió /healthz")
        return self

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type") or "", response.read()
        finally:
            conn.close()

    def workers(self) -> set[int]:
        """Pids of gunicorn's worker processes (children of the master)."""
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.add(int(entry.name))
        return found

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    tokens: list[str] = field(default_factory=list)
    stored: dict[str, int] = field(default_factory=dict)  # token → status that stored it
    errors: list[tuple[int, str, bytes]] = field(default_factory=list)  # status, type, body
    transport: list[str] = field(default_factory=list)  # connection refused/reset
    gave_up: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    workers_before: set[int] = field(default_factory=set)
    workers_after: set[int] = field(default_factory=set)
    after_restart: list[int] = field(default_factory=list)  # statuses of the first tries after
    spans: list[tuple[float, float]] = field(default_factory=list)  # each try: sent, answered
    restart_window: tuple[float, float] = (0.0, 0.0)  # pg_ctl restart: began, ended
    migrate_seconds: float = 0.0
    restart_seconds: float = 0.0
    recovery_seconds: float = 0.0
    cluster_log: str = ""
    server_log: str = ""
    numbers: list[str] = field(default_factory=list)
    intakes: dict[str, int] = field(default_factory=dict)  # token → rows
    orphan_cases: int = 0


def _body(office_id: int, token: str, n: int) -> bytes:
    return json.dumps(
        {
            "office": office_id,
            "mode": "formulario_web",
            "transaction_type": "duplicado-de-factura",
            "full_name": f"Cliente Reinicio {n}",
            "document_type": "CC",
            "document_number": f"7100{n:06d}",
            "phone": "3101234567",
            "data_consent": True,
            "client_token": token,
        }
    ).encode()


def _client(server: Server, headers: dict, office_id: int, first: int, out: Outcome) -> None:
    for n in range(first, first + scaled(PER_CLIENT)):
        token = str(uuid.uuid4())
        with out.lock:
            out.tokens.append(token)
        body = _body(office_id, token, n)
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            sent = time.monotonic()
            try:
                status, kind, payload = server.request("POST", INTAKES, body, headers)
            except OSError as exc:
                with out.lock:
                    out.transport.append(f"{type(exc).__name__}: {exc}")
                status = None
            with out.lock:
                out.spans.append((sent, time.monotonic()))
            if status in (200, 201):
                with out.lock:
                    out.stored[token] = status
                break
            if status is not None:
                with out.lock:
                    out.errors.append((status, kind, payload[:2000]))
            if time.monotonic() > deadline:
                with out.lock:
                    out.gave_up.append(token)
                break
            time.sleep(0.05)  # the client's back-off before retrying the same token


@pytest.fixture(scope="module")
def restart_run(tmp_path_factory) -> Outcome:
    """The whole scenario, once: cluster, migrate, server, load with a restart midway."""
    cluster = Cluster()
    logs = tmp_path_factory.mktemp("pg-restart")
    server = Server(database_url=cluster.url(DATABASE), log=logs / "gunicorn.log")
    out = Outcome()
    try:
        cluster.start()
        import psycopg

        admin = psycopg.connect(host=HOST, port=cluster.port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        admin.close()
        began = time.monotonic()
        server.manage("migrate", "--noinput")
        out.migrate_seconds = time.monotonic() - began
        line = [
            x for x in server.manage("shell", stdin=SETUP).splitlines() if x.startswith("SETUP")
        ]
        _, office_id, key = line[0].split()
        server.start()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Token {key}",
        }
        out.workers_before = server.workers()
        total = CLIENTS * scaled(PER_CLIENT)
        threads = [
            threading.Thread(
                target=_client,
                args=(server, headers, int(office_id), i * 1000, out),
                daemon=True,
            )
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        wait_until(
            lambda: len(out.stored) >= max(1, int(total * RESTART_AT)),
            timeout=120,
            message=f"no se registraron intakes antes del reinicio:\n{server.tail()}",
        )
        began = time.monotonic()
        cluster.restart()
        restarted = time.monotonic()
        out.restart_window = (began, restarted)
        stored_at_restart = len(out.stored)
        wait_until(
            lambda: len(out.stored) > stored_at_restart,
            timeout=RETRY_SECONDS,
            message="la aplicación no volvió a registrar después del reinicio",
        )
        out.recovery_seconds = time.monotonic() - restarted
        for thread in threads:
            thread.join(timeout=RETRY_SECONDS + 30)
        assert not any(t.is_alive() for t in threads), "un cliente no terminó"
        out.restart_seconds = cluster.restart_seconds
        out.workers_after = server.workers()
        out.numbers = [n for (n,) in cluster.query("SELECT number FROM core_case ORDER BY number")]
        out.intakes = dict(
            cluster.query(
                "SELECT client_token::text, count(*) FROM desborde_intake GROUP BY client_token"
            )
        )
        (out.orphan_cases,) = cluster.query(
            "SELECT count(*) FROM core_case c WHERE NOT EXISTS "
            "(SELECT 1 FROM desborde_intake i WHERE i.case_id = c.id)"
        )[0]
    finally:
        out.server_log, out.cluster_log = server.tail(), cluster.tail()
        server.stop()
        cluster.stop()
    return out


def test_nfr03_every_intake_retried_with_its_token_is_stored_once_after_a_restart(
    restart_run, figures
):
    out = restart_run
    figures(
        f"migrate {out.migrate_seconds:.1f} s; reinicio de PostgreSQL {out.restart_seconds:.1f} s; "
        f"de vuelta {out.recovery_seconds:.1f} s después; {len(out.tokens)} registros, "
        f"{len(out.errors)} respuestas de error, {len(out.transport)} errores de conexión, "
        f"{sum(a < out.restart_window[1] and b > out.restart_window[0] for a, b in out.spans)} "
        "peticiones en curso durante el reinicio "
        f"(FAULTS_SCALE={FAULTS_SCALE:g})"
    )
    # The restart happened while requests ran: one failed (and was retried), or one was waiting
    # for the database across the restart and was answered after it (the web's connection pool
    # holds a request until a new connection is up, so a short restart may fail none).
    began, ended = out.restart_window
    across = [(a, b) for a, b in out.spans if a < ended and b > began]
    assert out.errors or out.transport or across, "ninguna petición corrió durante el reinicio"
    assert not out.gave_up, f"{len(out.gave_up)} registros no quedaron guardados\n{out.server_log}"
    assert set(out.stored) == set(out.tokens)
    # Stored once each: no duplicate, no intake that nobody submitted, no case without intake.
    assert out.intakes == {token: 1 for token in out.tokens}
    assert out.orphan_cases == 0
    # The case numbers have no gap: a case rolled back by the restart gave its number back.
    values = [int(re.search(r"(\d+)$", n).group(1)) for n in out.numbers]
    assert values == list(range(1, len(out.tokens) + 1)), out.numbers


def test_nfr03_the_app_recovers_by_itself_after_a_restart(restart_run):
    """The same gunicorn workers serve after the restart: each request opens (or checks) its
    connection, none is left broken (``CONN_HEALTH_CHECKS``); no worker was replaced."""
    out = restart_run
    assert out.workers_before and out.workers_after == out.workers_before
    assert out.recovery_seconds < RETRY_SECONDS


def _clean(status: int, kind: str, body: bytes) -> str | None:
    """Why an error response is not clean (None when it is): JSON, a Spanish message, no
    traceback, a 503 or 500."""
    text = body.decode(errors="replace")
    if "Traceback" in text or "OperationalError" in text or "psycopg" in text:
        return f"{status}: deja ver la excepción: {text[:200]}"
    if status not in (500, 503):
        return f"{status}: código inesperado: {text[:200]}"
    if "json" not in kind:
        return f"{status} {kind}: no es JSON: {text[:200]!r}"
    try:
        detail = json.loads(text).get("detail", "")
    except ValueError:
        return f"{status}: JSON inválido: {text[:200]!r}"
    if not detail:
        return f"{status}: sin mensaje (detail): {text[:200]}"
    return None


def test_nfr03_errors_while_the_database_is_down_are_clean_json(restart_run):
    out = restart_run
    if not out.errors:  # the restart fell between requests: every answer was a 201
        print("ninguna petición recibió una respuesta de error durante el reinicio")
        return
    problems = sorted({p for p in (_clean(*e) for e in out.errors) if p})
    assert not problems, "\n".join([*problems[:5], "--- gunicorn ---", out.server_log])
