"""DF-04: the periodic sweep that reports closed cases the ``case_closed`` receiver missed,
scheduled in django-celery-beat (run by ``make run`` / ``make beat``), editable in admin."""

from django.db import migrations

from desborde import reference_data


def load(apps, schema_editor):
    reference_data.load_periodic_tasks(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("desborde", "0003_intake_reported_at"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
