"""Reference data of balancing, loaded by a migration (and by tests after a flush)."""

from core.reference_data import schedule_periodic_tasks

#: (name, task, minutes between runs); editable in admin afterwards (django-celery-beat).
PERIODIC_TASKS = [
    ("Emparejar clientes en espera con tecnólogos de balanceo (barrido BAL-03)",
     "balanceo.match_sweep", 1),
]  # fmt: skip


def load_periodic_tasks(apps) -> None:
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS)
