"""Issue 16: the indexes of the managers' dashboard (core.selectors.dashboard) at 1,000,000 cases.

Every figure is read from an index alone (PostgreSQL index-only scans): open cases by state,
modality, unit and technologist; open PQR by due date (and the ten most urgent, in due order);
closed cases by close time (the period's performance, today's closures); assignments by time
(today's load). The two on open cases are partial: open cases are a few percent of the table.
Declared in ``Case.Meta.indexes`` as well."""

from django.db import migrations, models

OPEN = ["abierto", "asignado", "en_atencion"]


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0032_sap_queue"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", OPEN)),
                fields=["status", "modality", "office", "supported_office", "assigned_to"],
                name="case_open_status_modality_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", OPEN)),
                fields=[
                    "kind",
                    "due_date",
                    "filed_at",
                    "id",
                    "office",
                    "supported_office",
                    "modality",
                ],
                name="case_open_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", False)),
                fields=[
                    "closed_at",
                    "assigned_to",
                    "modality",
                    "status",
                    "assigned_at",
                    "office",
                    "supported_office",
                ],
                name="case_closed_at_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("assigned_at__isnull", False)),
                fields=["assigned_at", "assigned_to"],
                name="case_assigned_at_idx",
            ),
        ),
    ]
