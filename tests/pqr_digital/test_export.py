"""PQR-07: the help desk's daily export of digital PQR — the files (CSV through COPY, Excel),
the daily job and its e-mail, the page and the API, with their role rules (NFR-02)."""

import csv
import datetime as dt
import io
import threading
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from core.models import Case, CaseStatus, Modality, Notification, Unit
from core.roles import Role
from pqr_digital.models import DigitalChannel, DigitalPqrExport
from pqr_digital.services.export import (
    CATCH_UP_DAYS,
    csv_write,
    daily_exports_run,
    export_build,
    export_email,
    xlsx_write,
)
from tests.factories import CustomerFactory, OfficeFactory, make_case
from tests.factories.pqr_digital import make_digital_pqr
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

BOGOTA = ZoneInfo("America/Bogota")
UTC = dt.UTC
DAY = dt.date(2026, 11, 29)
NOW = dt.datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # 06:00 in Bogotá: the job exports DAY
HEADERS = [
    "número de PQR",
    "fecha de radicación",
    "canal",
    "tipo",
    "causa inicial",
    "estado",
    "fecha límite de respuesta",
    "contacto nombre",
    "tipo de documento",
    "número de documento",
    "contrato",
    "dirección del inmueble",
    "motivo PQR (detalle)",
    "relación con el inmueble",
    "usuario en la red",
    "referencia de grabación",
    "tecnólogo asignado",
    "correo para notificación",
    "celular para citación",
]
TRICKY_MOTIVE = 'Cobro "doble"; revisar medidor.\nSegunda línea\r\ncon \\ barra y\ttab'


def bogota(y, m, d, hh=12, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=BOGOTA)


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def parse_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "el CSV empieza con el BOM de UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data))
    return list(workbook.active.iter_rows(values_only=True))


def stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


@pytest.fixture
def regional(db):
    return OfficeFactory(name="Oficina Rionegro", unit=Unit.REGIONAL)


@pytest.fixture
def metro(db):
    return OfficeFactory(name="Oficina Itagüí", unit=Unit.METROPOLITANO)


@pytest.fixture
def people(regional, metro):
    """Who is who: the Regional help desk and managers, their Metropolitano peers, others."""
    return {
        "mesa": make_user(Role.MESA, regional, username="mesa_regional"),
        "gestor_oficina": make_user(
            Role.GESTOR_OFICINA, regional, username="go_regional", email="go1@epm.example"
        ),
        "gestor_oficina_2": make_user(
            Role.GESTOR_OFICINA, regional, username="go_regional_2", email="go2@epm.example"
        ),
        "gestor_oficina_inactivo": make_user(
            Role.GESTOR_OFICINA,
            regional,
            username="go_inactivo",
            email="go3@epm.example",
            is_active=False,
        ),
        "gestor": make_user(Role.GESTOR, regional, username="gestor_regional"),
        "gestor_oficina_metro": make_user(
            Role.GESTOR_OFICINA, metro, username="go_metro", email="gom@epm.example"
        ),
        "mesa_metro": make_user(Role.MESA, metro, username="mesa_metro", email="mm@epm.example"),
        "tecnologo": make_user(
            Role.TECNOLOGO, regional, username="tec_regional", email="tec@epm.example"
        ),
        "creador": make_user(Role.CREADOR, metro, username="creador"),
    }


def tricky_pqr(filed_at, **kwargs):
    """A PQR with everything Excel gets wrong: accents, leading zeros, separators, quotes,
    line breaks, a would-be formula."""
    tech = kwargs.pop("assigned_to", None)
    case = make_digital_pqr(
        channel=DigitalChannel.WHATSAPP,
        customer=CustomerFactory(
            full_name='=HYPERLINK("http://x")Ñoño Ávila Pérez', document_number="0012345678"
        ),
        filed_at=filed_at,
        contract_number="0001234",
        property_address="Cra. 50 # 10-20; apto 301",
        motive=TRICKY_MOTIVE,
        **kwargs,
    )
    # The medium the user authorised for the answer (CORE-13), as the creador records it.
    case.notification_email = "nono@example.com"
    case.notification_mobile = "0573001234567"
    case.save(update_fields=["notification_email", "notification_mobile"])
    interaction = case.digital_interaction
    interaction.relation_to_premises = "-arrendatario"
    interaction.author_handle = "@nono_avila"
    interaction.recording_ref = "GRAB-00042"
    interaction.save(update_fields=["relation_to_premises", "author_handle", "recording_ref"])
    if tech:
        case.assigned_to = tech
        case.status = CaseStatus.ASIGNADO
        case.save(update_fields=["assigned_to", "status"])
    return case


# --- which day ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "day"),
    [
        # 06:00 Bogotá, the scheduled hour: yesterday is the 29th.
        (dt.datetime(2026, 11, 30, 11, 0, tzinfo=UTC), dt.date(2026, 11, 29)),
        # UTC already on 1 December, Bogotá still on 30 November (21:00): the 29th, not the 30th.
        (dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC), dt.date(2026, 11, 29)),
        # 30 Nov 02:00 / 04:59 UTC is still the 29th in Bogotá: yesterday is the 28th.
        (dt.datetime(2026, 11, 30, 2, 0, tzinfo=UTC), dt.date(2026, 11, 28)),
        (dt.datetime(2026, 11, 30, 4, 59, tzinfo=UTC), dt.date(2026, 11, 28)),
        (dt.datetime(2026, 11, 30, 5, 0, tzinfo=UTC), dt.date(2026, 11, 29)),
    ],
)
def test_pqr07_daily_job_exports_the_previous_bogota_day(people, now, day):
    daily_exports_run(now=now)

    assert list(DigitalPqrExport.objects.values_list("date_from", "date_to")) == [(day, day)]


def test_pqr07_day_bounds_are_bogota_midnights_when_utc_is_already_the_next_day(people):
    """Run when UTC is 1 December 02:00 (Bogotá 30 Nov 21:00): the export of the 29th holds a
    PQR filed at 23:30 Bogotá (04:30 UTC on the 30th) and the one of 00:00, not the one of
    00:10 Bogotá on the 30th nor 23:59 on the 28th."""
    late = make_digital_pqr(filed_at=bogota(2026, 11, 29, 23, 30))
    midnight = make_digital_pqr(filed_at=bogota(2026, 11, 29, 0, 0))
    next_day = make_digital_pqr(filed_at=bogota(2026, 11, 30, 0, 10))
    day_before = make_digital_pqr(filed_at=bogota(2026, 11, 28, 23, 59))
    make_case(filed_at=bogota(2026, 11, 29, 10, 0))  # a desborde case: not a digital PQR
    assert late.filed_at.astimezone(UTC) == dt.datetime(2026, 11, 30, 4, 30, tzinfo=UTC)

    daily_exports_run(now=dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC))

    export = DigitalPqrExport.objects.get()
    assert (export.date_from, export.date_to) == (DAY, DAY)
    numbers = [row[0] for row in parse_csv(stored(export.csv_file))[1:]]
    assert numbers == [midnight.number, late.number]
    assert next_day.number not in numbers and day_before.number not in numbers
    assert export.rows == 2
    assert [row[0] for row in read_xlsx(stored(export.xlsx_file))[1:]] == numbers


# --- the CSV --------------------------------------------------------------------------------


def test_pqr07_csv_opens_in_excel_colombia_and_round_trips(people):
    """BOM, «;», accents, leading zeros as ="…", a motive with ; quotes and line breaks, and the
    formula guard — read back with Python's csv module."""
    case = tricky_pqr(bogota(2026, 11, 29, 8, 5), assigned_to=people["tecnologo"])

    export = export_build(date_from=DAY, date_to=DAY, by=people["mesa"])

    data = stored(export.csv_file)
    rows = parse_csv(data)
    assert rows[0] == HEADERS
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["número de PQR"] == case.number
    assert row["fecha de radicación"] == "29/11/2026 08:05"
    assert row["canal"] == "WhatsApp"
    assert row["tipo"] == "reclamo"
    assert row["causa inicial"] == case.initial_cause.name
    assert row["estado"] == "asignado"
    assert row["fecha límite de respuesta"] == case.due_date.strftime("%d/%m/%Y")
    assert row["contacto nombre"] == '\'=HYPERLINK("http://x")Ñoño Ávila Pérez'
    assert row["tipo de documento"] == "Cédula de ciudadanía"
    assert row["número de documento"] == '="0012345678"'
    assert row["contrato"] == '="0001234"'
    assert row["dirección del inmueble"] == "Cra. 50 # 10-20; apto 301"
    assert row["motivo PQR (detalle)"] == TRICKY_MOTIVE
    assert row["relación con el inmueble"] == "'-arrendatario"
    assert row["usuario en la red"] == "'@nono_avila"
    assert row["referencia de grabación"] == "GRAB-00042"
    assert row["tecnólogo asignado"] == people["tecnologo"].get_full_name()
    assert row["correo para notificación"] == "nono@example.com"
    assert row["celular para citación"] == '="0573001234567"'
    assert "Ñoño Ávila Pérez".encode() in data  # UTF-8, not Latin-1


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+57 300", "'+57 300"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("normal = 1", "normal = 1"),
    ],
)
def test_pqr07_csv_guards_formula_injection(people, text, written):
    make_digital_pqr(filed_at=bogota(2026, 11, 29), motive=text)

    out = io.BytesIO()
    csv_write(out, date_from=DAY, date_to=DAY)

    assert parse_csv(out.getvalue())[1][HEADERS.index("motivo PQR (detalle)")] == written


def test_pqr07_csv_sqlite_fallback_writes_the_same_cells(people, monkeypatch):
    """The demo's Python writer (SQLite) gives the same cells as PostgreSQL's COPY."""
    tricky_pqr(bogota(2026, 11, 29, 8, 5), assigned_to=people["tecnologo"])
    make_digital_pqr(filed_at=bogota(2026, 11, 29, 9, 0), contract_number="")
    copy_out, python_out = io.BytesIO(), io.BytesIO()
    csv_write(copy_out, date_from=DAY, date_to=DAY)
    xlsx_copy, xlsx_python = io.BytesIO(), io.BytesIO()
    xlsx_write(xlsx_copy, date_from=DAY, date_to=DAY)

    monkeypatch.setattr(connection, "vendor", "sqlite")
    csv_write(python_out, date_from=DAY, date_to=DAY)
    xlsx_write(xlsx_python, date_from=DAY, date_to=DAY)

    assert parse_csv(python_out.getvalue()) == parse_csv(copy_out.getvalue())
    assert read_xlsx(xlsx_python.getvalue()) == read_xlsx(xlsx_copy.getvalue())


def test_pqr07_csv_delimiter_follows_the_setting(people, settings):
    make_digital_pqr(filed_at=bogota(2026, 11, 29), motive="uno, dos; tres")
    settings.PQR_EXPORT_CSV_DELIMITER = ","

    out = io.BytesIO()
    csv_write(out, date_from=DAY, date_to=DAY)

    text = out.getvalue().decode("utf-8-sig")
    assert text.startswith("número de PQR,fecha de radicación,")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][HEADERS.index("motivo PQR (detalle)")] == "uno, dos; tres"


# --- the Excel file -------------------------------------------------------------------------


def test_pqr07_xlsx_opens_with_openpyxl_and_values_read_back(people):
    case = tricky_pqr(
        bogota(
            2026,
            11,
            29,
            8,
            5,
        ),
        assigned_to=people["tecnologo"],
    )
    case.motive = TRICKY_MOTIVE + "\x01\x0b<b>&amp;</b> ]]>"
    case.save(update_fields=["motive"])
    other = make_digital_pqr(filed_at=bogota(2026, 11, 29, 16, 45), contract_number="")

    export = export_build(date_from=DAY, date_to=DAY)

    data = stored(export.xlsx_file)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "PQR digitales"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 3
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["número de PQR"] == case.number
    assert row["fecha de radicación"] == dt.datetime(2026, 11, 29, 8, 5)  # noqa: DTZ001
    assert row["fecha límite de respuesta"] == dt.datetime.combine(case.due_date, dt.time())
    assert row["contacto nombre"] == '=HYPERLINK("http://x")Ñoño Ávila Pérez'  # text, not formula
    assert row["número de documento"] == "0012345678"
    assert row["contrato"] == "0001234"
    assert row["celular para citación"] == "0573001234567"
    assert row["motivo PQR (detalle)"] == TRICKY_MOTIVE + "<b>&amp;</b> ]]>"  # \x01 \x0b dropped
    assert row["usuario en la red"] == "@nono_avila"
    assert row["tecnólogo asignado"] == people["tecnologo"].get_full_name()
    assert rows[2][0] == other.number
    assert rows[2][HEADERS.index("contrato")] is None
    assert sheet["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["J2"].number_format == "@"
    assert sheet["J2"].data_type == "s"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S3"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in sheet_xml and "<f>" not in sheet_xml


def test_pqr07_empty_day_gives_files_with_headers_only(people):
    export = export_build(date_from=DAY, date_to=DAY)

    assert export.rows == 0
    assert parse_csv(stored(export.csv_file)) == [HEADERS]
    assert read_xlsx(stored(export.xlsx_file)) == [tuple(HEADERS)]


# --- building -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_pqr07_export_query_count_does_not_depend_on_rows(people, rows, django_assert_num_queries):
    day = yesterday()
    for i in range(rows):
        make_digital_pqr(
            filed_at=dt.datetime.combine(day, dt.time(8, 0), tzinfo=BOGOTA)
            + dt.timedelta(minutes=i)
        )

    # savepoint, get-or-create (select, savepoint, insert, release), COPY csv, COPY xlsx,
    # update, release
    with django_assert_num_queries(9):
        export = export_build(date_from=day, date_to=day, by=people["mesa"])

    assert export.rows == rows


def test_pqr07_existing_export_is_reused_and_rebuilt_only_when_pqr_came_later(
    people, django_capture_on_commit_callbacks
):
    day = yesterday()
    make_digital_pqr(filed_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=BOGOTA))
    first = export_build(date_from=day, date_to=day, by=people["mesa"])
    assert first.built_now and first.rows == 1
    csv_name = first.csv_file.name

    again = export_build(date_from=day, date_to=day, by=people["gestor"])
    assert not again.built_now
    assert (again.pk, again.rows, again.built_by) == (first.pk, 1, people["mesa"])

    unchanged = export_build(date_from=day, date_to=day, by=people["gestor"], rebuild=True)
    assert not unchanged.built_now and unchanged.rows == 1

    # A PQR of that day registered after the export (e.g. filed late in CRM).
    make_digital_pqr(filed_at=dt.datetime.combine(day, dt.time(23, 0), tzinfo=BOGOTA))
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = export_build(date_from=day, date_to=day, by=people["gestor"], rebuild=True)

    assert rebuilt.built_now
    assert (rebuilt.pk, rebuilt.rows, rebuilt.built_by) == (first.pk, 2, people["gestor"])
    assert len(parse_csv(stored(rebuilt.csv_file))) == 3
    assert DigitalPqrExport.objects.count() == 1
    # The earlier files were never e-mailed: deleted once the new ones are committed.
    assert rebuilt.csv_file.name != csv_name
    assert not rebuilt.csv_file.storage.exists(csv_name)
    assert rebuilt.csv_file.storage.exists(rebuilt.csv_file.name)


def test_pqr07_the_email_carries_the_files_of_a_rebuild_made_in_between(
    people, django_capture_on_commit_callbacks
):
    """The job holds an export built earlier; the mesa rebuilds it (new files, the old ones
    deleted) before the job e-mails it: the e-mail carries the current files and count."""
    day = yesterday()
    make_digital_pqr(filed_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=BOGOTA))
    held_by_the_job = export_build(date_from=day, date_to=day)
    make_digital_pqr(filed_at=dt.datetime.combine(day, dt.time(22, 0), tzinfo=BOGOTA))
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = export_build(date_from=day, date_to=day, by=people["mesa"], rebuild=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert export_email(export=held_by_the_job)

    sent = Notification.objects.filter(recipient="go1@epm.example").get()
    assert sent.attachments == [rebuilt.csv_file.name, rebuilt.xlsx_file.name]
    assert sent.subject.endswith("(2)")
    assert sent.status == Notification.Status.SENT
    assert held_by_the_job.emailed_at is not None


def test_pqr07_rebuilding_an_emailed_export_keeps_the_files_that_were_sent(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        daily_exports_run(now=NOW)
    sent = DigitalPqrExport.objects.get()
    attachments = Notification.objects.first().attachments
    make_digital_pqr(filed_at=bogota(2026, 11, 29, 23, 0))

    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = export_build(date_from=DAY, date_to=DAY, by=people["mesa"], rebuild=True, now=NOW)

    assert rebuilt.built_now and rebuilt.rows == 1
    assert rebuilt.emailed_at == sent.emailed_at  # not e-mailed again
    assert attachments == [sent.csv_file.name, sent.xlsx_file.name]
    assert all(rebuilt.csv_file.storage.exists(name) for name in attachments)
    assert rebuilt.csv_file.name not in attachments
    assert len(mail.outbox) == 2


def test_pqr07_on_demand_range_and_its_limits(people):
    today = timezone.localdate()
    start = today - dt.timedelta(days=3)
    for offset in range(4):  # three past days and today
        make_digital_pqr(
            filed_at=dt.datetime.combine(start + dt.timedelta(days=offset), dt.time(10), BOGOTA)
        )

    export = export_build(date_from=start, date_to=today - dt.timedelta(days=1))

    assert export.rows == 3
    assert export.csv_file.name.endswith(
        f"pqr-digitales-{start:%Y-%m-%d}-a-{today - dt.timedelta(days=1):%Y-%m-%d}.csv"
    )
    for date_from, date_to, message in [
        (today, today, "Solo se exportan días terminados"),
        (today + dt.timedelta(days=2), today + dt.timedelta(days=2), "Solo se exportan días"),
        (today - dt.timedelta(days=40), today - dt.timedelta(days=1), "no puede pasar de 31"),
        (today - dt.timedelta(days=1), today - dt.timedelta(days=2), "no puede ser anterior"),
    ]:
        with pytest.raises(ValidationError) as exc_info:
            export_build(date_from=date_from, date_to=date_to)
        assert message in exc_info.value.messages[0]
    assert DigitalPqrExport.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_pqr07_two_builds_of_one_day_at_once_give_one_export(postgres):
    """Row lock + unique pair of dates (PostgreSQL: SQLite locks the whole table)."""
    day = yesterday()
    make_digital_pqr(filed_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=BOGOTA))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def build():
        try:
            barrier.wait(timeout=10)
            results.append(export_build(date_from=day, date_to=day))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert DigitalPqrExport.objects.count() == 1
    assert {e.pk for e in results} == {DigitalPqrExport.objects.get().pk}
    assert sorted(e.built_now for e in results) == [False, True]


# --- the daily job and its e-mail -----------------------------------------------------------


def test_pqr07_daily_job_twice_builds_and_emails_once(people, django_capture_on_commit_callbacks):
    make_digital_pqr(filed_at=bogota(2026, 11, 29, 9, 0))
    make_digital_pqr(filed_at=bogota(2026, 11, 29, 15, 0))

    with django_capture_on_commit_callbacks(execute=True):
        assert daily_exports_run(now=NOW) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_exports_run(now=NOW) == 0

    export = DigitalPqrExport.objects.get()
    assert export.emailed_at is not None and export.built_by is None
    assert len(mail.outbox) == 2
    assert {m.subject for m in mail.outbox} == {"PQR digitales del 29/11/2026 (2)"}
    assert Notification.objects.filter(modality=Modality.PQR_DIGITAL).count() == 2


def test_pqr07_email_reaches_regional_gestores_de_oficina_only_with_both_files(
    people, django_capture_on_commit_callbacks
):
    tricky_pqr(bogota(2026, 11, 29, 9, 0))

    with django_capture_on_commit_callbacks(execute=True):
        daily_exports_run(now=NOW)

    export = DigitalPqrExport.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == ["go1@epm.example", "go2@epm.example"]
    for message in mail.outbox:
        assert message.subject == "PQR digitales del 29/11/2026 (1)"
        assert "29/11/2026" in message.body and "/pqr-digital/exportes/" in message.body
        parts = {p.get_filename(): p for p in message.attachments}
        assert set(parts) == {"pqr-digitales-2026-11-29.csv", "pqr-digitales-2026-11-29.xlsx"}
        csv_part = parts["pqr-digitales-2026-11-29.csv"]
        assert csv_part.get_content_type() == "text/csv"
        assert csv_part.get_payload(decode=True) == stored(export.csv_file)
        xlsx_bytes = parts["pqr-digitales-2026-11-29.xlsx"].get_payload(decode=True)
        assert xlsx_bytes == stored(export.xlsx_file)
        assert read_xlsx(xlsx_bytes)[1][HEADERS.index("número de documento")] == "0012345678"
    notification = Notification.objects.first()
    assert notification.attachments == [export.csv_file.name, export.xlsx_file.name]
    assert notification.status == Notification.Status.SENT


def test_pqr07_missed_days_are_caught_up_and_emailed_once_each(
    people, django_capture_on_commit_callbacks
):
    """The job last e-mailed the 25th; the worker was down since. On the 30th it builds and
    e-mails the 26th to the 29th; a day the mesa had already built by hand is e-mailed too
    (the gestores never got it), without building it again."""
    DigitalPqrExport.objects.create(
        date_from=dt.date(2026, 11, 25),
        date_to=dt.date(2026, 11, 25),
        built_at=NOW - dt.timedelta(days=5),
        emailed_at=NOW - dt.timedelta(days=5),
    )
    make_digital_pqr(filed_at=bogota(2026, 11, 27, 10, 0))
    by_hand = export_build(
        date_from=dt.date(2026, 11, 28), date_to=dt.date(2026, 11, 28), by=people["mesa"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert daily_exports_run(now=NOW) == 4

    days = list(
        DigitalPqrExport.objects.filter(emailed_at__isnull=False)
        .order_by("date_from")
        .values_list("date_from", flat=True)
    )
    assert days == [dt.date(2026, 11, d) for d in (25, 26, 27, 28, 29)]
    assert sorted({m.subject for m in mail.outbox}) == [
        "PQR digitales del 26/11/2026 (0)",
        "PQR digitales del 27/11/2026 (1)",
        "PQR digitales del 28/11/2026 (0)",
        "PQR digitales del 29/11/2026 (0)",
    ]
    assert len(mail.outbox) == 8  # two gestores de oficina, four days
    by_hand.refresh_from_db()
    assert by_hand.built_by == people["mesa"]


def test_pqr07_job_completes_an_export_built_by_hand_before_emailing_it(
    people, django_capture_on_commit_callbacks
):
    """The mesa built the 29th at 05:00; a PQR of the 29th was registered afterwards. The
    06:00 job rebuilds it before e-mailing, so the gestores get the whole day."""
    make_digital_pqr(filed_at=bogota(2026, 11, 29, 9, 0))
    export_build(date_from=DAY, date_to=DAY, by=people["mesa"], now=NOW)
    make_digital_pqr(filed_at=bogota(2026, 11, 29, 23, 50))

    with django_capture_on_commit_callbacks(execute=True):
        assert daily_exports_run(now=NOW) == 1

    export = DigitalPqrExport.objects.get()
    assert export.rows == 2
    assert {m.subject for m in mail.outbox} == {"PQR digitales del 29/11/2026 (2)"}


def test_pqr07_catch_up_is_bounded_and_the_first_run_does_yesterday_only(people):
    assert daily_exports_run(now=NOW) == 1
    assert list(DigitalPqrExport.objects.values_list("date_from", flat=True)) == [DAY]

    # A month later (the job stopped): only the last CATCH_UP_DAYS days.
    later = NOW + dt.timedelta(days=30)
    assert daily_exports_run(now=later) == CATCH_UP_DAYS
    assert DigitalPqrExport.objects.count() == 1 + CATCH_UP_DAYS
    oldest_new = DigitalPqrExport.objects.exclude(date_from=DAY).order_by("date_from").first()
    assert oldest_new.date_from == DAY + dt.timedelta(days=30 - CATCH_UP_DAYS + 1)


def test_pqr07_without_recipients_nothing_is_claimed_and_next_run_retries(
    people, django_capture_on_commit_callbacks
):
    for key in ("gestor_oficina", "gestor_oficina_2"):
        people[key].is_active = False
        people[key].save(update_fields=["is_active"])

    assert daily_exports_run(now=NOW) == 0
    assert DigitalPqrExport.objects.get().emailed_at is None

    people["gestor_oficina"].is_active = True
    people["gestor_oficina"].save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_exports_run(now=NOW) == 1
    assert [m.to for m in mail.outbox] == [["go1@epm.example"]]


def test_pqr07_task_runs_the_daily_job(people, django_capture_on_commit_callbacks):
    from pqr_digital.tasks import daily_export_task

    with django_capture_on_commit_callbacks(execute=True):
        daily_export_task.delay()

    export = DigitalPqrExport.objects.get()
    assert export.date_from == yesterday()
    assert export.emailed_at is not None
    assert len(mail.outbox) == 2


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def built(people):
    day = yesterday()
    case = tricky_pqr(dt.datetime.combine(day, dt.time(9, 30), tzinfo=BOGOTA))
    return export_build(date_from=day, date_to=day), case


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mesa", 200),
        ("gestor_oficina", 200),
        ("gestor", 200),
        ("mesa_metro", 200),
        ("gestor_oficina_metro", 200),
        ("tecnologo", 403),
        ("creador", 403),
        (None, 302),
    ],
)
def test_pqr07_page_roles(client, people, built, who, status):
    if who:
        client.force_login(people[who])

    response = client.get("/pqr-digital/exportes/")

    assert response.status_code == status
    if who is None:
        assert response["Location"] == "/accounts/login/?next=/pqr-digital/exportes/"


def test_pqr07_page_lists_exports_with_downloads(client, people, built):
    from django.apps import apps

    from pqr_digital.reference_data import load_periodic_tasks

    load_periodic_tasks(apps)  # a transactional test's flush may have removed the schedule
    export, _ = built
    client.force_login(people["mesa"])

    response = client.get("/pqr-digital/exportes/")

    html = response.content.decode()
    assert "<h1" in html and ">Exportes de PQR digitales</h1>" in html
    assert f"/pqr-digital/exportes/{export.pk}/csv/" in html
    assert f"/pqr-digital/exportes/{export.pk}/xlsx/" in html
    assert export.date_from.strftime("%d/%m/%Y") in html
    assert "06:00" in html  # the scheduled hour, from django-celery-beat
    assert "<script>" not in html  # CSP: no inline script


def test_pqr07_page_explains_to_a_metropolitano_mesa_and_downloads_are_404(client, people, built):
    export, _ = built
    client.force_login(people["mesa_metro"])

    response = client.get("/pqr-digital/exportes/")

    html = response.content.decode()
    assert "Unidad Canales Regional" in html
    assert "Oficina Itagüí, pertenece a la Unidad Canales Metropolitano" in html
    assert f"/exportes/{export.pk}/csv/" not in html
    assert client.get(f"/pqr-digital/exportes/{export.pk}/csv/").status_code == 404
    assert client.get(f"/pqr-digital/exportes/{export.pk}/xlsx/").status_code == 404
    day = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = client.post("/pqr-digital/exportes/", {"date_from": day})
    assert response.status_code == 403
    assert DigitalPqrExport.objects.count() == 1


def test_pqr07_page_download_streams_the_file_with_its_name(client, people, built):
    export, case = built
    client.force_login(people["gestor_oficina"])

    response = client.get(f"/pqr-digital/exportes/{export.pk}/csv/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"pqr-digitales-{export.date_from:%Y-%m-%d}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = parse_csv(b"".join(response.streaming_content))
    assert rows[1][0] == case.number

    response = client.get(f"/pqr-digital/exportes/{export.pk}/xlsx/")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert read_xlsx(b"".join(response.streaming_content))[1][0] == case.number
    assert client.get("/pqr-digital/exportes/999999/csv/").status_code == 404


def test_pqr07_page_builds_a_day_or_range_on_demand(client, people):
    client.force_login(people["mesa"])
    day = timezone.localdate() - dt.timedelta(days=3)
    make_digital_pqr(filed_at=dt.datetime.combine(day, dt.time(10), tzinfo=BOGOTA))

    response = client.post("/pqr-digital/exportes/", {"date_from": day.isoformat()}, follow=True)

    assert response.redirect_chain == [("/pqr-digital/exportes/", 302)]
    assert f"Exporte del {day:%d/%m/%Y} generado: 1 PQR." in response.content.decode()
    export = DigitalPqrExport.objects.get()
    assert (export.date_from, export.date_to, export.built_by) == (day, day, people["mesa"])

    response = client.post(
        "/pqr-digital/exportes/",
        {"date_from": (day - dt.timedelta(days=2)).isoformat(), "date_to": day.isoformat()},
    )
    assert response.status_code == 302
    assert DigitalPqrExport.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date_from": "+1"}, "Solo se exportan días terminados"),
        ({"date_from": "0"}, "Solo se exportan días terminados"),
        ({"date_from": "-40", "date_to": "-1"}, "El rango no puede pasar de 31 días."),
        ({"date_from": "ayer"}, "Fecha no válida."),
        ({}, "Indique el día a exportar."),
    ],
)
def test_pqr07_page_refuses_bad_dates_in_spanish(client, people, data, message):
    client.force_login(people["mesa"])
    today = timezone.localdate()
    post = {
        k: (today + dt.timedelta(days=int(v))).isoformat() if v.lstrip("+-").isdigit() else v
        for k, v in data.items()
    }

    response = client.post("/pqr-digital/exportes/", post)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert DigitalPqrExport.objects.count() == 0


def test_pqr07_page_rebuild(client, people, built):
    export, _ = built
    client.force_login(people["mesa"])

    response = client.post(f"/pqr-digital/exportes/{export.pk}/regenerar/", follow=True)
    assert "ya estaba al día (1 PQR)" in response.content.decode()

    make_digital_pqr(filed_at=dt.datetime.combine(export.date_from, dt.time(22), BOGOTA))
    response = client.post(f"/pqr-digital/exportes/{export.pk}/regenerar/", follow=True)
    assert "regenerado: 2 PQR." in response.content.decode()

    client.force_login(people["mesa_metro"])
    assert client.post(f"/pqr-digital/exportes/{export.pk}/regenerar/").status_code == 404


@pytest.mark.parametrize("exports", [2, 20])
def test_pqr07_page_query_count_does_not_grow_with_exports(
    client, people, exports, django_assert_max_num_queries
):
    start = timezone.localdate() - dt.timedelta(days=exports + 1)
    DigitalPqrExport.objects.bulk_create(
        DigitalPqrExport(
            date_from=start + dt.timedelta(days=i),
            date_to=start + dt.timedelta(days=i),
            built_by=people["mesa"],
            built_at=timezone.now(),
            csv_file="x.csv",
            xlsx_file="x.xlsx",
        )
        for i in range(exports)
    )
    client.force_login(people["mesa"])

    with django_assert_max_num_queries(7):
        response = client.get("/pqr-digital/exportes/")

    assert response.content.decode().count("data-export=") == exports


# --- the API --------------------------------------------------------------------------------

API = "/api/v1/pqr-digital/exports/"


def test_pqr07_api_lists_exports_with_links(api_as, people, built):
    export, _ = built
    DigitalPqrExport.objects.create(
        date_from=export.date_from - dt.timedelta(days=5),
        date_to=export.date_from - dt.timedelta(days=3),
        rows=0,
    )

    response = api_as(people["mesa"]).get(API)

    assert response.status_code == 200
    first, second = response.json()["results"]
    day = f"{export.date_from:%Y-%m-%d}"
    assert first["date"] == day
    assert first["date_from"] == day and first["date_to"] == day
    assert first["rows"] == 1
    assert first["built_at"] is not None
    assert first["csv"] == f"{API}{day}.csv"
    assert first["xlsx"] == f"{API}{day}.xlsx"
    assert second["date"] is None
    assert second["csv"].endswith(f"{second['date_from']}_{second['date_to']}.csv")


def test_pqr07_api_download_streams_the_existing_file(api_as, people, built):
    export, case = built
    day = f"{export.date_from:%Y-%m-%d}"

    response = api_as(people["gestor_oficina"]).get(f"{API}{day}.csv", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="pqr-digitales-{day}.csv"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == stored(export.csv_file)
    assert DigitalPqrExport.objects.count() == 1


def test_pqr07_api_builds_a_missing_past_day_on_demand(api_as, people):
    day = timezone.localdate() - dt.timedelta(days=2)
    case = make_digital_pqr(filed_at=dt.datetime.combine(day, dt.time(10), tzinfo=BOGOTA))
    client = api_as(people["gestor"])

    response = client.get(f"{API}{day:%Y-%m-%d}.xlsx")

    assert response.status_code == 200
    assert read_xlsx(b"".join(response.streaming_content))[1][0] == case.number
    export = DigitalPqrExport.objects.get()
    assert (export.date_from, export.built_by, export.rows) == (day, people["gestor"], 1)
    assert client.get(f"{API}{day:%Y-%m-%d}.csv").status_code == 200
    assert DigitalPqrExport.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("{today}.csv", 400, "Solo se exportan días terminados"),
        ("{tomorrow}.xlsx", 400, "Solo se exportan días terminados"),
        ("2026-02-30.csv", 400, "Fecha no válida: use el formato AAAA-MM-DD."),
        ("{long_range}.csv", 400, "El rango no puede pasar de 31 días."),
        ("ayer.csv", 404, None),
        ("2026-11-29.pdf", 404, None),
    ],
)
def test_pqr07_api_refuses_bad_dates(api_as, people, path, status, message):
    today = timezone.localdate()
    path = path.format(
        today=today,
        tomorrow=today + dt.timedelta(days=1),
        long_range=f"{today - dt.timedelta(days=60)}_{today - dt.timedelta(days=1)}",
    )

    response = api_as(people["mesa"]).get(f"{API}{path}")

    assert response.status_code == status
    if message:
        assert message in str(response.json())
    assert DigitalPqrExport.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "list_status", "file_status"),
    [
        ("mesa", 200, 200),
        ("gestor_oficina", 200, 200),
        ("gestor", 200, 200),
        ("mesa_metro", 200, 404),
        ("gestor_oficina_metro", 200, 404),
        ("tecnologo", 403, 403),
        ("creador", 403, 403),
        (None, 401, 401),
    ],
)
def test_pqr07_api_roles(api, api_as, people, built, who, list_status, file_status):
    export, _ = built
    client = api_as(people[who]) if who else api
    day = timezone.localdate() - dt.timedelta(days=3)

    response = client.get(API)
    assert response.status_code == list_status
    if who in ("mesa_metro", "gestor_oficina_metro"):
        assert response.json()["results"] == []
    assert client.get(f"{API}{export.date_from:%Y-%m-%d}.csv").status_code == file_status
    # Never built for someone who may not have it.
    assert client.get(f"{API}{day:%Y-%m-%d}.csv").status_code == file_status
    expected = 2 if file_status == 200 else 1
    assert DigitalPqrExport.objects.count() == expected


def test_pqr07_api_list_query_count_does_not_grow(api_as, people, django_assert_max_num_queries):
    start = timezone.localdate() - dt.timedelta(days=40)
    client = api_as(people["mesa"])
    for total in (2, 30):
        DigitalPqrExport.objects.all().delete()
        DigitalPqrExport.objects.bulk_create(
            DigitalPqrExport(
                date_from=start + dt.timedelta(days=i), date_to=start + dt.timedelta(days=i)
            )
            for i in range(total)
        )
        with django_assert_max_num_queries(4):
            response = client.get(API)
        assert response.json()["count"] == total


def test_pqr07_export_leaves_other_modalities_out(people):
    """Only PQR of 2.7: a desborde PQR or a digital-channel pedido is not in the export."""
    digital = make_digital_pqr(filed_at=bogota(2026, 11, 29, 10))
    make_case(filed_at=bogota(2026, 11, 29, 11))
    assert Case.objects.count() == 2

    out = io.BytesIO()
    assert csv_write(out, date_from=DAY, date_to=DAY) == 1
    assert parse_csv(out.getvalue())[1][0] == digital.number
