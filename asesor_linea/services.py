"""Asesor en línea (2.4, AL-01..AL-04): the technologist's side of the video attention at a
kiosk of a supported office.

The roster, the start-of-shift check, the turns, the kiosks, the video sessions, the print queue
and the evidence are core's; this module is the thin asesor en línea layer on top of them:

- "Anunciar" (AL-03): the turn whose customer accepted virtual attention is called to a free,
  connected kiosk of its office and the video call to that kiosk starts ringing, in one
  transaction (a refused call opens no session, a refused session calls no turn);
- the CRM case of the turn (AL-04): PQR and pedidos → canal "asesor en línea", oficina a la que
  se apoya / oficina de atención = the turn's office;
- the documents to the kiosk's printer (else the office's) and the signed scans back into the
  case's expediente (2.4 steps 3 and 4): core's ``core.services.turns.documents``;
- "Terminar" with the outcome (atendido, no se presentó, devolver a la sala).

The page (``asesor_linea.views``) and the API (``asesor_linea.api``) call the same functions, so
a rule answers with the same Spanish message whichever way the request arrives.
"""

from django.db import OperationalError, transaction
from django.http import Http404

from asesor_linea import selectors
from core.db_errors import is_deadlock
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseKind,
    Kiosk,
    Modality,
    RemoteModality,
    TransactionType,
    Turn,
    User,
    VideoSession,
)
from core.selectors.roster import shift_check_done
from core.services.turns import NOT_FOUND, turn_kiosk_call, turn_kiosk_finish
from core.services.turns.case import turn_case_open
from core.services.turns.kiosk import KIOSK_OUTCOMES, NOT_ELIGIBLE
from core.video.services import video_session_open

#: 2.4 step 3: PQR → canal "asesor en línea" (oficina a la que se apoya); pedido → canal "asesor
#: en línea" (oficina de atención). Both are the turn's office, in ``Case.supported_office``.
CHANNEL_BY_KIND = {CaseKind.PQR: "asesor-en-linea", CaseKind.PEDIDO: "asesor-en-linea"}

NOT_ROSTERED = (
    "No está programado hoy para apoyar oficinas por asesor en línea: esta página se abre solo "
    "a los tecnólogos de la programación de apoyo del día. Pida a su gestor que lo programe."
)
SHIFT_CHECK_MISSING = (
    "Antes de anunciar turnos registre hoy la verificación de inicio de turno (audio, video e "
    "impresora de la oficina que apoya)."
)
OUTCOME_CHOICES = list(KIOSK_OUTCOMES.items())


ANNOUNCE_RACE = (
    "Otro anuncio sobre este turno o este módulo se cruzó con el suyo: actualice la lista e "
    "intente de nuevo."
)


def al_turn_announce(*, turn: Turn, by: User, kiosk: Kiosk) -> tuple[Turn, VideoSession]:
    """ "Anunciar" (``_announce``); a deadlock with another writer on the same turn or kiosk
    (the matcher of balanceo, another technologist) rolls this one back: 409, nothing written."""
    try:
        return _announce(turn=turn, by=by, kiosk=kiosk)
    except OperationalError as exc:
        if not is_deadlock(exc):
            raise
        raise ProtocolConflict(ANNOUNCE_RACE) from None


@transaction.atomic
def _announce(*, turn: Turn, by: User, kiosk: Kiosk) -> tuple[Turn, VideoSession]:
    """ "Anunciar" (AL-03, 2.4 step 3): call the turn to ``kiosk`` and ring the kiosk.

    - a technologist not rostered today by asesor en línea for the turn's office: 404;
    - today's start-of-shift check must have audio, video and printer (AL-02): else 409;
    - core's ``turn_kiosk_call`` checks the rest with its Spanish messages: the customer
      accepted virtual attention, the turn still waits, the kiosk is of the turn's office,
      "conectado" and free (409 each); the display and the kiosk announce "Turno … → Módulo …";
    - ``video_session_open`` rings the kiosk and the technologist's page ("timbrando").

    One transaction: if the video call cannot open (the kiosk is already in another call), the
    turn is not called either. Lock order, the same as the balanceo matcher's: the turn row
    first (``turn_kiosk_call``), then the video session. Returns the turn and the session."""
    if not selectors.al_rostered(technologist=by, office_id=turn.office_id):
        raise Http404(NOT_FOUND)
    if not shift_check_done(technologist=by, video=True):
        raise ProtocolConflict(SHIFT_CHECK_MISSING)
    turn = turn_kiosk_call(turn=turn, by=by, kiosk=kiosk, modality=RemoteModality.ASESOR_EN_LINEA)
    session = video_session_open(
        technologist=by, modality=Modality.ASESOR_LINEA, kiosk=kiosk, turn=turn
    )
    return turn, session


@transaction.atomic
def al_case_open(
    *,
    turn: Turn,
    by: User,
    customer: dict,
    kind: str,
    pqr_type: str = "",
    motive: str = "",
    transaction_type: TransactionType | None = None,
    contract_number: str = "",
    property_address: str = "",
) -> Case:
    """The customer is at the kiosk (AL-04, 2.4 step 3): register them and their requirement
    and open the CRM case from the turn, through core's ``turn_case_open``:

    - PQR and pedido → canal "asesor en línea"; oficina a la que se apoya / oficina de atención
      = the turn's office (``supported_office``); número de turno = the turn's; medio verbal;
      oficina = the technologist's own; the case is the technologist's;
    - eligible transactions as CEL-02: Radicación de documentos and Pedidos de energía prepago
      are refused in an office without orientador (the message names asesor en línea);
    - the turn goes "en atención" with the case.

    Only the technologist who announced the turn (409 otherwise); a double tap opens one case."""
    return turn_case_open(
        turn=turn,
        by=by,
        customer=customer,
        kind=kind,
        pqr_type=pqr_type,
        motive=motive,
        transaction_type=transaction_type,
        contract_number=contract_number,
        property_address=property_address,
        channel_by_kind=CHANNEL_BY_KIND,
        modality=Modality.ASESOR_LINEA,
        reason=f"asesor en línea: turno {turn.number} de {turn.office.name}",
        not_eligible_message=NOT_ELIGIBLE,
    )


def al_turn_finish(*, turn: Turn, by: User, outcome: str) -> Turn:
    """ "Terminar" (core's ``turn_kiosk_finish``): "atendido" once the case is registered,
    "no_se_presento" or "devolver" (back to the waiting room, the office asks again) while the
    turn is called; the video call ends and the kiosk is free."""
    return turn_kiosk_finish(turn=turn, by=by, outcome=outcome)
