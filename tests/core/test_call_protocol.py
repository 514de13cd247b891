"""CORE-07 call protocol, CORE-10 case page, CORE-13 notification warning, CORE-09 reassignment.

Pages: GET /casos/<id>/, POST /casos/<id>/intentos/ (one button per outcome),
POST /casos/<id>/evidencias/ (the voicemail recording closes after 3 unanswered calls),
POST /casos/<id>/cerrar/. API: /api/v1/cases/{id}/attempts|evidence|close|reassign/.
"""

import logging
import re
import struct

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.text import capfirst

from core.models import (
    Case,
    CaseStatus,
    Channel,
    ContactAttempt,
    Evidence,
    EvidenceKind,
    InitialCause,
    Unit,
)
from core.roles import Role
from core.signals import case_closed
from tests.factories import CustomerFactory, OfficeFactory, UserFactory, make_case
from tests.helpers import token_client

pytestmark = pytest.mark.django_db

NUMBER = "3104567890"
CONTACT_LINES = "44 44 115 en Medellín y el Valle de Aburrá o 01 800 415 115 para otros municipios"
FOURTH_ATTEMPT = (
    "Ya se registraron los tres intentos de llamada; deje el mensaje de voz y cargue la "
    "grabación para cerrar el caso."
)
ALREADY_ANSWERED = "El cliente ya contestó: registre la atención y cierre el caso."
NO_RECORDING = "Cargue la grabación de la llamada en el expediente antes de cerrar."
NO_CONSENT = "La notificación por correo requiere la autorización expresa del cliente."
DO_NOT_TELL = "no informe la respuesta durante la llamada"
CLOSE_FIELDS = {
    "outcome": "primer_contacto",
    "turn_number": "DFILA",
    "attention_medium": "verbal",
    "channel": "desborde-formulario-web",
    "initial_cause": "informacion-general",
    "motive": "Cliente pregunta por el valor de su factura de marzo.",
}


# --- helpers and setup -----------------------------------------------------------------------


def wav_bytes() -> bytes:
    """A tiny valid PCM WAV: RIFF header, fmt chunk, 8 silent 16-bit samples."""
    samples = b"\x00\x00" * 8
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(samples))
        + samples
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp3_bytes() -> bytes:
    """An ID3v2.4 header (empty tag) followed by one MPEG-1 Layer III frame header and padding."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 413


def voicemail_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("buzon.wav", wav_bytes(), content_type="audio/wav")


def call_recording_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("llamada.mp3", mp3_bytes(), content_type="audio/mpeg")


def staff(role: str, office, username: str):
    user = UserFactory(username=username, home_office=office)
    user.groups.add(Group.objects.get(name=role))
    return user


def page(client, case) -> str:
    response = client.get(reverse("core:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def attempt_buttons(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<button[^>]*name="outcome" value="([^"]+)"[^>]*>([^<]+)</button>', html)


def api_url(case, action: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/" + (f"{action}/" if action else "")


def api_attempt(client, case, outcome="no_contesta"):
    return client.post(
        api_url(case, "attempts"), {"outcome": outcome, "number_dialled": NUMBER}, format="json"
    )


def api_evidence(client, case, kind, upload):
    return client.post(
        api_url(case, "evidence"), {"kind": kind, "file": upload}, format="multipart"
    )


def reasons(case) -> list[str]:
    return [h.history_change_reason or "" for h in case.history.order_by("history_id")]


@pytest.fixture
def home_office(db):
    return OfficeFactory(name="Oficina Itagüí", unit=Unit.METROPOLITANO)


@pytest.fixture
def supported_office(home_office):
    return OfficeFactory(name="Oficina Envigado", unit=home_office.unit)


@pytest.fixture
def tech(home_office):
    return staff(Role.TECNOLOGO, home_office, "tecnologo.protocolo")


@pytest.fixture
def other_tech(home_office):
    return staff(Role.TECNOLOGO, home_office, "tecnologo.otro")


@pytest.fixture
def asignador(home_office):
    return staff(Role.ASIGNADOR, home_office, "asignador.protocolo")


def new_case(tech, home_office, supported_office, **kwargs) -> Case:
    kwargs.setdefault("office", home_office)
    return make_case(
        assigned_to=tech,
        status=CaseStatus.ASIGNADO,
        supported_office=supported_office,
        customer=CustomerFactory(full_name="María Elena Restrepo", mobile=NUMBER),
        **kwargs,
    )


@pytest.fixture
def case(tech, home_office, supported_office):
    return new_case(tech, home_office, supported_office)


@pytest.fixture
def tech_client(client, tech):
    client.force_login(tech)
    return client


@pytest.fixture
def tech_api(tech):
    return token_client(tech)


@pytest.fixture
def answered_case(case, tech_api):
    """The customer answered the first call."""
    assert api_attempt(tech_api, case, "contesto").status_code == 201
    return case


# --- CORE-07 through the pages ------------------------------------------------------------------


def test_core07_case_page_shows_number_to_dial_and_one_button_per_outcome(tech_client, case):
    """CORE-07/CORE-10: the assignee sees the customer's number and a button for each outcome."""
    html = page(tech_client, case)

    assert f'<strong id="number-to-dial">{NUMBER}</strong>' in html
    assert "intentos: 0 de 3" in html
    assert attempt_buttons(html) == [
        (value, capfirst(label)) for value, label in ContactAttempt.Outcome.choices
    ]
    assert "voicemail-script" not in html


def test_core07_page_three_unanswered_calls_then_voicemail_closes_without_contact(
    tech_client, tech, case
):
    """CORE-07 (2.1 step 3): 3 × no contesta → the voicemail script, no 4th attempt; the voicemail
    recording closes the case as cerrado sin contacto with causa inicial información general."""
    attempt_url = reverse("core:attempt_log", args=[case.pk])
    for sequence in (1, 2, 3):
        response = tech_client.post(
            attempt_url, {"outcome": "no_contesta", "number_dialled": NUMBER}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("core:case_detail", args=[case.pk])
        html = page(tech_client, case)
        assert f"Intento {sequence} registrado: no contesta." in html
        listed = re.search(r'<ol class="mb-0" id="attempts">(.*?)</ol>', html, re.S).group(1)
        assert listed.count("<li>") == sequence
        assert listed.count(f"no contesta ({NUMBER})") == sequence

    assert "intentos: 3 de 3" in html
    script = re.search(r'<p id="voicemail-script" class="mb-2">(.*?)</p>', html, re.S).group(1)
    assert "María Elena Restrepo" in script
    assert "desborde formulario web" in script
    assert CONTACT_LINES in script
    assert attempt_buttons(html) == []
    assert attempt_url not in html
    assert 'name="kind" value="grabacion_buzon"' in html

    fourth = tech_client.post(attempt_url, {"outcome": "no_contesta", "number_dialled": NUMBER})
    assert fourth.status_code == 409
    assert FOURTH_ATTEMPT in fourth.content.decode()
    assert ContactAttempt.objects.filter(case=case).count() == 3

    response = tech_client.post(
        reverse("core:evidence_upload", args=[case.pk]),
        {"kind": EvidenceKind.VOICEMAIL_RECORDING, "file": voicemail_upload()},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mensaje de voz publicado; caso cerrado sin contacto." in html
    assert 'id="protocol"' not in html

    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_SIN_CONTACTO
    assert case.initial_cause.name == "información general"
    assert case.closed_at is not None
    voicemail = Evidence.objects.get(case=case, kind=EvidenceKind.VOICEMAIL_RECORDING)
    assert voicemail.uploaded_by == tech
    assert voicemail.customer_id == case.customer_id
    last_reason = case.history.order_by("-history_id").first().history_change_reason
    assert "mensaje de voz" in last_reason
    assert last_reason in html


def test_core07_voicemail_before_third_attempt_only_attaches_evidence(tech_client, case):
    """CORE-07: closing without contact needs 3 unanswered calls; a voicemail recording uploaded
    after 2 is filed in the expediente and the case stays open, attempts still offered."""
    for _ in range(2):
        tech_client.post(
            reverse("core:attempt_log", args=[case.pk]),
            {"outcome": "buzon_de_voz", "number_dialled": NUMBER},
        )

    response = tech_client.post(
        reverse("core:evidence_upload", args=[case.pk]),
        {"kind": EvidenceKind.VOICEMAIL_RECORDING, "file": voicemail_upload()},
        follow=True,
    )

    html = response.content.decode()
    assert "Evidencia cargada en el expediente." in html
    case.refresh_from_db()
    assert case.status == CaseStatus.ASIGNADO
    assert case.closed_at is None
    assert case.initial_cause is None
    assert Evidence.objects.filter(case=case, kind=EvidenceKind.VOICEMAIL_RECORDING).count() == 1
    assert "voicemail-script" not in html
    assert len(attempt_buttons(html)) == len(ContactAttempt.Outcome.choices)


def test_core07_api_voicemail_before_third_attempt_keeps_case_open(tech_api, case):
    """CORE-07: through the API too, a voicemail after 2 unanswered calls is only evidence."""
    for _ in range(2):
        assert api_attempt(tech_api, case).status_code == 201

    response = api_evidence(tech_api, case, EvidenceKind.VOICEMAIL_RECORDING, voicemail_upload())

    assert response.status_code == 201
    assert response.json()["kind"] == EvidenceKind.VOICEMAIL_RECORDING
    detail = tech_api.get(api_url(case)).json()
    assert detail["status"] == CaseStatus.ASIGNADO
    assert detail["closed_at"] is None


# --- CORE-07 through the API --------------------------------------------------------------------


def test_core07_api_three_unanswered_calls_then_voicemail_closes(tech_api, case):
    """CORE-07 via the API: 3 attempts 201, 4th 409, voicemail recording → cerrado sin contacto;
    the case detail lists the attempts and the history."""
    for sequence in (1, 2, 3):
        response = api_attempt(tech_api, case)
        assert response.status_code == 201
        body = response.json()
        assert body["sequence"] == sequence
        assert body["outcome"] == "no_contesta"
        assert body["outcome_display"] == "no contesta"
        assert body["number_dialled"] == NUMBER

    fourth = api_attempt(tech_api, case)
    assert fourth.status_code == 409
    assert fourth.json() == {"detail": FOURTH_ATTEMPT}

    response = api_evidence(tech_api, case, EvidenceKind.VOICEMAIL_RECORDING, voicemail_upload())
    assert response.status_code == 200
    closed = response.json()
    assert closed["status"] == CaseStatus.CERRADO_SIN_CONTACTO
    assert closed["status_display"] == "cerrado sin contacto"
    assert closed["initial_cause"] == "información general"
    assert closed["closed_at"] is not None
    assert [e["kind"] for e in closed["evidence"]] == [EvidenceKind.VOICEMAIL_RECORDING]

    detail = tech_api.get(api_url(case))
    assert detail.status_code == 200
    data = detail.json()
    assert [(a["sequence"], a["outcome"], a["number_dialled"]) for a in data["attempts"]] == [
        (1, "no_contesta", NUMBER),
        (2, "no_contesta", NUMBER),
        (3, "no_contesta", NUMBER),
    ]
    history_reasons = [entry["reason"] for entry in data["history"]]
    assert "intento 1: no contesta" in history_reasons
    assert "intento 3: no contesta" in history_reasons
    assert history_reasons[0] == "cerrado sin contacto: mensaje de voz publicado en el expediente"
    assert data["history"][0]["status"] == CaseStatus.CERRADO_SIN_CONTACTO
    assert ContactAttempt.objects.filter(case=case).count() == 3


def test_core07_api_refuses_fourth_attempt_409(tech_api, case):
    """CORE-07: a 4th attempt is not offered: 409 with the Spanish reason, no 4th row."""
    for outcome in ("no_contesta", "buzon_de_voz", "numero_errado"):
        assert api_attempt(tech_api, case, outcome).status_code == 201

    response = api_attempt(tech_api, case, "contesto")

    assert response.status_code == 409
    assert response.json()["detail"] == FOURTH_ATTEMPT
    assert ContactAttempt.objects.filter(case=case).count() == 3
    case.refresh_from_db()
    assert case.status == CaseStatus.ASIGNADO


def test_core07_api_invalid_attempt_refused_in_spanish(tech_api, case):
    """NFR-03: an unknown outcome or a missing number is refused in Spanish; nothing recorded."""
    bad_outcome = tech_api.post(
        api_url(case, "attempts"), {"outcome": "colgó", "number_dialled": NUMBER}, format="json"
    )
    bad_number = tech_api.post(
        api_url(case, "attempts"), {"outcome": "no_contesta", "number_dialled": "12"}, format="json"
    )

    assert bad_outcome.status_code == 400
    assert bad_outcome.json() == {"outcome": ["Resultado de la llamada no válido."]}
    assert bad_number.status_code == 400
    assert bad_number.json() == {"number_dialled": ["Indique el número marcado (7 a 15 dígitos)."]}
    assert not ContactAttempt.objects.filter(case=case).exists()


# --- answered call: CRM fields and closure ------------------------------------------------------


def test_core07_answered_call_puts_case_in_attention_and_stops_attempts(tech_api, case):
    """CORE-07: contestó → en atención; no further attempts (409)."""
    response = api_attempt(tech_api, case, "contesto")
    assert response.status_code == 201

    assert tech_api.get(api_url(case)).json()["status"] == CaseStatus.EN_ATENCION
    again = api_attempt(tech_api, case)
    assert again.status_code == 409
    assert again.json() == {"detail": ALREADY_ANSWERED}
    assert ContactAttempt.objects.filter(case=case).count() == 1


def test_core07_api_refuses_close_without_call_recording_400(tech_api, answered_case):
    """CORE-07/CORE-08: closing needs the call recording in the expediente: 400, case still open."""
    response = tech_api.post(api_url(answered_case, "close"), CLOSE_FIELDS, format="json")

    assert response.status_code == 400
    assert response.json() == {"evidence": [NO_RECORDING]}
    assert "grabación de la llamada" in response.json()["evidence"][0]
    answered_case.refresh_from_db()
    assert answered_case.status == CaseStatus.EN_ATENCION
    assert answered_case.closed_at is None
    assert answered_case.turn_number == ""


def test_core07_api_close_without_required_fields_400_per_field(tech_api, answered_case):
    """CORE-05/NFR-03: missing CRM fields answer 400 with one Spanish message per field."""
    assert (
        api_evidence(
            tech_api, answered_case, EvidenceKind.CALL_RECORDING, call_recording_upload()
        ).status_code
        == 201
    )

    response = tech_api.post(
        api_url(answered_case, "close"), {"outcome": "primer_contacto"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "turn_number": ["Indique el número de turno."],
        "initial_cause": ["Indique la causa inicial."],
        "motive": ["Indique el motivo PQR (detalle)."],
    }
    answered_case.refresh_from_db()
    assert answered_case.status == CaseStatus.EN_ATENCION


def test_core07_api_close_before_answer_refused_409(tech_api, case):
    """CORE-07: a case is closed with solution only after a call the customer answered."""
    api_evidence(tech_api, case, EvidenceKind.CALL_RECORDING, call_recording_upload())

    response = tech_api.post(api_url(case, "close"), CLOSE_FIELDS, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Registre primero la llamada en la que el cliente contestó."
    }
    case.refresh_from_db()
    assert case.status == CaseStatus.ASIGNADO


def test_core07_api_close_first_contact_with_recording(
    tech, tech_api, home_office, supported_office
):
    """CORE-07/DF-03: recording + CRM fields → cerrado con solución en primer contacto; the office
    defaults to the technologist's home office when not sent."""
    case = new_case(tech, home_office, supported_office, office=None)
    assert api_attempt(tech_api, case, "contesto").status_code == 201
    upload = api_evidence(tech_api, case, EvidenceKind.CALL_RECORDING, call_recording_upload())
    assert upload.status_code == 201
    assert upload.json()["kind_display"] == "grabación de la llamada"

    response = tech_api.post(api_url(case, "close"), CLOSE_FIELDS, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert body["status_display"] == "cerrado con solución en primer contacto"
    assert body["turn_number"] == "DFILA"
    assert body["attention_medium"] == "verbal"
    assert body["channel"] == "desborde formulario web"
    assert body["initial_cause"] == "información general"
    assert body["office"] == "Oficina Itagüí"
    assert body["supported_office"] == "Oficina Envigado"
    assert body["closed_at"] is not None
    case.refresh_from_db()
    assert case.office == home_office
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.motive == CLOSE_FIELDS["motive"]
    assert body["history"][0]["reason"] == "cerrado con solución en primer contacto"


@pytest.fixture
def case_closed_receivers():
    """Receivers of ``case_closed`` for one test: the first raises, the second records what it
    got. Disconnected afterwards."""
    received = []

    def broken(sender, *, case, **kwargs):
        raise RuntimeError("receptor roto")

    def recording(sender, *, case, by, **kwargs):
        received.append((case.pk, case.status, by.pk))

    case_closed.connect(broken, dispatch_uid="test-core07-broken", weak=False)
    case_closed.connect(recording, dispatch_uid="test-core07-recording", weak=False)
    yield received
    case_closed.disconnect(dispatch_uid="test-core07-broken")
    case_closed.disconnect(dispatch_uid="test-core07-recording")


def closed_failures(caplog, case) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "core.services.closing" and r.levelno == logging.ERROR
        if case.number in r.getMessage()
    ]


def test_core07_api_close_answers_200_when_a_case_closed_receiver_raises(
    tech, tech_api, answered_case, case_closed_receivers, caplog, django_capture_on_commit_callbacks
):
    """CORE-07: ``case_closed`` goes after commit, robustly. The case is already closed when a
    receiver raises, so the close answers 200 with the closed case, the failure is logged with
    the case number and the other receivers still run."""
    api_evidence(tech_api, answered_case, EvidenceKind.CALL_RECORDING, call_recording_upload())

    with django_capture_on_commit_callbacks(execute=True):
        response = tech_api.post(api_url(answered_case, "close"), CLOSE_FIELDS, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.CERRADO_PRIMER_CONTACTO
    answered_case.refresh_from_db()
    assert answered_case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case_closed_receivers == [
        (answered_case.pk, CaseStatus.CERRADO_PRIMER_CONTACTO, tech.pk)
    ]
    [failure] = closed_failures(caplog, answered_case)
    assert "receptor roto" in failure.getMessage()
    assert isinstance(failure.exc_info[1], RuntimeError)


def test_core07_api_voicemail_close_answers_200_when_a_case_closed_receiver_raises(
    tech_api, case, case_closed_receivers, caplog, django_capture_on_commit_callbacks
):
    """CORE-07: the closure without contact (voicemail after three unanswered calls) sends
    ``case_closed`` the same robust way."""
    for _ in range(3):
        assert api_attempt(tech_api, case).status_code == 201

    with django_capture_on_commit_callbacks(execute=True):
        response = api_evidence(
            tech_api, case, EvidenceKind.VOICEMAIL_RECORDING, voicemail_upload()
        )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_SIN_CONTACTO
    assert [status for _, status, _ in case_closed_receivers] == [CaseStatus.CERRADO_SIN_CONTACTO]
    assert len(closed_failures(caplog, case)) == 1


def test_core07_case_closed_not_sent_before_commit(
    tech_api, answered_case, case_closed_receivers, django_capture_on_commit_callbacks
):
    """CORE-07: receivers hear of the closure only once it is committed."""
    api_evidence(tech_api, answered_case, EvidenceKind.CALL_RECORDING, call_recording_upload())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = tech_api.post(api_url(answered_case, "close"), CLOSE_FIELDS, format="json")

    assert response.status_code == 200
    assert case_closed_receivers == []
    for callback in callbacks:  # the commit
        callback()
    assert [pk for pk, _, _ in case_closed_receivers] == [answered_case.pk]


def test_core07_api_generate_task(tech_api, answered_case):
    """CORE-07: outcome tarea_generada leaves the case in "tarea generada"."""
    api_evidence(tech_api, answered_case, EvidenceKind.CALL_RECORDING, call_recording_upload())

    response = tech_api.post(
        api_url(answered_case, "close"),
        {**CLOSE_FIELDS, "outcome": "tarea_generada"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.TAREA_GENERADA
    answered_case.refresh_from_db()
    assert answered_case.status == CaseStatus.TAREA_GENERADA
    assert answered_case.closed_at is not None
    assert answered_case.turn_number == "DFILA"


def close_form_data(case, **overrides) -> dict:
    data = {
        "outcome": "primer_contacto",
        "turn_number": "DFILA",
        "attention_medium": "verbal",
        "channel": Channel.objects.get(code="desborde-formulario-web").pk,
        "office": case.office_id,
        "supported_office": case.supported_office_id,
        "initial_cause": InitialCause.objects.get(code="informacion-general").pk,
        "motive": "Consulta del estado de cuenta.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_core07_page_close_shows_spanish_errors_then_redirects_to_workbench(tech_client, case):
    """CORE-10: the close form on the case page: errors in Spanish (400), nothing changes; with
    the call recording and the fields it closes and goes back to "Mis casos"."""
    tech_client.post(
        reverse("core:attempt_log", args=[case.pk]),
        {"outcome": "contesto", "number_dialled": NUMBER},
    )
    close_url = reverse("core:case_close", args=[case.pk])
    html = page(tech_client, case)
    assert 'id="close-form"' in html
    assert attempt_buttons(html) == []

    missing = tech_client.post(close_url, close_form_data(case, turn_number="", initial_cause=""))
    assert missing.status_code == 400
    html = missing.content.decode()
    assert "Indique el número de turno." in html
    assert "Indique la causa inicial." in html

    no_recording = tech_client.post(close_url, close_form_data(case))
    assert no_recording.status_code == 400
    assert NO_RECORDING in no_recording.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.EN_ATENCION
    assert case.turn_number == ""

    uploaded = tech_client.post(
        reverse("core:evidence_upload", args=[case.pk]),
        {"kind": EvidenceKind.CALL_RECORDING, "file": call_recording_upload()},
    )
    assert uploaded.status_code == 302

    response = tech_client.post(close_url, close_form_data(case))
    assert response.status_code == 302
    assert response["Location"] == "/casos/mis-casos/"
    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.turn_number == "DFILA"
    assert case.initial_cause.code == "informacion-general"
    workbench = tech_client.get(response["Location"]).content.decode()
    assert "Caso registrado y cerrado." in workbench
    assert case.number not in workbench


# --- NFR-02: another technologist ---------------------------------------------------------------


def test_core07_other_technologist_gets_404_on_pages(client, other_tech, case):
    """NFR-02: a technologist not assigned to the case gets 404 on the page and its actions."""
    client.force_login(other_tech)

    assert client.get(reverse("core:case_detail", args=[case.pk])).status_code == 404
    assert (
        client.post(
            reverse("core:attempt_log", args=[case.pk]),
            {"outcome": "no_contesta", "number_dialled": NUMBER},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("core:case_close", args=[case.pk]), close_form_data(case)).status_code
        == 404
    )
    assert (
        client.post(
            reverse("core:evidence_upload", args=[case.pk]),
            {"kind": EvidenceKind.CALL_RECORDING, "file": call_recording_upload()},
        ).status_code
        == 404
    )
    assert not ContactAttempt.objects.filter(case=case).exists()
    assert not Evidence.objects.filter(case=case).exists()


def test_core07_other_technologist_gets_404_on_api(other_tech, case):
    """NFR-02: the API answers 404 (not 403) on attempts/close/evidence of someone else's case."""
    api = token_client(other_tech)

    assert api.get(api_url(case)).status_code == 404
    assert api_attempt(api, case).status_code == 404
    assert api.post(api_url(case, "close"), CLOSE_FIELDS, format="json").status_code == 404
    response = api_evidence(api, case, EvidenceKind.CALL_RECORDING, call_recording_upload())
    assert response.status_code == 404
    assert not ContactAttempt.objects.filter(case=case).exists()
    assert not Evidence.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASIGNADO


# --- CORE-13: notification authorisation ---------------------------------------------------------


def test_core13_api_email_notification_without_consent_refused_400(tech_api, answered_case):
    """CORE-13: notification by email needs the customer's express consent."""
    api_evidence(tech_api, answered_case, EvidenceKind.CALL_RECORDING, call_recording_upload())

    response = tech_api.post(
        api_url(answered_case, "close"),
        {
            **CLOSE_FIELDS,
            "notification_medium": "email",
            "notification_email": "maria.restrepo@example.com",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"notification_email_consent": [NO_CONSENT]}
    answered_case.refresh_from_db()
    assert answered_case.status == CaseStatus.EN_ATENCION
    assert answered_case.notification_medium == ""


def test_core13_page_email_without_consent_shows_message_and_warning(tech_client, case):
    """CORE-13: the page refuses email notification without consent (400, Spanish) and warns not
    to give the answer during the call."""
    tech_client.post(
        reverse("core:attempt_log", args=[case.pk]),
        {"outcome": "contesto", "number_dialled": NUMBER},
    )
    tech_client.post(
        reverse("core:evidence_upload", args=[case.pk]),
        {"kind": EvidenceKind.CALL_RECORDING, "file": call_recording_upload()},
    )
    assert DO_NOT_TELL not in page(tech_client, case)

    response = tech_client.post(
        reverse("core:case_close", args=[case.pk]),
        close_form_data(
            case, notification_medium="email", notification_email="maria.restrepo@example.com"
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert NO_CONSENT in html
    assert DO_NOT_TELL in html
    case.refresh_from_db()
    assert case.status == CaseStatus.EN_ATENCION


def test_core13_case_page_warns_once_case_has_notification_medium(tech_client, case):
    """CORE-13: a PQR with an authorised notification medium carries the warning on its page."""
    assert DO_NOT_TELL not in page(tech_client, case)
    case.notification_medium = "sms"
    case.notification_mobile = NUMBER
    case.save(update_fields=["notification_medium", "notification_mobile"])

    html = page(tech_client, case)

    assert DO_NOT_TELL in html
    assert "celular: citación por mensaje de texto" in html


def test_core13_closing_with_consented_email_stores_medium_and_page_warns(
    tech_client, tech_api, answered_case
):
    """CORE-13: with express consent the medium is stored on the case and the page warns."""
    api_evidence(tech_api, answered_case, EvidenceKind.CALL_RECORDING, call_recording_upload())

    response = tech_api.post(
        api_url(answered_case, "close"),
        {
            **CLOSE_FIELDS,
            "outcome": "tarea_generada",
            "notification_medium": "email",
            "notification_email": "maria.restrepo@example.com",
            "notification_email_consent": True,
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["notification_medium"] == "email"
    answered_case.refresh_from_db()
    assert answered_case.notification_email == "maria.restrepo@example.com"
    assert answered_case.notification_email_consent is True
    assert DO_NOT_TELL in page(tech_client, answered_case)


# --- CORE-09: manual reassignment ---------------------------------------------------------------


def test_core09_asignador_reassigns_case_to_other_technologist(asignador, other_tech, case):
    """CORE-09: an asignador of the case's unit hands it to another technologist; recorded."""
    api = token_client(asignador)

    response = api.post(
        api_url(case, "reassign"),
        {"to_user": other_tech.pk, "reason": "tecnólogo en incapacidad"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["assigned_to"] == other_tech.get_full_name()
    assert "reasignación manual" in body["history"][0]["reason"]
    assert "tecnólogo en incapacidad" in body["history"][0]["reason"]
    case.refresh_from_db()
    assert case.assigned_to == other_tech
    assert any("reasignación manual" in reason for reason in reasons(case))
    assert token_client(other_tech).get(api_url(case)).status_code == 200


def test_core09_technologist_cannot_reassign_403(tech_api, other_tech, tech, case):
    """CORE-09/NFR-02: a technologist may not reassign, even their own case."""
    response = tech_api.post(
        api_url(case, "reassign"), {"to_user": other_tech.pk, "reason": "x"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Su rol no tiene acceso a este recurso."}
    case.refresh_from_db()
    assert case.assigned_to == tech


def test_core09_reassign_to_non_technologist_400(asignador, home_office, tech, case):
    """CORE-09: the new assignee must be a technologist."""
    orientador = staff(Role.ORIENTADOR, home_office, "orientador.protocolo")

    response = token_client(asignador).post(
        api_url(case, "reassign"), {"to_user": orientador.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"to_user": ["Ese tecnólogo no está disponible para reasignar."]}
    case.refresh_from_db()
    assert case.assigned_to == tech


def test_core09_asignador_of_another_unit_gets_404(other_tech, case):
    """NFR-02: an asignador of the other unit does not see the case at all."""
    regional = staff(Role.ASIGNADOR, OfficeFactory(unit=Unit.REGIONAL), "asignador.regional")

    response = token_client(regional).post(
        api_url(case, "reassign"), {"to_user": other_tech.pk}, format="json"
    )

    assert response.status_code == 404
