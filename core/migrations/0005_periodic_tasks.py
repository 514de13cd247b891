"""The periodic sweeps (django-celery-beat), editable in admin afterwards."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_periodic_tasks(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_templates_mailboxes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
