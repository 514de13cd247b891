"""Overflow by cellphone (2.3): the technologist's virtual booth (CEL-03) and the case opened
from a turn (CEL-04), through the page, the service and the API.

The roster, the start-of-shift check and the turns themselves are core's (tested in
tests/core); here: who may open the booth, what it lists, "Llamar" with the 003 ``tel:`` link,
the three outcomes, the CRM fields per kind, the print queue of the supported office and the
turn finished when the case closes."""

import os
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    AttentionMedium,
    Case,
    CaseKind,
    CaseStatus,
    ContactAttempt,
    Customer,
    EvidenceKind,
    InitialCause,
    Kiosk,
    Modality,
    PqrType,
    PrintJob,
    RemoteModality,
    RosterEntry,
    StaffAvailability,
    TransactionType,
    Turn,
    TurnEvent,
    TurnStatus,
    User,
    WorkMode,
)
from core.roles import Role
from core.services.closing import case_close
from core.services.evidence import evidence_attach
from core.services.roster import roster_entry_add, shift_check_record
from core.services.turns import turn_create
from desborde.services import cellphone
from tests.factories import TINY_PNG, OfficeFactory
from tests.helpers import MP3, PDF, make_user, office_printer, token_client

pytestmark = pytest.mark.django_db

BOOTH = "/desborde/taquilla/"
TURNS = "/desborde/taquilla/turnos/"


def tt(code: str) -> TransactionType:
    return TransactionType.objects.get(code=code)


def technologist(office, username, **kwargs):
    tech = make_user(Role.TECNOLOGO, office, username=username, work_mode=WorkMode.HOME, **kwargs)
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    return tech


def rostered(tech, *offices, modality=RemoteModality.CELULAR, checked=True):
    for office in offices:
        roster_entry_add(
            day=timezone.localdate(), technologist=tech, office=office, modality=modality, by=None
        )
    if checked:
        shift_check_record(technologist=tech, audio=True, printer=True)
    return tech


def remote_turn(office, mobile="3112223344", code="duplicado-de-factura", **kwargs):
    return turn_create(
        office=office,
        transaction_type=tt(code),
        accepts_remote=True,
        mobile=mobile,
        **kwargs,
    )


@pytest.fixture
def supported(db):
    """The office supported by cellphone (one technologist of its own), with its printer."""
    office = OfficeFactory(name="Oficina Itagüí", code="ITA", zone="Sur", technologist_count=1)
    office_printer(office, "Impresora Itagüí")
    return office


@pytest.fixture
def home(db):
    return OfficeFactory(name="Oficina Centro", code="CEN")


@pytest.fixture
def tech(home, supported):
    return rostered(
        technologist(home, "tecnologo", first_name="Óscar", last_name="Ramírez"), supported
    )


@pytest.fixture
def other_tech(home, supported):
    return rostered(
        technologist(home, "tecnologo2", first_name="Beatriz", last_name="Gómez"), supported
    )


@pytest.fixture
def encargado(supported):
    return make_user(Role.ENCARGADO, supported, username="encargado", email="enc@example.com")


@pytest.fixture
def orientador(supported):
    return make_user(Role.ORIENTADOR, supported, username="orientadora")


@pytest.fixture
def turn(supported, encargado):
    return remote_turn(supported, by=encargado)


def take(client, turn):
    return client.post(f"{TURNS}{turn.pk}/llamar/")


CUSTOMER = {
    "document_type": "CC",
    "document_number": "43.512.876",
    "full_name": "María Elena Restrepo",
}


def accept_form(**overrides):
    data = {
        "outcome": "acepta",
        "kind": CaseKind.PEDIDO,
        "pqr_type": "",
        "transaction_type": tt("cambio-de-suscriptor").pk,
        "mobile": "3112223344",
        "email": "",
        "contract_number": "1234567",
        "motive": "",
        **CUSTOMER,
    }
    data.update(overrides)
    return data


# --- CEL-03: who opens the booth --------------------------------------------------------------


def test_cel03_booth_refused_without_roster_today(client, home, supported):
    """Not rostered today in modality celular: 403 with the reason, for the page and its parts."""
    tech = technologist(home, "sin.programar")
    other_modality = technologist(home, "otro.modo")
    Kiosk.objects.create(office=supported, label="Módulo 1")  # AL-01: rostered by its kiosks
    rostered(other_modality, supported, modality=RemoteModality.ASESOR_EN_LINEA)
    turn = remote_turn(supported)
    for user in (tech, other_modality):
        client.force_login(user)
        page = client.get(BOOTH)
        assert page.status_code == 403
        assert "No está programado hoy para apoyar oficinas por celular" in page.content.decode()
        assert "3112223344" not in page.content.decode()
        assert client.get(TURNS).status_code == 403
        assert take(client, turn).status_code == 403
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA


@pytest.mark.parametrize("role", [Role.ORIENTADOR, Role.ENCARGADO, Role.GESTOR, Role.ASIGNADOR])
def test_cel03_booth_only_for_technologists(client, supported, role):
    client.force_login(make_user(role, supported, username=f"u-{role}"))
    assert client.get(BOOTH).status_code == 403
    assert client.get(TURNS).status_code == 403


def test_cel03_booth_anonymous_goes_to_login(client):
    response = client.get(BOOTH)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_cel03_booth_opens_after_the_start_of_shift_check(client, home, supported):
    """2.3 step 3: before the check, the form (with the supported office's printer); the list
    and "Llamar" stay closed; both boxes are required; then the booth opens."""
    tech = rostered(technologist(home, "tecnologo"), supported, checked=False)
    turn = remote_turn(supported)
    client.force_login(tech)

    page = client.get(BOOTH)
    content = page.content.decode()
    assert page.status_code == 200
    assert "verificación de inicio de turno" in content
    assert "Oficina Itagüí" in content and "Impresora Itagüí" in content
    assert "3112223344" not in content
    assert client.get(TURNS).status_code == 403
    assert take(client, turn).status_code == 403

    refused = client.post(f"{BOOTH}verificacion/", {"audio": "on"})
    assert refused.status_code == 400
    assert (
        "Confirme que la impresora de la oficina que apoya está configurada en su equipo."
        in refused.content.decode()
    )
    assert not tech.shift_checks.exists()

    done = client.post(f"{BOOTH}verificacion/", {"audio": "on", "printer": "on"})
    assert done.status_code == 302 and done["Location"] == BOOTH
    check = tech.shift_checks.get()
    assert check.audio_ok and check.printer_ok and check.day == timezone.localdate()
    booth = client.get(BOOTH)
    assert booth.status_code == 200
    assert turn.number in booth.content.decode()
    assert "3112223344" in booth.content.decode()


def test_cel03_shift_check_refused_without_roster(client, home):
    tech = technologist(home, "tecnologo")
    client.force_login(tech)
    response = client.post(f"{BOOTH}verificacion/", {"audio": "on", "printer": "on"})
    assert response.status_code == 403
    assert not tech.shift_checks.exists()


# --- CEL-03: what the booth lists -----------------------------------------------------------------


def test_cel03_booth_lists_only_the_callers_offices_waiting_remote_turns_oldest_first(
    client, tech, other_tech, supported, home, django_assert_num_queries
):
    second_supported = OfficeFactory(name="Oficina Bello", code="BEL", technologist_count=3)
    roster_entry_add(
        day=timezone.localdate(),
        technologist=tech,
        office=second_supported,
        modality=RemoteModality.CELULAR,
        by=None,
    )
    not_mine = OfficeFactory(name="Oficina Rionegro", code="RIO")
    first = remote_turn(supported, mobile="3112223344")
    second = remote_turn(supported, mobile="3205556677", code="cambio-de-suscriptor")
    in_person = turn_create(
        office=supported, transaction_type=tt("duplicado-de-factura"), accepts_remote=False
    )
    taken_by_other = remote_turn(supported, mobile="3001112233")
    cellphone.booth_turn_take(turn=taken_by_other, by=other_tech)
    bello = remote_turn(second_supported, mobile="3014448899")
    elsewhere = remote_turn(not_mine, mobile="3157778899")

    client.force_login(tech)
    page = client.get(BOOTH)
    content = page.content.decode()
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")  # personal data: never cached
    assert "no-store" in page["Cache-Control"]
    for shown in (first, second, bello):
        assert shown.number in content and shown.mobile in content
    for hidden in (in_person, taken_by_other, elsewhere):
        assert f'data-turn="{hidden.number}"' not in content
    assert "3001112233" not in content and "3157778899" not in content
    assert content.index(first.number) < content.index(second.number)
    # Per office: Bello's section before Itagüí's (by name), each with its own turns.
    assert content.index('data-office="Oficina Bello"') < content.index(
        'data-office="Oficina Itagüí"'
    )

    with django_assert_num_queries(6):
        partial = client.get(TURNS)
    assert partial.status_code == 200
    assert first.mobile in partial.content.decode()
    for n in range(5):
        remote_turn(supported, mobile=f"31000000{n:02d}")
    with django_assert_num_queries(6):
        partial = client.get(TURNS)
    assert partial.content.decode().count("Llamar el turno") == 8


def test_cel03_menu_entry_for_technologists_only(client, tech, orientador):
    client.force_login(tech)
    assert (
        'href="/desborde/taquilla/">Taquilla virtual</a>'
        in client.get("/casos/mis-casos/").content.decode()
    )
    client.force_login(orientador)
    assert "Taquilla virtual" not in client.get("/desborde/").content.decode()


# --- CEL-03: "Llamar" and the outcomes on the page ---------------------------------------------


def test_cel03_take_shows_the_number_with_003_as_tel_link(client, tech, turn):
    client.force_login(tech)
    response = take(client, turn)
    assert response.status_code == 302
    assert response["Location"] == f"{TURNS}{turn.pk}/"
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO and turn.called_by == tech
    call = client.get(response["Location"])
    content = call.content.decode()
    assert call.status_code == 200
    assert 'href="tel:0033112223344"' in content
    assert "El cliente no acepta" in content and "No se pudo comunicar" in content
    assert "Registrar el caso" in content
    # The booth reminds them of the turn they hold.
    assert f"Continuar con el turno {turn.number}" in client.get(BOOTH).content.decode()


def test_cel03_second_technologist_gets_a_clear_message(client, tech, other_tech, turn):
    client.force_login(tech)
    assert take(client, turn).status_code == 302
    client.force_login(other_tech)
    late = take(client, turn)
    assert late.status_code == 409
    assert "Otro tecnólogo ya tomó este turno." in late.content.decode()
    turn.refresh_from_db()
    assert turn.called_by == tech
    # Nor can they see the call page or record its outcome.
    assert client.get(f"{TURNS}{turn.pk}/").status_code == 404
    assert client.post(f"{TURNS}{turn.pk}/resultado/", {"outcome": "rechaza"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_cel03_two_technologists_press_llamar_at_once_one_wins(postgres, tech, other_tech, turn):
    """PostgreSQL, two requests released together: one call page, one 409 with the message."""
    barrier = threading.Barrier(2)
    results: dict = {}

    def press(user):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=30)
            response = take(client, turn)
            results[user.username] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in (tech, other_tech)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _ in results.values()) == [302, 409]
    (loser,) = [body for status, body in results.values() if status == 409]
    assert "Otro tecnólogo ya tomó este turno." in loser
    turn.refresh_from_db()
    winner = tech if results["tecnologo"][0] == 302 else other_tech
    assert turn.status == TurnStatus.LLAMADO and turn.called_by == winner
    assert turn.events.filter(kind=TurnEvent.Kind.LLAMADO).count() == 1


def test_cel03_customer_refuses_turn_back_to_the_waiting_room_in_its_place(
    client, tech, turn, supported
):
    later = remote_turn(supported, mobile="3205556677")
    client.force_login(tech)
    take(client, turn)
    response = client.post(f"{TURNS}{turn.pk}/resultado/", {"outcome": "rechaza"}, follow=True)
    assert "vuelve a la sala de espera de Oficina Itagüí en su lugar" in response.content.decode()
    before = turn.created_at
    turn.refresh_from_db()
    assert turn.status == TurnStatus.DEVUELTO_A_SALA
    assert turn.created_at == before and turn.created_at < later.created_at
    assert turn.events.filter(kind=TurnEvent.Kind.RECHAZA, by=tech).exists()
    assert not Case.objects.exists()
    assert f'data-turn="{turn.number}"' not in client.get(TURNS).content.decode()


def test_cel03_cannot_connect_tells_the_office(client, tech, turn, encargado):
    client.force_login(tech)
    take(client, turn)
    response = client.post(f"{TURNS}{turn.pk}/resultado/", {"outcome": "no_conecta"}, follow=True)
    assert "se avisó a Oficina Itagüí" in response.content.decode()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA and turn.needs_office_check
    assert turn.called_by is None
    assert turn.events.filter(kind=TurnEvent.Kind.NO_CONECTA, by=tech).exists()
    assert f'data-turn="{turn.number}"' not in client.get(TURNS).content.decode()


def test_cel03_unknown_outcome_is_refused(client, tech, turn):
    client.force_login(tech)
    take(client, turn)
    response = client.post(f"{TURNS}{turn.pk}/resultado/", {"outcome": "quizas"})
    assert response.status_code == 400
    assert "Indique si el cliente acepta, rechaza" in response.content.decode()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO


# --- CEL-04: the case ------------------------------------------------------------------------


def test_cel04_pedido_from_the_page_desborde_celular_and_oficina_de_atencion(
    client, tech, turn, supported, home
):
    client.force_login(tech)
    take(client, turn)
    response = client.post(f"{TURNS}{turn.pk}/resultado/", accept_form())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/casos/{case.pk}/"
    assert case.kind == CaseKind.PEDIDO and case.pqr_type == ""
    assert case.channel.code == "desborde-celular"
    assert case.channel.name == "desborde celular"
    assert case.supported_office == supported  # oficina de atención
    assert case.office == home  # the technologist's own
    assert case.turn_number == turn.number
    assert case.attention_medium == AttentionMedium.VERBAL
    assert case.modality == Modality.DESBORDE
    assert case.assigned_to == tech
    assert case.status == CaseStatus.EN_ATENCION
    assert case.transaction_type.code == "cambio-de-suscriptor"
    assert case.contract_number == "1234567"
    assert case.customer.document_number == "43512876"
    assert case.contact_phone == "3112223344"
    attempt = case.attempts.get()
    assert attempt.outcome == ContactAttempt.Outcome.CONTESTO
    assert attempt.number_dialled == "0033112223344"
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ATENCION and turn.case == case

    page = client.get(response["Location"])
    content = page.content.decode()
    assert 'id="cellphone-panel"' in content
    assert "Oficina de atención" in content
    assert 'href="tel:0033112223344"' in content
    assert "Documentos para imprimir en Oficina Itagüí" in content
    assert case.number in client.get("/casos/mis-casos/").content.decode()


def test_cel04_pqr_desborde_and_oficina_a_la_que_se_apoya(tech, turn, supported, home):
    client_turn = cellphone.booth_turn_take(turn=turn, by=tech)
    case = cellphone.cellphone_case_open(
        turn=client_turn,
        by=tech,
        customer={**CUSTOMER, "mobile": ""},
        kind=CaseKind.PQR,
        pqr_type=PqrType.RECLAMO,
        motive="Reclama por el consumo facturado en octubre.",
    )
    assert case.channel.code == "desborde" and case.channel.name == "desborde"
    assert case.supported_office == supported
    assert case.office == home
    assert case.pqr_type == PqrType.RECLAMO
    assert case.due_date is not None  # a PQR has its legal due date (LEG-01)
    assert case.turn_number == turn.number
    assert case.attention_medium == AttentionMedium.VERBAL
    assert case.transaction_type == turn.transaction_type  # the turn's, by default
    assert case.contact_phone == "3112223344"  # the mobile left with the turn
    opened = case.history.earliest()  # the case opens already assigned: one row, no reassignment
    assert "desborde por celular" in opened.history_change_reason
    assert (opened.assigned_to_id, opened.status) == (tech.pk, CaseStatus.ASIGNADO)


def test_cel04_page_pqr_requires_type_and_motive_nothing_written(client, tech, turn):
    client.force_login(tech)
    take(client, turn)
    response = client.post(
        f"{TURNS}{turn.pk}/resultado/",
        accept_form(kind=CaseKind.PQR, document_number="12", full_name=""),
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Indique si la PQR es una petición, una queja o un reclamo." in content
    assert "Indique el motivo PQR (detalle)." in content
    assert not Case.objects.exists() and not Customer.objects.exists()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO


def test_cel04_page_customer_errors_by_field(client, tech, turn):
    client.force_login(tech)
    take(client, turn)
    response = client.post(
        f"{TURNS}{turn.pk}/resultado/", accept_form(document_number="12", full_name="")
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert 'data-error-for="document_number"' in content
    assert "La cédula de ciudadanía debe tener entre 3 y 10 dígitos." in content
    assert "Ingrese el nombre del cliente." in content
    assert not Case.objects.exists()


def test_cel04_double_tap_on_register_opens_one_case(client, tech, turn):
    client.force_login(tech)
    take(client, turn)
    first = client.post(f"{TURNS}{turn.pk}/resultado/", accept_form())
    again = client.post(f"{TURNS}{turn.pk}/resultado/", accept_form())
    case = Case.objects.get()
    assert first["Location"] == again["Location"] == f"/casos/{case.pk}/"
    with pytest.raises(ProtocolConflict, match="en atención"):
        cellphone.cellphone_case_open(turn=turn, by=tech, customer=CUSTOMER, kind=CaseKind.PEDIDO)
    assert Case.objects.count() == 1


def test_cel04_only_the_caller_opens_the_case(tech, other_tech, turn):
    cellphone.booth_turn_take(turn=turn, by=tech)
    with pytest.raises(ProtocolConflict):
        cellphone.cellphone_case_open(
            turn=turn, by=other_tech, customer=CUSTOMER, kind=CaseKind.PEDIDO
        )
    assert not Case.objects.exists()


def _opened(tech, turn, kind=CaseKind.PEDIDO):
    cellphone.booth_turn_take(turn=turn, by=tech)
    return cellphone.cellphone_case_open(
        turn=turn,
        by=tech,
        customer=CUSTOMER,
        kind=kind,
        pqr_type=PqrType.PETICION if kind == CaseKind.PQR else "",
        motive="Solicita el cambio de suscriptor.",
    )


def _close(case, tech):
    evidence_attach(
        case=case,
        kind=EvidenceKind.CALL_RECORDING,
        upload=SimpleUploadedFile("llamada.mp3", MP3, content_type="audio/mpeg"),
        uploaded_by=tech,
    )
    return case_close(
        case=case,
        by=tech,
        outcome="primer_contacto",
        initial_cause=InitialCause.objects.get(code="informacion-general"),
        motive=case.motive,
    )


def test_cel04_closing_the_case_finishes_its_turn(
    tech, turn, supported, django_capture_on_commit_callbacks
):
    case = _opened(tech, turn)
    # The call protocol of core applies: the answered call is logged, the recording is due.
    with django_capture_on_commit_callbacks(execute=True):
        closed = _close(case, tech)
    assert closed.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO and turn.finished_at
    assert turn.events.filter(kind=TurnEvent.Kind.ATENDIDO, by=tech).exists()
    # The technologist is free for the next customer.
    following = remote_turn(supported, mobile="3205556677")
    assert cellphone.booth_turn_take(turn=following, by=tech).status == TurnStatus.LLAMADO


def test_cel04_a_lost_case_closed_signal_does_not_block_the_next_call(tech, turn, supported):
    """If the receiver failed, the booth finishes the turn of the closed case before the next
    "Llamar" (one active turn per technologist)."""
    case = _opened(tech, turn)
    _close(case, tech)  # on-commit callbacks never run here: the signal is "lost"
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ATENCION
    following = remote_turn(supported, mobile="3205556677")
    assert cellphone.booth_turn_take(turn=following, by=tech).status == TurnStatus.LLAMADO
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO


def test_cel04_open_case_keeps_the_technologist_on_that_turn(client, tech, turn, supported):
    case = _opened(tech, turn)
    following = remote_turn(supported, mobile="3205556677")
    client.force_login(tech)
    refused = take(client, following)
    assert refused.status_code == 409
    assert f"Ya tiene el turno {turn.number}" in refused.content.decode()
    booth = client.get(BOOTH).content.decode()
    assert f"Abrir el caso {case.number}" in booth
    # The call page of a turn in attention leads to its case.
    assert client.get(f"{TURNS}{turn.pk}/")["Location"] == f"/casos/{case.pk}/"


def test_cel04_documents_print_at_the_supported_office_and_the_scan_reaches_the_case(
    client, tech, turn, supported, orientador
):
    case = _opened(tech, turn)
    client.force_login(tech)
    sent = client.post(
        f"/desborde/casos/{case.pk}/imprimir/",
        {
            "title": "Constancia de atención",
            "file": SimpleUploadedFile("constancia.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "enviado a la cola de impresión de Oficina Itagüí" in sent.content.decode()
    job = PrintJob.objects.get()
    assert job.office == supported and job.printer.name == "Impresora Itagüí"

    client.force_login(orientador)
    assert case.number in client.get("/desborde/impresion/").content.decode()
    assert client.post(f"/desborde/impresion/{job.pk}/impreso/").status_code == 302
    client.post(f"/desborde/impresion/{job.pk}/verificado/", {"signatures": "on"})
    scan = client.post(
        f"/desborde/impresion/{job.pk}/escaneo/",
        {"file": SimpleUploadedFile("firmado.png", TINY_PNG, content_type="image/png")},
    )
    assert scan.status_code == 302
    signed = case.evidence.get(kind=EvidenceKind.SIGNED_SCAN)
    assert signed.uploaded_by == orientador and signed.original_name == "firmado.png"
    client.force_login(tech)
    assert "firmado.png" in client.get(f"/casos/{case.pk}/").content.decode()


# --- the API: POST /api/v1/turns/{id}/outcome/ ----------------------------------------------------


def outcome_url(turn) -> str:
    return f"/api/v1/turns/{turn.pk}/outcome/"


def test_cel04_api_acepta_opens_the_case_201(tech, turn, supported, home):
    cellphone.booth_turn_take(turn=turn, by=tech)
    response = token_client(tech).post(
        outcome_url(turn),
        {
            "outcome": "acepta",
            "customer": {**CUSTOMER, "mobile": "+57 311 222 3344"},
            "kind": "PED",
            "transaction_type": "cambio-de-suscriptor",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    body = response.json()
    assert body["id"] == case.pk and body["number"] == case.number
    assert body["channel"] == "desborde celular" and body["channel_code"] == "desborde-celular"
    assert body["supported_office"] == supported.pk
    assert body["supported_office_name"] == "Oficina Itagüí"
    assert body["office"] == home.pk
    assert body["turn_number"] == turn.number and body["turn"] == turn.pk
    assert body["attention_medium"] == "verbal"
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ATENCION and turn.case_id == case.pk


def test_cel04_api_pqr_channel_desborde(tech, turn, supported):
    cellphone.booth_turn_take(turn=turn, by=tech)
    response = token_client(tech).post(
        outcome_url(turn),
        {
            "outcome": "acepta",
            "customer": CUSTOMER,
            "kind": "PQR",
            "pqr_type": "queja",
            "motive": "Mala atención en la taquilla.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "desborde"
    assert Case.objects.get().supported_office == supported


@pytest.mark.parametrize(
    ("outcome", "status", "check"),
    [
        ("rechaza", TurnStatus.DEVUELTO_A_SALA, False),
        ("no_conecta", TurnStatus.EN_ESPERA, True),
    ],
)
def test_cel03_api_refusal_and_no_connect_200_with_the_turn(tech, turn, outcome, status, check):
    cellphone.booth_turn_take(turn=turn, by=tech)
    response = token_client(tech).post(outcome_url(turn), {"outcome": outcome}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == turn.pk and body["number"] == turn.number
    assert body["status"] == status and body["needs_office_check"] is check
    assert "mobile" not in body
    assert not Case.objects.exists()


def test_cel03_api_outcome_by_another_technologist_404(tech, other_tech, turn):
    cellphone.booth_turn_take(turn=turn, by=tech)
    response = token_client(other_tech).post(
        outcome_url(turn), {"outcome": "rechaza"}, format="json"
    )
    assert response.status_code == 404
    missing = token_client(tech).post(
        "/api/v1/turns/999999/outcome/", {"outcome": "rechaza"}, format="json"
    )
    assert missing.status_code == 404
    # "Not yours" and "missing" answer alike (NFR-02).
    assert response.json() == missing.json() == {"detail": "Turno no encontrado."}
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO


@pytest.mark.parametrize("role", [Role.ORIENTADOR, Role.ENCARGADO, Role.GESTOR])
def test_cel03_api_outcome_only_for_technologists(supported, turn, role):
    user = make_user(role, supported, username=f"api-{role}")
    response = token_client(user).post(outcome_url(turn), {"outcome": "rechaza"}, format="json")
    assert response.status_code == 403


def test_cel03_api_outcome_wrong_state_409(tech, turn):
    case = _opened(tech, turn)
    response = token_client(tech).post(outcome_url(turn), {"outcome": "rechaza"}, format="json")
    assert response.status_code == 409
    assert "no está llamado" in response.json()["detail"]
    again = token_client(tech).post(
        outcome_url(turn),
        {"outcome": "acepta", "customer": CUSTOMER, "kind": "PED"},
        format="json",
    )
    assert again.status_code == 409
    assert Case.objects.get() == case


def test_nfr03_api_outcome_spanish_400_per_field_nothing_written(tech, turn):
    cellphone.booth_turn_take(turn=turn, by=tech)
    api = token_client(tech)
    bad = api.post(outcome_url(turn), {"outcome": "tal vez"}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"outcome": ["Indique «acepta», «rechaza» o «no_conecta»."]}

    missing = api.post(outcome_url(turn), {"outcome": "acepta"}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {
        "customer": ["Ingrese los datos del cliente (documento y nombre)."],
        "kind": ["Indique si el requerimiento es una PQR o un pedido."],
    }

    customer = api.post(
        outcome_url(turn),
        {
            "outcome": "acepta",
            "customer": {"document_type": "CC", "document_number": "12", "full_name": " "},
            "kind": "PED",
        },
        format="json",
    )
    assert customer.status_code == 400
    assert customer.json() == {
        "document_number": ["La cédula de ciudadanía debe tener entre 3 y 10 dígitos."],
        "full_name": ["Ingrese el nombre del cliente."],
    }

    pqr = api.post(
        outcome_url(turn),
        {"outcome": "acepta", "customer": CUSTOMER, "kind": "PQR"},
        format="json",
    )
    assert pqr.status_code == 400
    assert pqr.json() == {
        "pqr_type": ["Indique si la PQR es una petición, una queja o un reclamo."],
        "motive": ["Indique el motivo PQR (detalle)."],
    }
    assert not Case.objects.exists() and not Customer.objects.exists()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO


# --- demo data ------------------------------------------------------------------------------------


def test_cel01_cel03_seed_demo_gives_tecnologo1_a_non_empty_booth(client, settings):
    """``make run``: today's cellphone roster and waiting turns in two offices; tecnologo1's
    start-of-shift check is recorded, the others do it themselves. A second run adds nothing."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    snapshot = (
        sorted(Turn.objects.values_list("number", "status", "mobile")),
        sorted(
            RosterEntry.objects.values_list("technologist__username", "office__code", "modality")
        ),
    )
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (
        sorted(Turn.objects.values_list("number", "status", "mobile")),
        sorted(
            RosterEntry.objects.values_list("technologist__username", "office__code", "modality")
        ),
    ) == snapshot

    today = timezone.localdate()
    by_tech = {}
    for username, code in RosterEntry.objects.filter(
        day=today, modality=RemoteModality.CELULAR
    ).values_list("technologist__username", "office__code"):
        by_tech.setdefault(username, set()).add(code)
    assert set(by_tech) == {f"tecnologo{i}" for i in range(1, 6)}
    assert all(1 <= len(codes) <= 2 for codes in by_tech.values())

    tecnologo1 = User.objects.get(username="tecnologo1")
    client.force_login(tecnologo1)
    booth = client.get(BOOTH).content.decode()
    waiting = Turn.objects.filter(day=today, status=TurnStatus.EN_ESPERA, accepts_remote=True)
    assert {t.office.code for t in waiting} == {"ITA", "BEL"}
    for turn in waiting:
        assert f'data-turn="{turn.number}"' in booth and turn.mobile in booth
    client.force_login(User.objects.get(username="tecnologo2"))
    assert "verificación de inicio de turno" in client.get(BOOTH).content.decode()


def test_cel02_cel04_changing_to_a_requirement_not_served_remotely_is_refused(tech, home):
    """CEL-02: in an office without orientador, Radicación de documentos and Pedidos de energía
    prepago are not attended by cellphone; changing the turn's requirement to one of them when
    registering the case is refused with the reason, and no case is opened."""
    from django.core.exceptions import ValidationError

    from core.models import Case

    bello = OfficeFactory(name="Oficina Bello", code="BEL", has_orientador=False)
    office_printer(bello)
    rostered(tech, bello)
    turn = remote_turn(bello)
    cellphone.booth_turn_take(turn=turn, by=tech)

    with pytest.raises(ValidationError) as refused:
        cellphone.cellphone_case_open(
            turn=turn,
            by=tech,
            customer=CUSTOMER,
            kind=CaseKind.PEDIDO,
            transaction_type=tt("pedidos-energia-prepago"),
            motive="Pedido de energía prepago.",
        )
    assert (
        "no se atiende por celular en esta oficina"
        in refused.value.message_dict["transaction_type"][0]
    )
    assert not Case.objects.exists()


def test_cel03_nfr03_the_api_take_frees_a_turn_whose_case_closed_without_finishing_it(
    tech, supported, encargado
):
    """If the receiver that finishes a closed case's turn failed, the technologist is not blocked:
    the next "Llamar" (here through the API) finishes that turn first."""
    from core.models import Turn

    first = remote_turn(supported, by=encargado)
    case = _opened(tech, first)
    Turn.objects.filter(pk=first.pk).update(status=TurnStatus.EN_ATENCION)  # as left by a failure
    case.status = CaseStatus.CERRADO_PRIMER_CONTACTO
    case.save(update_fields=["status"])
    second = remote_turn(supported, by=encargado, mobile="3157654321")

    response = token_client(tech).post(f"/api/v1/turns/{second.pk}/take/")

    assert response.status_code == 200, response.content
    first.refresh_from_db()
    assert first.status == TurnStatus.ATENDIDO


def test_cel02_a_refused_turn_does_not_keep_the_mobile(tech, turn):
    cellphone.booth_turn_take(turn=turn, by=tech)
    cellphone.cellphone_outcome_record(turn=turn, by=tech, outcome=cellphone.OUTCOME_REFUSES)

    turn.refresh_from_db()
    assert (turn.status, turn.accepts_remote, turn.mobile) == (
        TurnStatus.DEVUELTO_A_SALA,
        False,
        "",
    )
