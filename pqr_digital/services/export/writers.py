"""PQR-07's files: the CSV and the Excel workbook of the digital-channel PQR of a range of
Bogotá days, written into a file object.

Both files come straight out of PostgreSQL. The CSV is ``COPY (SELECT …) TO STDOUT WITH (FORMAT
csv)`` streamed into a temporary file: the formatting Excel needs with Colombian regional
settings (UTF-8 BOM, ``;``, codes as ``="0012345"`` so leading zeros survive, an apostrophe
before a free text that starts like a formula) is computed in the SELECT, so the export runs at
COPY speed with constant memory. The Excel file is a workbook shell made by openpyxl (styles,
header, widths, frozen header, filter) whose worksheet rows are written by another COPY, one
``<row>`` of ``inlineStr`` cells per line, into the zip entry as they arrive. On SQLite (the
demo) the same rows are read through the ORM and written by Python with the same result.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.business_days import BOGOTA
from pqr_digital import selectors
from pqr_digital.selectors import EXPORT_COLUMNS

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
#: A CSV cell starting with one of these is a formula to Excel (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF): dropped.
XML_FORBIDDEN = "".join(chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32))) + "\ufffe\uffff"
XML_FORBIDDEN_RE = re.compile("[\x00" + re.escape(XML_FORBIDDEN) + "\ud800-\udfff]")
#: Serial day 0 of Excel's dates (1900 system, after its 1900-02-29 bug).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - a naive local wall clock on purpose
SHEET = "xl/worksheets/sheet1.xml"
SHEET_TITLE = "PQR digitales"
#: zlib level of the Excel file: 1 is several times faster than the default 6 for ~15 % more
#: bytes (the bench measures it; an export of a day is small either way).
XLSX_COMPRESSLEVEL = 1


def csv_delimiter() -> str:
    delimiter = settings.PQR_EXPORT_CSV_DELIMITER
    if len(delimiter) != 1 or delimiter in "\"'\r\n=":
        raise ImproperlyConfigured("PQR_EXPORT_CSV_DELIMITER debe ser un solo carácter (p. ej. ;).")
    return delimiter


# --- one value, in Python (SQLite) ----------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(BOGOTA).replace(tzinfo=None, microsecond=0)


def _csv_cell(kind: str, value) -> str:
    if value is None or value == "":
        return ""
    if kind == "datetime":
        return f"{_local(value):%d/%m/%Y %H:%M}"
    if kind == "date":
        return f"{value:%d/%m/%Y}"
    if kind == "code":
        return '="' + value.replace('"', '""') + '"'
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _xml_text(value: str) -> str:
    value = XML_FORBIDDEN_RE.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _xlsx_cell(kind: str, value, ref: str, style: int) -> str:
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if kind == "datetime":
        serial = (_local(value) - EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{style}"><v>{serial:.10f}</v></c>'
    if kind == "date":
        return f'<c r="{ref}" s="{style}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    return (
        f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
        f"{_xml_text(value)}</t></is></c>"
    )


# --- one value, in SQL (PostgreSQL) ----------------------------------------------------------


def _sql_csv_cell(kind: str, col: str) -> str:
    if kind == "datetime":
        return f"to_char({col} AT TIME ZONE 'America/Bogota', 'DD/MM/YYYY HH24:MI')"
    if kind == "date":
        return f"to_char({col}, 'DD/MM/YYYY')"
    if kind == "code":
        return f"CASE WHEN {col} <> '' THEN '=\"' || replace({col}, '\"', '\"\"') || '\"' END"
    triggers = ", ".join(
        "E'\\t'" if t == "\t" else "E'\\r'" if t == "\r" else f"'{t}'" for t in FORMULA_TRIGGERS
    )
    return f"CASE WHEN left({col}, 1) IN ({triggers}) THEN '''' || {col} ELSE NULLIF({col}, '') END"


def _sql_xml_text(col: str) -> str:
    """XML-escaped text whose line breaks, tabs and backslashes are character references, so
    COPY's text format (which escapes exactly those) writes the row untouched."""
    forbidden = "\\x01-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF"
    # Most values (names, numbers, labels) need nothing: one regex test, and the rewriting only
    # for the few that do (translate() of every cell cost ~7 µs a cell, most of the export).
    special = f"E'[&<>\\\\\\\\\\n\\r\\t{forbidden}]'"
    expr = f"regexp_replace({col}, E'[{forbidden}]', '', 'g')"
    for literal, ref in (
        ("'&'", "&amp;"),  # first: the references below start with &
        ("'<'", "&lt;"),
        ("'>'", "&gt;"),
        ("E'\\\\'", "&#92;"),
        ("E'\\n'", "&#10;"),
        ("E'\\r'", "&#13;"),
        ("E'\\t'", "&#9;"),
    ):
        expr = f"replace({expr}, {literal}, '{ref}')"
    return f"CASE WHEN {col} ~ {special} THEN {expr} ELSE {col} END"


def _sql_xlsx_cell(kind: str, col: str, letter: str, style: int) -> str:
    ref = f'\'<c r="{letter}\' || u.rn || \'" s="{style}"'
    empty = f"{ref}/>'"
    if kind == "datetime":
        serial = (
            f"round(EXTRACT(EPOCH FROM (date_trunc('second', {col} AT TIME ZONE "
            f"'America/Bogota') - TIMESTAMP '1899-12-30')) / 86400, 10)::text"
        )
        value = f"{ref}><v>' || {serial} || '</v></c>'"
        return f"CASE WHEN {col} IS NULL THEN {empty} ELSE {value} END"
    if kind == "date":
        value = f"{ref}><v>' || ({col} - DATE '1899-12-30')::text || '</v></c>'"
        return f"CASE WHEN {col} IS NULL THEN {empty} ELSE {value} END"
    value = (
        f'{ref} t="inlineStr"><is><t xml:space="preserve">\' || {_sql_xml_text(col)} '
        "|| '</t></is></c>'"
    )
    return f"CASE WHEN {col} <> '' THEN {value} ELSE {empty} END"


# --- queries -------------------------------------------------------------------------------


def _rows_sql(*, date_from, date_to, as_of) -> tuple[str, tuple]:
    qs = selectors.export_rows(date_from=date_from, date_to=date_to, as_of=as_of)
    return qs.query.sql_with_params()


def csv_select_sql(*, date_from, date_to, as_of=None) -> tuple[str, tuple]:
    """The SELECT whose COPY is the CSV: one column per header, formatted for Excel."""
    inner, params = _rows_sql(date_from=date_from, date_to=date_to, as_of=as_of)
    cells = ", ".join(
        f'{_sql_csv_cell(c.kind, "t." + c.alias)} AS "{c.header}"' for c in EXPORT_COLUMNS
    )
    sql = f"SELECT {cells} FROM ({inner}) AS t ORDER BY t.x_order_filed_at, t.x_order_id"
    return sql, params


def xlsx_select_sql(*, date_from, date_to, styles, as_of=None) -> tuple[str, tuple]:
    """The SELECT whose COPY is the worksheet's rows: one ``<row>`` of XML per line."""
    inner, params = _rows_sql(date_from=date_from, date_to=date_to, as_of=as_of)
    cells = " || ".join(
        _sql_xlsx_cell(c.kind, "u." + c.alias, get_column_letter(i), styles[i - 1])
        for i, c in enumerate(EXPORT_COLUMNS, start=1)
    )
    sql = (
        f"SELECT '<row r=\"' || u.rn || '\">' || {cells} || '</row>' FROM ("
        "SELECT t.*, (row_number() OVER (ORDER BY t.x_order_filed_at, t.x_order_id) + 1)::text"
        f" AS rn FROM ({inner}) AS t) AS u ORDER BY u.x_order_filed_at, u.x_order_id"
    )
    return sql, params


def copy_to(fileobj, sql: str, params, *, options: str = "") -> int:
    """``COPY (sql) TO STDOUT`` into ``fileobj`` block by block; returns the rows copied.

    One statement, logged like any query (``django_assert_num_queries`` and the bench count
    it), streamed with psycopg 3's ``cursor.copy`` (Django's client-side binding cursor builds
    the statement with ``mogrify``).
    """
    with connection.cursor() as cursor:
        raw = cursor.cursor
        statement = raw.mogrify(sql, params)
        if isinstance(statement, bytes):
            statement = statement.decode()
        statement = f"COPY ({statement}) TO STDOUT{' WITH (' + options + ')' if options else ''}"
        logged = cursor.debug_sql(statement) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, raw.copy(statement) as copy:
            for block in copy:
                fileobj.write(bytes(block))
        return raw.rowcount


# --- writers -------------------------------------------------------------------------------


def _ordered_rows(*, date_from, date_to, as_of):
    qs = selectors.export_rows(date_from=date_from, date_to=date_to, as_of=as_of)
    return qs.order_by(*selectors.ORDER_ALIASES).iterator(chunk_size=2000)


def csv_write(fileobj, *, date_from: dt.date, date_to: dt.date, as_of=None) -> int:
    """Write the CSV into a binary file; returns the number of PQR."""
    delimiter = csv_delimiter()
    fileobj.write(BOM.encode())
    if connection.vendor == "postgresql":
        sql, params = csv_select_sql(date_from=date_from, date_to=date_to, as_of=as_of)
        quoted = "'" + delimiter.replace("'", "''") + "'"
        return copy_to(fileobj, sql, params, options=f"FORMAT csv, HEADER, DELIMITER {quoted}")
    text = io.TextIOWrapper(fileobj, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([c.header for c in EXPORT_COLUMNS])
    count = 0
    for row in _ordered_rows(date_from=date_from, date_to=date_to, as_of=as_of):
        writer.writerow([_csv_cell(c.kind, v) for c, v in zip(EXPORT_COLUMNS, row, strict=False)])
        count += 1
    text.detach()
    return count


class _XlsxShell:
    """The workbook openpyxl makes with the header and one placeholder row, taken apart: every
    zip entry but the worksheet, the worksheet's XML before and after the data rows, and the
    style index openpyxl gave each column's cells (text "@", date, date and time)."""

    def __init__(self) -> None:
        wb = Workbook()
        wb.properties.creator = "Atención a distancia"
        wb.properties.title = "PQR digitales (PQR-07)"
        ws = wb.active
        ws.title = SHEET_TITLE
        ws.append([c.header for c in EXPORT_COLUMNS])
        header_font = Font(bold=True, color="FFFFFF")
        header_fill = PatternFill("solid", fgColor="007A3D")
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        formats = {"datetime": "dd/mm/yyyy hh:mm", "date": "dd/mm/yyyy"}
        placeholder = {"datetime": dt.datetime(2000, 1, 1), "date": dt.date(2000, 1, 1)}  # noqa: DTZ001
        for i, column in enumerate(EXPORT_COLUMNS, start=1):
            cell = ws.cell(row=2, column=i, value=placeholder.get(column.kind, "x"))
            cell.number_format = formats.get(column.kind, "@")
            ws.column_dimensions[get_column_letter(i)].width = column.width
        self.last_column = get_column_letter(len(EXPORT_COLUMNS))
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{self.last_column}2"
        buffer = io.BytesIO()
        wb.save(buffer)
        with zipfile.ZipFile(buffer) as shell:
            self.entries = [(i.filename, shell.read(i.filename)) for i in shell.infolist()]
        sheet = dict(self.entries)[SHEET].decode()
        row2 = re.search(r'<row r="2"[^>]*>(.*?)</row>', sheet)
        self.styles = [int(s) for s in re.findall(r'<c r="[A-Z]+2" s="(\d+)"', row2.group(1))]
        if len(self.styles) != len(EXPORT_COLUMNS):
            raise RuntimeError("La plantilla del Excel no tiene el estilo de cada columna.")
        head = re.sub(r"<dimension [^>]*/>", "", sheet[: row2.start()])
        self.head = head.encode()
        self.tail = sheet[row2.end() :]

    def tail_for(self, rows: int) -> bytes:
        ref = f"A1:{self.last_column}{rows + 1}"
        return re.sub(r'<autoFilter ref="[^"]*"', f'<autoFilter ref="{ref}"', self.tail).encode()


def xlsx_write(fileobj, *, date_from: dt.date, date_to: dt.date, as_of=None) -> int:
    """Write the Excel workbook into a seekable binary file; returns the number of PQR.

    Memory does not grow with the rows: the worksheet entry is compressed as COPY hands over
    each row. Texts are ``inlineStr`` cells with the text format "@" (documents, contracts and
    phones keep their leading zeros); the filing date and the due date are real Excel dates
    (Bogotá wall clock) formatted dd/mm/yyyy hh:mm and dd/mm/yyyy, so they sort and filter.
    """
    shell = _XlsxShell()
    with zipfile.ZipFile(
        fileobj, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL
    ) as out:
        for name, data in shell.entries:
            if name != SHEET:
                out.writestr(name, data)
                continue
            with out.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(shell.head)
                if connection.vendor == "postgresql":
                    sql, params = xlsx_select_sql(
                        date_from=date_from, date_to=date_to, styles=shell.styles, as_of=as_of
                    )
                    rows = copy_to(sheet, sql, params)
                else:
                    rows = _xlsx_rows_python(sheet, shell, date_from, date_to, as_of)
                sheet.write(shell.tail_for(rows))
    return rows


def _xlsx_rows_python(sheet, shell: _XlsxShell, date_from, date_to, as_of) -> int:
    letters = [get_column_letter(i) for i in range(1, len(EXPORT_COLUMNS) + 1)]
    count = 0
    for count, row in enumerate(  # noqa: B007 - the last index is the count
        _ordered_rows(date_from=date_from, date_to=date_to, as_of=as_of), start=1
    ):
        r = count + 1
        cells = "".join(
            _xlsx_cell(c.kind, v, f"{letter}{r}", style)
            for c, v, letter, style in zip(EXPORT_COLUMNS, row, letters, shell.styles, strict=False)
        )
        sheet.write(f'<row r="{r}">{cells}</row>\n'.encode())
    return count
