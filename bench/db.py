from urllib.parse import urlparse

import psycopg2
from psycopg2 import sql


def ensure_database(url: str) -> None:
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
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
