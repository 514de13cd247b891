"""Encargados and gestores see the print queues in admin (read-only): the groups get
``view_printjob`` (core.roles.ROLE_PERMISSIONS)."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0015_printjob")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
