"""Catalogue of the procedure (CORE-04, CORE-05): transaction types, channels, initial causes."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
