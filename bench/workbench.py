"""The technologist's "Mis casos" with 100,000 cases in the database (issue 3)."""

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import db, fixtures
from core.models import Case, CaseStatus

TOTAL = 100_000
OPEN_PER_TECH = 50
N_TECHS = 200
RUNS = 30


def run() -> bool:
    db.wipe_cases()
    office = fixtures.office()
    techs = fixtures.technologists(N_TECHS, office)
    open_cases = OPEN_PER_TECH * N_TECHS
    fixtures.cases(open_cases, assigned=techs, status=CaseStatus.ASIGNADO)
    fixtures.cases(
        TOTAL - open_cases,
        start=open_cases,
        assigned=techs,
        status=CaseStatus.CERRADO_PRIMER_CONTACTO,
    )
    assert Case.objects.count() == TOTAL
    tech = techs[0]
    client = Client(HTTP_HOST="localhost")
    client.force_login(tech)

    def timed(url: str) -> tuple[list[float], int, int]:
        client.get(url)  # warm-up
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        return times, len(ctx.captured_queries), response.content.decode().count("data-case=")

    page_times, page_queries, rows = timed("/casos/mis-casos/")
    base_times, base_queries, _ = timed("/cuenta/")
    median = statistics.median(page_times)
    base_median = statistics.median(base_times)
    print("== Mis casos (CORE-10) con 100.000 casos en la base ==")
    print(f"filas mostradas: {rows} (casos abiertos del tecnólogo)")
    print(
        f"mediana de respuesta: {median * 1000:.1f} ms en {RUNS} pedidos; "
        f"consultas SQL: {page_queries}"
    )
    print(
        f"línea base (/cuenta/, página sin consultas de casos): {base_median * 1000:.1f} ms, "
        f"{base_queries} consultas; razón: {median / base_median:.1f}x"
    )
    ok = rows == OPEN_PER_TECH and page_queries <= base_queries + 2
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok
