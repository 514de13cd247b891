"""The office print queue, core's (WA-04, CEL-04, AL-04, BAL-04): model, services, API.

The assigned technologist sends a final document of any case (not only WhatsApp intakes) to a
printer of the case's supported office; the office (orientador, encargado) prints, verifies with
signatures / fingerprints, uploads the signed scan to the case evidence and hands it over, in
that order, each step in the history. An office with no active printer is refused in Spanish.
The old desborde paths answer the same payloads for one release (NFR-04).
"""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from core.exceptions import ProtocolConflict
from core.models import (
    CaseKind,
    CaseStatus,
    Evidence,
    EvidenceKind,
    Printer,
    PrintJob,
    PrintStep,
)
from core.roles import Role
from core.services.printing import print_job_scan, print_job_send, print_job_update
from tests.factories import TINY_PNG, OfficeFactory, make_case
from tests.helpers import make_user, office_printer, token_client

pytestmark = pytest.mark.django_db

PRINT_JOBS = "/api/v1/print-jobs/"
OLD_BASE = "/api/v1/desborde"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 413
NO_PRINTER = (
    "{office} no tiene una impresora activa: pida al encargado de la oficina o al gestor que la "
    "registre antes de enviar documentos a imprimir."
)
LIST_QUERIES = 4  # token (with the user), roles, count, the page (with its joins)


def pdf(name="constancia.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="firmado.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PNG, content_type="image/png")


def send_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/print-jobs/"


@pytest.fixture
def tech_office(office):
    """The technologist supports ``office`` remotely from another office of the unit."""
    return OfficeFactory(unit=office.unit, zone="Norte")


@pytest.fixture
def tech(tech_office):
    return make_user(Role.TECNOLOGO, tech_office, username="tecnologa.remota", first_name="Beatriz")


@pytest.fixture
def orientador(users):
    return users[Role.ORIENTADOR]


@pytest.fixture
def encargado(users):
    return users[Role.ENCARGADO]


def supported_case(office, tech_office, tech, *, channel="desborde-celular", **kwargs):
    """A case of ``office``'s customer attended remotely by ``tech`` (CEL-04: pedido → canal
    "desborde celular", oficina de atención = the supported office); no overflow intake."""
    kwargs.setdefault("kind", CaseKind.PEDIDO)
    return make_case(
        channel=channel,
        office=tech_office,
        supported_office=office,
        assigned_to=tech,
        status=CaseStatus.EN_ATENCION,
        **kwargs,
    )


@pytest.fixture
def cel_case(office, tech_office, tech):
    return supported_case(office, tech_office, tech)


@pytest.fixture
def job(cel_case, tech, printer):
    return print_job_send(case=cel_case, by=tech, title="Constancia de atención", upload=pdf())


# --- model -----------------------------------------------------------------------------------


def test_wa04_steps_are_choices_with_the_history_labels():
    assert PrintStep.values == ["impreso", "verificado", "entregado"]
    assert [step.label for step in PrintStep] == [
        "documento impreso",
        "verificado que corresponde al caso",
        "documentos entregados al cliente",
    ]


def test_wa04_last_step_follows_the_marks(job, orientador):
    assert job.last_step == ""
    job = print_job_update(job=job, by=orientador, step="impreso")
    assert job.last_step == PrintStep.IMPRESO
    job = print_job_update(job=job, by=orientador, step="verificado")
    assert job.last_step == PrintStep.VERIFICADO
    job = print_job_update(job=job, by=orientador, step="entregado")
    assert job.last_step == PrintStep.ENTREGADO


# --- services --------------------------------------------------------------------------------


def test_wa04_cel04_steps_in_order_with_history_and_scan_in_evidence(
    orientador, office, printer, tech, cel_case
):
    """WA-04 / CEL-04: the document goes to the supported office's printer; the orientador
    prints, verifies (signatures, fingerprints), uploads the scan to the case evidence and hands
    it over, in that order, each step in the job's and the case's history."""
    job = print_job_send(case=cel_case, by=tech, title="Constancia de atención", upload=pdf())
    assert (job.office, job.printer) == (office, printer)
    assert job.document.kind == EvidenceKind.CONSTANCIA
    assert job.document.case == cel_case

    with pytest.raises(ProtocolConflict):
        print_job_update(job=job, by=orientador, step="verificado")
    with pytest.raises(ProtocolConflict):
        print_job_update(job=job, by=orientador, step="entregado")
    with pytest.raises(ProtocolConflict):
        print_job_scan(job=job, by=orientador, upload=png())
    with pytest.raises(ValidationError):
        print_job_update(job=job, by=orientador, step="archivado")

    print_job_update(job=job, by=orientador, step=PrintStep.IMPRESO)
    job = print_job_update(
        job=job, by=orientador, step="verificado", signatures=True, fingerprints=True
    )
    scan = print_job_scan(job=job, by=orientador, upload=png())
    job = print_job_update(job=job, by=orientador, step="entregado")

    job.refresh_from_db()
    assert job.printed_at is not None and job.handed_at is not None
    assert (job.belongs_confirmed, job.signatures_taken, job.fingerprints_taken) == (
        True,
        True,
        True,
    )
    assert (scan.kind, scan.case_id, scan.uploaded_by) == (
        EvidenceKind.SIGNED_SCAN,
        cel_case.pk,
        orientador,
    )
    history = job.history.order_by("history_date", "history_id")
    assert list(history.values_list("history_change_reason", "history_user")) == [
        ("enviado a la cola de impresión de la oficina", tech.pk),
        ("documento impreso", orientador.pk),
        ("verificado que corresponde al caso", orientador.pk),
        ("documentos entregados al cliente", orientador.pk),
    ]
    assert {
        "Constancia de atención: documento impreso",
        "Constancia de atención: verificado que corresponde al caso",
        "Constancia de atención: documentos entregados al cliente",
    } <= set(cel_case.history.values_list("history_change_reason", flat=True))


def test_wa04_only_the_assigned_technologist_sends_to_print(users, cel_case, printer):
    """WA-04: another technologist cannot use the office printer for this case; nothing is
    written, not even the file."""
    with pytest.raises(ProtocolConflict, match="Solo el tecnólogo asignado"):
        print_job_send(case=cel_case, by=users[Role.TECNOLOGO], title="Factura", upload=pdf())

    assert not PrintJob.objects.exists()
    assert not Evidence.objects.exists()


def test_wa04_no_step_after_the_documents_were_handed(job, orientador):
    """WA-04: once handed to the customer, a print job cannot be verified again (which would
    reset the signature and fingerprint marks)."""
    print_job_update(job=job, by=orientador, step="impreso")
    print_job_update(job=job, by=orientador, step="verificado", signatures=True)
    print_job_update(job=job, by=orientador, step="entregado")

    with pytest.raises(ProtocolConflict, match="ya se entregaron"):
        print_job_update(job=job, by=orientador, step="verificado")

    job.refresh_from_db()
    assert job.signatures_taken is True
    assert job.history.filter(history_change_reason__startswith="verificado").count() == 1


@pytest.mark.parametrize(
    "channel",
    [
        pytest.param("desborde-celular", id="CEL-04"),
        pytest.param("asesor-en-linea", id="AL-04"),
        pytest.param("balanceo-automatico", id="BAL-04"),
    ],
)
def test_cel04_al04_bal04_any_case_prints_at_its_supported_office(
    channel, office, tech_office, tech, printer
):
    """CEL-04 / AL-04 / BAL-04: a case that is no WhatsApp intake prints at the office it is
    supported in, on the office's first active printer (by name)."""
    office_printer(office, "Z impresora del segundo piso")
    Printer.objects.create(office=office, name="A impresora dañada", active=False)
    case = supported_case(office, tech_office, tech, channel=channel)

    job = print_job_send(case=case, by=tech, title="Factura", upload=png("factura.png"))

    assert (job.office, job.printer) == (office, printer)
    assert job.document.kind == EvidenceKind.OTHER


def test_cel04_the_technologist_may_choose_the_printer_or_the_office(
    office, tech_office, tech, cel_case, printer
):
    """CEL-04: a chosen printer must be an active one of the office; a chosen office gets its
    first active printer."""
    second = office_printer(office, "Z impresora del segundo piso")
    job = print_job_send(case=cel_case, by=tech, title="Factura", upload=pdf(), printer=second)
    assert (job.office, job.printer) == (office, second)

    other_printer = office_printer(tech_office, "Impresora Norte")
    job = print_job_send(case=cel_case, by=tech, title="Factura", upload=pdf(), office=tech_office)
    assert (job.office, job.printer) == (tech_office, other_printer)
    job = print_job_send(
        case=cel_case, by=tech, title="Factura", upload=pdf(), printer=other_printer
    )
    assert (job.office, job.printer) == (tech_office, other_printer)

    second.active = False
    second.save(update_fields=["active"])
    for chosen, where in ((other_printer, office), (second, office)):
        with pytest.raises(ValidationError) as refused:
            print_job_send(
                case=cel_case, by=tech, title="Factura", upload=pdf(), office=where, printer=chosen
            )
        assert refused.value.message_dict == {
            "printer": [f"La impresora no es una impresora activa de {office.name}."]
        }
    assert PrintJob.objects.count() == 3


def test_wa04_office_without_active_printer_refused_nothing_written(
    office, tech_office, tech, cel_case
):
    """WA-04: without an active printer the document would wait where nobody prints it: refused
    in Spanish before the file is stored."""
    Printer.objects.create(office=office, name="Impresora dañada", active=False)

    with pytest.raises(ValidationError) as refused:
        print_job_send(case=cel_case, by=tech, title="Factura", upload=pdf())

    assert refused.value.message_dict == {"printer": [NO_PRINTER.format(office=office.name)]}
    assert not PrintJob.objects.exists()
    assert not Evidence.objects.exists()


def test_cel04_case_without_supported_office_needs_an_office(tech_office, tech):
    case = make_case(
        kind=CaseKind.PEDIDO,
        channel="contact-center",
        assigned_to=tech,
        status=CaseStatus.EN_ATENCION,
    )

    with pytest.raises(ValidationError) as refused:
        print_job_send(case=case, by=tech, title="Factura", upload=pdf())

    assert refused.value.message_dict == {
        "office": ["El caso no tiene oficina a la que se apoya: indique la oficina."]
    }
    assert not Evidence.objects.exists()


# --- API: /api/v1/cases/{id}/print-jobs/ and /api/v1/print-jobs/ ------------------------------

# fmt: off
#: (method, endpoint) → roles that get through; the others get 403, anonymous 401 (NFR-02).
ALLOWED = {
    ("post", "send"):  {Role.TECNOLOGO},
    ("get", "list"):   {Role.ORIENTADOR, Role.ENCARGADO, Role.TECNOLOGO},
    ("get", "detail"): {Role.ORIENTADOR, Role.ENCARGADO, Role.TECNOLOGO},
    ("post", "steps"): {Role.ORIENTADOR, Role.ENCARGADO},
    ("post", "scans"): {Role.ORIENTADOR, Role.ENCARGADO},
}
# fmt: on


@pytest.mark.parametrize("role", [None, *Role])
def test_nfr02_every_print_endpoint_checks_the_role(role, users, job):
    """NFR-02: each role × each print queue endpoint: allowed roles get through, the others get
    403 (anonymous 401); empty bodies write nothing."""
    urls = {
        "send": send_url(job.case),
        "list": PRINT_JOBS,
        "detail": f"{PRINT_JOBS}{job.pk}/",
        "steps": f"{PRINT_JOBS}{job.pk}/steps/",
        "scans": f"{PRINT_JOBS}{job.pk}/scans/",
    }
    client = token_client(users[role]) if role else APIClient()
    refusal = 401 if role is None else 403
    for (method, name), allowed in ALLOWED.items():
        response = getattr(client, method)(urls[name], {}, format="json")
        if role in allowed:
            assert response.status_code != refusal, (method, name)
        else:
            assert response.status_code == refusal, (method, name, response.content)
    assert PrintJob.objects.count() == 1
    job.refresh_from_db()
    assert job.printed_at is None


@pytest.mark.parametrize(
    "channel",
    [pytest.param("desborde-celular", id="CEL-04"), pytest.param("asesor-en-linea", id="AL-04")],
)
def test_cel04_api_prints_a_case_that_is_no_whatsapp_intake(
    channel, office, tech_office, tech, printer
):
    """CEL-04 / AL-04: any case the technologist is assigned can be sent (201): it lands in the
    supported office's queue with the case's customer."""
    case = supported_case(office, tech_office, tech, channel=channel)

    sent = token_client(tech).post(
        send_url(case), {"title": "Constancia de atención", "file": pdf()}, format="multipart"
    )

    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert (body["office"], body["office_name"]) == (office.pk, office.name)
    assert (body["printer"], body["printer_name"]) == (printer.pk, printer.name)
    assert (body["case_id"], body["case_number"]) == (case.pk, case.number)
    assert body["customer_name"] == case.customer.full_name
    assert body["document_url"] == f"/evidencias/{body['document']}/descargar/"
    assert body["sent_by"] == str(tech)
    assert PrintJob.objects.get().case == case


def test_wa04_api_office_without_active_printer_400_in_spanish(office, tech, cel_case):
    """WA-04: an office with no active printer gets a Spanish 400 on the printer; nothing is
    written."""
    Printer.objects.create(office=office, name="Impresora dañada", active=False)

    response = token_client(tech).post(
        send_url(cel_case), {"title": "Factura", "file": pdf()}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {"printer": [NO_PRINTER.format(office=office.name)]}
    assert not PrintJob.objects.exists()
    assert not Evidence.objects.exists()


def test_cel04_api_chosen_printer_of_another_office_400(tech_office, tech, cel_case, printer):
    elsewhere = office_printer(OfficeFactory(), "Impresora ajena")

    response = token_client(tech).post(
        send_url(cel_case),
        {
            "title": "Factura",
            "file": pdf(),
            "office": cel_case.supported_office_id,
            "printer": elsewhere.pk,
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {
        "printer": [f"La impresora no es una impresora activa de {printer.office.name}."]
    }
    missing = token_client(tech).post(
        send_url(cel_case), {"title": "Factura", "file": pdf(), "printer": 0}, format="multipart"
    )
    assert missing.json() == {"printer": ["La impresora no existe."]}
    assert not PrintJob.objects.exists()


def test_wa04_print_queue_steps_scan_and_handover(orientador, office, tech, cel_case, printer):
    """WA-04: the technologist sends the document (201); the orientador sees it in the queue,
    prints, verifies with signatures and fingerprints, uploads the scan (documento firmado in
    the case evidence) and hands it over; a step out of order is 409."""
    sent = token_client(tech).post(
        send_url(cel_case), {"title": "Constancia de atención", "file": pdf()}, format="multipart"
    )
    assert sent.status_code == 201, sent.content
    job_id = sent.json()["id"]

    client = token_client(orientador)
    queue = client.get(PRINT_JOBS).json()["results"]
    assert [(row["id"], row["title"]) for row in queue] == [(job_id, "Constancia de atención")]
    steps = f"{PRINT_JOBS}{job_id}/steps/"

    early = client.post(steps, {"step": "entregado"}, format="json")
    assert early.status_code == 409
    assert early.json() == {"detail": "Verifique primero que el documento corresponde al caso."}
    assert client.post(steps, {"step": "verificado"}, format="json").json() == {
        "detail": "Primero imprima el documento."
    }
    assert client.post(steps, {"step": "archivado"}, format="json").json() == {
        "step": ["Paso no válido."]
    }
    early_scan = client.post(f"{PRINT_JOBS}{job_id}/scans/", {"file": png()}, format="multipart")
    assert early_scan.status_code == 409

    printed = client.post(steps, {"step": "impreso"}, format="json")
    assert printed.status_code == 200
    assert printed.json()["printed_at"] is not None
    verified = client.post(
        steps, {"step": "verificado", "signatures": True, "fingerprints": True}, format="json"
    )
    assert verified.status_code == 200
    assert (
        verified.json()["belongs_confirmed"],
        verified.json()["signatures_taken"],
        verified.json()["fingerprints_taken"],
    ) == (True, True, True)

    scan = client.post(f"{PRINT_JOBS}{job_id}/scans/", {"file": png()}, format="multipart")
    assert scan.status_code == 201, scan.content
    assert scan.json()["kind"] == EvidenceKind.SIGNED_SCAN
    assert cel_case.evidence.filter(
        kind=EvidenceKind.SIGNED_SCAN, original_name="firmado.png", uploaded_by=orientador
    ).exists()

    handed = client.post(steps, {"step": "entregado"}, format="json")
    assert handed.status_code == 200
    assert handed.json()["handed_at"] is not None
    assert client.get(PRINT_JOBS).json()["results"] == []
    with_handed = client.get(PRINT_JOBS, {"include_handed": "1"}).json()["results"]
    assert [row["id"] for row in with_handed] == [job_id]


def test_wa04_encargado_works_the_office_queue(encargado, job):
    """WA-04 / CEL-04: in an office the encargado may print and verify too (offices without
    orientador); each step is recorded as theirs."""
    client = token_client(encargado)

    assert [row["id"] for row in client.get(PRINT_JOBS).json()["results"]] == [job.pk]
    printed = client.post(f"{PRINT_JOBS}{job.pk}/steps/", {"step": "impreso"}, format="json")

    assert printed.status_code == 200
    assert job.history.latest().history_user == encargado


def test_wa04_bad_scan_400(orientador, job):
    print_job_update(job=job, by=orientador, step="impreso")
    print_job_update(job=job, by=orientador, step="verificado")

    response = token_client(orientador).post(
        f"{PRINT_JOBS}{job.pk}/scans/",
        {"file": SimpleUploadedFile("firmado.exe", b"MZ", content_type="application/x-dosexec")},
        format="multipart",
    )

    assert response.status_code == 400
    assert "Tipo de archivo no permitido" in response.json()["file"][0]
    assert not Evidence.objects.filter(kind=EvidenceKind.SIGNED_SCAN).exists()


def test_nfr02_other_office_orientador_404_on_print_jobs(office, job):
    """NFR-02: the print queue of another office is invisible: not listed, 404 on the job, its
    steps and scans."""
    client = token_client(
        make_user(Role.ORIENTADOR, OfficeFactory(unit=office.unit), username="orientador.otra")
    )

    assert client.get(PRINT_JOBS).json()["results"] == []
    assert client.get(f"{PRINT_JOBS}{job.pk}/").status_code == 404
    step = client.post(f"{PRINT_JOBS}{job.pk}/steps/", {"step": "impreso"}, format="json")
    scan = client.post(f"{PRINT_JOBS}{job.pk}/scans/", {"file": png()}, format="multipart")

    assert (step.status_code, scan.status_code) == (404, 404)
    assert step.json() == {"detail": "Documento no encontrado."}
    job.refresh_from_db()
    assert job.printed_at is None


def test_wa04_technologist_follows_own_print_jobs(tech, users, job):
    """WA-04: the technologist sees the documents of their cases, another technologist not."""
    mine = token_client(tech).get(PRINT_JOBS).json()["results"]
    theirs = token_client(users[Role.TECNOLOGO]).get(PRINT_JOBS).json()["results"]

    assert [row["id"] for row in mine] == [job.pk]
    assert theirs == []


def test_nfr02_case_not_visible_to_technologist_404(users, cel_case, printer):
    """NFR-02: a technologist the case is not assigned to gets 404 (not 403, not 409)."""
    response = token_client(users[Role.TECNOLOGO]).post(
        send_url(cel_case), {"title": "Factura", "file": pdf()}, format="multipart"
    )

    assert response.status_code == 404
    assert not PrintJob.objects.exists()


def test_wa04_print_job_needs_a_valid_file(tech, cel_case, printer):
    response = token_client(tech).post(
        send_url(cel_case),
        {"title": "Factura", "file": SimpleUploadedFile("factura.pdf", MP3)},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {
        "file": ["El contenido del archivo no corresponde a un archivo .pdf."]
    }
    assert not PrintJob.objects.exists()


def test_nfr02_print_queue_list_queries_do_not_grow_with_rows(
    orientador, office, tech_office, tech, printer, django_assert_max_num_queries
):
    """NFR-02: the office queue (office, printer, case, customer, sender in one query) does not
    query per row."""
    client = token_client(orientador)

    def add_jobs(count):
        for _ in range(count):
            case = supported_case(office, tech_office, tech)
            print_job_send(case=case, by=tech, title="Factura", upload=pdf())

    add_jobs(2)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(PRINT_JOBS).json()["results"]) == 2
    add_jobs(8)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(PRINT_JOBS).json()["results"]) == 10


def test_cel04_document_sent_to_another_office_opens_there(client, office, tech, cel_case):
    """CEL-04: a document sent to an office that is not the case's opens for that office's
    orientador (to print it), and still not for an orientador of a third office."""
    elsewhere = OfficeFactory(unit=office.unit)
    office_printer(elsewhere)
    job = print_job_send(case=cel_case, by=tech, title="Factura", upload=pdf(), office=elsewhere)
    download = f"/evidencias/{job.document_id}/descargar/?ver=1"

    client.force_login(make_user(Role.ORIENTADOR, elsewhere, username="orientador.destino"))
    assert client.get(download).status_code == 200
    client.force_login(make_user(Role.ORIENTADOR, OfficeFactory(), username="orientador.tercera"))
    assert client.get(download).status_code == 404


# --- the old desborde paths, kept for one release (NFR-04) -----------------------------------


def test_nfr04_old_desborde_paths_answer_the_same_payload(orientador, tech, cel_case, printer):
    """NFR-04: /api/v1/desborde/cases/{id}/print-jobs/ and /api/v1/desborde/print-jobs/… are
    core's views under their old paths: the same payloads and statuses as the new ones."""
    tech_client, office_client = token_client(tech), token_client(orientador)

    sent = tech_client.post(
        f"{OLD_BASE}/cases/{cel_case.pk}/print-jobs/",
        {"title": "Constancia de atención", "file": pdf()},
        format="multipart",
    )
    assert sent.status_code == 201, sent.content
    job_id = sent.json()["id"]
    new_detail = office_client.get(f"{PRINT_JOBS}{job_id}/")
    assert sent.json() == new_detail.json()
    assert office_client.get(f"{OLD_BASE}/print-jobs/").json() == (
        office_client.get(PRINT_JOBS).json()
    )

    old_step = f"{OLD_BASE}/print-jobs/{job_id}/steps/"
    early = office_client.post(old_step, {"step": "entregado"}, format="json")
    assert (early.status_code, early.json()) == (
        409,
        {"detail": "Verifique primero que el documento corresponde al caso."},
    )
    printed = office_client.post(old_step, {"step": "impreso"}, format="json")
    assert printed.status_code == 200
    assert printed.json() == office_client.get(f"{PRINT_JOBS}{job_id}/").json()
    office_client.post(old_step, {"step": "verificado", "signatures": True}, format="json")
    scan = office_client.post(
        f"{OLD_BASE}/print-jobs/{job_id}/scans/", {"file": png()}, format="multipart"
    )
    assert scan.status_code == 201
    assert set(scan.json()) >= {"id", "kind", "original_name", "sha256", "uploaded_by"}


def test_nfr04_schema_has_the_new_paths_and_marks_the_old_ones_deprecated(api):
    paths = json.loads(api.get("/api/schema/", {"format": "json"}).content)["paths"]

    new = {
        "/api/v1/cases/{case_id}/print-jobs/": "post",
        "/api/v1/print-jobs/": "get",
        "/api/v1/print-jobs/{id}/": "get",
        "/api/v1/print-jobs/{id}/steps/": "post",
        "/api/v1/print-jobs/{id}/scans/": "post",
    }
    for path, method in new.items():
        assert path in paths, path
        assert not paths[path][method].get("deprecated"), path
        old = path.replace("/api/v1/", "/api/v1/desborde/")
        assert paths[old][method].get("deprecated") is True, old
    send = paths["/api/v1/cases/{case_id}/print-jobs/"]["post"]
    assert {"201", "400", "409"} <= set(send["responses"])
    assert set(send["requestBody"]["content"]) == {"multipart/form-data"}
