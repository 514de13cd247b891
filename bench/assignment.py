"""Assign 10,000 pending cases to 200 available technologists with K = 5 (issue 3)."""

import time

from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench import db, fixtures
from core.models import Case, CaseStatus
from core.services.assignment import assign_pending_cases

N_CASES = 10_000
N_TECHS = 200
K = 5
TARGET_SECONDS = 2.0
TARGET_QUERIES = 300


def run() -> bool:
    db.wipe_cases()
    office = fixtures.office()
    techs = fixtures.technologists(N_TECHS, office)
    pool = fixtures.pool(techs, K)
    fixtures.cases(N_CASES, pool_obj=pool)
    ids = list(Case.objects.filter(pool=pool).values_list("id", flat=True))

    # Baseline: one plain bulk UPDATE of the same rows (no rules, no history), rolled back.
    with transaction.atomic():
        t0 = time.perf_counter()
        Case.objects.filter(id__in=ids).update(assigned_to=techs[0], status=CaseStatus.ASIGNADO)
        baseline = time.perf_counter() - t0
        transaction.set_rollback(True)

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        assigned = assign_pending_cases(pool_id=pool.pk)
        elapsed = time.perf_counter() - t0
    queries = len(ctx.captured_queries)

    pending = Case.objects.filter(pool=pool, assigned_to__isnull=True).count()
    per_tech = list(
        Case.objects.filter(pool=pool)
        .values("assigned_to")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    history_per_case = (
        Case.history.filter(id__in=ids, history_change_reason__startswith="asignación automática")
        .values("id")
        .annotate(n=Count("history_id"))
        .filter(n__gt=1)
        .count()
    )
    with_history = (
        Case.history.filter(id__in=ids, history_change_reason__startswith="asignación automática")
        .values("id")
        .distinct()
        .count()
    )
    spread = max(per_tech) - min(per_tech) if per_tech else 0

    print("== Asignación round-robin (CORE-09) ==")
    print(f"casos: {N_CASES}, tecnólogos disponibles: {N_TECHS}, K = {K}")
    print(f"tiempo: {elapsed:.3f} s   (objetivo ≤ {TARGET_SECONDS:.1f} s)")
    print(f"consultas SQL: {queries}   (objetivo ≤ {TARGET_QUERIES}, no crece con los casos)")
    print(
        f"línea base (UPDATE masivo de las mismas {N_CASES} filas): {baseline:.3f} s; "
        f"razón asignación / línea base: {elapsed / baseline:.1f}x"
    )
    print(
        f"asignados: {assigned}, pendientes: {pending}, casos con más de una asignación: "
        f"{history_per_case}, casos con su fila de historial: {with_history}, "
        f"diferencia entre tecnólogos: {spread} (≤ K)"
    )
    ok = (
        assigned == N_CASES
        and pending == 0
        and history_per_case == 0
        and with_history == N_CASES
        and spread <= K
        and elapsed <= TARGET_SECONDS
        and queries <= TARGET_QUERIES
    )
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok
