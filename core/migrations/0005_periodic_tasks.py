"""The periodic sweep that sends notifications left pending (broker down, SMTP error)."""

from django.db import migrations


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Enviar notificaciones pendientes",
        defaults={"task": "core.send_pending_notifications", "interval": every_minute},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_templates_mailboxes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
