"""One group per SPEC role, with its model permissions (core.roles.ROLE_PERMISSIONS)."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_catalogue"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
