"""WA-04 → core: copy the print jobs of desborde (and their history) into ``core.PrintJob``,
keeping their ids, so links to ``/api/v1/print-jobs/{id}/`` and the audit trail survive. The
next migration deletes desborde's tables, in its own transaction.

A core print job points at a printer of its office: the office's first active printer, else its
first printer. An office that had print jobs and no printer at all gets an active one, named
``MIGRATED_PRINTER_NAME``, so its queue keeps working after the release (the gestor renames it
or registers the real one in admin). The copy is not a change anyone made: no history rows are
added, the existing ones are copied as they are (with the printer)."""

from django.core.management.color import no_style
from django.db import migrations
from django.utils import timezone

MIGRATED_PRINTER_NAME = "Impresora de la oficina"
MIGRATED_PRINTER_REASON = "registrada al mover la cola de impresión de desborde a core"
JOB_FIELDS = [
    "id",
    "office_id",
    "case_id",
    "document_id",
    "title",
    "sent_by_id",
    "sent_at",
    "printed_at",
    "belongs_confirmed",
    "signatures_taken",
    "fingerprints_taken",
    "handed_at",
]
HISTORY_FIELDS = [
    *JOB_FIELDS,
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
]
BATCH = 500


def _reset_sequences(schema_editor, models) -> None:
    """Explicit ids were inserted: the next automatic id must come after them (PostgreSQL;
    SQLite follows the largest id by itself)."""
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), models):
        schema_editor.execute(sql)


def _office_printers(apps, db, office_ids) -> dict[int, int]:
    Printer = apps.get_model("core", "Printer")
    HistoricalPrinter = apps.get_model("core", "HistoricalPrinter")
    printers = {}
    for office_id in sorted(office_ids):
        printer = (
            Printer.objects.using(db)
            .filter(office_id=office_id)
            .order_by("-active", "name", "id")
            .first()
        )
        if printer is None:
            printer = Printer.objects.using(db).create(
                office_id=office_id, name=MIGRATED_PRINTER_NAME, active=True
            )
            HistoricalPrinter.objects.using(db).create(
                id=printer.pk,
                office_id=office_id,
                name=printer.name,
                queue_address="",
                active=True,
                history_date=timezone.now(),
                history_type="+",
                history_change_reason=MIGRATED_PRINTER_REASON,
            )
        printers[office_id] = printer.pk
    return printers


def copy_to_core(apps, schema_editor):
    OldJob = apps.get_model("desborde", "PrintJob")
    OldHistory = apps.get_model("desborde", "HistoricalPrintJob")
    Job = apps.get_model("core", "PrintJob")
    History = apps.get_model("core", "HistoricalPrintJob")
    db = schema_editor.connection.alias

    old_jobs = list(OldJob.objects.using(db).order_by("id").values(*JOB_FIELDS))
    printers = _office_printers(apps, db, {row["office_id"] for row in old_jobs})
    Job.objects.using(db).bulk_create(
        [Job(printer_id=printers[row["office_id"]], **row) for row in old_jobs], batch_size=BATCH
    )
    old_history = OldHistory.objects.using(db).order_by("history_id").values(*HISTORY_FIELDS)
    History.objects.using(db).bulk_create(
        [History(printer_id=printers.get(row["office_id"]), **row) for row in old_history],
        batch_size=BATCH,
    )
    _reset_sequences(schema_editor, [Job, History])


def copy_back_to_desborde(apps, schema_editor):
    """Unapplying: the rows go back to desborde's tables (recreated by unapplying 0006), ids
    kept, and leave core's (the printers registered on the way stay)."""
    OldJob = apps.get_model("desborde", "PrintJob")
    OldHistory = apps.get_model("desborde", "HistoricalPrintJob")
    Job = apps.get_model("core", "PrintJob")
    History = apps.get_model("core", "HistoricalPrintJob")
    db = schema_editor.connection.alias

    jobs = Job.objects.using(db).order_by("id").values(*JOB_FIELDS)
    OldJob.objects.using(db).bulk_create([OldJob(**row) for row in jobs], batch_size=BATCH)
    history = History.objects.using(db).order_by("history_id").values(*HISTORY_FIELDS)
    OldHistory.objects.using(db).bulk_create(
        [OldHistory(**row) for row in history], batch_size=BATCH
    )
    _reset_sequences(schema_editor, [OldJob, OldHistory])
    History.objects.using(db).all().delete()
    Job.objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("desborde", "0004_pqr_report_sweep"),
        ("core", "0015_printjob"),
    ]

    operations = [migrations.RunPython(copy_to_core, copy_back_to_desborde)]
