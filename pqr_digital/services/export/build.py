"""PQR-07's exports as rows of ``DigitalPqrExport``: the range rules, building the files of a
range once (and again only when its list of PQR changed), the e-mail to the Regional gestores de
oficina, and the daily job that builds and e-mails the previous Bogotá day (and missed days).
"""

import datetime as dt
import logging
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from core.business_days import local_date
from core.models import Modality, Notification, Unit, User
from core.roles import Role
from core.services.messaging import greeting, notification_queue
from pqr_digital import selectors
from pqr_digital.models import DigitalPqrExport
from pqr_digital.services.export.writers import csv_write, xlsx_write

# The package's name, as before the split into submodules.
log = logging.getLogger(__package__)

#: Longest range built on demand (a month of PQR); the daily job builds single days.
EXPORT_MAX_DAYS = 31
#: Days the daily job looks back for a day it missed (worker or beat down).
CATCH_UP_DAYS = 7
FIRST_DAY = dt.date(2000, 1, 1)


# --- names ---------------------------------------------------------------------------------


def export_filename(export: DigitalPqrExport, ext: str) -> str:
    """``pqr-digitales-2026-11-29.csv``, or ``pqr-digitales-2026-11-01-a-2026-11-29.xlsx``."""
    if export.date_from == export.date_to:
        return f"pqr-digitales-{export.date_from:%Y-%m-%d}.{ext}"
    return f"pqr-digitales-{export.date_from:%Y-%m-%d}-a-{export.date_to:%Y-%m-%d}.{ext}"


def export_label(export: DigitalPqrExport) -> str:
    if export.date_from == export.date_to:
        return f"{export.date_from:%d/%m/%Y}"
    return f"{export.date_from:%d/%m/%Y} a {export.date_to:%d/%m/%Y}"


# --- services ------------------------------------------------------------------------------


def export_range_check(*, date_from: dt.date, date_to: dt.date, today: dt.date) -> None:
    """Past Bogotá days only (today is not over yet), at most ``EXPORT_MAX_DAYS`` of them."""
    if date_to < date_from:
        raise ValidationError("La fecha final no puede ser anterior a la fecha inicial.")
    if date_from < FIRST_DAY:
        raise ValidationError(f"Fecha fuera de rango: desde el {FIRST_DAY:%d/%m/%Y}.")
    if date_to >= today:
        raise ValidationError(
            f"Solo se exportan días terminados: elija una fecha anterior a hoy ({today:%d/%m/%Y})."
        )
    if (date_to - date_from).days + 1 > EXPORT_MAX_DAYS:
        raise ValidationError(f"El rango no puede pasar de {EXPORT_MAX_DAYS} días.")


def export_needs_rebuild(*, export: DigitalPqrExport) -> bool:
    """A built export is rebuilt only when its list of PQR changed: PQR of its days were
    registered after it was built (a late or back-dated filing), or some left it (a PQR
    moved out of the modality). Status or technologist changes are the CRM's to show."""
    if not (export.built_at and export.csv_file and export.xlsx_file):
        return True
    total, later = selectors.export_stale_counts(export=export)
    return later > 0 or total != export.rows


def export_build(
    *,
    date_from: dt.date,
    date_to: dt.date,
    by: User | None = None,
    rebuild: bool = False,
    now: dt.datetime | None = None,
) -> DigitalPqrExport:
    """The export of the Bogotá days ``date_from``..``date_to``, built once.

    An existing export is returned as it is; with ``rebuild`` it is built again only if
    ``export_needs_rebuild``. ``built_now`` on the result says whether files were written.
    The row is locked (``select_for_update`` on get-or-create, the unique pair of dates
    settling a race on the insert), so two builds of one day at once give one row and one
    build: the second waits and gets the first's. Files that were already e-mailed are kept
    when rebuilt (they are what the gestores received).
    """
    today = local_date(now or timezone.now())
    export_range_check(date_from=date_from, date_to=date_to, today=today)
    with transaction.atomic():
        export, created = DigitalPqrExport.objects.select_for_update().get_or_create(
            date_from=date_from, date_to=date_to
        )
        built = export.built_at and export.csv_file and export.xlsx_file
        if not created and built and not (rebuild and export_needs_rebuild(export=export)):
            export.built_now = False
            return export
        old = [] if export.emailed_at else [export.csv_file.name, export.xlsx_file.name]
        as_of = timezone.now()
        with tempfile.TemporaryFile() as tmp:
            rows = csv_write(tmp, date_from=date_from, date_to=date_to, as_of=as_of)
            tmp.seek(0)
            export.csv_file.save(export_filename(export, "csv"), File(tmp), save=False)
        with tempfile.TemporaryFile() as tmp:
            xlsx_write(tmp, date_from=date_from, date_to=date_to, as_of=as_of)
            tmp.seek(0)
            export.xlsx_file.save(export_filename(export, "xlsx"), File(tmp), save=False)
        export.rows = rows
        export.built_at = as_of
        export.built_by = by
        export.save(update_fields=["rows", "csv_file", "xlsx_file", "built_at", "built_by"])
        storage = export.csv_file.storage
        stale = [name for name in old if name]
        transaction.on_commit(lambda: [storage.delete(name) for name in stale])
    export.built_now = True
    return export


def export_recipients():
    """2.7 step 2: the gestores de oficina of the Unidad Canales Regional, and nobody else."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name=Role.GESTOR_OFICINA,
            home_office__unit=Unit.REGIONAL,
        )
        .exclude(email="")
        .distinct()
        .order_by("email")
    )


def export_email(*, export: DigitalPqrExport) -> bool:
    """E-mail a daily export with both files to the Regional gestores de oficina, once.

    ``emailed_at`` is claimed with a compare-and-set in the same transaction that queues the
    notifications: a second run (or a concurrent one) finds it set and sends nothing. Without
    any recipient nothing is claimed, so the next run tries again (and the log says why).
    """
    recipients = list(export_recipients())
    if not recipients:
        log.warning("Exporte %s sin destinatarios: no hay gestores de oficina Regional.", export)
        return False
    with transaction.atomic():
        # Locked and read again: a rebuild by the mesa in between (it locks the same row) may
        # have replaced the files and the count; the e-mail carries the current ones.
        current = (
            DigitalPqrExport.objects.select_for_update()
            .filter(pk=export.pk, emailed_at__isnull=True)
            .first()
        )
        if current is None:
            return False
        current.emailed_at = export.emailed_at = timezone.now()
        current.save(update_fields=["emailed_at"])
        export = current
        day = export_label(export)
        subject = f"PQR digitales del {day} ({export.rows})"
        if export.rows:
            summary = (
                f"Adjuntamos el exporte de las PQR radicadas el {day} por medios tecnológicos o "
                f"electrónicos (redes sociales, chat EPM, WhatsApp y Contact Center): "
                f"{export.rows} PQR, en CSV y en Excel.\n\nSegún el procedimiento (2.7, paso 2), "
                "reasígnelas a los Tecnólogos Auxiliares de Atención y Operación Comercial que "
                "las atenderán."
            )
        else:
            summary = (
                f"El {day} no se radicaron PQR por medios tecnológicos o electrónicos. Los "
                "archivos adjuntos solo tienen los encabezados."
            )
        body = (
            f"{greeting()}.\n\n{summary}\n\nLos exportes también se descargan en Atención a "
            "distancia, página «Exportes de PQR digitales» (/pqr-digital/exportes/).\n\n"
            "Mesa de ayuda — Unidad Canales Regional"
        )
        for user in recipients:
            notification_queue(
                medium=Notification.Medium.EMAIL,
                modality=Modality.PQR_DIGITAL,
                recipient=user.email,
                subject=subject,
                body=body,
                attachments=[export.csv_file.name, export.xlsx_file.name],
            )
    return True


def daily_exports_run(*, now: dt.datetime | None = None) -> int:
    """The daily job (06:00 Bogotá, editable in admin): build and e-mail the export of the
    previous Bogotá day, and of the days missed since the last e-mailed one (at most
    ``CATCH_UP_DAYS`` back). "Previous day" is Bogotá's: at 00:30 UTC it is still the day
    before in Bogotá. The first run ever does yesterday only (no flood of old days on
    deploy). Safe to run twice: existing exports are reused (rebuilt first only if PQR of
    their day came later), each is e-mailed once. Returns how many exports were e-mailed.
    """
    now = now or timezone.now()
    yesterday = local_date(now) - dt.timedelta(days=1)
    last = DigitalPqrExport.objects.filter(
        date_from=F("date_to"), emailed_at__isnull=False, date_to__lte=yesterday
    ).aggregate(last=Max("date_to"))["last"]
    if last is None:
        first = yesterday
    else:
        first = max(last + dt.timedelta(days=1), yesterday - dt.timedelta(days=CATCH_UP_DAYS - 1))
    emailed = 0
    day = first
    while day <= yesterday:
        # An export the mesa built by hand before the job is brought up to date first (only if
        # PQR of the day were registered after it): the e-mail carries the whole day.
        export = export_build(date_from=day, date_to=day, now=now, rebuild=True)
        if export.emailed_at is None and export_email(export=export):
            emailed += 1
        day += dt.timedelta(days=1)
    return emailed
