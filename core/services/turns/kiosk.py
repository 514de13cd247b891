"""Turns attended by video at a kiosk (AL-03, BAL-03): the office asks the customer whether they
accept virtual attention; a technologist (asesor en línea) or the matcher (balanceo) calls the
turn to a kiosk that is on and free, and the waiting-room display and the kiosk announce it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.live.groups import display_group, kiosk_group
from core.live.publish import live_publish
from core.models import Kiosk, RosterEntry, Turn, TurnEvent, TurnStatus, User, VirtualConsent
from core.roles import OFFICE_ROLES, user_has_role
from core.services.turns.common import (
    NOT_FOUND,
    change_record,
    locked_for_change,
    turn_eligible_remote,
)

CONSENT_INVALID = "Indique si el cliente acepta la atención virtual (sí o no)."
KIOSK_OFF = (
    "El módulo {label} está desconectado: pida a la oficina que lo encienda (la página del "
    "módulo abierta en su navegador)."
)
KIOSK_BUSY = "El módulo {label} está atendiendo otro turno."
KIOSK_OTHER_OFFICE = "El módulo no es de la oficina del turno."
NOT_VIRTUAL = "El cliente del turno {number} no ha aceptado la atención virtual."
NOT_ELIGIBLE = (
    "Esta transacción no se atiende por asesor en línea en esta oficina: no tiene orientador "
    "(Radicación de documentos y Pedidos de energía prepago)."
)


@transaction.atomic
def turn_virtual_consent(*, turn: Turn, accepts: bool, by: User) -> Turn:
    """AL-03: before a turn is called by video, the office's encargado (or orientador) asks the
    customer: accepts → the turn can be called to a kiosk; does not accept → it stays in the
    waiting room for in-person attention and the next customer is asked. Office staff of the
    turn's office only (else 404)."""
    if not isinstance(accepts, bool):
        raise ValidationError({"accepts": CONSENT_INVALID})
    if not by.is_superuser and (
        by.home_office_id != turn.office_id or not user_has_role(by, *OFFICE_ROLES)
    ):
        raise Http404(NOT_FOUND)
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now))
    if current.status != TurnStatus.EN_ESPERA:
        raise ProtocolConflict(
            f"El turno {current.number} ya no está en espera: {current.get_status_display()}."
        )
    if current.accepts_remote or current.needs_office_check:
        raise ProtocolConflict(
            f"El turno {current.number} va por atención a distancia por celular: no se le "
            "pregunta por la atención virtual en un módulo."
        )
    if accepts and not turn_eligible_remote(
        office=current.office, transaction_type=current.transaction_type
    ):
        raise ValidationError({"accepts": NOT_ELIGIBLE})
    result = change_record(
        turn,
        current,
        TurnEvent.Kind.VIRTUAL_ACEPTA if accepts else TurnEvent.Kind.VIRTUAL_RECHAZA,
        by=by,
        at=now,
        virtual_consent=VirtualConsent.ACEPTA if accepts else VirtualConsent.RECHAZA,
        virtual_consent_by=by,
    )
    return result


def kiosk_is_online(kiosk: Kiosk) -> bool:
    from core.services.kiosks import kiosk_online_q

    return Kiosk.objects.filter(pk=kiosk.pk).filter(kiosk_online_q()).exists()


@transaction.atomic
def turn_kiosk_call(
    *,
    turn: Turn,
    by: User,
    kiosk: Kiosk,
    modality: str,
    event: str = TurnEvent.Kind.ANUNCIADO,
) -> Turn:
    """Call a waiting turn whose customer accepted virtual attention to ``kiosk`` of its office,
    for technologist ``by`` rostered today in ``modality`` (RemoteModality) for that office:
    "llamado", with its kiosk; the display and the kiosk announce "Turno A-023 → Módulo 2".

    Checks, each with its Spanish message: the turn is waiting and accepted (409), the
    technologist is rostered (else 404), the kiosk belongs to the turn's office and is on
    ("conectado", a fresh heartbeat) and free. The database keeps one active turn per
    technologist and per kiosk (partial unique constraints): a race answers 409."""
    now = timezone.now()
    today = timezone.localdate(now)
    current = locked_for_change(turn, today=today)
    if not RosterEntry.objects.filter(
        technologist=by, day=today, office_id=current.office_id, modality=modality
    ).exists():
        raise Http404(NOT_FOUND)
    if current.status != TurnStatus.EN_ESPERA:
        raise ProtocolConflict(
            "Otro tecnólogo ya tomó este turno."
            if current.status in TurnStatus.active()
            else f"El turno {current.number} ya no está en espera: {current.get_status_display()}."
        )
    if current.virtual_consent != VirtualConsent.ACEPTA:
        raise ProtocolConflict(NOT_VIRTUAL.format(number=current.number))
    if kiosk.office_id != current.office_id:
        raise ValidationError({"kiosk": KIOSK_OTHER_OFFICE})
    if not kiosk_is_online(kiosk):
        raise ProtocolConflict(KIOSK_OFF.format(label=kiosk.label))
    try:
        with transaction.atomic():
            result = change_record(
                turn,
                current,
                event,
                by=by,
                at=now,
                note=kiosk.label,
                status=TurnStatus.LLAMADO,
                called_by=by,
                called_at=now,
                kiosk=kiosk,
                announced_at=now,
            )
    except IntegrityError as exc:
        if "kiosk" in str(exc):
            raise ProtocolConflict(KIOSK_BUSY.format(label=kiosk.label)) from None
        raise ProtocolConflict(
            "Ya tiene un turno llamado o en atención: termínelo antes de llamar otro."
        ) from None
    turn_announce_publish(turn=result, kiosk=kiosk)
    return result


def turn_announce_publish(*, turn: Turn, kiosk: Kiosk) -> None:
    """The waiting-room display and the kiosk show "Turno A-023 → Módulo 2" (after commit)."""
    payload = {
        "type": "turn.announce",
        "turn": turn.number,
        "turn_id": turn.pk,
        "kiosk": kiosk.label,
        "kiosk_id": kiosk.pk,
        "office": turn.office_id,
    }
    live_publish([display_group(turn.office_id), kiosk_group(kiosk.pk)], payload)


#: How a kiosk turn's attention ends ("Terminar" on the technologist's page).
KIOSK_OUTCOMES = {
    "atendido": "atendido (caso registrado)",
    "no_se_presento": "el cliente no se presentó al módulo",
    "devolver": "devolver a la sala (falla de conexión u otro motivo)",
}
KIOSK_OUTCOME_INVALID = "Indique «atendido», «no_se_presento» o «devolver»."


@transaction.atomic
def turn_kiosk_finish(*, turn: Turn, by: User, outcome: str) -> Turn:
    """The technologist ends a kiosk attention (AL, BAL): the turn's open video session ends, the
    kiosk and the technologist are free at once.

    - "atendido": the case was opened (turn "en atención") → "atendido";
    - "no_se_presento": called but the customer never came to the kiosk → "no se presentó";
    - "devolver": called, not attended (the video failed, the customer asked to be served in
      person): back to the waiting room in its place, the office asks again (consent cleared).
    Only the technologist who called it (else 404); a state that does not allow it: 409."""
    from core.services.turns.office import turn_finish, turn_video_sessions_end

    if outcome not in KIOSK_OUTCOMES:
        raise ValidationError({"outcome": KIOSK_OUTCOME_INVALID})
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now), past_allowed=True)
    if current.called_by_id != by.pk:
        raise Http404(NOT_FOUND)
    if outcome == "atendido":
        if current.status == TurnStatus.LLAMADO:
            raise ProtocolConflict(
                "Registre primero el caso del cliente (PQR o pedido) antes de terminar como "
                "atendido."
            )
        result = turn_finish(turn=current, by=by)  # its calls end with it
    else:
        if current.status != TurnStatus.LLAMADO:
            raise ProtocolConflict(
                f"El turno {current.number} está {current.get_status_display()}: "
                "ya no se puede devolver ni marcar como no presentado."
            )
        changes = (
            {"status": TurnStatus.NO_SE_PRESENTO, "finished_at": now}
            if outcome == "no_se_presento"
            else {
                "status": TurnStatus.EN_ESPERA,
                "called_by": None,
                "called_at": None,
                "kiosk": None,
                "virtual_consent": "",
            }
        )
        result = change_record(
            turn,
            current,
            TurnEvent.Kind.NO_SE_PRESENTO
            if outcome == "no_se_presento"
            else TurnEvent.Kind.DEVUELTO,
            by=by,
            at=now,
            note=KIOSK_OUTCOMES[outcome],
            **changes,
        )
        turn_video_sessions_end(turn=current, reason=KIOSK_OUTCOMES[outcome])
    turn.refresh_from_db()
    return result


REQUEUE_NOT_CALLED = "El turno {number} ya no está llamado a un módulo: {status}."


@transaction.atomic
def turn_kiosk_requeue(*, turn: Turn, note: str) -> Turn:
    """A system action (no user): a turn called to a kiosk whose attention never started (the
    video call to the kiosk ended without connecting, nobody answered) goes back to the waiting
    room in its place (it keeps its arrival time) **keeping the customer's consent** to virtual
    attention, so it can be called again at once; its technologist and kiosk are released and
    an event "devuelto" records ``note``. Only a turn still "llamado" to a kiosk of today (409
    otherwise: it was attended, finished or returned meanwhile). The office's live pages are
    told after commit."""
    now = timezone.now()
    current = locked_for_change(turn, today=timezone.localdate(now))
    if current.status != TurnStatus.LLAMADO or current.kiosk_id is None:
        raise ProtocolConflict(
            REQUEUE_NOT_CALLED.format(number=current.number, status=current.get_status_display())
        )
    result = change_record(
        turn,
        current,
        TurnEvent.Kind.DEVUELTO,
        by=None,
        at=now,
        note=(note or "")[:300],
        status=TurnStatus.EN_ESPERA,
        called_by=None,
        called_at=None,
        kiosk=None,
    )
    return result
