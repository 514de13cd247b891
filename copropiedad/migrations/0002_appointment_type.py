"""The appointment type of condo administrators (2.6): 30-minute calls, bookable up to 30 days
ahead. Managers choose its technologists and edit it in admin."""

from django.db import migrations


def load(apps, schema_editor):
    AppointmentType = apps.get_model("core", "AppointmentType")
    AppointmentType.objects.get_or_create(
        code="copropiedad",
        defaults={
            "name": "Cita telefónica de administrador de copropiedad",
            "modality": "copropiedad",
            "duration_minutes": 30,
            "days_ahead": 30,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("copropiedad", "0001_initial"),
        ("core", "0027_constancia"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
