"""Balancing (issue 12, item 5, BAL-03): how long from the event that makes a match possible to
both parties' pages receiving ``video.connect`` over their live sockets, end to end, on the
production shape.

The server: uvicorn (``WORKERS`` processes, DEBUG off, a database connection per request as
Django advises under ASGI) serves ``config.asgi`` on a free loopback port against the bench
database, with REDIS_URL set, so the live layer is Channels' Redis pub/sub layer shared by the
workers (``BENCH_REDIS_URL``, else the REDIS_URL given to ``make bench``, else the local Redis;
a channel prefix and a Celery queue of this run only). The clients, in this process (asyncio):
``N_TECHS`` technologists, rostered in balanceo today into three of ``N_OFFICES`` offices each,
shift check done (audio, video, printer), "disponible", each with a real websocket to
``/ws/live/`` signed in with a session cookie (sessions created directly, signed with the
server's key); ``KIOSKS_PER_OFFICE`` kiosks an office, each with a websocket signed in with its
device cookie — which is what turns a kiosk "conectado" — and a heartbeat. Every write goes
through the HTTP API (token auth), so every matching round runs in the server.

Before anything is timed, ``WARMUP_REQUESTS`` untimed turns declined by their customer and status
reads warm the server up (its first requests after start-up pay for lazy imports and each pooled
connection's first queries). Two flows are timed, each from just before the HTTP request to the
later of the two sockets (technologist, kiosk) receiving ``video.connect`` for the new session:

- arrival: the office's encargado records that a waiting customer accepts virtual attention
  (``POST /api/v1/turns/{id}/virtual-consent/``) while technologists are idle
  (``ARRIVAL_CLIENTS`` offices at a time, each giving the turn and asking at once);
- "terminar": with a backlog of accepted customers, every technologist attends (an untimed
  pause of ``ATTENTION_SECONDS`` and the case through ``POST …/case/``) and presses "Terminar"
  (``POST …/finish/``): the next customer is matched to them at once. All technologists work
  at the same time. A real attention takes minutes; 4–12 s makes the load some thirty times
  the real one (about six matches and twelve writes a second) while the run stays short.

The baseline, measured in the same run over the same sockets and server: a websocket ``echo``
round trip, at rest before the load and sampled every ``ECHO_EVERY_SECONDS`` along the load.
Targets (issue 12): p95 of all matches < 1 s and ≤ ``TARGET_RATIO`` × the echo's p95 under the
same load; every match arrives (none lost or later than ``MATCH_TIMEOUT``), no turn matched
twice, no technologist with two customers at once. The query counts of a round (with a pair,
empty) and of "terminar" with its rounds after commit are measured in this process and printed.
"""

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import random
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
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from balanceo.models import BalanceSeat
from bench import db
from core.authentication import token_issue
from core.live.auth import KIOSK_COOKIE, key_hash
from core.models import (
    Kiosk,
    Office,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    TransactionType,
    Turn,
    TurnEvent,
    TurnStatus,
    User,
    VideoSession,
    VideoSessionStatus,
    WorkMode,
)
from core.roles import Role

HOST = "127.0.0.1"
WORKERS = 2
N_OFFICES = 20
KIOSKS_PER_OFFICE = 3
N_TECHS = 50
OFFICES_PER_TECH = 3
ARRIVALS = 40
ARRIVAL_CLIENTS = 5
BACKLOG = 320
BACKLOG_CLIENTS = 10
MIN_FINISH_MATCHES = 200
ATTENTION_SECONDS = (4.0, 12.0)  # the untimed attention before the case and "Terminar"
ECHO_AT_REST = 200
WARMUP_REQUESTS = 20
ECHO_EVERY_SECONDS = 0.02
MATCH_TIMEOUT = 10.0
DEADLINE_SECONDS = 240.0
HEARTBEAT_SECONDS = 10.0
READY_SECONDS = 30.0
TARGET_P95_MS = 1000.0
TARGET_RATIO = 5.0

PREFIX = "bench_bal_"
OFFICE_CODE = "BB"
TRANSACTION = "duplicado-de-factura"
RUN = f"bench-bal-{os.getpid()}"
#: The server's secret key: the sessions created here must be signed with it.
SECRET_KEY = secrets.token_urlsafe(64)


# --- figures --------------------------------------------------------------------------------------


@dataclass
class Series:
    label: str
    times: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.times.append(seconds)

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        rank = max(1, -(-len(ordered) * p // 100))
        return ordered[int(rank) - 1] * 1000

    def row(self) -> str:
        worst = max(self.times) * 1000 if self.times else float("nan")
        return (
            f"{self.label:<44}{len(self.times):>6}{self.percentile(50):>9.1f}"
            f"{self.percentile(95):>9.1f}{worst:>9.1f}"
        )


# --- the scene (bench database, this process) ----------------------------------------------


@dataclass
class Scene:
    offices: list[dict]  # id, code, token (the encargado's)
    techs: list[dict]  # id, token, cookie
    kiosks: list[dict]  # id, office, cookie


def _wipe() -> None:
    db.wipe_cases()  # cases, and the turns, events and video sessions that hang on them
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE core_turnevent, core_turn, core_videosession, balanceo_balanceseat, "
            "core_rosterentry, core_historicalrosterentry, core_shiftcheck, core_rosternotice "
            "RESTART IDENTITY CASCADE"
        )
    Kiosk.objects.filter(office__code__startswith=OFFICE_CODE).update(
        is_on=False, live_channel="", last_seen_at=None
    )


def _user(username: str, role: str, office: Office, **extra) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"home_office": office})
    user.home_office = office
    user.is_active = True
    user.first_name = extra.get("first_name", username)
    user.work_mode = extra.get("work_mode", "")
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def _session_cookie(user: User) -> str:
    """A signed-in session created directly, as the login page would leave it (signed with the
    server's secret key)."""
    with override_settings(SECRET_KEY=SECRET_KEY):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _office(code: str, name: str, technologists: int) -> Office:
    office, _ = Office.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "unit": "metropolitano",
            "zone": "Benchmark",
            "technologist_count": technologists,
            "has_orientador": True,
            "active": True,
        },
    )
    return office


def _setup() -> Scene:
    _wipe()
    today = timezone.localdate()
    now = timezone.now()
    home = _office(f"{OFFICE_CODE}-CASA", "Oficina Balanceo (casa de los tecnólogos)", 1)
    offices, kiosks = [], []
    for n in range(1, N_OFFICES + 1):
        # More than one technologist of its own: the office takes as many as its kiosks on.
        office = _office(f"{OFFICE_CODE}{n:02d}", f"Oficina Balanceo {n:02d}", 3)
        encargado = _user(f"{PREFIX}enc_{n:02d}", Role.ENCARGADO, office)
        offices.append(
            {"id": office.pk, "code": office.code, "token": token_issue(user=encargado).key}
        )
        for k in range(1, KIOSKS_PER_OFFICE + 1):
            kiosk, _ = Kiosk.objects.get_or_create(office=office, label=f"Módulo {k}")
            key = secrets.token_urlsafe(32)
            kiosk.device_key_hash = key_hash(key)
            kiosk.active = True
            kiosk.save()
            kiosks.append(
                {"id": kiosk.pk, "office": office.pk, "cookie": f"{KIOSK_COOKIE}={kiosk.pk}.{key}"}
            )
    techs, entries, checks, seats = [], [], [], []
    for i in range(N_TECHS):
        # Technologists work from an office of their own (the case's "oficina"), never one they
        # support: see the report on core's turn_case_open lock.
        tech = _user(
            f"{PREFIX}tec_{i:04d}", Role.TECNOLOGO, home, first_name=f"Tecnólogo {i:02d}",
            work_mode=WorkMode.HOME,
        )  # fmt: skip
        for step in (0, 7, 13)[:OFFICES_PER_TECH]:
            entries.append(
                RosterEntry(
                    day=today,
                    technologist=tech,
                    office_id=offices[(i + step) % N_OFFICES]["id"],
                    modality=RemoteModality.BALANCEO,
                )
            )
        checks.append(
            ShiftCheck(
                technologist=tech,
                day=today,
                audio_ok=True,
                video_ok=True,
                printer_ok=True,
                checked_at=now,
            )  # fmt: skip
        )
        seats.append(
            BalanceSeat(
                technologist=tech,
                day=today,
                available=True,
                idle_since=now - dt.timedelta(seconds=N_TECHS - i),
            )  # fmt: skip
        )
        techs.append(
            {"id": tech.pk, "token": token_issue(user=tech).key, "cookie": _session_cookie(tech)}
        )
    RosterEntry.objects.bulk_create(entries)
    ShiftCheck.objects.bulk_create(checks)
    BalanceSeat.objects.bulk_create(seats)
    return Scene(offices=offices, techs=techs, kiosks=kiosks)


# --- the server -----------------------------------------------------------------------------------


def _redis_url() -> str:
    return db.redis_url("el balanceo")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _start_server(port: int, redis_url: str, log) -> subprocess.Popen:
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
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
        # Under ASGI every request and socket handler runs in a thread of its own: persistent
        # connections would pile up one per thread (Django's advice: CONN_MAX_AGE=0 with ASGI).
        DATABASE_CONN_MAX_AGE="0",
    )
    cmd = [
        sys.executable, "-m", "uvicorn", "config.asgi:application",
        "--host", HOST, "--port", str(port), "--workers", str(WORKERS),
        "--log-level", "warning", "--no-access-log", "--lifespan", "off",
    ]  # fmt: skip
    return subprocess.Popen(
        cmd,
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole at the end
    )


def _stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- the clients (asyncio) ------------------------------------------------------------------------


async def _http(port: int, method: str, path: str, body=None, token: str = ""):
    """One HTTP/1.1 request on its own loopback connection: (status, JSON body or None)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    data = json.dumps(body).encode() if body is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Connection: close",
        "Accept: application/json",
    ]
    if token:
        lines.append(f"Authorization: Token {token}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        chunks, rest = [], payload
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            chunks.append(rest[:size])
            rest = rest[size + 2 :]
        payload = b"".join(chunks)
    try:
        return status, json.loads(payload) if payload else None
    except ValueError:
        return status, None


@dataclass
class Session:
    turn: str = ""
    tech: tuple[int, float] | None = None
    kiosk: tuple[int, float] | None = None
    both: asyncio.Event = field(default_factory=asyncio.Event)


class Live:
    """What the sockets received: video.connect per session, echoes by id."""

    def __init__(self, tech_ids):
        self.sessions: dict[int, Session] = defaultdict(Session)
        self.by_turn: dict[str, int] = {}
        self.turn_matched: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.queues = {tech_id: asyncio.Queue() for tech_id in tech_ids}
        self.echoes: dict[int, asyncio.Future] = {}
        self.hello: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.errors: list[str] = []

    def received(self, party: str, ident: int, message: dict, at: float) -> None:
        kind = message.get("type")
        if kind == "hello":
            self.hello[f"{party}{ident}"].set()
        elif kind == "echo":
            future = self.echoes.pop(message.get("data"), None)
            if future is not None and not future.done():
                future.set_result(at)
        elif kind == "video.connect":
            sid = message["session"]
            session = self.sessions[sid]
            session.turn = message.get("turn", "")
            setattr(session, party, (ident, at))
            if party == "tech":
                self.queues[ident].put_nowait(sid)
            if session.tech and session.kiosk:
                session.both.set()
                self.by_turn[session.turn] = sid
                self.turn_matched[session.turn].set()
        elif kind == "error":
            self.errors.append(f"{party} {ident}: {message.get('message')}")


async def _socket(port: int, cookie: str, party: str, ident: int, live: Live):
    from websockets.asyncio.client import connect

    # The kiosk page's socket carries ?role=kiosk: only it turns its kiosk on (docs/live.md).
    path = "/ws/live/?role=kiosk" if party == "kiosk" else "/ws/live/"
    ws = await connect(
        f"ws://{HOST}:{port}{path}",
        additional_headers={"Cookie": cookie},
        origin=f"http://{HOST}:{port}",
        proxy=None,
        ping_interval=None,
        max_queue=None,
        compression=None,
    )

    async def read():
        with contextlib.suppress(Exception):
            async for raw in ws:
                live.received(party, ident, json.loads(raw), time.perf_counter())

    return ws, asyncio.get_running_loop().create_task(read())


_echo_ids = itertools.count(1)


async def _echo(ws, live: Live) -> float:
    n = next(_echo_ids)
    future = asyncio.get_running_loop().create_future()
    live.echoes[n] = future
    t0 = time.perf_counter()
    await ws.send(json.dumps({"type": "echo", "data": n}))
    return await asyncio.wait_for(future, 5) - t0


@dataclass
class Result:
    echo_rest: Series
    echo_load: Series
    arrivals: Series
    arrival_http: Series
    finishes: Series
    finish_http: Series
    late: int = 0
    http_errors: list[str] = field(default_factory=list)
    finish_wall: float = 0.0  # the "terminar" phase, start to end
    finish_requests: int = 0  # cases + "terminar" sent in that phase


async def _measure(port: int, scene: Scene) -> Result:
    live = Live([t["id"] for t in scene.techs])
    result = Result(
        echo_rest=Series("eco websocket en reposo"),
        echo_load=Series("eco websocket durante la carga"),
        arrivals=Series("llegada: consentimiento «acepta» (HTTP)"),
        arrival_http=Series("  de ello, la respuesta HTTP del consentimiento"),
        finishes=Series("«terminar» (HTTP) → siguiente cliente"),
        finish_http=Series("  de ello, la respuesta HTTP de «terminar»"),
    )
    sockets = []
    for kiosk in scene.kiosks:
        sockets.append(await _socket(port, kiosk["cookie"], "kiosk", kiosk["id"], live))
    tech_ws = {}
    for tech in scene.techs:
        ws, task = await _socket(port, tech["cookie"], "tech", tech["id"], live)
        sockets.append((ws, task))
        tech_ws[tech["id"]] = ws
    hellos = [live.hello[f"kiosk{k['id']}"].wait() for k in scene.kiosks]
    hellos += [live.hello[f"tech{t['id']}"].wait() for t in scene.techs]
    await asyncio.wait_for(asyncio.gather(*hellos), 30)
    kiosk_ws = [ws for ws, _ in sockets[: len(scene.kiosks)]]

    async def heartbeat():
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            for ws in kiosk_ws:
                with contextlib.suppress(Exception):
                    await ws.send(json.dumps({"type": "ping"}))

    beat = asyncio.get_running_loop().create_task(heartbeat())
    turn_ids: dict[str, int] = {}
    customers = itertools.count(1)

    async def new_turn(office: dict) -> dict:
        status, body = await _http(
            port, "POST", f"/api/v1/offices/{office['id']}/turns/",
            {"transaction_type": TRANSACTION, "accepts_remote": False}, office["token"],
        )  # fmt: skip
        if status != 201:
            raise RuntimeError(f"turno: HTTP {status} {body}")
        turn_ids[body["number"]] = body["id"]
        return body

    async def accept(office: dict, turn: dict, accepts: bool = True) -> None:
        status, body = await _http(
            port, "POST", f"/api/v1/turns/{turn['id']}/virtual-consent/", {"accepts": accepts},
            office["token"],
        )  # fmt: skip
        if status != 200:
            raise RuntimeError(f"consentimiento: HTTP {status} {body}")

    # Warm-up (untimed): the figures are of a running server, not of its first requests after
    # start-up (lazy imports, the URL conf, each pooled connection's first queries). Customers
    # who decline virtual attention exercise the same requests without a match; technologists
    # read their balancing status.
    for i in range(WARMUP_REQUESTS):
        office = scene.offices[i % N_OFFICES]
        await accept(office, await new_turn(office), accepts=False)
        tech = scene.techs[i % len(scene.techs)]
        status, body = await _http(port, "GET", "/api/v1/balanceo/status/", token=tech["token"])
        if status != 200:
            raise RuntimeError(f"estado: HTTP {status} {body}")

    techs_ws = list(tech_ws.values())
    for i in range(ECHO_AT_REST):
        result.echo_rest.add(await _echo(techs_ws[i % len(techs_ws)], live))

    stop_echo = asyncio.Event()

    async def echo_sampler():
        for i in itertools.count():
            if stop_echo.is_set():
                return
            with contextlib.suppress(asyncio.TimeoutError):
                result.echo_load.add(await _echo(techs_ws[i % len(techs_ws)], live))
            await asyncio.sleep(ECHO_EVERY_SECONDS)

    sampler = asyncio.get_running_loop().create_task(echo_sampler())
    # Arrivals: technologists idle, a customer accepts; timed to both video.connect.
    arrivals = [scene.offices[i % N_OFFICES] for i in range(ARRIVALS)]

    async def arrival_client():
        while arrivals:
            office = arrivals.pop(0)
            turn = await new_turn(office)
            t0 = time.perf_counter()
            await accept(office, turn)
            result.arrival_http.add(time.perf_counter() - t0)
            try:
                await asyncio.wait_for(live.turn_matched[turn["number"]].wait(), MATCH_TIMEOUT)
            except TimeoutError:
                result.late += 1
                continue
            session = live.sessions[live.by_turn[turn["number"]]]
            result.arrivals.add(max(session.tech[1], session.kiosk[1]) - t0)

    await asyncio.gather(*(arrival_client() for _ in range(ARRIVAL_CLIENTS)))

    # The backlog (untimed): everyone busy or about to be; customers wait in every office.
    backlog = [scene.offices[i % N_OFFICES] for i in range(BACKLOG)]

    async def backlog_client():
        while backlog:
            office = backlog.pop(0)
            await accept(office, await new_turn(office))

    await asyncio.gather(*(backlog_client() for _ in range(BACKLOG_CLIENTS)))

    # "Terminar": every technologist attends and finishes; timed to the next video.connect.
    done = asyncio.Event()
    deadline = time.monotonic() + DEADLINE_SECONDS

    async def technologist(tech: dict):
        rng = random.Random(tech["id"])
        queue = live.queues[tech["id"]]
        try:
            current = await asyncio.wait_for(queue.get(), MATCH_TIMEOUT)
        except TimeoutError:
            return
        while not done.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(*ATTENTION_SECONDS))
            turn_id = turn_ids.get(live.sessions[current].turn)
            n = next(customers)
            customer = {
                "document_type": "CC",
                "document_number": f"72{n:08d}",
                "full_name": f"Cliente {n}",
            }
            status, body = await _http(
                port, "POST", f"/api/v1/balanceo/turns/{turn_id}/case/",
                {"customer": customer, "kind": "PED"}, tech["token"],
            )  # fmt: skip
            result.finish_requests += 1
            if status != 201:
                result.http_errors.append(f"caso: HTTP {status} {body}")
                return
            if done.is_set():
                return
            t0 = time.perf_counter()
            status, body = await _http(
                port, "POST", f"/api/v1/balanceo/turns/{turn_id}/finish/",
                {"outcome": "atendido"}, tech["token"],
            )  # fmt: skip
            result.finish_http.add(time.perf_counter() - t0)
            result.finish_requests += 1
            if status != 200:
                result.http_errors.append(f"terminar: HTTP {status} {body}")
                return
            try:
                current = await asyncio.wait_for(queue.get(), MATCH_TIMEOUT)
                session = live.sessions[current]
                await asyncio.wait_for(session.both.wait(), MATCH_TIMEOUT)
            except TimeoutError:
                result.late += 1
                return
            result.finishes.add(max(session.tech[1], session.kiosk[1]) - t0)
            if len(result.finishes.times) >= MIN_FINISH_MATCHES:
                done.set()

    phase = time.perf_counter()
    await asyncio.gather(*(technologist(t) for t in scene.techs))
    result.finish_wall = time.perf_counter() - phase
    stop_echo.set()
    await sampler
    beat.cancel()
    for ws, task in sockets:
        with contextlib.suppress(Exception):
            await ws.close()
        task.cancel()
    result.http_errors += live.errors
    return result


# --- checks and query counts (this process, after the server stopped) ---------------------------


def _integrity() -> dict[str, int]:
    twice = (
        TurnEvent.objects.filter(kind=TurnEvent.Kind.BALANCEO)
        .values("turn_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    overlaps = 0
    by_tech = defaultdict(list)
    for tech_id, start, end in VideoSession.objects.values_list(
        "technologist_id", "created_at", "ended_at"
    ):
        by_tech[tech_id].append((start, end or timezone.now()))
    for intervals in by_tech.values():
        intervals.sort()
        overlaps += sum(1 for a, b in itertools.pairwise(intervals) if b[0] < a[1])
    wrong = sum(
        1
        for s in VideoSession.objects.select_related("turn")
        if s.turn is None or s.turn.called_by_id != s.technologist_id
    )
    return {"twice": twice, "overlaps": overlaps, "wrong": wrong}


def _query_counts() -> tuple[int, int, int]:
    """Queries of a round with one pair, of an empty round, and of "Terminar" with the rounds
    it runs after commit — the same code the server runs."""
    from balanceo.services import balance_case_open, balance_match_round, balance_turn_finish
    from core.services.turns import turn_create, turn_virtual_consent

    BalanceSeat.objects.update(available=False)
    office = Office.objects.get(code=f"{OFFICE_CODE}01")
    tech = User.objects.get(username=f"{PREFIX}tec_0000")
    encargado = User.objects.get(username=f"{PREFIX}enc_01")
    kiosks = Kiosk.objects.filter(office__code__startswith=OFFICE_CODE)
    kiosks.update(is_on=True, last_seen_at=timezone.now())
    # Whatever the run left in attention is over: kiosks and the technologist are free.
    Turn.objects.filter(status__in=TurnStatus.active()).update(status=TurnStatus.ATENDIDO)
    VideoSession.objects.filter(status__in=VideoSessionStatus.open()).update(
        status=VideoSessionStatus.FINALIZADA
    )
    turn_virtual_consent(
        turn=turn_create(
            office=office,
            transaction_type=TransactionType.objects.get(code=TRANSACTION),
            accepts_remote=False,
            by=encargado,
        ),
        accepts=True,
        by=encargado,
    )
    BalanceSeat.objects.filter(technologist=tech).update(available=True)
    with CaptureQueriesContext(connection) as pair:
        (match,) = balance_match_round()
    with CaptureQueriesContext(connection) as empty:
        assert balance_match_round() == []
    turn = Turn.objects.get(pk=match.turn_id)
    customer = {"document_type": "CC", "document_number": "7300000001", "full_name": "Cliente Q"}
    balance_case_open(turn=turn, by=tech, customer=customer, kind="PED")
    with CaptureQueriesContext(connection) as finish:
        balance_turn_finish(turn=turn, by=tech, outcome="atendido")
    BalanceSeat.objects.update(available=False)
    kiosks.update(is_on=False)
    return len(pair), len(empty), len(finish)


# --- run ------------------------------------------------------------------------------------------


def run() -> bool:
    return db.run_reported(
        "== Balanceo: emparejamiento automático hasta video.connect (issue 12, punto 5) ==", _run
    )


def _wait_ready(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn terminó al arrancar (código {proc.returncode})")
        with contextlib.suppress(OSError, ValueError, IndexError):
            status, _ = asyncio.run(_http(port, "GET", "/healthz"))
            if status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn no respondió /healthz en {READY_SECONDS:.0f} s")


def _run() -> bool:
    redis_url = _redis_url()
    scene = _setup()
    port = _free_port()
    with tempfile.NamedTemporaryFile(prefix="bench-uvicorn-", suffix=".log", delete=False) as log:
        proc = _start_server(port, redis_url, log)
        try:
            _wait_ready(proc, port)
            started = time.perf_counter()
            result = asyncio.run(_measure(port, scene))
            wall = time.perf_counter() - started
        except RuntimeError as exc:
            raise RuntimeError(f"{exc} (registro de uvicorn: {log.name})") from exc
        finally:
            _stop_server(proc)
    checks = _integrity()
    pair_q, empty_q, finish_q = _query_counts()

    matches = Series("todos los emparejamientos")
    matches.times = result.arrivals.times + result.finishes.times
    echo_p95 = result.echo_load.percentile(95)
    ratio = matches.percentile(95) / echo_p95 if echo_p95 else float("inf")
    print("== Balanceo: emparejamiento automático hasta video.connect (issue 12, punto 5) ==")
    print(
        f"uvicorn en {HOST}:{port}, {WORKERS} workers, DEBUG off, capa de canales Redis pub/sub; "
        f"{N_OFFICES} oficinas × {KIOSKS_PER_OFFICE} módulos conectados (websocket con cookie de "
        f"dispositivo), {N_TECHS} tecnólogos (websocket con cookie de sesión, {OFFICES_PER_TECH} "
        f"oficinas cada uno); atención de {ATTENTION_SECONDS[0]:.0f}–{ATTENTION_SECONDS[1]:.0f} s "
        f"antes de «terminar»; {wall:.1f} s en total"
    )
    if result.finish_wall:
        print(
            f"fase «terminar»: {len(result.finishes.times) / result.finish_wall:.1f} "
            f"emparejamientos/s, {result.finish_requests / result.finish_wall:.1f} peticiones "
            "HTTP/s (caso + terminar), con el eco muestreado cada "
            f"{ECHO_EVERY_SECONDS * 1000:.0f} ms"
        )
    print(f"{'medición':<44}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'máx ms':>9}")
    for series in (
        result.echo_rest, result.echo_load, result.arrivals, result.arrival_http, result.finishes,
        result.finish_http,
        matches,
    ):  # fmt: skip
        print(series.row())
    print(
        f"p95 de los emparejamientos: {matches.percentile(95):.1f} ms   (objetivo < "
        f"{TARGET_P95_MS:.0f} ms)"
    )
    print(
        f"razón p95 emparejamiento / p95 eco durante la carga (misma corrida): {ratio:.2f}   "
        f"(objetivo ≤ {TARGET_RATIO:.0f}); frente al eco en reposo: "
        f"{matches.percentile(95) / result.echo_rest.percentile(95):.1f} (informativo)"
    )
    print(
        f"consultas SQL: ronda con un emparejamiento {pair_q}, ronda sin nada que emparejar "
        f"{empty_q}, «terminar» con sus rondas tras el commit {finish_q}"
    )
    print(
        f"integridad: turnos emparejados dos veces {checks['twice']}, tecnólogos con dos clientes "
        f"a la vez {checks['overlaps']}, sesiones de otro tecnólogo {checks['wrong']}, "
        f"emparejamientos que no llegaron en {MATCH_TIMEOUT:.0f} s {result.late}, errores "
        f"{len(result.http_errors)}"
    )
    if result.http_errors:
        print(f"primer error: {result.http_errors[0]}")
        print(f"registro de uvicorn: {log.name}")
    else:
        os.unlink(log.name)
    ok = (
        len(matches.times) >= MIN_FINISH_MATCHES
        and len(result.finishes.times) >= MIN_FINISH_MATCHES
        and matches.percentile(95) < TARGET_P95_MS
        and ratio <= TARGET_RATIO
        and result.late == 0
        and not result.http_errors
        and not any(checks.values())
    )
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok
