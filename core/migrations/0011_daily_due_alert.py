"""LEG-02: the daily alert of PQR near or past their term, scheduled in django-celery-beat."""

from django.db import migrations

from core import reference_data


def load(apps, schema_editor):
    reference_data.load_periodic_tasks(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0010_due_alert_run")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
