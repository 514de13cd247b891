"""Gestores program the support roster in admin and see shift checks and turns: the groups get
the roster's model permissions (core.roles.ROLE_PERMISSIONS)."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0019_roster_turns")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
