"""The technologist's "Asesor en línea" pages (2.4): the menu entry, the start-of-shift check
form with video (AL-02), the offices with their accepted turns and kiosks (AL-01, AL-03),
"Anunciar", the attention page with the video call, the CRM case (AL-04), the documents and the
signed scans, "Terminar", and who may open what (NFR-02)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import (
    Case,
    EvidenceKind,
    PrintJob,
    ShiftCheck,
    TurnStatus,
    VideoSession,
)
from core.roles import Role
from core.services.turns import turn_create
from tests.asesor_linea.support import rostered, technologist, tt
from tests.helpers import ANON, PDF, ROLE_COLUMNS, make_user

pytestmark = pytest.mark.django_db

HOME = "/asesor-linea/"


def attention(turn):
    return f"/asesor-linea/turnos/{turn.pk}/"


def announce(client, turn, kiosk):
    return client.post(f"{attention(turn)}anunciar/", {"kiosk": kiosk.pk})


CASE_FORM = {
    "kind": "PQR",
    "pqr_type": "peticion",
    "document_type": "CC",
    "document_number": "43512876",
    "full_name": "María Elena Restrepo",
    "mobile": "",
    "email": "",
    "contract_number": "1234567",
    "motive": "Solicita duplicado de la factura de octubre.",
}


def test_al03_menu_entry_for_technologists_only(client, supported):
    tech = make_user(Role.TECNOLOGO, supported, username="tec")
    orientador = make_user(Role.ORIENTADOR, supported, username="ori")
    client.force_login(tech)
    assert 'href="/asesor-linea/">Asesor en línea</a>' in client.get("/casos/").content.decode()
    client.force_login(orientador)
    assert "Asesor en línea</a>" not in client.get("/casos/").content.decode()


def test_al01_page_refused_when_not_rostered_today(client, home, turn):
    client.force_login(technologist(home, "sin_programar"))
    response = client.get(HOME)
    assert response.status_code == 403
    assert "No está programado hoy para apoyar oficinas por asesor en línea" in (
        response.content.decode()
    )
    assert client.get("/asesor-linea/turnos/").status_code == 403


def test_al02_check_form_first_then_the_turns_can_be_announced(
    client, home, supported, kiosk, turn
):
    tech = rostered(technologist(home, "tec"), supported, checked=False)
    client.force_login(tech)
    page = client.get(HOME).content.decode()
    assert 'id="shift-check-form"' in page
    assert "Verifiqué que la cámara (video) de mi equipo funciona" in page
    assert "Impresora Itagüí" in page
    # The list is there, but "Anunciar" waits for the check.
    assert f'data-turn="{turn.number}"' in page
    assert 'id="check-first"' in page

    response = client.post("/asesor-linea/verificacion/", {"audio": "on", "printer": "on"})
    assert response.status_code == 400
    assert "Confirme que la cámara (video) de su equipo funciona." in response.content.decode()
    assert not ShiftCheck.objects.exists()
    assert announce(client, turn, kiosk).status_code == 409

    response = client.post(
        "/asesor-linea/verificacion/", {"audio": "on", "video": "on", "printer": "on"}
    )
    assert response.status_code == 302
    assert ShiftCheck.objects.get(technologist=tech).video_ok
    page = client.get(HOME).content.decode()
    assert 'id="shift-check-form"' not in page and 'id="check-first"' not in page


def test_al03_home_lists_offices_accepted_turns_unasked_and_kiosks(
    client, tech, supported, kiosk, turn, encargado, django_assert_max_num_queries
):
    turn_create(office=supported, transaction_type=tt(), accepts_remote=False, by=encargado)
    client.force_login(tech)
    client.get("/asesor-linea/turnos/")  # warm per-process caches
    with django_assert_max_num_queries(12):
        response = client.get("/asesor-linea/turnos/")
    page = response.content.decode()
    assert 'data-office="Oficina Itagüí"' in page
    assert f'data-turn="{turn.number}"' in page and "Duplicado de factura" in page
    assert 'data-unasked="1"' in page
    assert 'data-kiosk="Módulo 1"' in page and "Conectado" in page
    assert 'data-kiosk="Módulo 2"' in page and "Desconectado" in page
    # Only the free, connected kiosk is offered.
    assert f'<option value="{kiosk.pk}">Módulo 1</option>' in page
    assert ">Módulo 2</option>" not in page
    home = client.get(HOME).content.decode()
    assert 'hx-get="/asesor-linea/turnos/"' in home
    assert "live:turns.changed from:body" in home and "live:kiosks.changed from:body" in home
    assert "[!window.liveConnected]" in home


def test_al03_announce_lands_on_the_attention_page_with_the_video_call(client, tech, kiosk, turn):
    client.force_login(tech)
    response = announce(client, turn, kiosk)
    assert response.status_code == 302 and response["Location"] == attention(turn)
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO and turn.kiosk == kiosk
    session = VideoSession.objects.get(turn=turn)
    page = client.get(attention(turn)).content.decode()
    assert f"Turno {turn.number} — Oficina Itagüí" in page
    assert 'id="video-panel"' in page
    assert f'href="/video/sesiones/{session.pk}/"' in page
    assert 'id="case-form"' in page
    assert "canal «asesor en línea»" in page
    # Back on the list: the turn being attended, not announceable twice; a double tap on
    # "Anunciar" lands on the same attention page.
    assert 'id="active-turn"' in client.get(HOME).content.decode()
    again = announce(client, turn, kiosk)
    assert again.status_code == 302 and again["Location"] == attention(turn)
    assert VideoSession.objects.filter(turn=turn).count() == 1


def test_al03_announce_refusals_are_shown_in_spanish(client, tech, kiosks, turn):
    client.force_login(tech)
    response = announce(client, turn, kiosks[1])
    assert response.status_code == 409
    assert "El módulo Módulo 2 está desconectado" in response.content.decode()
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA


def test_al04_case_print_scan_and_finish_through_the_page(client, tech, kiosk, turn):
    client.force_login(tech)
    announce(client, turn, kiosk)
    form = dict(CASE_FORM, transaction_type=turn.transaction_type_id)
    response = client.post(f"{attention(turn)}caso/", dict(form, full_name=""))
    assert response.status_code == 400
    assert "Ingrese el nombre del cliente." in response.content.decode()
    assert not Case.objects.exists()

    response = client.post(f"{attention(turn)}caso/", form)
    assert response.status_code == 302
    case = Case.objects.get()
    page = client.get(attention(turn)).content.decode()
    assert f"Caso CRM {case.number} registrado desde el turno {turn.number}" in page
    assert '<dd class="col-7" id="case-channel">asesor en línea</dd>' in page
    assert "Oficina Itagüí" in page
    assert 'id="target-printer">Impresora Módulo 1<' in page

    response = client.post(
        f"{attention(turn)}imprimir/",
        {"title": "Constancia", "file": SimpleUploadedFile("c.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    assert PrintJob.objects.get().printer.name == "Impresora Módulo 1"
    response = client.post(
        f"{attention(turn)}escaneo/",
        {"file": SimpleUploadedFile("firmado.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    assert case.evidence.get(kind=EvidenceKind.SIGNED_SCAN).original_name == "firmado.pdf"
    assert "firmado.pdf" in client.get(attention(turn)).content.decode()

    response = client.post(f"{attention(turn)}terminar/", {"outcome": "atendido"})
    assert response.status_code == 302
    turn.refresh_from_db()
    assert turn.status == TurnStatus.ATENDIDO
    # The case page shows where it was attended and leads back to the documents.
    page = client.get(f"/casos/{case.pk}/").content.decode()
    assert 'id="asesor-linea-panel"' in page and "Módulo 1" in page
    assert f'href="{attention(turn)}"' in page


def test_al04_htmx_forms_replace_only_the_working_column(client, tech, kiosk, turn):
    """The attention page's forms come back as its working column (the video call stays up),
    with the Spanish messages of a refusal."""
    client.force_login(tech)
    announce(client, turn, kiosk)
    form = dict(CASE_FORM, transaction_type=turn.transaction_type_id)
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = client.post(f"{attention(turn)}caso/", dict(form, kind=""), **htmx)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" not in body and 'id="video-call"' not in body
    assert "Indique si el requerimiento es una PQR o un pedido." in body
    response = client.post(f"{attention(turn)}caso/", form, **htmx)
    assert response.status_code == 200
    body = response.content.decode()
    case = Case.objects.get()
    assert "<html" not in body
    assert f"Caso CRM {case.number} registrado desde el turno {turn.number}" in body
    assert '<dd class="col-7" id="case-channel">asesor en línea</dd>' in body
    assert 'id="print-form"' in body and "Terminar: cliente atendido" in body
    response = client.post(f"{attention(turn)}imprimir/", {"title": "Constancia"}, **htmx)
    assert response.status_code == 400
    assert "Seleccione el archivo a imprimir." in response.content.decode()


def test_al03_devolver_from_the_page(client, tech, kiosk, turn):
    client.force_login(tech)
    announce(client, turn, kiosk)
    response = client.post(f"{attention(turn)}terminar/", {"outcome": "devolver"})
    assert response.status_code == 302 and response["Location"] == HOME
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA and turn.kiosk is None
    assert client.get(attention(turn)).status_code == 404  # no longer theirs


def test_nfr02_attention_page_is_the_callers_only(client, home, supported, tech, kiosk, turn):
    other = rostered(technologist(home, "tec_b"), supported)
    client.force_login(tech)
    assert client.get(attention(turn)).status_code == 404  # announced by nobody yet
    announce(client, turn, kiosk)
    client.force_login(other)
    for suffix, data in [
        ("", None),
        ("caso/", CASE_FORM),
        ("terminar/", {"outcome": "devolver"}),
        ("imprimir/", {"title": "x"}),
        ("escaneo/", {}),
    ]:
        url = attention(turn) + suffix
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == 404, url
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO and not Case.objects.exists()


# fmt: off
PAGES = {
    #                          anon orie tecn gest asig enca crea mesa geof clin
    "GET /asesor-linea/":        (302, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    "GET /asesor-linea/turnos/": (302, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    "GET /asesor-linea/turnos/{id}/": (302, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{id}/anunciar/": (302, 403, 409, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on


@pytest.mark.parametrize(("key", "row"), PAGES.items(), ids=list(PAGES))
def test_nfr02_asesor_linea_pages_role_table(client, supported, kiosk, turn, key, row):
    """Every role of the turn's office; the technologist is rostered for it, without today's
    check (so the announcement answers 409) and has announced nothing (so the attention page
    answers 404)."""
    method, url = key.split(" ")
    url = url.replace("{id}", str(turn.pk))
    users = {
        who: (
            rostered(technologist(supported, f"page_{who}"), supported, checked=False)
            if who == Role.TECNOLOGO
            else make_user(who, supported, username=f"page_{who}")
        )
        for who in ROLE_COLUMNS
        if who != ANON
    }
    mismatches = []
    for who, expected in zip(ROLE_COLUMNS, row, strict=True):
        client.logout()
        if who != ANON:
            client.force_login(users[who])
        response = client.get(url) if method == "GET" else client.post(url, {"kiosk": kiosk.pk})
        if response.status_code != expected:
            mismatches.append(f"{who}: esperado {expected}, obtenido {response.status_code}")
    assert not mismatches, "\n".join(mismatches)
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA
