"""The managers' dashboard with 1,000,000 cases in the database (issue 16).

The gestor of one unit opens ``/tablero/`` (every figure: open cases by state and modality, PQR by
due state and the SAP queue, waiting turns, technologists' load, roster against caps, first-contact
rate and handling time over 30 days). Printed: the median of the page and of
``GET /api/v1/dashboard/``, their queries, and the ratio to a page without figures (``/cuenta/``)
measured in the same run, twice: as a manager watching the dashboard gets them (the figures of
the last minute, kept by ``core.services.dashboard_snapshot`` and recomputed each minute by
``core.dashboard_snapshots``) — the target, ratio ≤ 5 — and computing every figure at the
request (the first to open a dashboard nobody was watching; printed, not judged).

The data is written with ``INSERT … SELECT generate_series`` (a minute, not an hour of ORM saves):
two units of 20 offices, 200 technologists, a year of cases — 97% closed, the rest open in every
state and modality —, a few hundred PQR in the SAP queue, today's turns and roster. Then the
nightly rollup of the days before today (``core.dashboard_rollup``), as production has it.
"""

import datetime as dt
import os
import statistics
import time

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import db, fixtures
from core.models import (
    Case,
    Channel,
    Customer,
    DashboardSnapshot,
    Modality,
    Office,
    RemoteModality,
    TransactionType,
    Unit,
    User,
)
from core.roles import Role
from core.services.dashboard_rollup import dashboard_rollup

TOTAL = int(os.environ.get("BENCH_DASHBOARD_CASES", "1000000"))  # fewer: a quick check
OFFICES_PER_UNIT = 20
TECHNOLOGISTS = 200
RUNS = 15
TARGET_RATIO = 5.0
OPEN_EVERY = 33  # one case in 33 is open (~3%)

_FILL = {
    "character varying": "''",
    "text": "''",
    "boolean": "false",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "timestamp with time zone": "now()",
    "date": "current_date",
    "jsonb": "'{}'::jsonb",
}


def _insert(table: str, count: int, values: dict[str, str]) -> None:
    """``count`` rows into ``table`` in one statement: ``values`` maps columns to SQL
    expressions of ``g`` (1..count); every other NOT NULL column without a default gets its
    type's empty value, so a new field does not break the benchmark."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL",
            [table],
        )
        for column, kind in cur.fetchall():
            if column not in values and column != "id":
                values[column] = _FILL[kind]
        columns = ", ".join(f'"{c}"' for c in values)
        cur.execute(
            f'INSERT INTO "{table}" ({columns}) SELECT {", ".join(values.values())} '
            f"FROM generate_series(1, {count}) AS g"
        )


def _offices() -> list[Office]:
    offices = []
    for unit in (Unit.METROPOLITANO, Unit.REGIONAL):
        for i in range(OFFICES_PER_UNIT):
            office, _ = Office.objects.get_or_create(
                code=f"BD-{unit[:3].upper()}-{i:02d}",
                defaults={
                    "name": f"Oficina {unit[:3]} {i:02d}",
                    "unit": unit,
                    "zone": "Centro",
                    "technologist_count": 1 + i % 3,
                },
            )
            offices.append(office)
    return offices


def _data() -> tuple[User, int]:
    db.wipe_cases()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE core_sapcase, core_historicalsapcase, core_turn, core_rosterentry, "
            "core_casedailystats, core_dashboardrollupday, core_dashboardsnapshot CASCADE"
        )
    offices = _offices()
    office_ids = [o.pk for o in offices]
    techs = fixtures.technologists(TECHNOLOGISTS, offices[0])
    User.objects.filter(pk__in=[t.pk for t in techs]).update(home_office=None)
    for i, tech in enumerate(techs):  # spread over the 40 offices (the ORM: 200 rows)
        tech.home_office_id = office_ids[i % len(office_ids)]
    User.objects.bulk_update(techs, ["home_office"])
    tech_ids = [t.pk for t in techs]
    customer, _ = Customer.objects.get_or_create(
        document_type="CC", document_number="999000111", defaults={"full_name": "Cliente Bench"}
    )
    channel = Channel.objects.get(code="desborde-formulario-web")
    modalities = [m for m in Modality.values if m != Modality.GENERAL]
    open_states = ["abierto", "asignado", "en_atencion"]
    closed_states = ["cerrado_primer_contacto", "cerrado_sin_contacto", "tarea_generada"]
    arr = "ARRAY[{}]"
    offices_sql = arr.format(",".join(map(str, office_ids)))
    techs_sql = arr.format(",".join(map(str, tech_ids)))
    mods_sql = arr.format(",".join(f"'{m}'" for m in modalities))
    open_sql = arr.format(",".join(f"'{s}'" for s in open_states))
    closed_sql = arr.format(",".join(f"'{s}'" for s in closed_states))
    is_open = f"(g % {OPEN_EVERY} = 0)"
    # Filed over the last year, evenly; open cases mostly recent (the last 40 days).
    filed = (
        f"CASE WHEN {is_open} THEN now() - ((g % 40) || ' days')::interval - (g % 86400) * "
        "interval '1 second' ELSE now() - ((g % 365) || ' days')::interval - (g % 86400) * "
        "interval '1 second' END"
    )
    started = time.perf_counter()
    _insert(
        "core_case",
        TOTAL,
        {
            "number": "'BD-' || g",
            "kind": "CASE WHEN g % 5 < 3 THEN 'PQR' ELSE 'PED' END",
            "pqr_type": "CASE WHEN g % 5 < 3 THEN 'peticion' ELSE '' END",
            "customer_id": str(customer.pk),
            "channel_id": str(channel.pk),
            "modality": f"({mods_sql})[1 + g % {len(modalities)}]",
            "office_id": f"({offices_sql})[1 + g % {len(office_ids)}]",
            "assigned_to_id": f"CASE WHEN g % 7 = 0 AND {is_open} THEN NULL "
            f"ELSE ({techs_sql})[1 + g % {len(tech_ids)}] END",
            "status": f"CASE WHEN {is_open} THEN ({open_sql})[1 + (g / {OPEN_EVERY}) % 3] "
            f"ELSE ({closed_sql})[1 + g % 3] END",
            "filed_at": filed,
            # 21 calendar days ≈ 15 business days: the bench needs the spread, not the calendar.
            "due_date": f"CASE WHEN g % 5 < 3 THEN (({filed}) + interval '21 days')::date END",
            "assigned_at": f"({filed}) + interval '10 minutes'",
            "closed_at": f"CASE WHEN {is_open} THEN NULL ELSE ({filed}) + "
            "((10 + g % 50) || ' minutes')::interval END",
            "created_at": filed,
            "updated_at": "now()",
        },
    )
    # The SAP queue: open PQR past their term (the sweep's job, done here in one statement).
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO core_sapcase (case_id, unit, due_date, began_at, deadline, act_reference,"
            " notes, created_at) SELECT c.id, o.unit, c.due_date, c.due_date + 1, c.due_date + 4,"
            " '', '', now() FROM core_case c JOIN core_office o ON o.id = c.office_id"
            " WHERE c.kind = 'PQR' AND c.closed_at IS NULL AND c.due_date < current_date"
        )
        # What autovacuum does after a bulk load in production: the visibility map lets the
        # dashboard's partial indexes answer alone (index-only scans), and fresh statistics.
        cur.execute("VACUUM (ANALYZE) core_case")
        cur.execute("ANALYZE")
    # Today's turns (2 per office waiting and some served) and roster.
    day = timezone.localdate()
    _insert(
        "core_turn",
        len(office_ids) * 30,
        {
            "office_id": f"({offices_sql})[1 + g % {len(office_ids)}]",
            "day": f"'{day.isoformat()}'::date",
            "sequence": "g",
            "number": "'T-' || g",
            "transaction_type_id": str(TransactionType.objects.order_by("id").first().pk),
            "status": "CASE WHEN g % 10 < 3 THEN 'en_espera' ELSE 'atendido' END",
            "created_at": "now() - (g % 120) * interval '1 minute'",
        },
    )
    _insert(
        "core_rosterentry",
        min(len(tech_ids), 120),
        {
            "day": f"'{day.isoformat()}'::date",
            "technologist_id": f"({techs_sql})[g]",
            "office_id": f"({offices_sql})[1 + g % {len(office_ids)}]",
            "modality": f"(ARRAY['{RemoteModality.CELULAR}', '{RemoteModality.BALANCEO}'])"
            "[1 + g % 2]",
            "created_at": "now()",
        },
    )
    written = f"{Case.objects.count():,}".replace(",", ".")
    print(f"datos: {written} casos escritos en {time.perf_counter() - started:.0f} s")
    # The nightly job (core.dashboard_rollup, 00:20) has rolled every day before today.
    rollup_started = time.perf_counter()
    days = dashboard_rollup()
    with connection.cursor() as cur:
        cur.execute("ANALYZE core_casedailystats, core_dashboardrollupday")
    print(
        f"resumen diario del tablero: {days} días en {time.perf_counter() - rollup_started:.1f} s"
    )
    gestor, _ = User.objects.get_or_create(
        username="bench_gestor",
        defaults={"first_name": "Gestora", "last_name": "Bench", "home_office": offices[0]},
    )
    gestor.groups.add(Group.objects.get(name=Role.GESTOR))
    unit_cases = Case.objects.filter(office__unit=offices[0].unit).count()
    return gestor, unit_cases


def _timed(client: Client, url: str, *, fresh: bool = False) -> tuple[float, int, int]:
    """Median of ``RUNS`` requests, the queries of one more, the bytes. ``fresh``: every request
    finds no kept figures and computes them (a dashboard nobody was watching)."""
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        if fresh:
            DashboardSnapshot.objects.all().delete()
        t0 = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t0)
    if fresh:
        DashboardSnapshot.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return statistics.median(times), len(ctx.captured_queries), len(response.content)


def _body() -> bool:
    title = "== Tablero de gestores con 1.000.000 de casos (issue 16) =="
    gestor, unit_cases = _data()
    client = Client(HTTP_HOST="localhost")
    client.force_login(gestor)
    today = timezone.localdate()
    period = f"from={(today - dt.timedelta(days=30)).isoformat()}&to={today.isoformat()}"
    page_url, api_url = f"/tablero/?{period}", f"/api/v1/dashboard/?{period}"
    page_cold, page_cold_q, _ = _timed(client, page_url, fresh=True)
    api_cold, api_cold_q, _ = _timed(client, api_url, fresh=True)
    page, page_q, _ = _timed(client, page_url)
    api, api_q, _ = _timed(client, api_url)
    base, base_q, _ = _timed(client, "/cuenta/")
    print(title)
    print(f"casos de la unidad del gestor: {unit_cases:,}".replace(",", "."))
    print(f"{'página':<52}{'mediana ms':>12}{'consultas':>11}{'razón':>8}")
    for name, median, queries in (
        ("/tablero/ (cifras del último minuto)", page, page_q),
        ("GET /api/v1/dashboard/ (cifras del último minuto)", api, api_q),
        ("/tablero/ calculando todas las cifras", page_cold, page_cold_q),
        ("GET /api/v1/dashboard/ calculando todas las cifras", api_cold, api_cold_q),
        ("/cuenta/ (sin cifras, línea base)", base, base_q),
    ):
        print(f"{name:<52}{median * 1000:>12.1f}{queries:>11}{median / base:>8.1f}")
    ratio = max(page, api) / base
    ok = ratio <= TARGET_RATIO
    print(
        f"razón tablero / página sin cifras: {ratio:.1f}   (objetivo ≤ {TARGET_RATIO:.0f}; las "
        "cifras de un tablero en pantalla las recalcula cada minuto core.dashboard_snapshots)"
    )
    print(
        f"razón calculando todas las cifras (el primero que abre un tablero que nadie miraba): "
        f"{max(page_cold, api_cold) / base:.1f}   (informativo)"
    )
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok


def run() -> bool:
    return db.run_reported("== Tablero de gestores (issue 16) ==", _body)
