"""Gestores register their unit's kiosks (office, printer) and see the video sessions in admin
(issue 12): the groups get those model permissions (core.roles.ROLE_PERMISSIONS)."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0022_kiosks_offline_sweep")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
