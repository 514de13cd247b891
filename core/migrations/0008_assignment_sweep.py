"""The periodic assignment sweep (CORE-09, NFR-03)."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_periodic_tasks(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_assignment_attempts")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
