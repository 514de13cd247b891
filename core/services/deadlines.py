"""LEG-02: the daily alert of PQR near or past their legal term."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import modalities
from core.business_days import add_business_days
from core.models import Case, CaseKind, CaseStatus, DueAlertRun, Modality, Notification, Unit, User
from core.roles import Role
from core.services.messaging import notification_queue
from core.services.sap import sap_queue_url

NEAR_DUE_BUSINESS_DAYS = 3
SAP_TEXT = (
    "término vencido: opera el silencio administrativo positivo (Ley 142 de 1994, art. 158); "
    "reconozca sus efectos dentro de las 72 horas siguientes"
)


def pqr_due_soon(*, today: dt.date) -> list[Case]:
    """Open PQR whose due date has passed or falls within the next business days."""
    horizon = add_business_days(today, NEAR_DUE_BUSINESS_DAYS)
    return list(
        Case.objects.filter(kind=CaseKind.PQR, due_date__lte=horizon)
        .exclude(status__in=CaseStatus.closed())
        .select_related("customer", "office", "supported_office", "assigned_to")
        .order_by("due_date", "filed_at", "id")
    )


def pqr_due_alerts_send(*, today: dt.date | None = None) -> int:
    """Send each unit's managers (gestor, asignador) the list of PQR near or past their term.

    Once per unit and day: a second run the same day sends nothing (DueAlertRun). Returns the
    number of e-mails queued.
    """
    today = today or timezone.localdate()
    by_unit: dict[str, list[Case]] = {}
    for case in pqr_due_soon(today=today):
        unit = modalities.case_managing_unit(case)
        if unit:
            by_unit.setdefault(unit, []).append(case)
    queued = 0
    for unit, cases in by_unit.items():
        recipients = list(
            User.objects.filter(
                Q(groups__name=Role.GESTOR) | Q(groups__name=Role.ASIGNADOR),
                is_active=True,
                home_office__unit=unit,
            )
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        try:
            with transaction.atomic():
                DueAlertRun.objects.create(date=today, unit=unit, cases=len(cases))
                body = _body(cases, today=today, unit=Unit(unit).label)
                for email in recipients:
                    notification_queue(
                        medium=Notification.Medium.EMAIL,
                        modality=Modality.GENERAL,
                        recipient=email,
                        subject=f"PQR próximas a vencer o vencidas — {today:%d/%m/%Y}",
                        body=body,
                    )
                    queued += 1
        except IntegrityError:
            continue  # this unit's alert already went out today
    return queued


def _body(cases: list[Case], *, today: dt.date, unit: str) -> str:
    lines = [f"{unit}: PQR abiertas próximas a vencer o vencidas al {today:%d/%m/%Y}.", ""]
    for case in cases:
        who = case.assigned_to.get_full_name() if case.assigned_to else "sin asignar"
        state = SAP_TEXT if case.due_date < today else "próxima a vencer"
        lines.append(
            f"- {case.number} — {case.customer.full_name} — vence {case.due_date:%d/%m/%Y} — "
            f"{who} — {state}"
        )
    if any(case.due_date < today for case in cases):
        lines += [
            "",
            "Las PQR vencidas entran a la cola de silencio administrativo positivo, con su "
            f"plazo de 72 horas y el registro del reconocimiento: {sap_queue_url()}",
        ]
    return "\n".join(lines)
