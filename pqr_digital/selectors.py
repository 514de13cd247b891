"""Read paths of 2.7's daily export (PQR-07): who sees the exports, and the export's rows.

The rows are one queryset (``export_rows``) read two ways by ``pqr_digital.services.export``:
on PostgreSQL its SQL is wrapped in ``COPY (…) TO STDOUT`` (CSV) or in a SELECT that writes each
row as worksheet XML; on SQLite (the demo) it is iterated in Python. Either way the columns, the
filter and the order are these.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.http import Http404

from core.business_days import bogota_day_bounds
from core.models import Case, CaseKind, CaseStatus, DocumentType, Modality, PqrType
from pqr_digital.models import DigitalPqrExport
from pqr_digital.scopes import user_handles_digital_pqr


@dataclass(frozen=True)
class ExportColumn:
    """One column: its alias in the row query, its Spanish header, and how it is written.

    ``kind``: ``text`` (free or catalogue text: guarded against formula injection in the CSV),
    ``code`` (document, contract, phone: kept as text so leading zeros survive), ``datetime``
    (Bogotá local) or ``date``.
    """

    alias: str
    header: str
    kind: str
    width: int = 18


EXPORT_COLUMNS = (
    ExportColumn("x_number", "número de PQR", "text", 18),
    ExportColumn("x_filed_at", "fecha de radicación", "datetime", 18),
    ExportColumn("x_channel", "canal", "text", 14),
    ExportColumn("x_pqr_type", "tipo", "text", 10),
    ExportColumn("x_initial_cause", "causa inicial", "text", 30),
    ExportColumn("x_status", "estado", "text", 16),
    ExportColumn("x_due_date", "fecha límite de respuesta", "date", 14),
    ExportColumn("x_full_name", "contacto nombre", "text", 30),
    ExportColumn("x_document_type", "tipo de documento", "text", 22),
    ExportColumn("x_document_number", "número de documento", "code", 18),
    ExportColumn("x_contract", "contrato", "code", 14),
    ExportColumn("x_address", "dirección del inmueble", "text", 32),
    ExportColumn("x_motive", "motivo PQR (detalle)", "text", 60),
    ExportColumn("x_relation", "relación con el inmueble", "text", 24),
    ExportColumn("x_handle", "usuario en la red", "text", 20),
    ExportColumn("x_recording", "referencia de grabación", "text", 20),
    ExportColumn("x_technologist", "tecnólogo asignado", "text", 24),
    ExportColumn("x_email", "correo para notificación", "text", 28),
    ExportColumn("x_phone", "celular para citación", "code", 16),
)
#: The row query also selects these, to order by (never written to the files).
ORDER_ALIASES = ("x_order_filed_at", "x_order_id")


def _label(field: str, choices) -> SqlCase:
    """The choice's label in SQL, so COPY writes what a person reads ("reclamo", "abierto")."""
    return SqlCase(
        *[When(**{field: value}, then=Value(label)) for value, label in choices],
        default=F(field),
        output_field=CharField(),
    )


def bogota_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the Bogotá days ``date_from``..``date_to``: from the first day's
    midnight in America/Bogota to the midnight after the last day (UTC-5: the day of the
    29th runs from 05:00 UTC of the 29th to 05:00 UTC of the 30th)."""
    return bogota_day_bounds(date_from)[0], bogota_day_bounds(date_to)[1]


def export_cases(*, date_from: dt.date, date_to: dt.date) -> QuerySet[Case]:
    """The digital-channel PQR filed on those Bogotá days (modality 2.7, kind PQR)."""
    start, end = bogota_bounds(date_from, date_to)
    return Case.objects.filter(
        modality=Modality.PQR_DIGITAL,
        kind=CaseKind.PQR,
        filed_at__gte=start,
        filed_at__lt=end,
    )


def export_rows(*, date_from: dt.date, date_to: dt.date, as_of: dt.datetime | None = None):
    """One row per PQR with its contact and interaction, values in ``EXPORT_COLUMNS`` order
    followed by ``ORDER_ALIASES``; unordered (the writers order by the last two).

    ``as_of``: only PQR registered up to that moment, so the CSV and the Excel of one build
    (two statements) hold the same rows even if a PQR of the day is registered in between.
    """
    cases = export_cases(date_from=date_from, date_to=date_to)
    if as_of is not None:
        cases = cases.filter(created_at__lte=as_of)
    technologist = NullIf(
        Trim(Concat(F("assigned_to__first_name"), Value(" "), F("assigned_to__last_name"))),
        Value(""),
    )
    expressions = {
        "x_number": F("number"),
        "x_filed_at": F("filed_at"),
        "x_channel": F("channel__name"),
        "x_pqr_type": _label("pqr_type", PqrType.choices),
        "x_initial_cause": F("initial_cause__name"),
        "x_status": _label("status", CaseStatus.choices),
        "x_due_date": F("due_date"),
        "x_full_name": F("customer__full_name"),
        "x_document_type": _label("customer__document_type", DocumentType.choices),
        "x_document_number": F("customer__document_number"),
        "x_contract": F("contract_number"),
        "x_address": F("property_address"),
        "x_motive": F("motive"),
        "x_relation": F("digital_interaction__relation_to_premises"),
        "x_handle": F("digital_interaction__author_handle"),
        "x_recording": F("digital_interaction__recording_ref"),
        "x_technologist": Coalesce(technologist, F("assigned_to__username")),
        "x_email": F("notification_email"),
        "x_phone": F("notification_mobile"),
        "x_order_filed_at": F("filed_at"),
        "x_order_id": F("id"),
    }
    names = [c.alias for c in EXPORT_COLUMNS] + list(ORDER_ALIASES)
    assert list(expressions) == names  # one list of columns, in one order
    return cases.order_by().annotate(**expressions).values_list(*names)


def export_stale_counts(*, export: DigitalPqrExport) -> tuple[int, int]:
    """(PQR of the export's days now, of them registered after it was built)."""
    cases = export_cases(date_from=export.date_from, date_to=export.date_to)
    totals = cases.aggregate(
        total=Count("id"),
        later=Count("id", filter=Q(created_at__gt=export.built_at))
        if export.built_at
        else Count("id"),
    )
    return totals["total"], totals["later"]


def export_list_for_user(*, user) -> QuerySet[DigitalPqrExport]:
    """The exports a user may see: all for the Regional help desk, gestores de oficina and
    gestores (and superusers), none for anybody else (NFR-02)."""
    qs = DigitalPqrExport.objects.select_related("built_by").order_by("-date_from", "-date_to")
    if not user_handles_digital_pqr(user):
        return qs.none()
    return qs


def export_get_for_user(*, user, export_id: int) -> DigitalPqrExport:
    """404 for a missing export and for a user who does not handle digital PQR alike."""
    export = export_list_for_user(user=user).filter(pk=export_id).first()
    if export is None:
        raise Http404("No existe el exporte.")
    return export


def export_find_for_user(*, user, date_from: dt.date, date_to: dt.date) -> DigitalPqrExport | None:
    return export_list_for_user(user=user).filter(date_from=date_from, date_to=date_to).first()


#: The Celery task of the daily export (pqr_digital.tasks), scheduled by reference data.
DAILY_EXPORT_TASK = "pqr_digital.daily_export"


def export_daily_schedule() -> str | None:
    """ "06:00", the Bogotá time the daily export runs as configured in admin
    (django-celery-beat), or None when the job is disabled or its schedule is not a plain
    daily hour."""
    from django_celery_beat.models import PeriodicTask

    task = (
        PeriodicTask.objects.filter(task=DAILY_EXPORT_TASK, enabled=True, crontab__isnull=False)
        .select_related("crontab")
        .first()
    )
    if task is None:
        return None
    hour, minute = task.crontab.hour, task.crontab.minute
    if not (hour.isdigit() and minute.isdigit()):
        return None
    return f"{int(hour):02d}:{int(minute):02d}"
