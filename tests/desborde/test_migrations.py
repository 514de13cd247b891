"""WA-04's print queue moved from desborde to core (desborde 0005 → 0006, core 0015): the rows
and their history survive with their ids, each on a printer of its office; unapplying brings
them back. Runs the real migrations back and forth on the test database (PostgreSQL in CI,
SQLite locally)."""

import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.models import CaseStatus, Printer, PrintJob
from core.roles import Role
from core.services.evidence import evidence_attach
from tests.factories import TINY_PNG, OfficeFactory, make_case
from tests.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("desborde", "0004_pqr_report_sweep"), ("core", "0014_case_modality")]
copy_migration = importlib.import_module("desborde.migrations.0005_move_print_jobs_to_core")


def migrate(targets=None):
    """Migrate the test database to ``targets`` (the latest state by default); the models of
    that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_wa04_print_jobs_and_history_survive_the_move_to_core():
    """Data: two offices — one with an inactive and an active printer, one with none — and a
    print job in each (ids 41 and 7), one with its history of three steps."""
    tech_office = OfficeFactory(name="Oficina Itagüí")
    tech = make_user(Role.TECNOLOGO, tech_office, username="tecnologa")
    orientador = make_user(Role.ORIENTADOR, tech_office, username="orientadora")
    with_printers = OfficeFactory(name="Oficina Envigado")
    Printer.objects.create(office=with_printers, name="A impresora vieja", active=False)
    active = Printer.objects.create(office=with_printers, name="B impresora")
    without_printer = OfficeFactory(name="Oficina Rionegro")
    cases = [
        make_case(supported_office=office, assigned_to=tech, status=CaseStatus.EN_ATENCION)
        for office in (with_printers, without_printer)
    ]
    documents = [
        evidence_attach(
            case=case,
            kind="otro",
            upload=SimpleUploadedFile("factura.png", TINY_PNG),
            uploaded_by=tech,
        )
        for case in cases
    ]
    now = timezone.now()

    old = migrate(BEFORE)
    try:
        OldJob = old.get_model("desborde", "PrintJob")
        OldHistory = old.get_model("desborde", "HistoricalPrintJob")
        rows = [
            dict(
                id=41,
                office_id=with_printers.pk,
                case_id=cases[0].pk,
                document_id=documents[0].pk,
                title="Constancia de atención",
                sent_by_id=tech.pk,
                sent_at=now,
                printed_at=now,
                belongs_confirmed=True,
                signatures_taken=True,
            ),
            dict(
                id=7,
                office_id=without_printer.pk,
                case_id=cases[1].pk,
                document_id=documents[1].pk,
                title="Factura",
                sent_by_id=tech.pk,
                sent_at=now,
            ),
        ]
        for row in rows:
            OldJob.objects.create(**row)
        for n, (kind, reason, user) in enumerate(
            [
                ("+", "enviado a la cola de impresión de la oficina", None),
                ("~", "documento impreso", orientador.pk),
                ("~", "verificado que corresponde al caso", orientador.pk),
            ]
        ):
            OldHistory.objects.create(
                **{**rows[0], "belongs_confirmed": n == 2, "signatures_taken": n == 2},
                history_id=100 + n,
                history_date=now,
                history_type=kind,
                history_change_reason=reason,
                history_user_id=user,
            )
    finally:
        migrate()

    first, second = PrintJob.objects.order_by("-id")
    assert (first.pk, first.title, first.case_id, first.document_id) == (
        41,
        "Constancia de atención",
        cases[0].pk,
        documents[0].pk,
    )
    assert (first.office_id, first.printer) == (with_printers.pk, active)
    assert (first.printed_at, first.belongs_confirmed, first.signatures_taken) == (
        now,
        True,
        True,
    )
    assert first.handed_at is None and not first.fingerprints_taken
    assert second.pk == 7
    assert (second.printer.office_id, second.printer.name, second.printer.active) == (
        without_printer.pk,
        copy_migration.MIGRATED_PRINTER_NAME,
        True,
    )
    assert second.printer.history.get().history_change_reason == (
        copy_migration.MIGRATED_PRINTER_REASON
    )
    history = first.history.order_by("history_id")
    assert list(history.values_list("history_id", "history_change_reason", "printer_id")) == [
        (100, "enviado a la cola de impresión de la oficina", active.pk),
        (101, "documento impreso", active.pk),
        (102, "verificado que corresponde al caso", active.pk),
    ]
    assert history.last().history_user == orientador
    assert {job.pk for job in cases[0].print_jobs.all()} == {41}

    # New rows continue after the copied ids (the sequences were moved past them).
    job = PrintJob.objects.create(
        office=with_printers,
        printer=active,
        case=cases[0],
        document=documents[0],
        title="Otra",
        sent_by=tech,
        sent_at=now,
    )
    assert job.pk > 41
    assert job.history.get().history_id > 102

    # Unapplying puts the rows back into desborde's tables, ids kept.
    old = migrate(BEFORE)
    try:
        OldJob = old.get_model("desborde", "PrintJob")
        assert set(OldJob.objects.values_list("id", "title")) == {
            (7, "Factura"),
            (41, "Constancia de atención"),
            (job.pk, "Otra"),
        }
        assert old.get_model("desborde", "HistoricalPrintJob").objects.count() == 4
    finally:
        migrate()
    assert set(PrintJob.objects.values_list("id", flat=True)) == {7, 41, job.pk}
