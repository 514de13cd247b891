"""CORE-01: the pseudo-office "Cliente Interno" (2.8) exists on every database."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_internal_client_office(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_periodic_tasks")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
