from urllib.parse import urlparse

import psycopg
from psycopg import sql


def ensure_database(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    conn = psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def wipe_cases() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE core_contactattempt, core_historicalcontactattempt, core_evidence, "
            "core_historicalevidence, core_notification, core_case, core_historicalcase, "
            "core_casenumbersequence RESTART IDENTITY CASCADE"
        )


def redis_url(purpose: str) -> str:
    """The benchmark's Redis (BENCH_REDIS_URL, else the REDIS_URL given to ``make bench``, else
    the local one), checked to answer; ``purpose`` names the benchmark in the error."""
    import os

    import redis

    url = (
        os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("BENCH_GIVEN_REDIS_URL")
        or "redis://127.0.0.1:6379/0"
    )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis no responde en {url} ({exc}): {purpose} necesita Redis") from exc
    return url


def run_reported(title: str, body) -> bool:
    """Run a benchmark's ``body()``: a SIGTERM (a CI time limit) stops it like Ctrl-C, and a
    ``RuntimeError`` (a server that did not start, Redis missing) prints under ``title`` as a
    failed result instead of a traceback."""
    import signal

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"señal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        return body()
    except RuntimeError as exc:
        print(title)
        print(f"error: {exc}")
        print("resultado: NO CUMPLE")
        return False
    finally:
        signal.signal(signal.SIGTERM, previous)
