"""Gestores configure the agenda in admin (issue 13): appointment types, the technologists'
working hours, and see the bookings (core.roles.ROLE_PERMISSIONS)."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0027_constancia")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
