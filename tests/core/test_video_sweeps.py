"""Issue 12, core odds and ends: unanswered calls end by themselves, managers see the relay
share in admin, the roster e-mail of video modalities asks for the camera, a kiosk's printer is of
its office."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import (
    Kiosk,
    Printer,
    RemoteModality,
    StaffAvailability,
    VideoSession,
    VideoSessionStatus,
)
from core.roles import Role
from core.services.roster import roster_entry_add
from core.video.services import UNANSWERED, video_session_open, video_sessions_unanswered_sweep
from tests.factories import OfficeFactory
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def _session(office, *, username, status, candidate_type="", minutes_ago=0):
    kiosk = Kiosk.objects.create(office=office, label=f"Módulo {username}")
    return VideoSession.objects.create(
        modality="asesor_linea",
        technologist=make_user(Role.TECNOLOGO, office, username=username),
        kiosk=kiosk,
        status=status,
        candidate_type=candidate_type,
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
    )


def test_al03_a_call_that_rings_unanswered_ends_failed_with_its_reason(settings):
    settings.VIDEO_RING_TIMEOUT_SECONDS = 120
    office = OfficeFactory()
    tech = make_user(Role.TECNOLOGO, office, username="tec_sin_respuesta")
    kiosk = Kiosk.objects.create(office=office, label="Módulo 1")
    old = video_session_open(technologist=tech, modality="asesor_linea", kiosk=kiosk)
    VideoSession.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    fresh = _session(office, username="tec_reciente", status=VideoSessionStatus.TIMBRANDO)
    connected = _session(
        office,
        username="tec_conectado",
        status=VideoSessionStatus.CONECTADA,
        candidate_type="host",
        minutes_ago=30,
    )

    assert video_sessions_unanswered_sweep() == 1

    old.refresh_from_db()
    assert old.status == VideoSessionStatus.FALLIDA and old.end_reason == UNANSWERED
    assert old.ended_at is not None
    fresh.refresh_from_db()
    connected.refresh_from_db()
    assert fresh.status == VideoSessionStatus.TIMBRANDO
    assert connected.status == VideoSessionStatus.CONECTADA
    # The technologist and the kiosk are free: a new call opens.
    assert video_session_open(technologist=tech, modality="asesor_linea", kiosk=kiosk).is_open


def test_bal03_admin_shows_how_often_connected_calls_needed_the_relay(client, office):
    """Managers see the relay share over the sessions they can see (their unit only)."""
    _session(office, username="t1", status="finalizada", candidate_type="relay")
    _session(office, username="t2", status="finalizada", candidate_type="host")
    _session(office, username="t3", status="finalizada", candidate_type="srflx")
    _session(office, username="t4", status="fallida")
    far = OfficeFactory(unit="regional")
    _session(far, username="t5", status="finalizada", candidate_type="relay")
    gestor = make_user(Role.GESTOR, office, username="gestora_video", is_staff=True)
    client.force_login(gestor)

    page = client.get("/admin/core/videosession/")

    assert page.status_code == 200
    figures = page.content.decode()
    assert "Sesiones conectadas: 3" in figures
    assert "por el servidor TURN (relay): 1 (33 %)" in figures
    assert "fallidas: 1" in figures


@pytest.mark.django_db(transaction=True)
def test_al02_bal01_roster_email_of_a_video_modality_asks_to_check_the_camera(office):
    office.kiosks.create(label="Módulo 1")
    gestor = make_user(Role.GESTOR, office, username="gestor_video")
    tech = make_user(Role.TECNOLOGO, office, username="tec_video", email="tec@example.com")
    cel = make_user(Role.TECNOLOGO, office, username="tec_cel", email="cel@example.com")
    day = timezone.localdate()
    for user in (tech, cel):
        StaffAvailability.objects.create(user=user, date=day, is_available=True)
    other = OfficeFactory(unit=office.unit, technologist_count=1)
    roster_entry_add(
        day=day, technologist=tech, office=office, modality=RemoteModality.BALANCEO, by=gestor
    )
    roster_entry_add(
        day=day, technologist=cel, office=other, modality=RemoteModality.CELULAR, by=gestor
    )

    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "el audio y la cámara (video)" in bodies["tec@example.com"]
    assert "cámara" not in bodies["cel@example.com"]


def test_core01_a_kiosks_printer_must_be_of_its_office():
    office, other = OfficeFactory(), OfficeFactory()
    printer = Printer.objects.create(office=other, name="Ajena")
    kiosk = Kiosk(office=office, label="Módulo 1", printer=printer)
    with pytest.raises(ValidationError) as refused:
        kiosk.full_clean()
    assert refused.value.message_dict["printer"] == [
        "La impresora del módulo debe ser de la misma oficina."
    ]


def _kiosk_attention(office, *, connected: bool):
    """An asesor en línea attention: the turn announced to a connected kiosk, the video call (it
    connected or not) and the case opened from the turn."""
    from core.live.auth import LiveParty
    from core.models import CaseKind, Modality
    from core.services.turns import turn_kiosk_call
    from core.services.turns.case import turn_case_open
    from core.video.services import video_state_record
    from tests.asesor_linea.support import (
        CUSTOMER,
        accepted_turn,
        kiosk_on,
        rostered,
        technologist,
    )

    encargado = make_user(Role.ENCARGADO, office, username=f"enc_{connected}")
    kiosk = kiosk_on(Kiosk.objects.create(office=office, label=f"Módulo {connected}"))
    tech = rostered(technologist(office, f"tec_video_{connected}"), office)
    turn = accepted_turn(office, encargado)
    turn_kiosk_call(turn=turn, by=tech, kiosk=kiosk, modality=RemoteModality.ASESOR_EN_LINEA)
    session = video_session_open(
        technologist=tech, modality=Modality.ASESOR_LINEA, kiosk=kiosk, turn=turn
    )
    if connected:
        video_state_record(session_id=session.pk, party=LiveParty(kiosk=kiosk), state="conectada")
    case = turn_case_open(
        turn=turn,
        by=tech,
        customer=CUSTOMER,
        kind=CaseKind.PEDIDO,
        channel_by_kind={CaseKind.PQR: "asesor-en-linea", CaseKind.PEDIDO: "asesor-en-linea"},
        modality=Modality.ASESOR_LINEA,
        reason="prueba",
    )
    return tech, case


@pytest.mark.parametrize("connected", [True, False])
def test_al04_a_case_attended_by_video_closes_without_a_phone_call(client, office, connected):
    """AL-04 / BAL-04: the customer was attended face to face at the kiosk: the case page offers
    the CRM close at once (no phone call to log, no call recording to upload) and it closes;
    when the video never connected, the phone protocol applies as for any case."""
    from core.models import CaseStatus, Channel, InitialCause

    tech, case = _kiosk_attention(office, connected=connected)
    client.force_login(tech)
    page = client.get(f"/casos/{case.pk}/").content.decode()
    assert ("atendido por video en el módulo" in page) is connected
    assert ('id="close-form"' in page) is connected

    response = client.post(
        f"/casos/{case.pk}/cerrar/",
        {
            "outcome": "primer_contacto",
            "turn_number": case.turn_number,
            "attention_medium": "verbal",
            "channel": Channel.objects.get(code="asesor-en-linea").pk,
            "office": case.office_id,
            "supported_office": case.supported_office_id,
            "initial_cause": InitialCause.objects.get(code="informacion-general").pk,
            "motive": "Duplicado de factura entregado en el módulo.",
        },
    )
    case.refresh_from_db()
    if connected:
        assert response.status_code == 302
        assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    else:
        assert response.status_code == 400
        assert not case.is_closed


def test_al04_a_video_attended_case_closes_without_recording_through_the_service(office):
    """The service itself (API and page alike) closes a case attended by video at the kiosk
    without a phone call or its recording."""
    from core.models import CaseStatus, Channel, EvidenceKind, InitialCause
    from core.services.closing import case_close

    tech, case = _kiosk_attention(office, connected=True)
    assert case.turns.get().video_sessions.get().is_open
    case_close(
        case=case,
        by=tech,
        outcome="primer_contacto",
        channel=Channel.objects.get(code="asesor-en-linea"),
        initial_cause=InitialCause.objects.get(code="informacion-general"),
        motive="Entregado en el módulo.",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert not case.evidence.filter(kind=EvidenceKind.CALL_RECORDING).exists()


@pytest.mark.django_db(transaction=True)
def test_al04_case_closed_ends_the_call_of_its_turn(office):
    """The case_closed receiver (after commit) finishes the turn and hangs up its call."""
    from core.models import Channel, InitialCause, TurnStatus
    from core.services.closing import case_close

    tech, case = _kiosk_attention(office, connected=True)
    turn = case.turns.get()
    case_close(
        case=case,
        by=tech,
        outcome="primer_contacto",
        channel=Channel.objects.get(code="asesor-en-linea"),
        initial_cause=InitialCause.objects.get(code="informacion-general"),
        motive="Entregado en el módulo.",
    )
    turn.refresh_from_db()
    session = turn.video_sessions.get()
    assert turn.status == TurnStatus.ATENDIDO
    assert session.status == VideoSessionStatus.FINALIZADA
    assert session.end_reason == "atención terminada: turno atendido"
    # The technologist and the kiosk can take the next call.
    assert video_session_open(technologist=tech, modality="asesor_linea", kiosk=turn.kiosk).is_open


def test_al03_kiosk_turns_of_past_days_are_released_by_the_sweep(office):
    """A kiosk turn left "llamado" yesterday holds its kiosk until the sweep cancels it (event
    "liberado", call ended); one left "en atención" becomes "atendido"."""
    from core.models import Turn, TurnEvent, TurnStatus
    from core.services.turns.stale import STALE_NOTE, kiosk_turns_stale_release

    tech, case = _kiosk_attention(office, connected=True)
    in_attention = case.turns.get()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Turn.objects.filter(pk=in_attention.pk).update(day=yesterday)
    kiosk2 = Kiosk.objects.create(office=office, label="Módulo 9")
    called = Turn.objects.create(
        office=office,
        day=yesterday,
        sequence=99,
        number="X-099",
        transaction_type=in_attention.transaction_type,
        status=TurnStatus.LLAMADO,
        called_by=make_user(Role.TECNOLOGO, office, username="tec_ayer"),
        kiosk=kiosk2,
        created_at=timezone.now() - dt.timedelta(days=1),
    )
    today_turn_untouched = _kiosk_attention(office, connected=False)[1].turns.get()

    assert kiosk_turns_stale_release() == 2

    in_attention.refresh_from_db()
    called.refresh_from_db()
    today_turn_untouched.refresh_from_db()
    assert in_attention.status == TurnStatus.ATENDIDO
    assert not in_attention.video_sessions.filter(status__in=VideoSessionStatus.open()).exists()
    assert called.status == TurnStatus.CANCELADO
    assert called.events.filter(kind=TurnEvent.Kind.LIBERADO, note=STALE_NOTE).exists()
    assert today_turn_untouched.status == TurnStatus.EN_ATENCION
    assert kiosk_turns_stale_release() == 0


def test_al03_a_turn_going_by_cellphone_is_not_asked_about_virtual_attention(office):
    from core.exceptions import ProtocolConflict
    from core.models import TransactionType
    from core.services.turns import turn_create, turn_virtual_consent

    encargado = make_user(Role.ENCARGADO, office, username="enc_celular")
    turn = turn_create(
        office=office,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        accepts_remote=True,
        mobile="3112223344",
        by=encargado,
    )
    with pytest.raises(ProtocolConflict, match="va por atención a distancia por celular"):
        turn_virtual_consent(turn=turn, accepts=True, by=encargado)
    turn.refresh_from_db()
    assert turn.virtual_consent == ""
