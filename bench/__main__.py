"""`python -m bench [assignment|workbench|intakes|pqr_export|turns|balancing|dashboard|peak|all]` on
PostgreSQL
(BENCH_DATABASE_URL or a default local database ``atencion_bench``, created when missing and
wiped by each run)."""

import os
import sys

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/atencion_bench"


def main(argv: list[str]) -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("Los benchmarks corren sobre PostgreSQL (BENCH_DATABASE_URL=postgres://…).")
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    # Tasks eager: the benchmark measures the service itself. The balancing benchmark's ASGI
    # server still needs Redis for its live layer: it may use the URL given here.
    given_redis = os.environ.pop("REDIS_URL", None)
    if given_redis:
        os.environ.setdefault("BENCH_GIVEN_REDIS_URL", given_redis)

    from bench.db import ensure_database

    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bench import assignment, balancing, intakes, pqr_export, turns, workbench

    which = argv[0] if argv else "all"
    ok = True
    if which in ("assignment", "all"):
        ok &= assignment.run()
    if which in ("workbench", "all"):
        ok &= workbench.run()
    if which in ("intakes", "all"):
        ok &= intakes.run()
    if which in ("pqr_export", "all"):
        ok &= pqr_export.run()
    if which in ("turns", "all"):
        ok &= turns.run()
    if which in ("balancing", "all"):
        ok &= balancing.run()
    if which == "dashboard":  # 1,000,000 cases (~2 minutes to write): not part of "all"
        from bench import dashboard

        ok &= dashboard.run()
    if which == "peak":  # ~10 minutes: not part of "all"
        from bench import peak

        ok &= peak.run()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
