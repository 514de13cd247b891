"""LEG-02: the periodic sweep of the silencio-administrativo-positivo queue — who enters, the
late answers, and the two alerts (once each, under concurrency)."""

import datetime as dt
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import modalities
from core.business_days import local_date
from core.models import Case, CaseKind, CaseStatus, Modality, Notification, SapCase, Unit, User
from core.roles import Role
from core.services.messaging import notification_queue
from core.services.sap.clock import (
    ALERT_HOURS,
    bogota_moment,
    sap_began_at,
    sap_deadline,
    sap_hours_left,
    sap_is_expired,
    sap_queue_url,
)

log = logging.getLogger(__name__)

INSERT_BATCH = 500


# --- the sweep ------------------------------------------------------------------------------


def sap_sweep(*, now: dt.datetime | None = None) -> dict:
    """Bring the queue up to date and send the alerts that are due. Idempotent.

    (a) PQR past their term without a record enter the queue (open ones, and ones closed on or
    after the day after their due date: answered late); (b) records whose case has since been
    closed get ``answered_at``; (c) the 24-hour and the expiry alerts go once each to the unit's
    gestores and asignadores — one e-mail per recipient, unit and kind of alert per sweep,
    listing the cases.
    """
    now = now or timezone.now()
    entered = _sap_enter(now=now)
    answered = _sap_answered_fill(now=now)
    alerts = _sap_alerts_send(now=now)
    return {"entered": entered, "answered": answered, **alerts}


def _sap_candidates(*, today: dt.date):
    """PQR whose term ended before ``today`` (Bogotá) with no record yet, open or closed late.
    A PQR closed before its term ended (closed_at's Bogotá date ≤ due date) never enters."""
    return (
        Case.objects.filter(kind=CaseKind.PQR, due_date__lt=today, sap__isnull=True)
        .filter(~Q(status__in=CaseStatus.closed()) | Q(closed_at__date__gt=F("due_date")))
        .select_related("office", "supported_office")
        .only(
            "id",
            "modality",
            "status",
            "due_date",
            "closed_at",
            "office__unit",
            "supported_office__unit",
        )
        .order_by("id")
    )


def _sap_enter(*, now: dt.datetime) -> int:
    """(a): one INSERT … ON CONFLICT DO NOTHING RETURNING per batch of cases; a concurrent
    sweep's rows are skipped by the unique key, so history is written only for ours."""
    today = local_date(now)
    rows = []
    for case in _sap_candidates(today=today).iterator(chunk_size=2000):
        unit = modalities.case_managing_unit(case)
        if unit is None:
            log.warning("PQR %s vencida sin unidad: no entra a la cola SAP.", case.pk)
            continue
        answered_at = case.closed_at if case.status in CaseStatus.closed() else None
        rows.append(
            (
                case.pk,
                unit,
                case.due_date,
                sap_began_at(case.due_date),
                sap_deadline(case.due_date),
                answered_at,
            )
        )
    entered = 0
    for start in range(0, len(rows), INSERT_BATCH):
        with transaction.atomic():
            ids = _insert_ignoring_conflicts(rows[start : start + INSERT_BATCH], now=now)
            if ids:
                created = list(SapCase.objects.filter(pk__in=ids))
                SapCase.history.bulk_history_create(
                    created,
                    default_change_reason="ingresó a la cola de silencio administrativo positivo",
                    default_date=now,
                )
                entered += len(ids)
    return entered


def _insert_ignoring_conflicts(rows: list[tuple], *, now: dt.datetime) -> list[int]:
    ops = connection.ops
    table = ops.quote_name(SapCase._meta.db_table)
    columns = (
        "case_id, unit, due_date, began_at, deadline, answered_at, act_reference, notes, created_at"
    )
    values, params = [], []
    created_at = ops.adapt_datetimefield_value(now)
    for case_id, unit, due_date, began_at, deadline, answered_at in rows:
        values.append("(%s, %s, %s, %s, %s, %s, '', '', %s)")
        params += [
            case_id,
            unit,
            ops.adapt_datefield_value(due_date),
            ops.adapt_datetimefield_value(began_at),
            ops.adapt_datetimefield_value(deadline),
            ops.adapt_datetimefield_value(answered_at),
            created_at,
        ]
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join(values)} "
        "ON CONFLICT (case_id) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _returning_ids(sql: str, params: list) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _history_update(ids: list[int], *, reason: str, now: dt.datetime) -> list[SapCase]:
    """The rows an UPDATE changed, with their history (a QuerySet.update writes none)."""
    if not ids:
        return []
    records = list(
        SapCase.objects.filter(pk__in=ids).select_related(
            "case__customer", "case__assigned_to", "case__office", "case__supported_office"
        )
    )
    SapCase.history.bulk_history_create(
        records, update=True, default_change_reason=reason, default_date=now
    )
    return records


@transaction.atomic
def _sap_answered_fill(*, now: dt.datetime) -> int:
    """(b): one UPDATE — records whose case has been closed since it entered the queue get the
    closing time (it was answered after its term)."""
    sap = connection.ops.quote_name(SapCase._meta.db_table)
    case = connection.ops.quote_name(Case._meta.db_table)
    closed = sorted(CaseStatus.closed())
    marks = ", ".join(["%s"] * len(closed))
    ids = _returning_ids(
        f"UPDATE {sap} SET answered_at = (SELECT c.closed_at FROM {case} c "
        f"WHERE c.id = {sap}.case_id) "
        f"WHERE answered_at IS NULL AND case_id IN (SELECT id FROM {case} "
        f"WHERE closed_at IS NOT NULL AND status IN ({marks})) RETURNING id",
        closed,
    )
    _history_update(ids, reason="caso respondido fuera de término", now=now)
    return len(ids)


@transaction.atomic
def _sap_alerts_send(*, now: dt.datetime) -> dict:
    """(c): claim each alert with a conditional UPDATE (``… IS NULL`` → now, RETURNING the rows
    claimed) and queue its e-mails in the same transaction. A concurrent sweep's UPDATE waits
    for this one's row locks and then finds the column set: each alert goes once. A record that
    enters already expired only matches the expiry alert."""
    ops = connection.ops
    sap = ops.quote_name(SapCase._meta.db_table)
    at = ops.adapt_datetimefield_value(now)
    horizon = ops.adapt_datetimefield_value(now + dt.timedelta(hours=ALERT_HOURS))
    ids_24h = _returning_ids(
        f"UPDATE {sap} SET alert_24h_sent_at = %s WHERE alert_24h_sent_at IS NULL "
        "AND recognised_at IS NULL AND deadline > %s AND deadline <= %s RETURNING id",
        [at, at, horizon],
    )
    ids_expired = _returning_ids(
        f"UPDATE {sap} SET alert_expired_sent_at = %s WHERE alert_expired_sent_at IS NULL "
        "AND recognised_at IS NULL AND deadline <= %s RETURNING id",
        [at, at],
    )
    near = _history_update(ids_24h, reason="aviso de 24 horas enviado", now=now)
    expired = _history_update(ids_expired, reason="aviso de vencimiento enviado", now=now)
    units = {r.unit for r in near} | {r.unit for r in expired}
    recipients = _managers_by_unit(units)
    emails = 0
    for kind, records in (("24h", near), ("vencido", expired)):
        by_unit: dict[str, list[SapCase]] = defaultdict(list)
        for record in sorted(records, key=lambda r: (r.deadline, r.pk)):
            by_unit[record.unit].append(record)
        for unit, unit_records in by_unit.items():
            subject, body = _alert_text(kind, unit_records, unit=unit, now=now)
            for email in recipients.get(unit, []):
                notification_queue(
                    medium=Notification.Medium.EMAIL,
                    modality=Modality.GENERAL,
                    recipient=email,
                    subject=subject,
                    body=body,
                    case=unit_records[0].case if len(unit_records) == 1 else None,
                )
                emails += 1
    return {"alerts_24h": len(near), "alerts_expired": len(expired), "emails": emails}


def _managers_by_unit(units: set[str]) -> dict[str, list[str]]:
    """The active gestores and asignadores with an e-mail of each unit (as the daily alert)."""
    if not units:
        return {}
    rows = (
        User.objects.filter(
            Q(groups__name=Role.GESTOR) | Q(groups__name=Role.ASIGNADOR),
            is_active=True,
            home_office__unit__in=units,
        )
        .exclude(email="")
        .values_list("home_office__unit", "email")
        .distinct()
        .order_by("home_office__unit", "email")
    )
    result: dict[str, list[str]] = defaultdict(list)
    for unit, email in rows:
        result[unit].append(email)
    return result


def _responsible(case: Case) -> str:
    if case.assigned_to_id is None:
        return "sin asignar"
    return case.assigned_to.get_full_name() or case.assigned_to.username


def _alert_text(kind: str, records: list[SapCase], *, unit: str, now: dt.datetime):
    unit_label = Unit(unit).label
    count = len(records)
    if kind == "24h":
        subject = (
            f"Silencio administrativo positivo: quedan 24 horas o menos para reconocer "
            f"{count} PQR — {unit_label}"
        )
        intro = (
            f"{unit_label}: {count} PQR en silencio administrativo positivo cuyo plazo de 72 "
            "horas para reconocer sus efectos (Decreto 2150 de 1995, art. 123) vence en 24 "
            "horas o menos."
        )
    else:
        subject = (
            f"Silencio administrativo positivo: venció el plazo de 72 horas de {count} "
            f"PQR — {unit_label}"
        )
        intro = (
            f"{unit_label}: venció el plazo de 72 horas para reconocer los efectos del "
            f"silencio administrativo positivo (Decreto 2150 de 1995, art. 123) de {count} "
            "PQR sin reconocimiento registrado."
        )
    lines = [intro, ""]
    for record in records:
        case = record.case
        hours = sap_hours_left(record, now)
        left = f"vencido hace {-hours} h" if sap_is_expired(record, now) else f"quedan {hours} h"
        late = " — respondida fuera de término" if record.answered_at else ""
        lines.append(
            f"- {case.number} — {case.customer.full_name} — fecha límite de respuesta "
            f"{record.due_date:%d/%m/%Y} — reconocer a más tardar "
            f"{bogota_moment(record.deadline)} — {left} — debe actuar: "
            f"{_responsible(case)}{late}"
        )
    lines += [
        "",
        "Registre el reconocimiento (referencia del acto y evidencia) en la cola de silencio "
        f"administrativo positivo: {sap_queue_url()}",
    ]
    return subject, "\n".join(lines)
