"""The agenda's periodic sweep (issue 13): holds whose time ran out become "vencida" every
minute (editable in admin, django-celery-beat)."""

from django.db import migrations

from core.reference_data import schedule_periodic_tasks

PERIODIC_TASKS = [
    ("Vencer reservas de horario de la agenda (barrido)", "core.agenda_holds_expire", 1),
]


def load(apps, schema_editor=None):
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0025_agenda"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
