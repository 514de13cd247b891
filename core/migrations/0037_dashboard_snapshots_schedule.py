"""The dashboards someone is looking at are recomputed every minute (issue 16): the page, its
refresh and the API then serve figures computed less than a minute and a quarter ago."""

from django.db import migrations

from core.reference_data import schedule_periodic_tasks

#: (name, task, minutes between runs); editable in admin afterwards (django-celery-beat).
PERIODIC_TASKS = [
    ("Cifras del tablero en pantalla (recálculo)", "core.dashboard_snapshots", 1),
]


def load(apps, schema_editor=None):
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0036_dashboard_snapshot"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
