"""Issue 16 (NFR-01): the dashboard's daily rollup of closed cases and the days already rolled,
and its nightly job (00:20 Bogotá, ``core.dashboard_rollup``)."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

from core.reference_data import schedule_periodic_tasks

#: (name, task, hour, minute) in America/Bogota; editable in admin afterwards.
DAILY_TASKS = [
    ("Resumen diario del tablero (cifras del periodo)", "core.dashboard_rollup", 0, 20),
]


def load(apps, schema_editor=None):
    schedule_periodic_tasks(apps, daily=DAILY_TASKS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0034_sap_sweep_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="DashboardRollupDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True, verbose_name="día (Bogotá)")),
                ("rolled_at", models.DateTimeField(verbose_name="resumido el")),
            ],
            options={
                "verbose_name": "día resumido del tablero",
                "verbose_name_plural": "días resumidos del tablero",
                "ordering": ["day"],
            },
        ),
        migrations.CreateModel(
            name="CaseDailyStats",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="día (Bogotá) del cierre")),
                (
                    "modality",
                    models.CharField(
                        choices=[
                            ("general", "General"),
                            ("desborde", "Desborde (2.1–2.3)"),
                            ("asesor_linea", "Asesor en línea (2.4)"),
                            ("balanceo", "Balanceo (2.5)"),
                            ("copropiedad", "Administradores de Copropiedad (2.6)"),
                            ("pqr_digital", "PQR por medios tecnológicos o electrónicos (2.7)"),
                            ("cliente_interno", "Cliente interno (2.8)"),
                        ],
                        max_length=20,
                        verbose_name="modalidad",
                    ),
                ),
                ("closed", models.PositiveIntegerField(verbose_name="casos cerrados")),
                (
                    "first_contact",
                    models.PositiveIntegerField(verbose_name="cerrados en primer contacto"),
                ),
                ("handled", models.PositiveIntegerField(verbose_name="cerrados con asignación")),
                (
                    "handling",
                    models.DurationField(
                        verbose_name="tiempo de atención sumado (cierre − asignación)"
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.office",
                        verbose_name="oficina",
                    ),
                ),
                (
                    "supported_office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.office",
                        verbose_name="oficina a la que se apoya / oficina de atención",
                    ),
                ),
            ],
            options={
                "verbose_name": "cifras diarias de casos cerrados",
                "verbose_name_plural": "cifras diarias de casos cerrados",
                "constraints": [
                    models.UniqueConstraint(
                        models.F("day"),
                        django.db.models.functions.comparison.Coalesce("office", 0),
                        django.db.models.functions.comparison.Coalesce("supported_office", 0),
                        models.F("modality"),
                        name="case_daily_stats_key",
                    )
                ],
            },
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
