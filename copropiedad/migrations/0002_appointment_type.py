"""The appointment type of condo administrators (2.6): 30-minute calls, bookable up to 30 days
ahead. Managers choose its technologists and edit it in admin."""

from django.db import migrations

from copropiedad import reference_data


def load(apps, schema_editor):
    reference_data.load_all(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("copropiedad", "0001_initial"),
        ("core", "0027_constancia"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
