"""The overflow pools of both units (CORE-09, DF-02); managers set members, K and caps in admin."""

from django.db import migrations

from desborde import reference_data


def create(apps, schema_editor):
    reference_data.load_pools(apps)


class Migration(migrations.Migration):
    dependencies = [("desborde", "0001_initial"), ("core", "0009_role_permissions_assignment")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
