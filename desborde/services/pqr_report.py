"""The DF-04 report: once an overflow case is closed, the asignadores of the intake's unit get
its PQR number; a periodic sweep reports what the ``case_closed`` receiver missed."""

import logging

from django.db import transaction
from django.utils import timezone

from core.models import Case, CaseStatus, User
from desborde import services
from desborde.models import Intake

log = logging.getLogger(__name__)


@transaction.atomic
def intake_report_pqr_number(*, case: Case) -> Intake | None:
    """DF-04: once the case is closed, the asignadores of the intake's unit get the PQR number by
    e-mail, and the intake records when (``reported_at``; the number is the case's).

    Runs from the ``case_closed`` receiver and from the periodic sweep, maybe both at once,
    maybe twice: the intake row is locked and ``reported_at`` read under the lock, and the
    e-mails are queued in the transaction that sets it. So a case is reported once, and never
    marked reported without its e-mails. Answers the intake when this call reported it, None
    when there is nothing to do (no intake, case not closed, already reported).
    """
    from core.models import Modality, Notification
    from core.roles import Role
    from core.services.messaging import notification_queue

    intake = (
        Intake.objects.select_for_update(of=("self",))
        .select_related("office", "case")
        .filter(case_id=case.pk)
        .first()
    )
    if intake is None or intake.reported_at is not None:
        return None
    case = intake.case
    if case.status not in CaseStatus.closed():
        return None
    intake.reported_at = timezone.now()
    intake._change_reason = "PQR informada al asignador"
    intake.save(update_fields=["reported_at"])
    assigners = User.objects.filter(
        groups__name=Role.ASIGNADOR, is_active=True, home_office__unit=intake.office.unit
    ).exclude(email="")
    for assigner in assigners.distinct():
        notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.DESBORDE,
            recipient=assigner.email,
            subject=f"PQR registrada {case.number} — desborde {intake.office.name}",
            body=(
                f"Se registró la PQR {case.number} ({case.get_status_display()}) para "
                f"{intake.full_name}, ingresado por desborde {intake.get_mode_display()} en "
                f"{intake.office.name} el {timezone.localtime(intake.started_at):%d/%m/%Y %H:%M}."
            ),
            case=case,
        )
    from desborde.services.intake import intakes_changed

    intakes_changed(intake.office_id)  # "PQR registradas" on the orientador's table
    return intake


#: Intakes one sweep run reports at most; the next run (a minute later) takes the rest.
PQR_REPORT_SWEEP_BATCH = 200


def intakes_report_pending(*, limit: int = PQR_REPORT_SWEEP_BATCH) -> int:
    """DF-04 sweep (``desborde.pqr_report_sweep``, every minute): report the closed cases whose
    report did not happen after commit (the receiver raised, the process stopped between the
    commit and the receiver). Safe to run twice and alongside the receiver: each report takes
    the intake's row lock. An intake that fails is logged and left for the next run, so it
    does not hold the others back. Answers how many were reported."""
    pending = (
        Intake.objects.filter(reported_at__isnull=True, case__status__in=CaseStatus.closed())
        .select_related("case")
        .order_by("case__closed_at", "pk")[:limit]
    )
    reported = 0
    for intake in pending:
        try:
            # Through the package, as the receiver calls it: replacing
            # ``services.intake_report_pqr_number`` reaches both paths.
            if services.intake_report_pqr_number(case=intake.case) is not None:
                reported += 1
        except Exception:  # noqa: BLE001 - one bad intake must not stop the sweep
            log.exception(
                "No se pudo informar la PQR %s al asignador; se reintentará en el próximo barrido.",
                intake.case.number,
            )
    return reported
