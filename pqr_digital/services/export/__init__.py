"""PQR-07: the help desk's daily export of the digital-channel PQR (2.7 step 2), as CSV and
Excel, e-mailed once to the Unidad Canales Regional's gestores de oficina.

The parts, each importable on its own; every public name is re-exported here:

- ``writers``: the files, straight out of PostgreSQL through COPY (the CSV, and the rows of
  the Excel worksheet into an openpyxl shell), or through the ORM on SQLite, with the same
  cells;
- ``build``: the ``DigitalPqrExport`` rows: range rules, build once (rebuild only when the
  day's list of PQR changed), file names, the recipients and the e-mail, the daily job.

A test that replaces a name a service uses patches it in the submodule that uses it, not here.
"""

from pqr_digital.services.export.build import (
    CATCH_UP_DAYS,
    EXPORT_MAX_DAYS,
    FIRST_DAY,
    daily_exports_run,
    export_build,
    export_email,
    export_filename,
    export_label,
    export_needs_rebuild,
    export_range_check,
    export_recipients,
)
from pqr_digital.services.export.writers import (
    BOM,
    CSV_CONTENT_TYPE,
    EXCEL_EPOCH,
    FORMULA_TRIGGERS,
    SHEET,
    SHEET_TITLE,
    XLSX_COMPRESSLEVEL,
    XLSX_CONTENT_TYPE,
    XML_FORBIDDEN,
    XML_FORBIDDEN_RE,
    copy_to,
    csv_delimiter,
    csv_select_sql,
    csv_write,
    xlsx_select_sql,
    xlsx_write,
)

__all__ = [
    "BOM",
    "CATCH_UP_DAYS",
    "CSV_CONTENT_TYPE",
    "EXCEL_EPOCH",
    "EXPORT_MAX_DAYS",
    "FIRST_DAY",
    "FORMULA_TRIGGERS",
    "SHEET",
    "SHEET_TITLE",
    "XLSX_COMPRESSLEVEL",
    "XLSX_CONTENT_TYPE",
    "XML_FORBIDDEN",
    "XML_FORBIDDEN_RE",
    "copy_to",
    "csv_delimiter",
    "csv_select_sql",
    "csv_write",
    "daily_exports_run",
    "export_build",
    "export_email",
    "export_filename",
    "export_label",
    "export_needs_rebuild",
    "export_range_check",
    "export_recipients",
    "xlsx_select_sql",
    "xlsx_write",
]
