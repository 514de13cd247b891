"""Default message templates (CORE-11) and sender mailboxes (CORE-12), from the procedure."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_templates_and_mailboxes(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_roles")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
