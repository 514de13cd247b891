"""A compressed peak day (issue 15, item 4): ``make bench BENCH=peak``.

100 offices and 1,000 technologists on the bench database; every flow of the product driven
through the HTTP API — and the live websockets where a flow needs them (balancing matches) — by
locust (``bench/peak_locust.py``) on 127.0.0.1, bounded in time: overflow intakes with
``client_token``, cellphone turns (office turn + "Llamar"), kiosk turns matched by balancing,
digital interactions (Meta's webhook), appointments (agenda holds + copropiedad and cliente
interno bookings).

The server is the production shape of ``make serve``: gunicorn with uvicorn workers serving
``config.asgi`` (pages, API and websockets; Redis pub/sub channel layer; a database connection
per request, as Django advises under ASGI), and Celery workers on Redis (``BENCH_REDIS_URL``,
else the REDIS_URL given to ``make bench``, else the local Redis; a queue and channel prefix of
this run only). Two configurations with the same load: 1 ASGI worker + 1 Celery worker, then 2
+ 2. Each runs two phases:

- paced: each flow at 10× the busiest real day's rate (the assumption and its arithmetic are
  printed, and in docs/scaling.md), for ``PACED_SECONDS``: p50/p95, errors, lost, duplicated,
  and the time from an intake to its assignment (``assigned_at − created_at`` of the case);
- saturation: the same flows in a closed loop with no pause, for ``SATURATION_SECONDS``: the
  most each flow gets through; the ratio 2 workers ÷ 1 worker is the scaling ratio.

After each phase the run waits for the workers to finish (intakes assigned, messages processed)
and checks in the database: lost = confirmed to the client − stored, duplicated (an intake per
client_token, a turn taken or matched twice, a message stored twice or two interactions for
one sender, two confirmed appointments overlapping for one technologist), and CPU: the load
generator's own (``resource`` inside locust), the server's and the workers' (``/proc``),
PostgreSQL's and Redis's (their whole servers: other sessions' work included) and the machine's.

Targets (issue 15): 0 lost, 0 duplicated, intake-to-assignment p95 < 2 s at the paced rate,
scaling ratio ≥ 1.6; each printed CUMPLE / NO CUMPLE, with what bounds the ratio if missed.

Smaller runs for trying it out: PEAK_OFFICES, PEAK_TECHS, PEAK_PACED_SECONDS,
PEAK_SATURATION_SECONDS. Locust runs in the project's virtualenv (the ``bench`` optional
dependencies) or in the Python named by PEAK_LOCUST_PYTHON.
"""

import contextlib
import datetime as dt
import http.client
import importlib.util
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from balanceo.models import BalanceSeat
from bench import db
from cliente_interno.models import InternalBooking
from copropiedad.services import nit_normalize
from core.authentication import token_issue
from core.business_days import is_holiday
from core.live.auth import KIOSK_COOKIE, key_hash
from core.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    AssignmentPool,
    Case,
    Kiosk,
    Office,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    StaffAvailability,
    Turn,
    TurnEvent,
    TurnStatus,
    Unit,
    User,
    VideoSession,
    VideoSessionStatus,
    WorkingHours,
    WorkMode,
)
from core.roles import Role
from desborde.models import Intake
from pqr_digital.models import InboundMessage, Interaction

HOST = "127.0.0.1"
N_OFFICES = int(os.environ.get("PEAK_OFFICES", "100"))
N_TECHS = int(os.environ.get("PEAK_TECHS", "1000"))
PACED_SECONDS = int(os.environ.get("PEAK_PACED_SECONDS", "90"))
SATURATION_SECONDS = int(os.environ.get("PEAK_SATURATION_SECONDS", "45"))
CONFIGS = ((1, 1), (2, 2))  # (ASGI workers, Celery workers)
CELL_TECHS_PER_OFFICE = 2
KIOSK_OFFICES_PER_TECH = 3
AGENDA_TECHS_PER_TYPE = 20
N_EMPLOYEES = 200
N_CREADORES = 10
N_CONDOS = 20
METRO_SHARE = (
    0.6  # offices (and overflow technologists) of the metropolitan unit; the rest regional
)
BOOKING_DAYS = 10
DRAIN_SECONDS = 60.0
READY_SECONDS = 60.0
TARGET_ASSIGN_P95_S = 2.0
TARGET_SCALING = 1.6
#: The paced phase must reach this share of each flow's target rate (a user paces itself to whole
#: periods: a minute holds a whole number of them).
TARGET_PACE = 0.9

PREFIX = "pico_"
OFFICE_CODE = "PK"
RUN = f"bench-peak-{os.getpid()}"
SECRET_KEY = secrets.token_urlsafe(64)  # the server's: the sessions created here are signed
META_SECRET = secrets.token_urlsafe(24)

# --- the assumption: 10× the busiest real day --------------------------------------------------

#: flow → (label, busiest-day count, what it is counted per). No published counts exist: these
#: are this benchmark's stated assumption for a busy office (docs/scaling.md), not measured data.
DAY = {
    "intake": ("registros de desborde (client_token)", 40, "oficina"),
    "cell": ("turnos por celular (dar + llamar + resultado)", 30, "oficina"),
    "kiosk": ("turnos a módulo emparejados (balanceo, websockets)", 20, "oficina"),
    "digital": ("interacciones digitales (webhook de Meta)", 3000, "empresa"),
    "appointment_copropiedad": (
        "citas de copropiedad (horario + retener + agendar)",
        200,
        "empresa",
    ),
    "appointment_cliente_interno": (
        "citas de cliente interno (horario + reservar)",
        200,
        "empresa",
    ),
}
SERVICE_HOURS = 8  # a day's attention
PEAK_HOUR_FACTOR = 2.0  # the busiest hour carries twice the day's mean hour
MULTIPLIER = 10
#: Users of each flow in the paced phase (each paces itself to rate ÷ users) and in saturation.
PACED_USERS = {"intake": 8, "cell": 6, "kiosk": 6, "digital": 4, "condo": 1, "employee": 1}
SATURATION_USERS = {"intake": 6, "cell": 4, "kiosk": 4, "digital": 4, "condo": 1, "employee": 1}
RATE_KEYS = {"appointment_copropiedad": "condo", "appointment_cliente_interno": "employee"}
ATTENTION = {"paced": (2.0, 6.0), "saturation": (0.2, 0.5)}  # a kiosk attention, compressed


def _day_count(flow: str) -> int:
    _, count, per = DAY[flow]
    return count * N_OFFICES if per == "oficina" else count


def target_rate(flow: str) -> float:
    """Flows per second at 10× the busiest day: day ÷ hours × peak-hour factor × 10."""
    return _day_count(flow) / (SERVICE_HOURS * 3600) * PEAK_HOUR_FACTOR * MULTIPLIER


# --- figures ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * p / 100)) - 1]


FLOW_OF_REQUEST = {
    "desborde": "intake",
    "celular": "cell",
    "balanceo": "kiosk",
    "digital": "digital",
}
#: 409 answers that are part of the flow, not errors: a colleague pressed "Llamar" first, a
#: slot held by someone else a moment before (the user takes another).
EXPECTED_409 = ("celular: llamar", "citas: retener")


def flow_of(name: str) -> str:
    if name.startswith("citas:"):
        return "appointment_" + name.rsplit(" ", 1)[1]
    return FLOW_OF_REQUEST[name.split(":", 1)[0]]


def is_error(name: str, status: int) -> bool:
    if status in (200, 201, 204):
        return False
    return not (status == 409 and name.startswith(EXPECTED_409))


@dataclass
class Phase:
    mode: str
    web: int
    celery: int
    results: dict
    checks: dict
    cpu: dict
    window: float = 0.0

    def flows_in_window(self, flow: str) -> list[tuple[float, float]]:
        start, stop = self.results["t_start"], self.results["t_stop"]
        return [(t, ms) for t, ms in self.results["flows"].get(flow, []) if start <= t <= stop]

    def rate(self, flow: str) -> float:
        return len(self.flows_in_window(flow)) / self.window if self.window else 0.0

    def flow_ms(self, flow: str) -> list[float]:
        return [ms for _, ms in self.results["flows"].get(flow, [])]

    def errors(self, flow: str) -> int:
        return sum(
            1
            for name, samples in self.results["requests"].items()
            if flow_of(name) == flow
            for _, _, status in samples
            if is_error(name, status)
        )

    def requests_rate(self) -> float:
        start, stop = self.results["t_start"], self.results["t_stop"]
        n = sum(
            1 for samples in self.results["requests"].values() for t, _, _ in samples
            if start <= t <= stop
        )  # fmt: skip
        return n / self.window if self.window else 0.0


# --- the scene (bench database, this process) --------------------------------------------------


@dataclass
class Scene:
    offices: list[dict] = field(default_factory=list)
    kiosks: list[dict] = field(default_factory=list)
    cell_techs: list[dict] = field(default_factory=list)
    kiosk_techs: list[dict] = field(default_factory=list)
    creadores: list[str] = field(default_factory=list)
    employees: list[dict] = field(default_factory=list)
    nits: list[dict] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _tables(*models) -> str:
    names = []
    for model in models:
        names.append(connection.ops.quote_name(model._meta.db_table))
        history = getattr(model, "history", None)
        if history is not None:
            names.append(connection.ops.quote_name(history.model._meta.db_table))
    return ", ".join(names)


def _wipe() -> None:
    """Everything the flows write: cases (and what hangs on them), intakes, turns, video
    sessions, messages and interactions, appointments."""
    db.wipe_cases()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE "
            + _tables(
                Intake, Turn, TurnEvent, VideoSession, InboundMessage, Interaction,
                Appointment, InternalBooking,
            )
            + ", core_turnsequence RESTART IDENTITY CASCADE"
        )  # fmt: skip
    BalanceSeat.objects.filter(technologist__username__startswith=PREFIX).update(
        available=True, idle_since=timezone.now(), paused_reason=""
    )
    Kiosk.objects.filter(office__code__startswith=OFFICE_CODE).update(
        is_on=False, live_channel="", last_seen_at=None
    )
    AssignmentPool.objects.filter(code__in=("desborde-metropolitano", "desborde-regional")).update(
        cursor_key="", cursor_user=None, round_number=0
    )


_UNUSABLE = make_password(None)


def _users(kind: str, n: int, role: str, office: Office | None, **extra) -> list[User]:
    prefix = f"{PREFIX}{kind}_"
    have = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
    new = []
    for i in range(n):
        username = f"{prefix}{i:04d}"
        if username in have:
            continue
        new.append(
            User(
                username=username,
                first_name=f"{kind.capitalize()} {i:04d}",
                last_name="Pico",
                email=f"{username}@example.com",
                password=_UNUSABLE,
                home_office=office,
                **extra,
            )
        )
    User.objects.bulk_create(new, batch_size=500)
    users = list(User.objects.filter(username__startswith=prefix).order_by("username")[:n])
    Group.objects.get(name=role).user_set.add(*users)
    return users


def _session_cookie(user: User) -> str:
    with override_settings(SECRET_KEY=SECRET_KEY):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _business_days(n: int) -> list[dt.date]:
    days, day = [], timezone.localdate()
    while len(days) < n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and not is_holiday(day):
            days.append(day)
    return days


def _setup() -> Scene:
    """Offices with an orientador, an encargado and a kiosk each; 1,000 technologists: two
    cellphone supporters an office, balancing technologists (three offices each), the agenda's
    technologists, and the rest in the metropolitan overflow pool; creadores, employees."""
    _wipe()
    scene = Scene()
    today, now = timezone.localdate(), timezone.now()
    home, _ = Office.objects.update_or_create(
        code=f"{OFFICE_CODE}-CASA",
        defaults={"name": "Oficina Pico (casa de los tecnólogos)", "unit": "metropolitano",
                  "zone": "Pico", "technologist_count": 1, "has_orientador": True,
                  "active": True},
    )  # fmt: skip
    offices = []
    for n in range(1, N_OFFICES + 1):
        unit = Unit.METROPOLITANO if n <= METRO_SHARE * N_OFFICES else Unit.REGIONAL
        office, _ = Office.objects.update_or_create(
            code=f"{OFFICE_CODE}{n:03d}",
            defaults={"name": f"Oficina Pico {n:03d}", "unit": unit, "zone": "Pico",
                      "technologist_count": 3, "has_orientador": True, "active": True},
        )  # fmt: skip
        offices.append(office)
    orientadores = _users("ori", N_OFFICES, Role.ORIENTADOR, None)
    encargados = _users("enc", N_OFFICES, Role.ENCARGADO, None)
    for i, office in enumerate(offices):
        for user in (orientadores[i], encargados[i]):
            user.home_office = office
    User.objects.bulk_update(orientadores + encargados, ["home_office"])
    for i, office in enumerate(offices):
        kiosk, _ = Kiosk.objects.get_or_create(office=office, label="Módulo 1")
        key = secrets.token_urlsafe(32)
        kiosk.device_key_hash = key_hash(key)
        kiosk.active = True
        kiosk.save()
        scene.kiosks.append({"id": kiosk.pk, "cookie": f"{KIOSK_COOKIE}={kiosk.pk}.{key}"})
        scene.offices.append(
            {
                "id": office.pk,
                "orientador": token_issue(user=orientadores[i]).key,
                "encargado": token_issue(user=encargados[i]).key,
            }
        )

    n_cell = CELL_TECHS_PER_OFFICE * N_OFFICES
    n_kiosk = N_OFFICES
    n_agenda = 2 * AGENDA_TECHS_PER_TYPE
    n_pool = N_TECHS - n_cell - n_kiosk - n_agenda
    if n_pool < 10:
        raise RuntimeError(f"{N_TECHS} tecnólogos no alcanzan para {N_OFFICES} oficinas")
    techs = _users("tec", N_TECHS, Role.TECNOLOGO, home, work_mode=WorkMode.HOME)
    # What an earlier run (at another scale) gave the bench's technologists goes first: a stale
    # roster entry would let the matcher pick a technologist nobody plays here.
    everyone = User.objects.filter(username__startswith=PREFIX)
    for model in (RosterEntry, ShiftCheck, BalanceSeat, WorkingHours):
        model.objects.filter(technologist__in=everyone).delete()
    for kind in AppointmentType.objects.filter(code__in=("copropiedad", "cliente-interno")):
        kind.technologists.remove(*everyone.filter(appointment_types=kind))
    cell, kiosk_techs = techs[:n_cell], techs[n_cell : n_cell + n_kiosk]
    agenda = techs[n_cell + n_kiosk : n_cell + n_kiosk + n_agenda]
    pool_techs = techs[n_cell + n_kiosk + n_agenda :]
    StaffAvailability.objects.bulk_create(
        [StaffAvailability(user=t, date=today, is_available=True) for t in techs],
        ignore_conflicts=True,
    )
    entries, checks = [], []
    for i, tech in enumerate(cell):
        office_index = i % N_OFFICES
        entries.append(RosterEntry(day=today, technologist=tech, office=offices[office_index],
                                   modality=RemoteModality.CELULAR))  # fmt: skip
        scene.cell_techs.append(
            {"id": tech.pk, "token": token_issue(user=tech).key, "office_index": office_index}
        )
    for i, tech in enumerate(kiosk_techs):
        for step in (0, 7, 13)[:KIOSK_OFFICES_PER_TECH]:
            entries.append(RosterEntry(day=today, technologist=tech,
                                       office=offices[(i + step) % N_OFFICES],
                                       modality=RemoteModality.BALANCEO))  # fmt: skip
        scene.kiosk_techs.append(
            {"id": tech.pk, "token": token_issue(user=tech).key, "cookie": _session_cookie(tech)}
        )
    for tech in cell + kiosk_techs:
        checks.append(ShiftCheck(technologist=tech, day=today, audio_ok=True, video_ok=True,
                                 printer_ok=True, checked_at=now))  # fmt: skip
    RosterEntry.objects.bulk_create(entries, ignore_conflicts=True)
    ShiftCheck.objects.bulk_create(checks, ignore_conflicts=True)
    BalanceSeat.objects.bulk_create(
        [BalanceSeat(technologist=t, day=today, available=True,
                     idle_since=now - dt.timedelta(seconds=n_kiosk - i))
         for i, t in enumerate(kiosk_techs)],
        ignore_conflicts=True,
    )  # fmt: skip

    hours = []
    for code, techs_of_type, spans in (
        ("copropiedad", agenda[:AGENDA_TECHS_PER_TYPE], ((7, 12), (13, 17))),
        ("cliente-interno", agenda[AGENDA_TECHS_PER_TYPE:], ((8, 12), (13, 17))),
    ):
        kind = AppointmentType.objects.get(code=code)
        kind.technologists.add(*techs_of_type)
        for tech in techs_of_type:
            for weekday in range(5):
                for start, end in spans:
                    hours.append(WorkingHours(technologist=tech, weekday=weekday,
                                              start=dt.time(start), end=dt.time(end)))  # fmt: skip
    WorkingHours.objects.bulk_create(hours)
    scene.dates = [d.isoformat() for d in _business_days(BOOKING_DAYS)]

    # Each unit's overflow pool gets its share of the pool's technologists (CORE-09).
    split = round(METRO_SHARE * len(pool_techs))
    for code, members in (
        ("desborde-metropolitano", pool_techs[:split]),
        ("desborde-regional", pool_techs[split:]),
    ):
        pool = AssignmentPool.objects.get(code=code)
        pool.active = True
        pool.save()
        pool.members.set(members)

    scene.creadores = [
        token_issue(user=u).key for u in _users("cre", N_CREADORES, Role.CREADOR, home)
    ]
    for employee in _users("emp", N_EMPLOYEES, Role.CLIENTE_INTERNO, None):
        scene.employees.append(
            {"token": token_issue(user=employee).key, "name": employee.get_full_name(),
             "email": employee.email}
        )  # fmt: skip
    scene.nits = [
        {"nit": nit_normalize(str(800000000 + 7919 * n)), "name": f"Conjunto Pico {n} P.H."}
        for n in range(1, N_CONDOS + 1)
    ]
    scene.counts = {
        "pool": len(pool_techs),
        "cell": len(cell),
        "kiosk": len(kiosk_techs),
        "agenda": len(agenda),
        "techs": len(techs),
    }
    return scene


def _between_phases() -> None:
    """What the stopped load left open is over: turns in attention or waiting, video sessions,
    technologists busy. Kiosks went off when their sockets closed."""
    Turn.objects.filter(status__in=TurnStatus.active()).update(status=TurnStatus.ATENDIDO)
    Turn.objects.filter(status=TurnStatus.EN_ESPERA).update(status=TurnStatus.CANCELADO)
    VideoSession.objects.filter(status__in=VideoSessionStatus.open()).update(
        status=VideoSessionStatus.FINALIZADA, ended_at=timezone.now()
    )
    BalanceSeat.objects.filter(technologist__username__startswith=PREFIX).update(
        available=True, idle_since=timezone.now(), paused_reason=""
    )


# --- processes --------------------------------------------------------------------------------


def _redis_url() -> str:
    return db.redis_url("el día pico")


def _locust_python() -> str:
    given = os.environ.get("PEAK_LOCUST_PYTHON")
    if given:
        return given
    if importlib.util.find_spec("locust") is None:
        raise RuntimeError(
            "locust no está instalado: instale las dependencias de benchmark "
            "(pip install -e '.[bench]') o indique PEAK_LOCUST_PYTHON"
        )
    return sys.executable


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _env(redis_url: str, media: str, *, worker: bool) -> dict:
    env = dict(os.environ)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],  # the bench database (set by bench/__main__)
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        REDIS_URL=redis_url,
        LIVE_CHANNEL_PREFIX=RUN,
        CELERY_TASK_DEFAULT_QUEUE=RUN,
        META_APP_SECRET=META_SECRET,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        MEDIA_ROOT=media,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
        # ASGI: a connection per request (Django's advice); Celery workers keep theirs a minute,
        # as docker-compose.yml sets them.
        DATABASE_CONN_MAX_AGE="60" if worker else "0",
    )
    return env


def _spawn(cmd: list[str], env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=Path(settings.BASE_DIR), env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: measured and stopped as a whole
    )  # fmt: skip


def _start_web(port: int, workers: int, env: dict, log) -> subprocess.Popen:
    return _spawn(
        [sys.executable, "-m", "gunicorn", "config.asgi:application",
         "-k", "uvicorn_worker.UvicornWorker", "--bind", f"{HOST}:{port}",
         "--workers", str(workers), "--graceful-timeout", "10", "--log-level", "warning"],
        env, log,
    )  # fmt: skip


def _start_workers(n: int, env: dict, log) -> list[subprocess.Popen]:
    return [
        _spawn(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "solo",
                "-Q",
                RUN,
                "-n",
                f"{RUN}-{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            env,
            log,
        )  # fmt: skip
        for i in range(n)
    ]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _get(port: int, path: str, token: str = "") -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"Authorization": f"Token {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _wait_ready(web: subprocess.Popen, workers: list, port: int, redis_url: str) -> None:
    from celery import Celery

    deadline = time.monotonic() + READY_SECONDS
    while True:
        if web.poll() is not None:
            raise RuntimeError(f"gunicorn terminó al arrancar (código {web.returncode})")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if _get(port, "/healthz") == 200:
                break
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn no respondió /healthz en {READY_SECONDS:.0f} s")
        time.sleep(0.2)
    app = Celery(broker=redis_url)
    try:
        while len(app.control.ping(timeout=1.0) or []) < len(workers):
            if any(w.poll() is not None for w in workers):
                raise RuntimeError("un worker de Celery terminó al arrancar")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"los workers de Celery no respondieron en {READY_SECONDS:.0f} s"
                )
    finally:
        app.close()


def _warm(port: int, scene: Scene, workers: int) -> None:
    """Each ASGI worker imports and connects before the clock starts."""
    for i in range(8 * workers):
        _get(port, "/api/v1/booth/turns/", scene.cell_techs[i % len(scene.cell_techs)]["token"])


# --- CPU ----------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            data = fh.read()
    except OSError:
        return None
    return data[data.rfind(")") + 2 :].split()  # fields from the 3rd (state) on


def _group_cpu(pgids: set[int]) -> float:
    """CPU seconds of the live processes in these process groups."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat(int(entry))
        if fields and int(fields[2]) in pgids:
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def _postgres_cpu(postmaster: int) -> float:
    """The PostgreSQL server's CPU seconds: the postmaster, its live backends and the backends
    that ended (the postmaster's children times)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat(int(entry))
        if not fields:
            continue
        if int(entry) == postmaster:
            total += sum(int(x) for x in fields[11:15])
        elif int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def _machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat", encoding="ascii") as fh:
        values = [int(x) for x in fh.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / TICK, total / TICK


def _redis_cpu(url: str) -> float:
    import redis

    info = redis.Redis.from_url(url).info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


class CpuMeter:
    def __init__(self, web, workers, redis_url):
        self.web_group = {web.pid}
        self.worker_group = {w.pid for w in workers}
        self.redis_url = redis_url
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
        fields = _stat(backend)
        self.postmaster = int(fields[1]) if fields else 0

    def sample(self) -> dict:
        busy, total = _machine()
        return {
            "t": time.monotonic(),
            "web": _group_cpu(self.web_group),
            "celery": _group_cpu(self.worker_group),
            "postgres": _postgres_cpu(self.postmaster) if self.postmaster else 0.0,
            "redis": _redis_cpu(self.redis_url),
            "busy": busy,
            "total": total,
        }

    @staticmethod
    def delta(a: dict, b: dict, results: dict) -> dict:
        wall = max(1e-9, b["t"] - a["t"])
        cores = {k: (b[k] - a[k]) / wall for k in ("web", "celery", "postgres", "redis")}
        # The generator's own figure (resource.getrusage in the locust process), same window.
        window = results["t_stop"] - results["t_start"]
        cores["generator"] = results["cpu_window"] / window if window > 0 else 0.0
        cores["machine"] = (b["busy"] - a["busy"]) / wall
        cores["machine_share"] = (b["busy"] - a["busy"]) / max(1e-9, b["total"] - a["total"])
        return cores


# --- a phase ----------------------------------------------------------------------------------


def _scenario(scene: Scene, port: int, phase: int, mode: str) -> dict:
    users = PACED_USERS if mode == "paced" else SATURATION_USERS
    rates = {
        "intake": target_rate("intake"),
        "cell": target_rate("cell"),
        "kiosk": target_rate("kiosk"),
        "digital": target_rate("digital"),
        "condo": target_rate("appointment_copropiedad"),
        "employee": target_rate("appointment_cliente_interno"),
    }
    return {
        "port": port,
        "phase": phase,
        "mode": mode,
        "offices": scene.offices,
        "kiosks": scene.kiosks,
        "cell_techs": scene.cell_techs,
        "kiosk_techs": scene.kiosk_techs,
        "creadores": scene.creadores,
        "employees": scene.employees,
        "nits": scene.nits,
        "dates": scene.dates,
        "meta_secret": META_SECRET,
        "rates": rates,
        "users": users,
        "attention_seconds": ATTENTION[mode],
    }


def _locust(python: str, scenario: dict, seconds: int, workdir: str, meter) -> tuple:
    """Run locust for one phase; the server's CPU is sampled when the load is on (all users
    spawned) and when it starts stopping. Returns (results, cpu before, cpu after)."""
    tag = f"{scenario['phase']}"
    scenario_path = os.path.join(workdir, f"escenario-{tag}.json")
    results_path = os.path.join(workdir, f"resultados-{tag}.json")
    log_path = os.path.join(workdir, f"locust-{tag}.log")
    marks = os.path.join(workdir, f"marcas-{tag}")
    os.mkdir(marks)
    with open(scenario_path, "w", encoding="utf-8") as fh:
        json.dump(scenario, fh)
    total = (
        sum(scenario["users"].values()) + len(scenario["cell_techs"]) + len(scenario["kiosk_techs"])
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS"))}
    env.update(PEAK_SCENARIO=scenario_path, PEAK_RESULTS=results_path, PEAK_MARKS=marks)
    cmd = [
        python, "-m", "locust", "-f", str(Path(__file__).with_name("peak_locust.py")),
        "--headless", "--host", f"http://{HOST}:{scenario['port']}",
        "--users", str(total), "--spawn-rate", str(total), "--run-time", f"{seconds}s",
        "--stop-timeout", "20", "--loglevel", "WARNING", "--only-summary",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    samples: dict[str, dict] = {}
    deadline = time.monotonic() + seconds + 120
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        while proc.poll() is None:
            for name in ("start", "stop"):
                if name not in samples and os.path.exists(os.path.join(marks, name)):
                    samples[name] = meter.sample()
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                raise RuntimeError(f"locust no terminó a tiempo (registro: {log_path})")
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.1)
    if proc.returncode != 0 or not os.path.exists(results_path) or len(samples) < 2:
        raise RuntimeError(f"locust terminó con código {proc.returncode} (registro: {log_path})")
    with open(results_path, encoding="utf-8") as fh:
        results = json.load(fh)
    results["log"] = log_path
    return results, samples["start"], samples["stop"]


def _drain(results: dict) -> None:
    """The workers finish what the load left queued: intakes assigned, messages processed."""
    tokens = results["submitted"].get("intake", [])
    mids = results["submitted"].get("digital", [])
    pending_cases = Case.objects.filter(intake__client_token__in=tokens, assigned_to__isnull=True)
    pending_messages = InboundMessage.objects.filter(
        provider_message_id__in=mids, processed_at__isnull=True
    )
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and (pending_cases.exists() or pending_messages.exists()):
        time.sleep(0.2)


def _overlapping_appointments() -> int:
    """Confirmed appointments of one technologist that overlap (the exclusion constraint's
    promise)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM core_appointment a JOIN core_appointment b "
            "ON a.technologist_id = b.technologist_id AND a.id < b.id "
            'AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end") '
            "WHERE a.status = %s AND b.status = %s",
            [AppointmentStatus.CONFIRMADA, AppointmentStatus.CONFIRMADA],
        )
        return cur.fetchone()[0]


def _assigned_twice(case_ids: list[int]) -> int:
    table = connection.ops.quote_name(Case.history.model._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM (SELECT id FROM {table} WHERE id = ANY(%s) "
            "AND assigned_to_id IS NOT NULL GROUP BY id "
            "HAVING count(DISTINCT assigned_to_id) > 1) t",
            [case_ids],
        )
        return cur.fetchone()[0]


def _session_overlaps(turn_ids: list[int]) -> int:
    by_tech = defaultdict(list)
    for tech_id, start, end in VideoSession.objects.filter(turn_id__in=turn_ids).values_list(
        "technologist_id", "created_at", "ended_at"
    ):
        by_tech[tech_id].append((start, end or timezone.now()))
    overlaps = 0
    for intervals in by_tech.values():
        intervals.sort()
        overlaps += sum(1 for a, b in zip(intervals, intervals[1:], strict=False) if b[0] < a[1])
    return overlaps


def _checks(results: dict, phase: int) -> dict:
    sub = results["submitted"]
    out = {}

    tokens = set(sub.get("intake", []))
    intakes = Intake.objects.filter(client_token__in=tokens)
    stored = intakes.count()
    cases = list(
        Case.objects.filter(intake__client_token__in=tokens).values_list(
            "pk", "created_at", "assigned_at"
        )
    )
    phase_intakes = Intake.objects.filter(document_number__startswith=f"8{phase}").count()
    out["intake"] = {
        "submitted": len(tokens),
        "stored": stored,
        "lost": len(tokens) - stored,
        # Every intake of this phase has its own document number: more rows than tokens stored
        # would be a double tap or a retry registered twice.
        "duplicated": phase_intakes - stored + _assigned_twice([c[0] for c in cases]),
        "unanswered": len(results["unanswered"].get("intake", [])),
        "unanswered_stored": Intake.objects.filter(
            client_token__in=results["unanswered"].get("intake", [])
        ).count(),
        "unassigned": sum(1 for c in cases if c[2] is None),
        "assign_seconds": [(c[2] - c[1]).total_seconds() for c in cases if c[2] is not None],
    }

    ids = set(sub.get("cell", []))
    calls = dict(
        TurnEvent.objects.filter(turn_id__in=ids, kind=TurnEvent.Kind.LLAMADO)
        .values_list("turn_id")
        .annotate(n=Count("id"))
    )
    stored = Turn.objects.filter(pk__in=ids).count()
    out["cell"] = {
        "submitted": len(ids),
        "stored": stored,
        "lost": len(ids) - stored,
        "duplicated": sum(1 for n in calls.values() if n > 1),
        "pending": len(ids) - len(calls),
    }

    ids = set(sub.get("kiosk", []))
    matches = dict(
        TurnEvent.objects.filter(turn_id__in=ids, kind=TurnEvent.Kind.BALANCEO)
        .values_list("turn_id")
        .annotate(n=Count("id"))
    )
    waiting = Turn.objects.filter(pk__in=ids, status=TurnStatus.EN_ESPERA).exclude(
        pk__in=list(matches)
    )
    stored = Turn.objects.filter(pk__in=ids, virtual_consent="acepta").count()
    out["kiosk"] = {
        "submitted": len(ids),
        "stored": stored,
        # An accepted customer is matched, or still waiting for a free technologist and kiosk.
        "lost": len(ids) - len(matches) - waiting.count(),
        "duplicated": sum(1 for n in matches.values() if n > 1) + _session_overlaps(list(ids)),
        "pending": waiting.count(),
        "late": results["late"].get("kiosk", 0),
    }

    mids = set(sub.get("digital", []))
    messages = InboundMessage.objects.filter(provider_message_id__in=mids)
    stored = messages.count()
    senders = list(messages.values_list("sender_id", flat=True))
    per_sender = (
        Interaction.objects.filter(provider_sender_id__in=senders)
        .values("provider_sender_id")
        .annotate(n=Count("id"))
    )
    processed = list(
        messages.filter(processed_at__isnull=False).values_list("received_at", "processed_at")
    )
    out["digital"] = {
        "submitted": len(mids),
        "stored": stored,
        "lost": len(mids) - stored,
        "duplicated": sum(1 for row in per_sender if row["n"] > 1)
        + (stored - messages.values("provider_message_id").distinct().count()),
        "pending": stored - len(processed),
        "process_seconds": [(b - a).total_seconds() for a, b in processed],
    }

    ids = set(sub.get("appointment_copropiedad", []))
    stored = Appointment.objects.filter(pk__in=ids, status=AppointmentStatus.CONFIRMADA).count()
    overlaps = _overlapping_appointments()
    out["appointment_copropiedad"] = {
        "submitted": len(ids), "stored": stored, "lost": len(ids) - stored,
        "duplicated": overlaps,
    }  # fmt: skip
    ids = set(sub.get("appointment_cliente_interno", []))
    stored = InternalBooking.objects.filter(
        pk__in=ids, booked_at__isnull=False, appointment__status=AppointmentStatus.CONFIRMADA
    ).count()
    out["appointment_cliente_interno"] = {
        "submitted": len(ids), "stored": stored, "lost": len(ids) - stored,
        "duplicated": overlaps,
    }  # fmt: skip
    return out


# --- report -----------------------------------------------------------------------------------

FLOWS = list(DAY)
SHORT = {
    "intake": "desborde (registro)",
    "cell": "turno por celular",
    "kiosk": "turno a módulo (balanceo)",
    "digital": "interacción digital",
    "appointment_copropiedad": "cita copropiedad",
    "appointment_cliente_interno": "cita cliente interno",
}


def _fmt(value: float, digits: int = 0) -> str:
    return "—" if value != value else f"{value:.{digits}f}"  # NaN → —


def _print_assumption() -> None:
    print(
        f"Supuesto «10× el día real más cargado»: cantidad del día más cargado ÷ {SERVICE_HOURS} h "
        f"de atención × {PEAK_HOUR_FACTOR:.0f} (la hora pico lleva el doble de la hora media) "
        f"× {MULTIPLIER}, con {N_OFFICES} oficinas:"
    )
    for flow in FLOWS:
        label, count, per = DAY[flow]
        total = _day_count(flow)
        per_text = (
            f"{count} por oficina × {N_OFFICES} = {total}" if per == "oficina" else f"{total}"
        )
        print(
            f"  {label}: {per_text}/día → {total} ÷ {SERVICE_HOURS * 60} min × "
            f"{PEAK_HOUR_FACTOR:.0f} × {MULTIPLIER} = {target_rate(flow) * 60:.1f}/min "
            f"= {target_rate(flow):.2f}/s"
        )
    total = sum(target_rate(f) for f in FLOWS)
    print(f"  en total {total:.2f} flujos/s ({total * 3600:,.0f} por hora)".replace(",", "."))


def _print_phase(p: Phase) -> None:
    paced = p.mode == "paced"
    title = "a ritmo (10× el día pico)" if paced else "de saturación (sin pausa, lazo cerrado)"
    print(
        f"fase {title}: {p.window:.1f} s medidos, {p.results['users']} usuarios de locust, "
        f"{p.requests_rate():.1f} peticiones HTTP/s"
    )
    head = f"  {'flujo':<27}" + (f"{'objetivo/s':>11}" if paced else "")
    print(
        head + f"{'logrado/s':>10}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'errores':>8}"
        f"{'confirmados':>12}{'guardados':>10}{'perdidos':>9}{'duplicados':>11}"
    )
    for flow in FLOWS:
        ms = p.flow_ms(flow)
        c = p.checks[flow]
        row = f"  {SHORT[flow]:<27}" + (f"{target_rate(flow):>11.2f}" if paced else "")
        print(
            row + f"{p.rate(flow):>10.2f}{len(ms):>6}{_fmt(percentile(ms, 50)):>9}"
            f"{_fmt(percentile(ms, 95)):>9}{p.errors(flow):>8}{c['submitted']:>12}"
            f"{c['stored']:>10}{c['lost']:>9}{c['duplicated']:>11}"
        )
    intake = p.checks["intake"]
    assign = intake["assign_seconds"]
    print(
        f"  registro → asignación (assigned_at − created_at): n {len(assign)}, p50 "
        f"{_fmt(percentile(assign, 50), 2)} s, p95 {_fmt(percentile(assign, 95), 2)} s, máx "
        f"{_fmt(max(assign) if assign else float('nan'), 2)} s (incluye la espera a propósito de "
        f"ASSIGNMENT_DELAY_SECONDS = {settings.ASSIGNMENT_DELAY_SECONDS:g} s que junta la ráfaga "
        f"en una ronda); sin asignar tras "
        f"{DRAIN_SECONDS:.0f} s: {intake['unassigned']}; sin respuesta del servidor: "
        f"{intake['unanswered']} (guardados de ellos: {intake['unanswered_stored']})"
    )
    digital = p.checks["digital"]
    proc = digital["process_seconds"]
    kiosk, cell = p.checks["kiosk"], p.checks["cell"]
    print(
        f"  mensaje → interacción (worker): p95 {_fmt(percentile(proc, 95), 2)} s, sin procesar "
        f"{digital['pending']}; turnos a módulo sin emparejar al cortar {kiosk['pending']}, "
        f"emparejamientos que tardaron más de 15 s {kiosk['late']}; turnos por celular sin "
        f"llamar al cortar {cell['pending']}"
    )
    print(f"  {'petición':<44}{'n':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errores':>8}")
    for name in sorted(p.results["requests"]):
        samples = p.results["requests"][name]
        ms = [s[1] for s in samples]
        in_window = sum(1 for s in samples if p.results["t_start"] <= s[0] <= p.results["t_stop"])
        errors = sum(1 for s in samples if is_error(name, s[2]))
        print(
            f"  {name:<44}{len(ms):>6}{in_window / p.window if p.window else 0:>8.1f}"
            f"{_fmt(percentile(ms, 50)):>9}{_fmt(percentile(ms, 95)):>9}{errors:>8}"
        )
    cpu = p.cpu
    print(
        f"  CPU (núcleos de 2): generador de carga {cpu['generator']:.2f}, servidor ASGI "
        f"{cpu['web']:.2f}, Celery {cpu['celery']:.2f}, PostgreSQL {cpu['postgres']:.2f}*, "
        f"Redis {cpu['redis']:.2f}*; máquina {cpu['machine']:.2f} "
        f"({cpu['machine_share']:.0%} ocupada)"
    )
    rate = p.requests_rate()
    if rate:
        ms = {k: cpu[k] / rate * 1000 for k in ("web", "postgres", "celery", "generator")}
        print(
            f"  CPU por petición HTTP: servidor ASGI {ms['web']:.1f} ms, PostgreSQL "
            f"{ms['postgres']:.1f} ms*, Celery {ms['celery']:.1f} ms, generador de carga "
            f"{ms['generator']:.1f} ms"
        )
    if p.results["errors"]:
        print(f"  primer error: {p.results['errors'][0]}")


def _bound_text(sat1: Phase, sat2: Phase) -> str:
    cpu1, cpu2 = sat1.cpu, sat2.cpu
    mine = ("web", "celery", "postgres", "redis", "generator")
    rest2 = max(0.0, cpu2["machine"] - sum(cpu2[k] for k in mine))
    per_core = [
        p.requests_rate() / p.cpu["web"] if p.cpu["web"] else float("nan") for p in (sat1, sat2)
    ]
    text = (
        f"máquina ocupada {cpu1['machine_share']:.0%} con 1 worker y "
        f"{cpu2['machine_share']:.0%} con 2; con 2 workers los 2 núcleos se repartieron: "
        f"servidor ASGI {cpu2['web']:.2f}, PostgreSQL {cpu2['postgres']:.2f}*, Celery "
        f"{cpu2['celery']:.2f}, generador de carga {cpu2['generator']:.2f}, Redis "
        f"{cpu2['redis']:.2f}*, otros procesos de la máquina {rest2:.2f}; el servidor obtuvo "
        f"{cpu1['web']:.2f} núcleos con 1 worker y {cpu2['web']:.2f} con 2 "
        f"(×{cpu2['web'] / max(cpu1['web'], 0.01):.2f}), y atendió {_fmt(per_core[0])} y "
        f"{_fmt(per_core[1])} peticiones por segundo por núcleo"
    )
    if cpu2["machine_share"] >= 0.85:
        return (
            text + ": la máquina estaba llena, el segundo worker no tiene un núcleo propio — lo "
            "acota la CPU de estos 2 núcleos compartidos (el generador de carga no: usó "
            f"{cpu2['generator']:.2f} núcleos)"
        )
    return text + ": la máquina no estaba llena — lo acota el servidor mismo (esperas, bloqueos)"


def _report(scene: Scene, phases: list[Phase], wall: float, loads: tuple) -> bool:
    by = {(p.web, p.mode): p for p in phases}
    print()
    print("== Escalado: fase de saturación, 2 workers ÷ 1 worker ==")
    print(f"  {'flujo':<27}{'1 worker/s':>11}{'2 workers/s':>12}{'razón':>8}")
    sat1, sat2 = by[1, "saturation"], by[2, "saturation"]
    ratios = {}
    for flow in FLOWS:
        one, two = sat1.rate(flow), sat2.rate(flow)
        ratios[flow] = two / one if one else float("nan")
        print(f"  {SHORT[flow]:<27}{one:>11.2f}{two:>12.2f}{_fmt(ratios[flow], 2):>8}")
    req1, req2 = sat1.requests_rate(), sat2.requests_rate()
    total_ratio = req2 / req1 if req1 else 0.0
    print(f"  {'todas las peticiones HTTP':<27}{req1:>11.1f}{req2:>12.1f}{total_ratio:>8.2f}")

    lost = sum(p.checks[f]["lost"] for p in phases for f in FLOWS)
    duplicated = sum(p.checks[f]["duplicated"] for p in phases for f in FLOWS)
    unassigned = sum(p.checks["intake"]["unassigned"] for p in phases)
    p95s = {
        web: percentile(by[web, "paced"].checks["intake"]["assign_seconds"], 95) for web in (1, 2)
    }
    paced_ok = {
        web: all(by[web, "paced"].rate(f) >= TARGET_PACE * target_rate(f) for f in FLOWS)
        for web in (1, 2)
    }
    assign_ok = all(v == v and v < TARGET_ASSIGN_P95_S for v in p95s.values()) and all(
        paced_ok.values()
    )
    scaling_ok = all(r == r and r >= TARGET_SCALING for r in ratios.values())
    verdict = lambda ok: "CUMPLE" if ok else "NO CUMPLE"  # noqa: E731
    print()
    print("== Objetivos ==")
    print(f"perdidos (confirmados − guardados), todas las fases y flujos: {lost}   "
          f"{verdict(lost == 0)}")  # fmt: skip
    print(
        f"duplicados (registro dos veces, turno tomado o emparejado dos veces, mensaje o "
        f"interacción doble, cita superpuesta): {duplicated}   {verdict(duplicated == 0)}"
    )
    print(f"registros sin asignar al final: {unassigned}   {verdict(unassigned == 0)}")
    print(
        "registro → asignación p95 al ritmo 10× (objetivo < 2 s; el ritmo logrado ≥ "
        f"{TARGET_PACE:.0%} del objetivo en cada flujo): 1 worker {_fmt(p95s[1], 2)} s "
        f"(ritmo {'alcanzado' if paced_ok[1] else 'NO alcanzado'}), 2 workers "
        f"{_fmt(p95s[2], 2)} s (ritmo {'alcanzado' if paced_ok[2] else 'NO alcanzado'})   "
        f"{verdict(assign_ok)}"
    )
    worst = min(ratios, key=lambda f: ratios[f] if ratios[f] == ratios[f] else -1)
    print(
        f"razón de escalado ≥ {TARGET_SCALING} en cada flujo: la menor {_fmt(ratios[worst], 2)} "
        f"({SHORT[worst]}), todas las peticiones {total_ratio:.2f}   {verdict(scaling_ok)}"
    )
    if not scaling_ok:
        print(f"  lo que la acota: {_bound_text(sat1, sat2)}")
    print(
        "  * PostgreSQL y Redis: sus servidores enteros, con el trabajo de otras sesiones en la "
        "misma máquina"
    )
    print(
        f"carga de la máquina (uptime, 1/5/15 min): al empezar {loads[0][0]:.2f} / "
        f"{loads[0][1]:.2f} / {loads[0][2]:.2f}, al terminar {loads[1][0]:.2f} / "
        f"{loads[1][1]:.2f} / {loads[1][2]:.2f}; {wall:.0f} s en total"
    )
    ok = lost == 0 and duplicated == 0 and unassigned == 0 and assign_ok and scaling_ok
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok


# --- run --------------------------------------------------------------------------------------


def run() -> bool:
    return db.run_reported("== Simulación de un día pico (issue 15, punto 4) ==", _run)


def _run() -> bool:
    started = time.monotonic()
    load_start = os.getloadavg()
    redis_url = _redis_url()
    python = _locust_python()
    version = subprocess.run(
        [python, "-m", "locust", "--version"], capture_output=True, text=True, check=False
    ).stdout.split(" from ")[0].strip()  # fmt: skip
    print("== Simulación de un día pico (issue 15, punto 4) ==")
    _print_assumption()
    t0 = time.monotonic()
    scene = _setup()
    c = scene.counts
    print(
        f"Escenario: {N_OFFICES} oficinas (orientador, encargado y un módulo conectado por "
        f"websocket cada una; {METRO_SHARE:.0%} de la unidad metropolitana, el resto regional), "
        f"{c['techs']} tecnólogos: {c['pool']} en los grupos de desborde de las dos unidades, "
        f"{c['cell']} en la taquilla por celular ({CELL_TECHS_PER_OFFICE} por "
        f"oficina), {c['kiosk']} de balanceo con websocket ({KIOSK_OFFICES_PER_TECH} oficinas "
        f"cada uno), {c['agenda']} en la agenda; {N_CREADORES} creadores, {N_EMPLOYEES} "
        f"empleados (cliente interno); preparado en {time.monotonic() - t0:.0f} s"
    )
    print(
        f"Carga: {version} (FastHttpUser + websocket-client) en {HOST}; por configuración, "
        f"{PACED_SECONDS} s a ritmo y {SATURATION_SECONDS} s de saturación; servidor gunicorn "
        "+ uvicorn (config.asgi, DEBUG off, capa de canales Redis pub/sub), workers de Celery "
        f"-P solo en Redis ({redis_url})"
    )
    phases: list[Phase] = []
    phase_no = 0
    with tempfile.TemporaryDirectory(prefix="bench-peak-") as workdir:
        media = os.path.join(workdir, "media")
        os.mkdir(media)
        keep_logs = False
        for web_n, celery_n in CONFIGS:
            _wipe()
            port = _free_port()
            log_path = os.path.join(workdir, f"servidor-{web_n}.log")
            with open(log_path, "w", encoding="utf-8") as log:
                web = _start_web(port, web_n, _env(redis_url, media, worker=False), log)
                workers = _start_workers(celery_n, _env(redis_url, media, worker=True), log)
                try:
                    _wait_ready(web, workers, port, redis_url)
                    _warm(port, scene, web_n)
                    meter = CpuMeter(web, workers, redis_url)
                    print()
                    print(
                        f"-- {web_n} worker{'s' if web_n > 1 else ''} ASGI (gunicorn + uvicorn) "
                        f"y {celery_n} worker{'s' if celery_n > 1 else ''} de Celery --"
                    )
                    for mode, seconds in (("paced", PACED_SECONDS),
                                          ("saturation", SATURATION_SECONDS)):  # fmt: skip
                        phase_no += 1
                        results, before, after = _locust(
                            python, _scenario(scene, port, phase_no, mode), seconds, workdir, meter
                        )
                        _drain(results)
                        phase = Phase(
                            mode=mode, web=web_n, celery=celery_n, results=results,
                            checks=_checks(results, phase_no),
                            cpu=CpuMeter.delta(before, after, results),
                            window=max(0.0, results["t_stop"] - results["t_start"]),
                        )  # fmt: skip
                        phases.append(phase)
                        _print_phase(phase)
                        if phase.results["errors"]:
                            keep_logs = True
                        _between_phases()
                finally:
                    _stop(web)
                    for worker in workers:
                        _stop(worker)
        if keep_logs:
            kept = tempfile.mkdtemp(prefix="bench-peak-registros-")
            for name in os.listdir(workdir):
                if name.endswith(".log"):
                    os.replace(os.path.join(workdir, name), os.path.join(kept, name))
            print(f"registros de locust y del servidor: {kept}")
    return _report(scene, phases, time.monotonic() - started, (load_start, os.getloadavg()))
