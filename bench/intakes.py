"""Overflow intakes through the real HTTP stack (issue 4, item 7).

The production shape on this machine: gunicorn (2 sync workers, DEBUG off, persistent database
connections) on a free loopback port serves the bench database, and the round robin is queued
on Redis for a real Celery worker (``BENCH_REDIS_URL``, default the local Redis; empty, or Redis
not answering: the assignment runs inside the request, as in the demo). N client threads, each
keeping one ``http.client`` connection (gunicorn's sync workers close it after every response,
so it reconnects on loopback), POST to /api/v1/desborde/intakes/ as an orientador (token auth),
each request with a fresh client_token and a distinct document number, so every request
registers a customer and opens a case in the metropolitan overflow pool. The baseline, measured
in the same run and the same server, is a bare Django POST view that inserts one row
(bench/bare.py, routed with BENCH_VIEWS=true). Each scenario stops at MAX_REQUESTS requests or
MAX_SECONDS, whichever comes first. At the end every case must be assigned.

The verdict (the product owner's target, issue 9): at TARGET_CLIENTS clients the intake's
throughput is at least TARGET_FLOOR_RATIO of the "DRF sin escribir" row (token auth, role check,
validation, no writes) of the same run; as many intakes stored as submitted; every case
assigned. The ratio to the bare view and the p95 are printed for information only.
"""

import contextlib
import http.client
import itertools
import json
import os
import secrets
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

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.authtoken.models import Token

from bench import db, fixtures
from core.models import AssignmentPool, Case, Customer, User
from core.roles import Role
from desborde.models import Intake

INTAKE_PATH = "/api/v1/desborde/intakes/"
BARE_PATH = "/bench/bare/"
VALIDATE_PATH = "/bench/validar/"
TOKEN_PATH = "/api/v1/auth/token/"
HEALTH_PATH = "/healthz"
HOST = "127.0.0.1"

WORKERS = 2
CLIENTS = (4, 8, 16)
TARGET_CLIENTS = 16
MAX_REQUESTS = 400
MAX_SECONDS = 10.0
WARMUP_REQUESTS = 20
TARGET_FLOOR_RATIO = 0.25  # intake req/s ÷ "DRF sin escribir" req/s, at TARGET_CLIENTS
READY_SECONDS = 30.0
N_TECHS = 5

POOL_CODE = "desborde-metropolitano"
ORIENTADOR = "bench_orientador"
PASSWORD = "bench-Orientador-2026!"  # a throwaway user of the bench database
DOC_PREFIX = "71"  # the bench's customers: CC 71xxxxxxxx, wiped at the start of each run
_doc_seq = itertools.count(1)


@dataclass
class Scenario:
    label: str
    clients: int
    times: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    wall: float = 0.0
    first_error: str = ""

    @property
    def count(self) -> int:
        return len(self.times)

    @property
    def created(self) -> int:
        return sum(1 for s in self.statuses if s == 201)

    @property
    def throughput(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        rank = max(1, -(-len(ordered) * p // 100))  # ceil
        return ordered[int(rank) - 1] * 1000


def _body(office_id: int) -> bytes:
    n = next(_doc_seq)
    return json.dumps(
        {
            "office": office_id,
            "mode": "formulario_web",
            "transaction_type": "duplicado-de-factura",
            "full_name": f"Cliente Benchmark {n}",
            "document_type": "CC",
            "document_number": f"{DOC_PREFIX}{n:08d}",
            "phone": "3101234567",
            "contract": "1234567",
            "email": f"cliente{n}@example.com",
            "data_consent": True,
            "client_token": str(uuid.uuid4()),
        }
    ).encode()


def _load(
    port: int,
    path: str,
    headers: dict,
    office_id: int,
    clients: int,
    label: str,
    max_requests: int = MAX_REQUESTS,
    max_seconds: float = MAX_SECONDS,
) -> Scenario:
    """``clients`` threads POST until ``max_requests`` are issued or ``max_seconds`` pass."""
    result = Scenario(label=label, clients=clients)
    lock = threading.Lock()
    issued = [0]
    deadline = [0.0]
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        times, statuses, error = [], [], ""
        barrier.wait()
        while True:
            with lock:
                if issued[0] >= max_requests or time.perf_counter() >= deadline[0]:
                    break
                issued[0] += 1
            body = _body(office_id)
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                if status != 201 and not error:
                    error = f"HTTP {status}: {payload[:300].decode(errors='replace')}"
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # reconnects on the next request
                status = 0
                error = error or f"{exc.__class__.__name__}: {exc}"
            times.append(time.perf_counter() - t0)
            statuses.append(status)
        conn.close()
        with lock:
            result.times.extend(times)
            result.statuses.extend(statuses)
            result.first_error = result.first_error or error

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + max_seconds
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    result.wall = time.perf_counter() - t0
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes | None = None, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _server_env() -> dict:
    env = dict(os.environ)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],  # the bench database (set by bench/__main__)
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        BENCH_VIEWS="true",
        # Production shape: the assignment is queued on Redis for the Celery worker started
        # below. Without a broker it runs eagerly inside the request.
        REDIS_URL=BROKER_URL,
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    return env


def _broker_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not url:
        return ""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        print(f"Redis no responde en {url} ({exc}): la asignación corre dentro de la petición.")
        return ""
    return url


BROKER_URL = ""  # set by run()
QUEUE = f"bench-{os.getpid()}"


def _start_worker(log) -> subprocess.Popen | None:
    if not BROKER_URL:
        return None
    cmd = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", QUEUE,
        "-n", f"{QUEUE}@%h", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
    ]  # fmt: skip
    return subprocess.Popen(
        cmd, cwd=Path(settings.BASE_DIR), env=_server_env(), stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _wait_assigned(pool_id: int, seconds: float = 60.0) -> int:
    """With a worker, the last cases are assigned a moment after the load stops."""
    deadline = time.monotonic() + seconds
    pending = Case.objects.filter(pool_id=pool_id, assigned_to__isnull=True)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return pending.count()


def _start_server(port: int, log) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(WORKERS),
        "--worker-class", "sync",
    ]  # fmt: skip
    return subprocess.Popen(
        cmd,
        cwd=Path(settings.BASE_DIR),
        env=_server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole at the end
    )


def _wait_ready(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn terminó al arrancar (código {proc.returncode})")
        try:
            status, _ = _request(port, "GET", HEALTH_PATH)
            if status == 200:
                return
        except OSError:
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)  # poll interval; returns early if the server dies
    raise RuntimeError(f"gunicorn no respondió {HEALTH_PATH} en {READY_SECONDS:.0f} s")


def _stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()  # gunicorn's graceful stop: the master ends its workers
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _setup() -> tuple[int, int]:
    """Wipe cases, bench customers and intakes; office, orientador, pool with technologists."""
    db.wipe_cases()  # TRUNCATE … core_case CASCADE also empties desborde_intake
    intake_history = connection.ops.quote_name(Intake.history.model._meta.db_table)
    customer = connection.ops.quote_name(Customer._meta.db_table)
    customer_history = connection.ops.quote_name(Customer.history.model._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {intake_history}")
        for table in (customer, customer_history):
            cur.execute(
                f"DELETE FROM {table} WHERE document_type = 'CC' AND document_number LIKE %s",
                [f"{DOC_PREFIX}%"],
            )
    office = fixtures.office()
    techs = fixtures.technologists(N_TECHS, office)
    pool = AssignmentPool.objects.get(code=POOL_CODE)
    if pool.unit != office.unit:
        raise RuntimeError(f"el grupo {POOL_CODE} no es de la unidad de la oficina {office.code}")
    pool.active = True
    pool.cursor_key, pool.cursor_user, pool.round_number = "", None, 0
    pool.save()
    pool.members.set(techs)

    orientador, _ = User.objects.get_or_create(
        username=ORIENTADOR, defaults={"first_name": "Orientador", "last_name": "Benchmark"}
    )
    orientador.home_office = office
    orientador.is_active = True
    orientador.set_password(PASSWORD)
    orientador.save()
    orientador.groups.set([Group.objects.get(name=Role.ORIENTADOR)])
    Token.objects.get_or_create(user=orientador)
    return office.pk, pool.pk


def _row(s: Scenario) -> str:
    return (
        f"{s.clients:>8}  {s.label:<22}{s.count:>8}{s.throughput:>9.1f}"
        f"{s.percentile(50):>9.1f}{s.percentile(95):>9.1f}   {s.created}/{s.count}"
    )


def run() -> bool:
    global BROKER_URL
    BROKER_URL = _broker_url()
    # A plain `kill` (SIGTERM) unwinds like Ctrl-C, so the finally of _run stops gunicorn too.
    return db.run_reported("== Registro de desborde por HTTP (issue 4, punto 7) ==", _run)


def _measure(port: int, office_id: int) -> tuple[dict[tuple[str, int], Scenario], int]:
    """Token from the API, warm-up, then bare and intake at each client count; returns the
    scenarios and how many intakes were submitted (warm-up included)."""
    status, payload = _request(
        port, "POST", TOKEN_PATH,
        json.dumps({"username": ORIENTADOR, "password": PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )  # fmt: skip
    if status != 200:
        raise RuntimeError(f"{TOKEN_PATH} respondió {status}: {payload[:200]!r}")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"Token {json.loads(payload)['token']}",
    }
    submitted = 0
    # Warm-up of both workers on both paths (counted in the stored = submitted check).
    for path in (BARE_PATH, VALIDATE_PATH, INTAKE_PATH):
        warm = _load(port, path, headers, office_id, WORKERS * 2, path, WARMUP_REQUESTS)
        if path == INTAKE_PATH:
            submitted += warm.count
        if warm.created != warm.count:
            raise RuntimeError(f"calentamiento de {path}: {warm.first_error}")
    scenarios: dict[tuple[str, int], Scenario] = {}
    for clients in CLIENTS:
        scenarios["bare", clients] = _load(
            port, BARE_PATH, headers, office_id, clients, "vista mínima (bare)"
        )
        scenarios["validate", clients] = _load(
            port, VALIDATE_PATH, headers, office_id, clients, "DRF sin escribir"
        )
        scenarios["intake", clients] = _load(
            port, INTAKE_PATH, headers, office_id, clients, "registro de desborde"
        )
        submitted += scenarios["intake", clients].count
    return scenarios, submitted


def _run() -> bool:
    office_id, pool_id = _setup()
    intakes_before = Intake.objects.count()
    port = _free_port()
    with tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False) as log:
        proc = _start_server(port, log)
        worker = _start_worker(log)
        try:
            _wait_ready(proc, port)
            scenarios, submitted = _measure(port, office_id)
            unassigned = _wait_assigned(pool_id)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc} (registro de gunicorn: {log.name})") from exc
        finally:
            _stop_server(proc)
            if worker is not None:
                _stop_server(worker)

    stored = Intake.objects.count() - intakes_before
    non_201 = sum(s.count - s.created for s in scenarios.values())
    floor = scenarios["validate", TARGET_CLIENTS]
    ratios = {
        c: scenarios["intake", c].throughput / scenarios["bare", c].throughput
        if scenarios["bare", c].throughput
        else 0.0
        for c in CLIENTS
    }
    p95 = scenarios["intake", TARGET_CLIENTS].percentile(95)
    floor_ratio = (
        scenarios["intake", TARGET_CLIENTS].throughput / floor.throughput
        if floor.throughput
        else 0.0
    )

    print("== Registro de desborde por HTTP (issue 4, punto 7) ==")
    print(
        f"gunicorn en {HOST}:{port}, {WORKERS} workers sync, DEBUG off, "
        + (
            "asignación en un worker de Celery (Redis); "
            if BROKER_URL
            else "tareas en el proceso; "
        )
        + f"hasta {MAX_REQUESTS} pedidos o {MAX_SECONDS:.0f} s por escenario; "
        f"CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}"
    )
    print(
        f"{'clientes':>8}  {'vista':<22}{'pedidos':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}   201"
    )
    for clients in CLIENTS:
        print(_row(scenarios["bare", clients]))
        print(_row(scenarios["validate", clients]))
        print(_row(scenarios["intake", clients]))
    print(
        "razón registro / vista mínima (req/s): "
        + ", ".join(f"{c} clientes {r:.2f}" for c, r in ratios.items())
        + "   (informativo, no es objetivo)"
    )
    print(
        f"p95 del registro con {TARGET_CLIENTS} clientes: {p95:.1f} ms "
        "(informativo, no es objetivo)"
    )
    print(
        f"DRF sin escribir (token, rol, validación del formulario, respuesta 201) con "
        f"{TARGET_CLIENTS} clientes: {floor.throughput:.0f} req/s, razón "
        f"{floor.throughput / scenarios['bare', TARGET_CLIENTS].throughput:.2f} de la vista "
        f"mínima, p95 {floor.percentile(95):.1f} ms"
    )
    print(
        f"razón registro / DRF sin escribir (req/s) con {TARGET_CLIENTS} clientes: "
        f"{floor_ratio:.2f}   (objetivo ≥ {TARGET_FLOOR_RATIO:.2f})"
    )
    print(
        f"registros guardados: {stored} de {submitted} enviados; respuestas distintas de 201: "
        f"{non_201}; casos del grupo {POOL_CODE} sin asignar: {unassigned}   (objetivo: "
        "todos guardados y todos asignados)"
    )
    errors = [s.first_error for s in scenarios.values() if s.first_error]
    if errors:
        print(f"primer error: {errors[0]}")
        print(f"registro de gunicorn: {log.name}")
    else:
        os.unlink(log.name)
    ok = (
        floor.throughput > 0
        and floor_ratio >= TARGET_FLOOR_RATIO
        and stored == submitted
        and unassigned == 0
    )
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok
