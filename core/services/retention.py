"""Retention of call and voicemail recordings (PQR-06, issue 15 item 5).

The procedure keeps a call's recording 6 months. Past that term the daily job either flags the
evidence (its file stays but is no longer served) or purges it (the file is deleted from storage;
the Evidence row, its SHA-256 and who uploaded it stay in the expediente). Which one, and the
term, come from settings: ``RETENTION_RECORDINGS_MONTHS`` (default 6) and ``RETENTION_ACTION``
("flag" or "purge", default "flag").

Every run writes a ``RetentionAudit`` row, even when nothing was due, and that row is the mark
(see the model). The Contact Center's own recordings of digital PQR are only referenced
(``recording_ref``); their term is shown from ``recording_retained_until`` and the Contact Center
deletes them, so there is nothing of theirs to purge here.
"""

import datetime as dt
import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.utils import timezone

from core.models import Evidence, EvidenceKind, User
from core.models.retention import RetentionAction, RetentionAudit

log = logging.getLogger(__name__)

RECORDING_KINDS = (EvidenceKind.CALL_RECORDING, EvidenceKind.VOICEMAIL_RECORDING)
DEFAULT_MONTHS = 6
DEFAULT_ACTION = RetentionAction.FLAG
#: ``RetentionAudit.trigger`` of the periodic task (there is no request user in a task).
SCHEDULED = "tarea programada (retención de grabaciones)"
#: ``retention_state`` of an evidence (``evidence_with_retention_state``): what a page shows.
STATE_AVAILABLE = ""
STATE_FLAGGED = "vencida"
STATE_PURGED = "purgada"


def retention_policy() -> tuple[int, str]:
    """(months, action) from settings; a bad value stops the job with a Spanish message."""
    months = getattr(settings, "RETENTION_RECORDINGS_MONTHS", DEFAULT_MONTHS)
    action = getattr(settings, "RETENTION_ACTION", DEFAULT_ACTION)
    if not isinstance(months, int) or isinstance(months, bool) or months < 1:
        raise ImproperlyConfigured(
            "RETENTION_RECORDINGS_MONTHS debe ser un número entero de meses mayor que cero."
        )
    if action not in RetentionAction.values:
        raise ImproperlyConfigured('RETENTION_ACTION: use "flag" (marcar) o "purge" (purgar).')
    return months, action


def recordings_cutoff(*, now: dt.datetime, months: int) -> dt.datetime:
    """The first instant a recording is still kept: recordings uploaded before it are expired.

    A recording uploaded on day D (Bogotá) is kept through D + ``months`` — the same rule as
    ``recording_retained_until`` of a Contact Center PQR — and expires the day after.
    """
    first_kept_day = timezone.localdate(now) - relativedelta(months=months)
    return timezone.make_aware(dt.datetime.combine(first_kept_day, dt.time.min))


@transaction.atomic
def recordings_retention_run(
    *,
    now: dt.datetime | None = None,
    by: User | None = None,
    trigger: str = "",
    action: str | None = None,
    months: int | None = None,
) -> RetentionAudit:
    """Flag or purge the call and voicemail recordings past their term; write the audit row.

    Idempotent: a recording already purged, or already flagged by a "flag" run, is not taken
    again, so a second run the same day writes a row with nothing in it. A "purge" run does take
    recordings flagged earlier (the policy changed). Rows locked by another run are skipped
    (``skip_locked``): the next run takes them.

    Files are deleted inside the transaction: if the audit row then failed to commit, the next
    run would take the same recordings again and find their files already gone (deleting a
    missing file is a no-op), so no purge is ever left unrecorded.
    """
    now = now or timezone.now()
    policy_months, policy_action = retention_policy()
    months = months or policy_months
    action = action or policy_action
    cutoff = recordings_cutoff(now=now, months=months)

    due = Evidence.objects.filter(kind__in=RECORDING_KINDS, uploaded_at__lt=cutoff).exclude(
        retention_audits__action=RetentionAction.PURGE
    )
    if action == RetentionAction.FLAG:
        due = due.exclude(retention_audits__action=RetentionAction.FLAG)
    rows = list(
        due.select_for_update(skip_locked=True, of=("self",))
        .order_by("id")
        .values_list("id", "file", "size")
    )

    taken: list[int] = []
    errors: list[dict] = []
    freed = 0
    if action == RetentionAction.PURGE:
        storage = Evidence._meta.get_field("file").storage
        for pk, name, size in rows:
            try:
                existed = bool(name) and storage.exists(name)
                if existed:
                    storage.delete(name)
            except OSError as exc:
                log.warning("No se pudo purgar la evidencia %s (%s): %s", pk, name, exc)
                errors.append({"evidencia": pk, "archivo": name, "error": str(exc)})
                continue
            taken.append(pk)
            freed += size if existed else 0
    else:
        taken = [pk for pk, _, _ in rows]

    audit = RetentionAudit(
        ran_at=now,
        action=action,
        months=months,
        cutoff=cutoff,
        triggered_by=by,
        trigger=trigger or (by.get_username() if by else SCHEDULED),
        evidence_count=len(taken),
        bytes_freed=freed,
        errors=errors,
    )
    audit.full_clean()
    audit.save()
    through = RetentionAudit.evidence.through
    through.objects.bulk_create(
        [through(retentionaudit_id=audit.pk, evidence_id=pk) for pk in taken], batch_size=1000
    )
    log.info(
        "Retención de grabaciones (%s, %s meses): %s evidencias, %s bytes liberados, %s errores",
        action,
        months,
        len(taken),
        freed,
        len(errors),
    )
    return audit


def evidence_with_retention_state(queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """Annotate ``retention_state`` ("", "vencida" or "purgada") on an evidence queryset, in the
    same query, for list pages that must not link a file that is not served."""
    marks = RetentionAudit.evidence.through.objects.filter(evidence_id=OuterRef("pk"))
    return queryset.annotate(
        retention_state=models.Case(
            models.When(
                Exists(marks.filter(retentionaudit__action=RetentionAction.PURGE)),
                then=Value(STATE_PURGED),
            ),
            models.When(Exists(marks), then=Value(STATE_FLAGGED)),
            default=Value(STATE_AVAILABLE),
            output_field=models.CharField(),
        )
    )


def evidence_retention_notice(*, evidence: Evidence) -> str:
    """Why this evidence's file is not served, in Spanish; "" when it may be downloaded."""
    audits = list(
        RetentionAudit.objects.filter(evidence=evidence)
        .order_by("ran_at", "id")
        .only("ran_at", "action", "months")
    )
    purge = next((a for a in audits if a.action == RetentionAction.PURGE), None)
    if purge is not None:
        return (
            f"La grabación se eliminó el {timezone.localtime(purge.ran_at):%d/%m/%Y} al vencer "
            f"su tiempo de conservación ({purge.months} meses, PQR-06). Se conserva su huella "
            f"SHA-256: {evidence.sha256}."
        )
    if audits:
        return (
            f"La grabación superó su tiempo de conservación ({audits[0].months} meses, PQR-06) "
            "y ya no se puede descargar."
        )
    return ""
