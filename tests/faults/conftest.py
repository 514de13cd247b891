"""Fault tests (issue 15, item 1): real Celery workers on Redis against PostgreSQL, started,
killed and restarted by the test itself, and a local SMTP server that refuses mail for a while.

Every count is multiplied by ``FAULTS_SCALE`` (default 1: the bounded subset CI runs with the
rest of the suite); ``make faults`` runs the tests marked ``faults`` at a larger scale. The figures
each test measures are printed in a section at the end of the run (and on stdout with ``-s``).

Time is compressed, never slept through: the periodic sweeps that beat would send every minute
are sent by the test as soon as the previous one finished (read in the worker's log), and the
broker's visibility timeout (one hour) is made to have passed by moving the unacknowledged
message's timestamp back by exactly that long.
"""

import collections
import json
import os
import re
import signal
import socketserver
import subprocess
import sys
import threading
import uuid
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest

from tests.helpers import skip_or_fail, wait_until

FAULTS_SCALE = float(os.environ.get("FAULTS_SCALE", "1"))
ROOT = Path(__file__).resolve().parents[2]
WORKER_READY_SECONDS = 60
_FIGURES = pytest.StashKey[list]()


def scaled(n: int) -> int:
    """``n`` times FAULTS_SCALE (at least 1)."""
    return max(1, round(n * FAULTS_SCALE))


def pytest_configure(config):
    # Registered here so the directory runs on its own (pyproject.toml may list it too).
    config.addinivalue_line(
        "markers", "faults: fault tests on real workers (FAULTS_SCALE sets the size)"
    )


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(_FIGURES, [])
    if lines:
        terminalreporter.section(f"fallas: cifras medidas (FAULTS_SCALE={FAULTS_SCALE:g})")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(name="scaled")
def scaled_fixture():
    """``scaled(n)``: a count of the test at this run's FAULTS_SCALE."""
    return scaled


@pytest.fixture
def figures(request):
    """``figures("texto")``: a measured figure, printed at the end of the run."""
    lines = request.config.stash.setdefault(_FIGURES, [])

    def record(text: str) -> None:
        line = f"{request.node.name}: {text}"
        lines.append(line)
        print(line)

    return record


# --- Celery workers ------------------------------------------------------------------------


class Worker:
    """One Celery worker process started by the test (``-P solo`` unless told otherwise)."""

    def __init__(self, *, name: str, queue: str, env: dict, log: Path, pool: str):
        self.name, self.queue, self.env, self.log, self.pool = name, queue, env, log, pool
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Worker":
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            self.pool,
            "-Q",
            self.queue,
            "-n",
            f"{self.name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        if self.pool == "prefork":
            args += ["-c", "1"]
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

        def ready() -> bool:
            if self.proc.poll() is not None:
                pytest.fail(f"el worker {self.name} terminó al iniciar:\n{self.text()}")
            return "ready." in self.text()

        wait_until(
            ready,
            timeout=WORKER_READY_SECONDS,
            message=f"el worker {self.name} no quedó listo en {WORKER_READY_SECONDS} s",
        )
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self, chars: int = 3000) -> str:
        return f"--- {self.log.name} ---\n{self.text()[-chars:]}"

    def task_done(self, task_id: str) -> bool:
        """The task ran to its end on this worker (succeeded or raised)."""
        text = self.text()
        return f"[{task_id}] succeeded" in text or f"[{task_id}] raised" in text

    def children(self) -> list[int]:
        """Pids of the worker's pool processes (prefork)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid …: comm may hold spaces, so split after its ")".
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.pid:
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """SIGKILL the worker's main process (its pool processes die with it)."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Workers:
    """The workers of one test, all on a queue of that test only (no other worker takes its
    tasks), pointed at the test database and at a media directory the test shares."""

    def __init__(self, *, queue: str, env: dict, logs: Path):
        self.queue, self.env, self.logs = queue, env, logs
        self.started: list[Worker] = []

    def start(self, *, pool: str = "solo", **extra_env) -> Worker:
        n = len(self.started) + 1
        worker = Worker(
            name=f"{self.queue}-{n}",
            queue=self.queue,
            env={**self.env, **{k: str(v) for k, v in extra_env.items()}},
            log=self.logs / f"worker-{n}.log",
            pool=pool,
        )
        self.started.append(worker)
        return worker.start()

    def tails(self) -> str:
        return "\n".join(w.tail() for w in self.started)

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def workers(transactional_db, settings, tmp_path):
    """Start Celery workers for this test: ``workers.start(pool=…, SETTING=value…)``.

    Tasks the test sends (``delay``, ``on_commit``) go to the test's queue; files the test
    stores are where the workers read them. Workers still running at the end are stopped; the
    test's queue and its unacknowledged messages are removed from Redis.
    """
    from django.db import connection

    from config.celery import app

    if not settings.REDIS_URL:
        skip_or_fail("los workers de Celery necesitan Redis (REDIS_URL)")
    if connection.vendor != "postgresql":
        skip_or_fail("los workers de Celery necesitan PostgreSQL (DATABASE_URL)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis no responde en {settings.REDIS_URL}: {exc}")
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    queue = f"fallas-{uuid.uuid4().hex[:8]}"
    media = tmp_path / "worker-media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(media),
    }
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    pool = Workers(queue=queue, env=env, logs=tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        Broker(settings.REDIS_URL).forget(queue)


# --- the broker (Redis, as kombu keeps it) ----------------------------------------------------


class Broker:
    """Read what kombu's Redis transport keeps: a list per queue, and the messages delivered but
    not yet acknowledged (hash ``unacked``, their delivery times in the sorted set
    ``unacked_index``). A worker re-queues an unacknowledged message once its delivery time is
    older than the visibility timeout (when it starts, then every ~100 s)."""

    UNACKED = "unacked"
    UNACKED_INDEX = "unacked_index"

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    @staticmethod
    def visibility_timeout() -> float:
        from kombu.transport.redis import Channel

        from config.celery import app

        options = app.conf.broker_transport_options or {}
        return float(options.get("visibility_timeout", Channel.visibility_timeout))

    def unacked(self, queue: str) -> dict[str, dict]:
        """The unacknowledged messages of ``queue``: delivery tag → message headers."""
        found = {}
        for tag, raw in self.redis.hgetall(self.UNACKED).items():
            message, _exchange, routing_key = json.loads(raw)
            if routing_key == queue:
                found[tag.decode()] = message.get("headers", {})
        return found

    def queued(self, queue: str) -> int:
        """Messages waiting in ``queue`` (every priority list kombu keeps for it)."""
        return sum(self.redis.llen(key) for key in self.redis.scan_iter(f"{queue}*"))

    def age(self, tags, seconds: float) -> None:
        """Move the delivery time of unacknowledged messages ``seconds`` into the past."""
        for tag in tags:
            score = self.redis.zscore(self.UNACKED_INDEX, tag)
            if score is not None:
                self.redis.zadd(self.UNACKED_INDEX, {tag: score - seconds}, xx=True)

    def forget(self, queue: str) -> None:
        for tag in self.unacked(queue):
            self.redis.hdel(self.UNACKED, tag)
            self.redis.zrem(self.UNACKED_INDEX, tag)
        keys = [
            *self.redis.scan_iter(f"{queue}*"),
            *self.redis.scan_iter(f"_kombu.binding*.{queue}"),
        ]
        if keys:
            self.redis.delete(*keys)


@pytest.fixture
def broker(settings):
    return Broker(settings.REDIS_URL)


# --- PostgreSQL, seen from outside the test's own connection --------------------------------


class SideConnection:
    """A second connection to the test database, to hold a lock the worker will wait on and to
    watch the worker's backend in ``pg_stat_activity``."""

    def __init__(self):
        import psycopg
        from django.db import connection

        self.conn = psycopg.connect(**connection.get_connection_params())

    def execute(self, sql: str, params=()) -> list[tuple]:
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def waiting_backends(self, *, wait_event: str = "", query_like: str = "%") -> list[int]:
        """Pids of the other backends of this database blocked on a lock."""
        # Statistics views are a snapshot for the whole transaction (which may hold the lock).
        self.execute("SELECT pg_stat_clear_snapshot()")
        rows = self.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            "AND (%s = '' OR wait_event = %s) AND query LIKE %s",
            [wait_event, wait_event, query_like],
        )
        return [pid for (pid,) in rows]

    def backend_alive(self, pid: int) -> bool:
        self.execute("SELECT pg_stat_clear_snapshot()")
        return bool(self.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]))

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def side_db(transactional_db):
    side = SideConnection()
    try:
        yield side
    finally:
        side.rollback()
        side.close()


# --- a local SMTP server that refuses, then accepts ------------------------------------------

TAG = re.compile(r"\bF2-\d{6}\b")


class SmtpServer(socketserver.ThreadingTCPServer):
    """A minimal SMTP server on 127.0.0.1 (RFC 5321's commands a client sends to deliver).

    While ``refusing`` is set it answers ``451`` (requested action aborted: local error, try
    again later) — at ``RCPT`` in one session, after ``DATA`` in the next (the whole message
    sent, then refused) — like a mail server that is overloaded or greylisting. Otherwise it
    accepts and counts each message by the tag (``F2-000123``) in its subject.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.port = self.server_address[1]
        self.refusing = threading.Event()
        self.lock = threading.Lock()
        self.received: collections.Counter[str] = collections.Counter()
        self.untagged = 0
        self.sessions = 0
        self.refused_rcpt = 0
        self.refused_data = 0

    def session_number(self) -> int:
        with self.lock:
            self.sessions += 1
            return self.sessions

    def deliver(self, data: bytes) -> None:
        subject = str(message_from_bytes(data, policy=email_policy.default)["Subject"] or "")
        with self.lock:
            tags = TAG.findall(subject)
            if tags:
                self.received.update(tags)
            else:
                self.untagged += 1

    def count(self, attr: str) -> None:
        with self.lock:
            setattr(self, attr, getattr(self, attr) + 1)


class SmtpSession(socketserver.StreamRequestHandler):
    timeout = 30
    # Each reply in one segment, sent at once (a multi-line reply split by Nagle's algorithm
    # waits for the client's delayed ACK: 40 ms a message).
    disable_nagle_algorithm = True

    def reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())
        self.wfile.flush()

    def handle(self) -> None:
        server: SmtpServer = self.server
        number = server.session_number()
        refuse_at_rcpt = number % 2 == 1
        recipients = 0
        self.reply("220 smtp-fallas.localhost ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-smtp-fallas.localhost", "250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 smtp-fallas.localhost")
            elif verb == "MAIL":
                recipients = 0
                self.reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                if server.refusing.is_set() and refuse_at_rcpt:
                    server.count("refused_rcpt")
                    self.reply("451 4.3.0 Temporary failure, try again later")
                else:
                    recipients += 1
                    self.reply("250 2.1.5 Ok")
            elif verb == "DATA":
                if not recipients:
                    self.reply("503 5.5.1 No valid recipients")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self.read_data()
                if data is None:
                    return
                if server.refusing.is_set():
                    server.count("refused_data")
                    self.reply("451 4.3.0 Temporary failure, try again later")
                else:
                    server.deliver(data)
                    self.reply("250 2.0.0 Ok: queued")
                recipients = 0
            elif verb in ("RSET", "NOOP"):
                recipients = 0 if verb == "RSET" else recipients
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognized")

    def read_data(self) -> bytes | None:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
