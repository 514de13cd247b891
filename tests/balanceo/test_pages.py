"""BAL-01..BAL-04 / NFR-02: the technologist's balancing page — closed to who is not in today's
pool, the start-of-shift check (audio, video, printer) first, "Disponible" / "Pausar", the
matched customer with the case form, printing at the kiosk, the scans, "Terminar"; the attention
block answers 204 while nothing changed (a form being typed is never wiped); the menu entry and
the case page's panel; who may open what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balanceo.models import BalanceSeat
from balanceo.services import balance_match_round
from core.models import Case, EvidenceKind, PrintJob, ShiftCheck, TurnStatus
from core.roles import Role
from tests.helpers import ANON, PDF, ROLE_COLUMNS

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
LOGIN = "/accounts/login/?next="

CASE_FORM = {
    "kind": "PED",
    "pqr_type": "",
    "document_type": "CC",
    "document_number": "43512876",
    "full_name": "María Elena Restrepo",
    "mobile": "3104567890",
    "email": "",
    "contract_number": "",
    "motive": "",
}


@pytest.fixture
def matched(world):
    office = world.office(name="Oficina Bello", code="BEL", kiosks_on=1)
    ana = world.tech(office, username="ana_pag")
    turn = world.turn(office)
    balance_match_round()
    turn.refresh_from_db()
    form = {**CASE_FORM, "transaction_type": turn.transaction_type_id}
    return {"office": office, "ana": ana, "turn": turn, "form": form}


# --- who may open what (NFR-02) -----------------------------------------------------------------

PAGES = [
    "GET /balanceo/",
    "POST /balanceo/verificacion/",
    "GET /balanceo/puesto/",
    "POST /balanceo/disponibilidad/",
    "GET /balanceo/atencion/",
    "POST /balanceo/turnos/{turn}/caso/",
    "POST /balanceo/turnos/{turn}/terminar/",
    "POST /balanceo/turnos/{turn}/imprimir/",
    "POST /balanceo/turnos/{turn}/escaneo/",
]
#: The fixture's technologist is not in today's pool: the pages say so (403) or, for a turn
#: matched to someone else, 404 as for a missing one; "Disponibilidad" answers with the reason.
TECNOLOGO = {
    "GET /balanceo/": 403,
    "POST /balanceo/verificacion/": 403,
    "GET /balanceo/puesto/": 403,
    "POST /balanceo/disponibilidad/": 302,
    "GET /balanceo/atencion/": 403,
}


@pytest.mark.parametrize("endpoint", PAGES)  # not "page": pytest-playwright's fixture
def test_nfr02_balanceo_pages_role_table(client, users, matched, endpoint):
    method, path = endpoint.split(" ")
    url = path.format(turn=matched["turn"].pk)
    for column in ROLE_COLUMNS:
        client.logout()
        if column != ANON:
            client.force_login(users[column])
        response = client.get(url) if method == "GET" else client.post(url, {})
        if column == ANON:
            expected = 302
            assert response["Location"].startswith(LOGIN)
        elif column == Role.TECNOLOGO:
            expected = TECNOLOGO.get(endpoint, 404)
        else:
            expected = 403
        assert response.status_code == expected, (column, endpoint)
    assert BalanceSeat.objects.filter(technologist=users[Role.TECNOLOGO]).count() <= 1
    assert not Case.objects.exists()


def test_bal01_not_in_todays_pool_the_page_says_why(client, users):
    client.force_login(users[Role.TECNOLOGO])
    response = client.get("/balanceo/")
    assert response.status_code == 403
    assert "No está programado hoy en el balanceo" in response.content.decode()


# --- the shift check and the seat ---------------------------------------------------------------


def test_bal03_shift_check_with_video_first_then_available(client, world):
    office = world.office(name="Oficina Itagüí", code="ITA")
    tech = world.tech(office, checked=False, available=False)
    client.force_login(tech)

    page = client.get("/balanceo/").content.decode()
    assert 'id="shift-check-form"' in page and "Oficina Itagüí" in page
    assert "Impresora módulos" in page  # the kiosks' printer to configure

    refused = client.post("/balanceo/verificacion/", {"audio": "on", "printer": "on"})
    assert refused.status_code == 400
    assert "Confirme que la cámara (video) de su equipo funciona." in refused.content.decode()
    assert not ShiftCheck.objects.filter(technologist=tech).exists()

    ok = client.post("/balanceo/verificacion/", {"audio": "on", "video": "on", "printer": "on"})
    assert ok.status_code == 302
    check = ShiftCheck.objects.get(technologist=tech)
    assert check.audio_ok and check.video_ok and check.printer_ok

    page = client.get("/balanceo/").content.decode()
    assert "Disponible para balanceo" in page and 'id="balance-page"' in page
    assert "data-video-auto" in page  # the call opens by itself on video.connect

    block = client.post("/balanceo/disponibilidad/", {"available": "1"}, **HX)
    assert block.status_code == 200
    assert 'data-available="1"' in block.content.decode()
    assert BalanceSeat.objects.get(technologist=tech).available
    block = client.post("/balanceo/disponibilidad/", {"available": "0"}, **HX)
    assert ">Disponible para balanceo</button>" in block.content.decode()
    assert not BalanceSeat.objects.get(technologist=tech).available


def test_bal02_seat_block_shows_capacity_and_asks_to_turn_a_kiosk_on(client, world):
    dark = world.office(name="Oficina Apartadó", code="APA", kiosks_on=0, kiosks_off=2)
    tech = world.tech(dark)
    world.turn(dark)
    client.force_login(tech)
    block = client.get("/balanceo/puesto/").content.decode()
    assert f'data-needs-kiosk="{dark.pk}"' in block
    assert "Pida al encargado de la oficina que encienda un módulo." in block


# --- the matched customer -----------------------------------------------------------------------


def test_bal04_matched_customer_case_print_scan_and_finish(client, matched):
    ana, turn = matched["ana"], matched["turn"]
    client.force_login(ana)

    page = client.get("/balanceo/").content.decode()
    assert f'id="matched-turn-number">{turn.number}<' in page
    assert 'id="case-form"' in page
    key = f"{turn.pk}-llamado-0"
    assert f'data-state="{key}"' in page
    # Nothing changed: the block is left as it is (the form being typed survives).
    assert client.get(f"/balanceo/atencion/?estado={key}", **HX).status_code == 204

    bad = client.post(f"/balanceo/turnos/{turn.pk}/caso/", {**matched["form"], "kind": ""}, **HX)
    assert bad.status_code == 400
    assert "Indique si el requerimiento es una PQR o un pedido." in bad.content.decode()

    opened = client.post(f"/balanceo/turnos/{turn.pk}/caso/", matched["form"], **HX)
    assert opened.status_code == 200
    case = Case.objects.get()
    assert case.channel.code == "balanceo-automatico"
    assert case.supported_office == matched["office"]
    body = opened.content.decode()
    assert f"Caso CRM {case.number} registrado" in body
    assert 'id="print-form"' in body
    assert client.get(f"/balanceo/atencion/?estado={key}", **HX).status_code == 200

    printed = client.post(
        f"/balanceo/turnos/{turn.pk}/imprimir/",
        {"title": "Constancia", "file": SimpleUploadedFile("c.pdf", PDF, "application/pdf")},
        **HX,
    )
    assert printed.status_code == 200
    job = PrintJob.objects.get(case=case)
    assert job.printer == turn.kiosk.printer

    scanned = client.post(
        f"/balanceo/turnos/{turn.pk}/escaneo/",
        {"file": SimpleUploadedFile("firmado.pdf", PDF, "application/pdf")},
        **HX,
    )
    assert scanned.status_code == 200
    assert case.evidence.filter(kind=EvidenceKind.SIGNED_SCAN).count() == 1

    done = client.post(f"/balanceo/turnos/{turn.pk}/terminar/", {"outcome": "atendido"}, **HX)
    assert done.status_code == 200
    assert 'id="attention-idle"' in done.content.decode()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO


def test_bal04_case_page_panel_of_a_balanced_case(client, matched):
    ana, turn = matched["ana"], matched["turn"]
    client.force_login(ana)
    client.post(f"/balanceo/turnos/{turn.pk}/caso/", matched["form"])
    case = Case.objects.get()
    page = client.get(f"/casos/{case.pk}/").content.decode()
    assert 'id="balanceo-panel"' in page
    assert f"Balanceo — turno {turn.number} de Oficina Bello" in page
    assert 'id="balanceo-print-form"' in page

    response = client.post(
        f"/balanceo/turnos/{turn.pk}/imprimir/",
        {
            "title": "Factura",
            "file": SimpleUploadedFile("f.pdf", PDF, "application/pdf"),
            "next": f"/casos/{case.pk}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/casos/{case.pk}/"
    assert PrintJob.objects.filter(case=case, title="Factura").exists()


def test_bal03_menu_entry_balanceo_for_technologists_only(client, users):
    client.force_login(users[Role.TECNOLOGO])
    assert 'href="/balanceo/">Balanceo</a>' in client.get("/casos/").content.decode()
    for role in (Role.ORIENTADOR, Role.GESTOR, Role.ENCARGADO):
        client.force_login(users[role])
        assert 'href="/balanceo/">Balanceo</a>' not in client.get("/casos/").content.decode()
