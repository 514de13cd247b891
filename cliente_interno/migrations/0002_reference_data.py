"""The appointment type of internal clients (2.8) and the periodic no-show job (CI-04: every
minute, appointments whose employee did not check in within the grace period become
"no asistió" and the employee is e-mailed a link to book again)."""

from django.db import migrations

from cliente_interno import reference_data
from core.reference_data import schedule_periodic_tasks

PERIODIC_TASKS = [
    ("Citas de cliente interno sin asistencia (no asistió)", "cliente_interno.no_shows_mark", 1),
]


def load(apps, schema_editor):
    reference_data.load_all(apps)
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("cliente_interno", "0001_initial"),
        ("core", "0029_video_attendee"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
