"""The outbox's periodic sweep (messages to customers through the networks' inboxes)."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_periodic_tasks(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0017_outbound_messages"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
