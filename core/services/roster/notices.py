"""The roster e-mail (2.3 step 1): one per technologist whose offices of a day changed, queued
in the caller's transaction; ``RosterNotice`` keeps what was last sent."""

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from core.models import Modality, Notification, RemoteModality, RosterEntry, RosterNotice, User
from core.services.messaging import notification_queue
from core.services.roster.rules import _label

log = logging.getLogger(__name__)

WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


# --- the e-mail ------------------------------------------------------------------------------


def _signature(entries: list[RosterEntry]) -> str:
    """What the technologist was told: their (modality, office) pairs of the day. Office ids,
    not names: a renamed office is not a new roster. Long rosters are hashed to fit."""
    text = ";".join(sorted(f"{e.modality}:{e.office_id}" for e in entries))
    if len(text) > RosterNotice._meta.get_field("signature").max_length:
        text = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return text


def _roster_email(*, technologist: User, day: dt.date, entries: list[RosterEntry]):
    when = f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"
    greeting = f"Hola, {technologist.first_name or technologist.username}:"
    if not entries:
        return (
            f"Programación de apoyo retirada — {day:%d/%m/%Y}",
            f"{greeting}\n\nSu programación de apoyo a distancia del {when} fue retirada: ese "
            "día no tiene oficinas asignadas para apoyar.\n",
        )
    lines = "\n".join(
        f"- {e.office.name} ({e.office.code}, zona {e.office.zone}): {_label(e.modality)}"
        for e in entries
    )
    # AL-02: asesor en línea and balanceo attend by video: the camera is checked too.
    by_video = any(e.modality != RemoteModality.CELULAR for e in entries)
    devices = "el audio y la cámara (video)" if by_video else "el audio"
    return (
        f"Programación de apoyo — {day:%d/%m/%Y}",
        f"{greeting}\n\nEl {when} usted apoya a distancia estas oficinas:\n\n{lines}\n\n"
        f"Antes de contactar a los clientes verifique {devices} de su equipo y que la "
        "impresora de cada oficina que apoya esté configurada, y regístrelo en la verificación "
        "de inicio de turno.\n\nEste correo reemplaza cualquier programación anterior de ese "
        "día.\n",
    )


def roster_notify(*, day: dt.date, technologists: Iterable[User]) -> int:
    """Queue one e-mail per technologist whose offices of ``day`` differ from what their last
    e-mail said (``RosterNotice``); returns how many were queued. Runs inside the caller's
    transaction: the notice rows are locked (created first if missing) in id order before the
    entries are read, so two saves for the same technologist at once cannot both send the same
    news or miss each other's change. A technologist without e-mail is skipped (logged) and
    keeps their old notice, so they are told once they have one."""
    techs = {t.pk: t for t in technologists}
    if not techs:
        return 0
    ids = sorted(techs)
    now = timezone.now()
    had_notice = set(
        RosterNotice.objects.filter(day=day, technologist_id__in=ids).values_list(
            "technologist_id", flat=True
        )
    )
    RosterNotice.objects.bulk_create(
        [RosterNotice(day=day, technologist_id=pk, signature="", sent_at=now) for pk in ids],
        ignore_conflicts=True,
    )
    notices = {
        n.technologist_id: n
        for n in RosterNotice.objects.select_for_update()
        .filter(day=day, technologist_id__in=ids)
        .order_by("technologist_id")
    }
    entries: dict[int, list[RosterEntry]] = defaultdict(list)
    for entry in (
        RosterEntry.objects.filter(day=day, technologist_id__in=ids)
        .select_related("office")
        .order_by("office__name", "modality", "id")
    ):
        entries[entry.technologist_id].append(entry)

    queued = 0
    for pk in ids:
        notice, tech = notices[pk], techs[pk]
        signature = _signature(entries[pk])
        if signature == notice.signature:
            if not signature and pk not in had_notice:
                notice.delete()  # nothing was ever sent: no notice to keep
            continue
        if not tech.email:
            log.warning("El tecnólogo %s no tiene correo: no se le avisó su programación.", pk)
            if not notice.signature and pk not in had_notice:
                notice.delete()
            continue
        subject, body = _roster_email(technologist=tech, day=day, entries=entries[pk])
        notification_queue(
            medium=Notification.Medium.EMAIL,
            modality=Modality.GENERAL,
            recipient=tech.email,
            subject=subject,
            body=body,
        )
        notice.signature, notice.sent_at = signature, now
        notice.save(update_fields=["signature", "sent_at"])
        queued += 1
    return queued
