"""The daily export of digital PQR (PQR-07) with 100,000 PQR filed on one Bogotá day.

Data: 100,000 digital PQR (plus 1,000 on the day before) with their contacts and interactions,
inserted by ``INSERT … SELECT … FROM generate_series`` (not through the services: the bench
measures the export, not the intake). Names with accents, documents, contracts and phones with
leading zeros, motives with «;», quotes, line breaks and would-be formulas.

Measured in the same run, each in a child process of its own (``python -m bench.pqr_export
--child …``) so one export's memory does not hide another's; the peak RSS is the child's
``ru_maxrss`` read by ``os.wait4`` in a small launcher process (see ``_Launcher``):

- the baseline: ``COPY (the CSV's SELECT) TO STDOUT`` into a sink that only counts bytes;
- the CSV export: ``csv_write`` into a temporary file (COPY + BOM, what ``export_build`` does);
- the Excel export: ``xlsx_write`` into a temporary file (openpyxl shell + COPY of the rows);
- for information, ``export_build`` (both files, saved to the storage, the row updated).

Each export's query count is taken for 1,000 and for 100,000 rows: it must be the same.
Targets: CSV ≤ 2× COPY, Excel ≤ 6× COPY, peak RSS < 150 MB for both.
"""

import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TOTAL = 100_000
SMALL = 1_000
BIG_DAY = dt.date(2025, 3, 4)
SMALL_DAY = dt.date(2025, 3, 3)
RUNS = 3
CSV_MAX_RATIO = 2.0
XLSX_MAX_RATIO = 6.0
MAX_RSS_MB = 150.0
DOC_PREFIX = "B"  # the bench's customers: document numbers "B…", deleted at each run
KINDS = ("copy", "csv", "xlsx")
LABELS = {
    "copy": "COPY → sumidero (línea base)",
    "csv": "CSV (csv_write)",
    "xlsx": "Excel (xlsx_write)",
    "build": "export_build (ambos + almacenamiento)",
    "writeonly": "openpyxl write-only (referencia)",
    "idle": "proceso hijo sin exportar",
}


# --- data -----------------------------------------------------------------------------------


def _insert_series(model, exprs: dict[str, str], sql_from: str, params: list) -> int:
    """INSERT INTO model's table every concrete column: ``exprs`` where given, else NULL,
    false, '' or 0 as the column allows."""
    from django.db import connection, models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        column = field.column
        if column in exprs:
            value = exprs[column]
        elif field.null:
            value = "NULL"
        elif isinstance(field, models.BooleanField):
            value = "false"
        elif isinstance(field, models.JSONField):
            value = f"'{json.dumps(field.get_default())}'::jsonb"
        elif isinstance(field, models.CharField | models.TextField | models.FileField):
            value = "''"
        elif isinstance(field, models.IntegerField):
            value = "0"
        elif isinstance(field, models.DateTimeField):
            value = "now()"
        else:
            raise RuntimeError(f"{model.__name__}.{field.name}: falta un valor para el bench")
        columns.append(connection.ops.quote_name(column))
        values.append(value)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} {sql_from}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _wipe() -> None:
    from django.db import connection

    from bench import db

    db.wipe_cases()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pqr_digital_interaction, pqr_digital_historicalinteraction, "
            "pqr_digital_inboundmessage, pqr_digital_digitalpqrexport RESTART IDENTITY CASCADE"
        )
        cursor.execute(
            "DELETE FROM core_customer WHERE document_number LIKE %s", [f"{DOC_PREFIX}%"]
        )


def _create(day: dt.date, n: int, offset: int) -> None:
    """``n`` digital PQR filed through the Bogotá day ``day``, numbered from ``offset``."""
    from bench import fixtures
    from core.business_days import BOGOTA
    from core.models import Case, Channel, Customer, InitialCause
    from pqr_digital.models import CASE_CHANNEL, Interaction

    techs = fixtures.technologists(5, fixtures.office())
    networks = list(CASE_CHANNEL)
    channel_ids = dict(
        Channel.objects.filter(code__in=CASE_CHANNEL.values()).values_list("code", "id")
    )
    channel_of = "(ARRAY[{}])[1 + g.i %% {}]".format(
        ", ".join(str(channel_ids[CASE_CHANNEL[c]]) for c in networks), len(networks)
    )
    network_of = "(ARRAY[{}])[1 + g.i %% {}]".format(
        ", ".join(f"'{c.value}'" for c in networks), len(networks)
    )
    cause_id = InitialCause.objects.get(code="inconformidad-consumo").id
    tech_of = "(ARRAY[{}])[1 + g.i %% {}]".format(", ".join(str(t.id) for t in techs), len(techs))
    start = dt.datetime.combine(day, dt.time.min, tzinfo=BOGOTA)
    series = "FROM generate_series(%s::int, %s::int) AS g(i)"
    bounds = [offset + 1, offset + n]
    document = f"'{DOC_PREFIX}' || CASE WHEN g.i %% 3 = 0 THEN '00' ELSE '' END || (7000000 + g.i)"
    number = "'PQR-2025-D' || lpad(g.i::text, 7, '0')"

    _insert_series(
        Customer,
        {
            "document_type": "'CC'",
            "document_number": document,
            "full_name": "(ARRAY['Álvaro', 'Íñigo', 'Beatriz', 'Óscar', 'Lucía', 'Ñusta'])"
            "[1 + g.i %% 6] || ' ' || (ARRAY['Muñoz', 'Gómez', 'Úsuga', 'Vélez', 'Ríos'])"
            "[1 + g.i %% 5] || ' ' || g.i",
            "mobile": "'300' || lpad(g.i::text, 7, '0')",
            "email": "'cliente' || g.i || '@example.com'",
            "created_at": "now()",
        },
        series,
        bounds,
    )
    _insert_series(
        Case,
        {
            "number": number,
            "kind": "'PQR'",
            "pqr_type": "'reclamo'",
            "customer_id": "c.id",
            "contract_number": "lpad((g.i * 7)::text, 10, '0')",
            "property_address": "'Cra. ' || (g.i %% 90) || ' # ' || (g.i %% 70) || '-' || "
            "(g.i %% 50) || '; apto ' || (g.i %% 900)",
            "initial_cause_id": str(cause_id),
            "motive": "(ARRAY['Inconformidad con el consumo facturado; \"muy alto\"', "
            "E'Cobro doble\\nrevisar el medidor', '=SUMA(A1) no entiendo el cobro', "
            "'Reclamo por consumo de energía — año pasado'])[1 + g.i %% 4] || ' ' || g.i",
            "attention_medium": "'verbal'",
            "channel_id": channel_of,
            "modality": "'pqr_digital'",
            "assigned_to_id": f"CASE WHEN g.i %% 4 = 0 THEN {tech_of} END",
            "status": "CASE WHEN g.i %% 4 = 0 THEN 'asignado' ELSE 'abierto' END",
            "filed_at": f"%s::timestamptz + ((g.i - {offset} - 1) * {86399.0 / n}) "
            "* interval '1 second'",
            "due_date": "%s::date + 21",
            "notification_mobile": "CASE WHEN g.i %% 2 = 0 THEN '0' ELSE '' END "
            "|| (3000000000 + g.i)",
            "notification_email": "'cliente' || g.i || '@example.com'",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"{series} JOIN core_customer c ON c.document_type = 'CC' AND c.document_number = "
        f"{document}",
        [start, day, *bounds],
    )
    _insert_series(
        Interaction,
        {
            "channel": network_of,
            "author_handle": "'@usuario' || g.i",
            "text": "k.motive",
            "arrived_at": "k.filed_at",
            "status": "'pqr_creada'",
            "full_name": "'Cliente ' || g.i",
            "document_type": "'CC'",
            "document_number": document,
            "contract": "k.contract_number",
            "property_address": "k.property_address",
            "motive": "k.motive",
            "relation_to_premises": "(ARRAY['propietario', 'arrendatario', '-poseedor'])"
            "[1 + g.i %% 3]",
            "recording_ref": "CASE WHEN g.i %% 6 = 5 THEN 'GRAB-' || g.i ELSE '' END",
            "provider": "'manual'",
            "case_id": "k.id",
            "closed_at": "k.filed_at",
            "created_at": "now()",
            "updated_at": "now()",
        },
        f"{series} JOIN core_case k ON k.number = {number}",
        bounds,
    )


def _setup() -> float:
    from django.db import connection

    t0 = time.perf_counter()
    _wipe()
    _create(SMALL_DAY, SMALL, 0)
    _create(BIG_DAY, TOTAL, SMALL)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_customer, core_case, pqr_digital_interaction")
    return time.perf_counter() - t0


# --- one measurement, in a child process ----------------------------------------------------


class _Sink:
    """A file that keeps nothing: COPY's cost without the disk."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        return len(data)


def _write_only(path: str, day: dt.date) -> int:
    """The same rows through openpyxl's write-only workbook (a server-side cursor of the
    ORM), for comparison: what the hybrid writer replaces."""
    from openpyxl import Workbook

    from core.business_days import BOGOTA
    from pqr_digital.selectors import EXPORT_COLUMNS, ORDER_ALIASES, export_rows

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("PQR digitales")
    sheet.append([c.header for c in EXPORT_COLUMNS])
    count = 0
    qs = export_rows(date_from=day, date_to=day).order_by(*ORDER_ALIASES)
    for row in qs.iterator(chunk_size=2000):
        values = list(row[: len(EXPORT_COLUMNS)])
        values[1] = values[1].astimezone(BOGOTA).replace(tzinfo=None)
        sheet.append(values)
        count += 1
    workbook.save(path)
    return count


def _child(kind: str, day: dt.date, out_path: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pqr_digital.models import DigitalPqrExport
    from pqr_digital.services import export

    connection.ensure_connection()
    if kind == "build":
        DigitalPqrExport.objects.filter(date_from=day, date_to=day).delete()
    result = {"rss_before_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    with tempfile.TemporaryDirectory() as tmp, CaptureQueriesContext(connection) as queries:
        path = os.path.join(tmp, "out.csv" if kind == "csv" else "out.xlsx")
        t0 = time.perf_counter()
        if kind == "copy":
            sink = _Sink()
            sql, params = export.csv_select_sql(date_from=day, date_to=day)
            rows = export.copy_to(sink, sql, params, options="FORMAT csv, HEADER, DELIMITER ';'")
            size = sink.bytes
        elif kind in ("csv", "xlsx"):
            writer = export.csv_write if kind == "csv" else export.xlsx_write
            with open(path, "wb") as handle:
                rows = writer(handle, date_from=day, date_to=day)
            size = os.path.getsize(path)
        elif kind == "writeonly":  # the alternative: openpyxl's write-only mode, row by row
            rows = _write_only(path, day)
            size = os.path.getsize(path)
        elif kind == "verify":  # the 100,000-row workbook opens with openpyxl, values intact
            from openpyxl import load_workbook

            with open(path, "wb") as handle:
                rows = export.xlsx_write(handle, date_from=day, date_to=day)
            workbook = load_workbook(path, read_only=True)
            read = list(workbook.active.iter_rows(values_only=True))
            size = os.path.getsize(path)
            contracts = [r[10] for r in read[1:]]  # "0000007007": digits with leading zeros
            result["check"] = {
                "rows_read": len(read) - 1,
                "headers": read[0][0] == "número de PQR",
                "leading_zeros": all(isinstance(c, str) and c[0] == "0" for c in contracts),
                "dates": isinstance(read[1][1], dt.datetime),
            }
        elif kind == "build":
            built = export.export_build(date_from=day, date_to=day)
            rows, size = built.rows, built.csv_file.size + built.xlsx_file.size
        else:  # idle: the interpreter, Django and a connection
            rows, size = 0, 0
        result["seconds"] = time.perf_counter() - t0
    result.update(rows=rows, bytes=size, queries=len(queries.captured_queries))
    with open(out_path, "w") as out:
        json.dump(result, out)


class _Launcher:
    """Starts the measured children from a small process of its own.

    On Linux a child's ``ru_maxrss`` starts from the resident size of the process it was forked
    from (the kernel keeps the high-water mark across fork and exec): forked from the bench's
    own process (Django, the data set-up) every child would report at least that. The launcher
    is a bare interpreter (this module imports only the standard library), so the peak of each
    child is its own.
    """

    def __init__(self, env: dict) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.pqr_export", "--launcher"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(self, args: list[str]) -> tuple[int, float]:
        """(exit code, peak RSS in MB) of ``python -m bench.pqr_export <args>``."""
        self.proc.stdin.write(json.dumps(args) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return answer["code"], answer["maxrss_kb"] / 1024  # Linux: kilobytes

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _launcher_loop() -> None:
    for line in sys.stdin:
        args = json.loads(line)
        child = subprocess.Popen([sys.executable, "-m", "bench.pqr_export", *args])
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        print(json.dumps({"code": child.returncode, "maxrss_kb": usage.ru_maxrss}), flush=True)


def _measure(launcher: _Launcher, kind: str, day: dt.date) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as out:
        out_path = out.name
    try:
        code, rss_mb = launcher.run(["--child", kind, day.isoformat(), out_path])
        if code != 0:
            raise RuntimeError(f"el proceso hijo de {kind} terminó con {code}")
        with open(out_path) as handle:
            result = json.load(handle)
    finally:
        os.unlink(out_path)
    result["rss_mb"] = rss_mb
    return result


# --- the run --------------------------------------------------------------------------------


def run() -> bool:
    from django.db import connection

    print("== Exporte diario de PQR digitales (PQR-07) con 100.000 PQR de un día ==")
    seconds = _setup()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(
        f"datos: {TOTAL:,} PQR el {BIG_DAY:%d/%m/%Y} y {SMALL:,} el {SMALL_DAY:%d/%m/%Y}, con "
        f"contacto e interacción, insertados por SQL en {seconds:.1f} s; PostgreSQL {version}"
    )
    connection.close()  # the children open their own

    with tempfile.TemporaryDirectory(prefix="bench-media-") as media:
        launcher = _Launcher({**os.environ, "MEDIA_ROOT": media})
        try:
            small = {kind: _measure(launcher, kind, SMALL_DAY) for kind in (*KINDS, "build")}
            _measure(launcher, "copy", BIG_DAY)  # warm-up: the day's rows in PostgreSQL's cache
            runs = {kind: [] for kind in KINDS}
            for _ in range(RUNS):
                for kind in KINDS:
                    runs[kind].append(_measure(launcher, kind, BIG_DAY))
            build = _measure(launcher, "build", BIG_DAY)
            idle = _measure(launcher, "idle", BIG_DAY)
            verify = _measure(launcher, "verify", BIG_DAY)
            write_only = _measure(launcher, "writeonly", BIG_DAY)
        finally:
            launcher.close()

    def median(kind: str) -> float:
        return statistics.median(r["seconds"] for r in runs[kind])

    def peak(kind: str) -> float:
        return max(r["rss_mb"] for r in runs[kind])

    base = median("copy")
    print(
        f"mediana de {RUNS} corridas; cada exporte en su propio proceso hijo (pico de memoria "
        "= ru_maxrss del hijo, os.wait4)"
    )
    header = (
        f"{'exporte':<40}{'filas':>8}{'tiempo s':>10}{'razón/COPY':>12}"
        f"{'RSS MB 1.000/100.000':>22}{'consultas 1.000/100.000':>25}{'MB':>8}"
    )
    print(header)

    def line(label, rows, seconds, rss_small, rss_big, q_small, q_big, size, note=""):
        print(
            f"{label:<40}{rows:>8}{seconds:>10.2f}{seconds / base:>12.2f}"
            f"{('-' if rss_small is None else f'{rss_small:.0f}') + f' / {rss_big:.0f}':>22}"
            f"{f'{q_small} / {q_big}':>25}"
            f"{size / 1e6:>8.1f}{note}"
        )

    for kind in KINDS:
        last = runs[kind][-1]
        line(
            LABELS[kind],
            last["rows"],
            median(kind),
            small[kind]["rss_mb"],
            peak(kind),
            small[kind]["queries"],
            last["queries"],
            last["bytes"],
        )
    line(
        LABELS["build"],
        build["rows"],
        build["seconds"],
        small["build"]["rss_mb"],
        build["rss_mb"],
        small["build"]["queries"],
        build["queries"],
        build["bytes"],
        "   (informativo, 1 corrida)",
    )
    line(
        LABELS["writeonly"],
        write_only["rows"],
        write_only["seconds"],
        None,
        write_only["rss_mb"],
        "-",
        write_only["queries"],
        write_only["bytes"],
        "   (alternativa descartada, 1 corrida)",
    )
    print(
        f"{LABELS['idle']:<40}{'':>8}{'':>10}{'':>12}{idle['rss_mb']:>22.0f}"
        "   (Python + Django + conexión: el piso del pico)"
    )
    check = verify["check"]
    print(
        f"Excel de {verify['rows']:,} filas abierto con openpyxl (read_only): "
        f"{check['rows_read']:,} filas leídas, encabezados {'sí' if check['headers'] else 'no'}, "
        f"ceros a la izquierda {'sí' if check['leading_zeros'] else 'no'}, fechas como fechas "
        f"{'sí' if check['dates'] else 'no'} ({verify['seconds']:.1f} s escribir y leer)"
    )

    csv_ratio, xlsx_ratio = median("csv") / base, median("xlsx") / base
    rss_ok = peak("csv") < MAX_RSS_MB and peak("xlsx") < MAX_RSS_MB
    queries_ok = (
        all(small[k]["queries"] == runs[k][-1]["queries"] for k in KINDS)
        and small["build"]["queries"] == build["queries"]
    )
    rows_ok = all(r["rows"] == TOTAL for k in KINDS for r in runs[k]) and build["rows"] == TOTAL
    verdicts = [
        (f"CSV ≤ {CSV_MAX_RATIO:.0f}× COPY: {csv_ratio:.2f}×", csv_ratio <= CSV_MAX_RATIO),
        (f"Excel ≤ {XLSX_MAX_RATIO:.0f}× COPY: {xlsx_ratio:.2f}×", xlsx_ratio <= XLSX_MAX_RATIO),
        (
            f"pico RSS < {MAX_RSS_MB:.0f} MB: CSV {peak('csv'):.0f} MB, Excel "
            f"{peak('xlsx'):.0f} MB",
            rss_ok,
        ),
        ("consultas iguales con 1.000 y 100.000 filas", queries_ok),
        (f"{TOTAL:,} filas en cada archivo", rows_ok),
        (
            "el Excel de 100.000 filas se abre con openpyxl y conserva los valores",
            check["rows_read"] == TOTAL and all(check.values()),
        ),
    ]
    for text, ok in verdicts:
        print(f"objetivo {text}: {'CUMPLE' if ok else 'NO CUMPLE'}")
    ok = all(v for _, v in verdicts)
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    _child(sys.argv[2], dt.date.fromisoformat(sys.argv[3]), sys.argv[4])
elif __name__ == "__main__" and sys.argv[1:2] == ["--launcher"]:
    _launcher_loop()
