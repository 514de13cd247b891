"""Role groups get the permissions of the assignment models."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_assignment_sweep")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
