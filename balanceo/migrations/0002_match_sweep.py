"""BAL-03: the periodic matching sweep (every minute) that pairs any waiting customer the
triggers after commit missed, scheduled in django-celery-beat (run by ``make run`` /
``make beat``), editable in admin."""

from django.db import migrations

from balanceo import reference_data


def load(apps, schema_editor):
    reference_data.load_periodic_tasks(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("balanceo", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
