"""The silencio-administrativo-positivo sweep (issue 16, LEG-02) every 10 minutes: PQR past their
term enter the queue, late answers are recorded, the 24-hour and expiry alerts go out once."""

from django.db import migrations

from core.reference_data import schedule_periodic_tasks

#: (name, task, minutes between runs); editable in admin afterwards (django-celery-beat).
PERIODIC_TASKS = [
    ("Cola de silencio administrativo positivo (barrido, LEG-02)", "core.sap_sweep", 10),
]


def load(apps, schema_editor=None):
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0033_dashboard_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
