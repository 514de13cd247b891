"""Asesor en línea (2.4) through its services: the roster cap by kiosks (AL-01), the
start-of-shift check with video (AL-02), "Anunciar" a turn to a kiosk with its video call
(AL-03), the CRM case of the turn and its eligible transactions (AL-04), the documents to the
kiosk's printer and the signed scans, "Terminar" with its outcomes, and the demo data."""

import datetime as dt
import os

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from asesor_linea import selectors, services
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseKind,
    EvidenceKind,
    Kiosk,
    Modality,
    PqrType,
    PrintJob,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    Turn,
    TurnEvent,
    TurnStatus,
    VideoSession,
    VideoSessionStatus,
    VirtualConsent,
)
from core.selectors.roster import shift_check_done
from core.services.roster import roster_cap_for, roster_entry_add, shift_check_record
from core.services.turns import turn_create, turn_virtual_consent
from core.services.turns.documents import kiosk_turn_print_send, kiosk_turn_scan_attach
from tests.asesor_linea.support import (
    AL,
    CUSTOMER,
    accepted_turn,
    kiosk_on,
    rostered,
    technologist,
    tt,
)
from tests.factories import OfficeFactory
from tests.helpers import PDF, afternoon_clock, make_user

pytestmark = pytest.mark.django_db


def announce(turn, tech, kiosk):
    return services.al_turn_announce(turn=turn, by=tech, kiosk=kiosk)


def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


def nothing_called(turn):
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA and turn.called_by is None and turn.kiosk is None
    assert not VideoSession.objects.filter(turn=turn).exists()


# --- AL-01: the roster cap by kiosks -----------------------------------------------------------


def test_al01_office_with_two_kiosks_takes_two_supporters_the_third_is_refused(
    home, supported, kiosks
):
    techs = [technologist(home, f"tec{i}", first_name=f"T{i}") for i in range(3)]
    for tech in techs[:2]:
        rostered(tech, supported, checked=False)
    with pytest.raises(ValidationError) as exc:
        rostered(techs[2], supported, checked=False)
    assert exc.value.message_dict["office"] == [
        f"La oficina Oficina Itagüí quedaría con 3 tecnólogos de apoyo por asesor en línea (2.4) "
        f"el {timezone.localdate():%d/%m/%Y}: la oficina tiene 2 módulos de asesor en línea y "
        "recibe como máximo 2 tecnólogos de apoyo a la vez."
    ]
    assert RosterEntry.objects.filter(office=supported, modality=AL).count() == 2
    assert not RosterEntry.objects.filter(technologist=techs[2]).exists()


def test_al01_office_without_kiosks_cannot_be_rostered(home):
    bare = OfficeFactory(name="Oficina Envigado", code="ENV")
    Kiosk.objects.create(office=bare, label="Módulo viejo", active=False)  # inactive: not counted
    tech = technologist(home, "tec")
    with pytest.raises(ValidationError) as exc:
        rostered(tech, bare, checked=False)
    message = exc.value.message_dict["office"][0]
    assert message.startswith("La oficina Oficina Envigado quedaría con 1 tecnólogos de apoyo")
    assert "no tiene módulos de asesor en línea activos" in message
    assert not RosterEntry.objects.exists()
    # The other modalities keep their own caps: the cellphone roster is not limited by kiosks.
    roster_entry_add(
        day=timezone.localdate(),
        technologist=tech,
        office=bare,
        modality=RemoteModality.CELULAR,
        by=None,
    )


def test_al01_the_cap_is_registered_with_core(supported, kiosks):
    cap = roster_cap_for(office=supported, modality=AL)
    assert cap.limit == 2
    Kiosk.objects.create(office=supported, label="Módulo 3")
    assert roster_cap_for(office=supported, modality=AL).limit == 3


def test_al01_rostered_technologist_gets_the_email_naming_asesor_en_linea(
    home, supported, kiosks, django_capture_on_commit_callbacks
):
    tech = technologist(home, "tec", email="tec@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        rostered(tech, supported, checked=False)
    [email] = [m for m in mail.outbox if "tec@example.com" in m.to]
    assert "Oficina Itagüí" in email.body
    assert "asesor en línea (2.4)" in email.body


# --- AL-02: the start-of-shift check with video -----------------------------------------------


def test_al02_video_must_be_confirmed_when_given_and_nothing_stored_otherwise(home):
    tech = technologist(home, "tec")
    with pytest.raises(ValidationError) as exc:
        shift_check_record(technologist=tech, audio=True, video=False, printer=True)
    assert exc.value.message_dict == {
        "video": ["Confirme que la cámara (video) de su equipo funciona."]
    }
    assert not ShiftCheck.objects.exists()


def test_al02_video_kept_by_a_later_check_without_video(home):
    tech = technologist(home, "tec")
    check = shift_check_record(technologist=tech, audio=True, video=True, printer=True)
    assert (check.audio_ok, check.video_ok, check.printer_ok) == (True, True, True)
    assert shift_check_done(technologist=tech, video=True)
    again = shift_check_record(technologist=tech, audio=True, printer=True)  # the booth's
    assert again.pk == check.pk and again.video_ok
    assert shift_check_done(technologist=tech, video=True)


def test_al02_announce_needs_todays_check_with_video(home, supported, kiosk, turn):
    """The cellphone booth's check (audio, printer) is not enough: the camera too."""
    tech = rostered(technologist(home, "tec"), supported, video=None)
    assert not ShiftCheck.objects.get(technologist=tech).video_ok
    with pytest.raises(ProtocolConflict) as exc:
        announce(turn, tech, kiosk)
    assert exc.value.messages == [services.SHIFT_CHECK_MISSING]
    assert "audio, video e impresora" in services.SHIFT_CHECK_MISSING
    nothing_called(turn)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ShiftCheck.objects.filter(technologist=tech).update(video_ok=True, day=yesterday)
    with pytest.raises(ProtocolConflict):
        announce(turn, tech, kiosk)
    shift_check_record(technologist=tech, audio=True, video=True, printer=True)
    turn, session = announce(turn, tech, kiosk)
    assert turn.status == TurnStatus.LLAMADO


# --- AL-03: "Anunciar" ------------------------------------------------------------------------


def test_al03_announce_calls_the_turn_to_the_kiosk_and_rings_it(
    tech, kiosk, turn, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "core.live.publish._send", lambda groups, payload: sent.append((groups, payload))
    )
    with django_capture_on_commit_callbacks(execute=True):
        called, session = announce(turn, tech, kiosk)

    turn.refresh_from_db()
    assert called.pk == turn.pk
    assert turn.status == TurnStatus.LLAMADO
    assert (turn.called_by, turn.kiosk) == (tech, kiosk)
    assert turn.announced_at is not None and turn.called_at is not None
    event = turn.events.get(kind=TurnEvent.Kind.ANUNCIADO)
    assert (event.by, event.note) == (tech, "Módulo 1")
    session.refresh_from_db()
    assert session.status == VideoSessionStatus.TIMBRANDO
    assert (session.turn, session.kiosk, session.technologist) == (turn, kiosk, tech)
    assert session.modality == Modality.ASESOR_LINEA
    # The waiting-room display and the kiosk announce it; the kiosk and the technologist's page
    # get the call.
    announce_msgs = [(g, p) for g, p in sent if p["type"] == "turn.announce"]
    assert announce_msgs and announce_msgs[0][1]["turn"] == turn.number
    assert f"kiosk.{kiosk.pk}" in announce_msgs[0][0]
    assert f"display.{turn.office_id}" in announce_msgs[0][0]
    connect = [(g, p) for g, p in sent if p["type"] == "video.connect"]
    assert connect and connect[0][1]["session"] == session.pk
    assert set(connect[0][0]) == {f"user.{tech.pk}", f"kiosk.{kiosk.pk}"}
    # It leaves the list of turns to announce.
    assert list(selectors.al_waiting_turns(technologist=tech)) == []


def test_al03_kiosk_off_is_refused_with_desconectado(tech, kiosks, turn):
    off = kiosks[1]
    with pytest.raises(ProtocolConflict) as exc:
        announce(turn, tech, off)
    assert "El módulo Módulo 2 está desconectado" in exc.value.messages[0]
    nothing_called(turn)
    # A heartbeat that went stale counts as off too.
    kiosk_on(off)
    stale = timezone.now() - dt.timedelta(minutes=10)
    Kiosk.objects.filter(pk=off.pk).update(last_seen_at=stale)
    with pytest.raises(ProtocolConflict, match="desconectado"):
        announce(turn, tech, off)
    nothing_called(turn)


def test_al03_kiosk_busy_with_another_turn_is_refused(home, supported, kiosk, turn, encargado):
    first = rostered(technologist(home, "tec_a"), supported)
    second = rostered(technologist(home, "tec_b"), supported)
    other = accepted_turn(supported, encargado)
    announce(other, first, kiosk)
    with pytest.raises(ProtocolConflict) as exc:
        announce(turn, second, kiosk)
    assert exc.value.messages == ["El módulo Módulo 1 está atendiendo otro turno."]
    nothing_called(turn)


def test_al03_kiosk_in_another_video_call_calls_nothing(home, tech, kiosk, turn):
    """One transaction: the turn is not called when its video call cannot open."""
    somebody = technologist(home, "tec_b")
    VideoSession.objects.create(
        modality=Modality.BALANCEO,
        status=VideoSessionStatus.CONECTADA,
        technologist=somebody,
        kiosk=kiosk,
        created_at=timezone.now(),
    )
    with pytest.raises(ProtocolConflict, match="ya está en otra videollamada"):
        announce(turn, tech, kiosk)
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA and turn.kiosk is None
    assert not turn.events.filter(kind=TurnEvent.Kind.ANUNCIADO).exists()


def test_al03_customer_who_did_not_accept_is_refused(tech, kiosk, supported, encargado):
    unasked = turn_create(
        office=supported, transaction_type=tt(), accepts_remote=False, by=encargado
    )
    refused = turn_create(
        office=supported, transaction_type=tt(), accepts_remote=False, by=encargado
    )
    turn_virtual_consent(turn=refused, accepts=False, by=encargado)
    for turn in (unasked, refused):
        with pytest.raises(ProtocolConflict) as exc:
            announce(turn, tech, kiosk)
        assert exc.value.messages == [
            f"El cliente del turno {turn.number} no ha aceptado la atención virtual."
        ]
        nothing_called(turn)


def test_al03_turn_taken_by_another_technologist_is_409(home, supported, kiosks, turn):
    first = rostered(technologist(home, "tec_a"), supported)
    second = rostered(technologist(home, "tec_b"), supported)
    announce(turn, first, kiosk_on(kiosks[0]))
    with pytest.raises(ProtocolConflict) as exc:
        announce(turn, second, kiosk_on(kiosks[1]))
    assert exc.value.messages == ["Otro tecnólogo ya tomó este turno."]
    assert VideoSession.objects.filter(turn=turn).count() == 1


def test_al03_turn_of_another_office_or_not_rostered_is_404(home, supported, tech, kiosk, turn):
    other_office = OfficeFactory(name="Oficina Bello", code="BEL")
    other_kiosk = kiosk_on(Kiosk.objects.create(office=other_office, label="Módulo 1"))
    other_turn = accepted_turn(other_office, make_user("encargado", other_office))
    with pytest.raises(Http404):
        announce(other_turn, tech, other_kiosk)
    nothing_called(other_turn)

    outsider = technologist(home, "sin_programar")
    shift_check_record(technologist=outsider, audio=True, video=True, printer=True)
    by_cellphone = technologist(home, "por_celular")
    roster_entry_add(
        day=timezone.localdate(),
        technologist=by_cellphone,
        office=supported,
        modality=RemoteModality.CELULAR,
        by=None,
    )
    shift_check_record(technologist=by_cellphone, audio=True, video=True, printer=True)
    for user in (outsider, by_cellphone):
        with pytest.raises(Http404):
            announce(turn, user, kiosk)
        with pytest.raises(Http404):
            selectors.al_turn_for_announce(user=user, turn_id=turn.pk)
    nothing_called(turn)


def test_al03_kiosk_of_another_office_is_refused(home, supported, tech, turn):
    other_office = OfficeFactory(name="Oficina Bello", code="BEL")
    other_kiosk = kiosk_on(Kiosk.objects.create(office=other_office, label="Módulo 9"))
    with pytest.raises(ValidationError) as exc:
        announce(turn, tech, other_kiosk)
    assert exc.value.message_dict == {"kiosk": ["El módulo no es de la oficina del turno."]}
    nothing_called(turn)


def test_al03_lists_accepted_turns_oldest_first_and_the_unasked_count(
    tech, supported, encargado, kiosks, django_assert_max_num_queries, monkeypatch
):
    afternoon_clock(monkeypatch)  # turns of "minutes ago" stay today's, also at midnight
    now = timezone.now()
    newer = accepted_turn(supported, encargado, at=now - dt.timedelta(minutes=2))
    older = accepted_turn(supported, encargado, at=now - dt.timedelta(minutes=20))
    turn_create(office=supported, transaction_type=tt(), accepts_remote=False, by=encargado)
    turn_create(office=supported, transaction_type=tt(), accepts_remote=False, by=encargado)
    declined = turn_create(
        office=supported, transaction_type=tt(), accepts_remote=False, by=encargado
    )
    turn_virtual_consent(turn=declined, accepts=False, by=encargado)
    kiosk_on(kiosks[0])
    with django_assert_max_num_queries(3):
        turns = list(selectors.al_waiting_turns(technologist=tech))
        counts = selectors.al_unasked_counts(technologist=tech)
        states = [(k.label, k.online) for k in selectors.al_kiosks_for(technologist=tech)]
    assert turns == [older, newer]
    assert counts == {supported.pk: 2}
    assert states == [("Módulo 1", True), ("Módulo 2", False)]


# --- AL-04: the CRM case ----------------------------------------------------------------------


def case_data(**overrides):
    data = {
        "customer": dict(CUSTOMER),
        "kind": CaseKind.PQR,
        "pqr_type": PqrType.PETICION,
        "motive": "Solicita duplicado de la factura de octubre.",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", [CaseKind.PQR, CaseKind.PEDIDO])
def test_al04_case_channel_asesor_en_linea_and_supported_office(tech, home, kiosk, turn, kind):
    announce(turn, tech, kiosk)
    extra = {"transaction_type": tt("cambio-de-suscriptor")} if kind == CaseKind.PEDIDO else {}
    case = services.al_case_open(turn=turn, by=tech, **case_data(kind=kind, **extra))

    assert case.channel.code == "asesor-en-linea" and case.channel.name == "asesor en línea"
    assert case.supported_office == turn.office
    assert case.office == home
    assert case.turn_number == turn.number
    assert case.assigned_to == tech
    assert case.modality == Modality.ASESOR_LINEA
    assert case.attention_medium == "verbal"
    assert case.customer.full_name == "María Elena Restrepo"
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ATENCION and turn.case == case


def test_al04_radicacion_in_office_without_orientador_refused(home):
    office = OfficeFactory(name="Oficina Bello", code="BEL", has_orientador=False)
    kiosk = kiosk_on(Kiosk.objects.create(office=office, label="Módulo 1"))
    boss = make_user("encargado", office, username="encargado_bello")
    tech = rostered(technologist(home, "tec"), office)
    # The office cannot even record the customer's yes for it (AL-03 / AL-04).
    radicacion = turn_create(
        office=office, transaction_type=tt("radicacion-de-documentos"), accepts_remote=False
    )
    with pytest.raises(ValidationError) as exc:
        turn_virtual_consent(turn=radicacion, accepts=True, by=boss)
    assert "asesor en línea" in exc.value.message_dict["accepts"][0]
    # A turn announced for another transaction cannot become one.
    turn = accepted_turn(office, boss)
    announce(turn, tech, kiosk)
    with pytest.raises(ValidationError) as exc:
        services.al_case_open(
            turn=turn, by=tech, **case_data(transaction_type=tt("radicacion-de-documentos"))
        )
    [message] = exc.value.message_dict["transaction_type"]
    assert message.startswith("Esta transacción no se atiende por asesor en línea")
    assert "celular" not in message
    assert not Case.objects.exists()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO


def test_al04_radicacion_allowed_where_there_is_an_orientador(tech, kiosk, supported, encargado):
    turn = accepted_turn(supported, encargado, code="radicacion-de-documentos")
    announce(turn, tech, kiosk)
    case = services.al_case_open(turn=turn, by=tech, **case_data())
    assert case.transaction_type.code == "radicacion-de-documentos"


def test_al04_only_the_caller_opens_the_case(home, supported, tech, kiosk, turn):
    other = rostered(technologist(home, "tec_b"), supported)
    announce(turn, tech, kiosk)
    with pytest.raises(ProtocolConflict):
        services.al_case_open(turn=turn, by=other, **case_data())
    with pytest.raises(Http404):
        selectors.al_turn_get_for_user(user=other, turn_id=turn.pk)
    assert not Case.objects.exists()


# --- documents and scans (2.4 steps 3 and 4) --------------------------------------------------


def pdf(name="constancia.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_al04_documents_go_to_the_kiosks_printer_and_scans_to_the_expediente(tech, kiosk, turn):
    announce(turn, tech, kiosk)
    with pytest.raises(ProtocolConflict, match="Registre primero el caso"):
        kiosk_turn_print_send(turn=turn, by=tech, title="Constancia", upload=pdf())
    case = services.al_case_open(turn=turn, by=tech, **case_data())
    turn.refresh_from_db()
    job = kiosk_turn_print_send(turn=turn, by=tech, title="Constancia", upload=pdf())
    assert job.printer.name == "Impresora Módulo 1" and job.office == turn.office
    assert job.case == case
    scan = kiosk_turn_scan_attach(turn=turn, by=tech, upload=pdf("firmado.pdf"))
    assert scan.kind == EvidenceKind.SIGNED_SCAN and scan.case == case
    assert scan.uploaded_by == tech


def test_al04_kiosk_without_printer_prints_at_the_office(tech, kiosks, turn):
    kiosk = kiosk_on(kiosks[1])  # no printer of its own
    announce(turn, tech, kiosk)
    services.al_case_open(turn=turn, by=tech, **case_data())
    turn.refresh_from_db()
    job = kiosk_turn_print_send(turn=turn, by=tech, title="Factura", upload=pdf())
    assert job.printer.name == "Impresora Itagüí"
    assert PrintJob.objects.get() == job


# --- "Terminar" -------------------------------------------------------------------------------


def test_al03_finish_atendido_needs_the_case_then_frees_kiosk_and_technologist(
    home, supported, tech, kiosk, turn, encargado
):
    announce(turn, tech, kiosk)
    with pytest.raises(ProtocolConflict, match="Registre primero el caso"):
        services.al_turn_finish(turn=turn, by=tech, outcome="atendido")
    services.al_case_open(turn=turn, by=tech, **case_data())
    turn.refresh_from_db()
    services.al_turn_finish(turn=turn, by=tech, outcome="atendido")
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO and turn.finished_at is not None
    session = VideoSession.objects.get(turn=turn)
    assert session.status == VideoSessionStatus.FINALIZADA
    # The kiosk and the technologist take the next customer.
    following = accepted_turn(supported, encargado)
    following, _ = announce(following, tech, kiosk)
    assert following.status == TurnStatus.LLAMADO


def test_al03_finish_no_se_presento(tech, kiosk, turn):
    announce(turn, tech, kiosk)
    services.al_turn_finish(turn=turn, by=tech, outcome="no_se_presento")
    turn.refresh_from_db()
    assert turn.status == TurnStatus.NO_SE_PRESENTO
    assert VideoSession.objects.get(turn=turn).status == VideoSessionStatus.FINALIZADA


def test_al03_finish_devolver_back_to_the_waiting_room_to_be_asked_again(tech, kiosk, turn):
    created_at = turn.created_at
    announce(turn, tech, kiosk)
    services.al_turn_finish(turn=turn, by=tech, outcome="devolver")
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA
    assert turn.kiosk is None and turn.called_by is None
    assert turn.virtual_consent == "" and turn.created_at == created_at
    assert list(selectors.al_waiting_turns(technologist=tech)) == []
    assert selectors.al_unasked_counts(technologist=tech) == {turn.office_id: 1}


def test_al03_finish_bad_outcome_and_other_technologist(home, supported, tech, kiosk, turn):
    announce(turn, tech, kiosk)
    with pytest.raises(ValidationError) as exc:
        services.al_turn_finish(turn=turn, by=tech, outcome="listo")
    assert exc.value.message_dict == {
        "outcome": ["Indique «atendido», «no_se_presento» o «devolver»."]
    }
    other = rostered(technologist(home, "tec_b"), supported)
    with pytest.raises(Http404):
        services.al_turn_finish(turn=turn, by=other, outcome="devolver")
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO


# --- demo data --------------------------------------------------------------------------------


def test_al01_al03_seed_demo_gives_the_technologist_a_turn_to_announce(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    today = timezone.localdate()
    [entry] = RosterEntry.objects.filter(day=today, modality=AL)
    assert (entry.technologist.username, entry.office.code) == ("tecnologo3", "ITA")
    assert Kiosk.objects.filter(office=entry.office, active=True).exists()
    [turn] = Turn.objects.filter(
        office=entry.office, day=today, virtual_consent=VirtualConsent.ACEPTA
    )
    assert turn.status == TurnStatus.EN_ESPERA
    assert list(selectors.al_waiting_turns(technologist=entry.technologist)) == [turn]
