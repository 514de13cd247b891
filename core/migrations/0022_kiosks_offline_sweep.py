"""The kiosks' periodic sweep (issue 12): a kiosk whose live connection died without closing
(no heartbeat for KIOSK_OFFLINE_SECONDS) is turned "desconectado" every minute."""

from django.db import migrations

from core.reference_data import schedule_periodic_tasks

#: (name, task, minutes between runs); editable in admin afterwards (django-celery-beat).
PERIODIC_TASKS = [
    ("Desconectar módulos sin señal (barrido)", "core.kiosks_offline_sweep", 1),
]


def load(apps, schema_editor=None):
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0021_kiosks_video_virtual_turns"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
