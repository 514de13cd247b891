"""Reference data of the overflow modalities, loaded by a migration (and by tests after a flush)."""

from core.reference_data import schedule_periodic_tasks

POOLS = [
    ("desborde-metropolitano", "Desborde Unidad Canales Metropolitano", "metropolitano"),
    ("desborde-regional", "Desborde Unidad Canales Regional", "regional"),
]


def load_pools(apps) -> None:
    AssignmentPool = apps.get_model("core", "AssignmentPool")
    for code, name, unit in POOLS:
        AssignmentPool.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "batch_size": 2}
        )


#: (name, task, minutes between runs); editable in admin afterwards (django-celery-beat).
PERIODIC_TASKS = [
    ("Informar PQR de desborde al asignador (barrido DF-04)", "desborde.pqr_report_sweep", 1),
]


def load_periodic_tasks(apps) -> None:
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS)
