"""2.7's inbox message templates and periodic jobs (daily export, closing unanswered requests,
the inbound sweep), editable in admin afterwards."""

from django.db import migrations

from pqr_digital import reference_data


def load(apps, schema_editor):
    reference_data.load_all(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("pqr_digital", "0001_interactions_inbound_exports"),
        ("core", "0018_outbound_sweep"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
