"""DF-04: the intake records when its PQR number was reported (``reported_at``) instead of a
comma-joined copy of numbers (``pqr_numbers``): a case closes once, so an intake has one number,
the case's. Existing data keeps its meaning: a non-empty ``pqr_numbers`` means reported, at the
first history row that shows it (else when the case closed); history rows follow the intake."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Now


def pqr_numbers_to_reported_at(apps, schema_editor):
    Case = apps.get_model("core", "Case")
    Intake = apps.get_model("desborde", "Intake")
    HistoricalIntake = apps.get_model("desborde", "HistoricalIntake")
    unexpected = list(
        Intake.objects.exclude(pqr_numbers="")
        .exclude(pqr_numbers=F("case__number"))
        .values_list("pk", "pqr_numbers")
    )
    if unexpected:  # only a hand edit in admin could write these; never drop them silently
        raise RuntimeError(
            "Registros de desborde con 'PQR registradas' distinto del número de su caso "
            f"(id, valor): {unexpected}. Corríjalos antes de migrar."
        )
    first_shown = (
        HistoricalIntake.objects.filter(id=OuterRef("pk"))
        .exclude(pqr_numbers="")
        .order_by("history_date")
        .values("history_date")[:1]
    )
    closed_at = Case.objects.filter(pk=OuterRef("case_id")).values("closed_at")[:1]
    Intake.objects.exclude(pqr_numbers="").update(
        reported_at=Coalesce(Subquery(first_shown), Subquery(closed_at), Now())
    )
    intake_reported_at = Intake.objects.filter(pk=OuterRef("id")).values("reported_at")[:1]
    HistoricalIntake.objects.exclude(pqr_numbers="").update(
        reported_at=Coalesce(Subquery(intake_reported_at), F("history_date"))
    )


def reported_at_to_pqr_numbers(apps, schema_editor):
    Case = apps.get_model("core", "Case")
    number = Case.objects.filter(pk=OuterRef("case_id")).values("number")[:1]
    for name in ("Intake", "HistoricalIntake"):
        model = apps.get_model("desborde", name)
        model.objects.filter(reported_at__isnull=False).update(pqr_numbers=Subquery(number))


def reported_at() -> models.DateTimeField:
    return models.DateTimeField(
        blank=True,
        editable=False,
        help_text="DF-04: cuándo se informó al asignador el número del caso CRM registrado.",
        null=True,
        verbose_name="PQR informada al asignador",
    )


class Migration(migrations.Migration):
    dependencies = [("desborde", "0002_overflow_pools")]

    operations = [
        migrations.AddField(model_name="historicalintake", name="reported_at", field=reported_at()),
        migrations.AddField(model_name="intake", name="reported_at", field=reported_at()),
        migrations.RunPython(pqr_numbers_to_reported_at, reported_at_to_pqr_numbers),
        migrations.RemoveField(model_name="historicalintake", name="pqr_numbers"),
        migrations.RemoveField(model_name="intake", name="pqr_numbers"),
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=models.Q(("reported_at__isnull", True)),
                fields=["case"],
                name="intake_unreported_idx",
            ),
        ),
    ]
