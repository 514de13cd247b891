"""Retention of call recordings (PQR-06, issue 15): the audit of each run, which is also the
mark of the recordings it flagged or purged, and the daily job in django-celery-beat."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.reference_data import schedule_periodic_tasks

#: (name, task, hour, minute) every day, America/Bogota; editable in admin afterwards.
DAILY_TASKS = [
    ("Retención de grabaciones de llamadas (PQR-06)", "core.recordings_retention", 2, 30),
]


def load(apps, schema_editor=None):
    schedule_periodic_tasks(apps, daily=DAILY_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0030_sender_mailbox_footer"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="RetentionAudit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ran_at", models.DateTimeField(db_index=True, verbose_name="ejecutada")),
                (
                    "action",
                    models.CharField(
                        choices=[("flag", "marcar como vencida"), ("purge", "purgar el archivo")],
                        max_length=10,
                        verbose_name="acción",
                    ),
                ),
                ("months", models.PositiveSmallIntegerField(verbose_name="meses de conservación")),
                ("cutoff", models.DateTimeField(verbose_name="vencidas las cargadas antes de")),
                ("trigger", models.CharField(max_length=60, verbose_name="origen")),
                (
                    "evidence_count",
                    models.PositiveIntegerField(default=0, verbose_name="evidencias afectadas"),
                ),
                (
                    "bytes_freed",
                    models.PositiveBigIntegerField(default=0, verbose_name="bytes liberados"),
                ),
                ("errors", models.JSONField(blank=True, default=list, verbose_name="errores")),
                (
                    "evidence",
                    models.ManyToManyField(
                        blank=True,
                        related_name="retention_audits",
                        to="core.evidence",
                        verbose_name="evidencias",
                    ),
                ),
                (
                    "triggered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="ejecutada por",
                    ),
                ),
            ],
            options={
                "verbose_name": "ejecución de la retención de grabaciones",
                "verbose_name_plural": "ejecuciones de la retención de grabaciones",
                "ordering": ["-ran_at", "-id"],
            },
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
