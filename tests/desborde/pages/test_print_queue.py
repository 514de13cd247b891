"""The office's print queue (2.2, WA-04): the orientador prints, verifies, scans and hands the
documents the technologist sent; NFR-02 scope (404 outside the office) and query counts.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import EvidenceKind, PrintJob
from core.services.printing import print_job_send
from desborde.models import IntakeMode
from tests.desborde.pages.helpers import assign, intake_for, send_pdf
from tests.factories import TINY_PNG
from tests.helpers import PDF

pytestmark = pytest.mark.django_db


def test_wa04_print_queue_steps(client, whatsapp_case, tech, orientador):
    """WA-04: the orientador prints, verifies (signatures / fingerprints), uploads the scan to
    the case's evidence and hands the document; steps out of order get Spanish messages."""
    client.force_login(tech)
    send_pdf(client, whatsapp_case)
    job = PrintJob.objects.get()

    client.force_login(orientador)
    queue = client.get("/desborde/impresion/")
    content = queue.content.decode()
    assert queue.status_code == 200
    assert "Constancia de atención" in content
    assert whatsapp_case.number in content
    assert "Jorge Iván Cano" in content
    download = f"/evidencias/{job.document_id}/descargar/?ver=1"  # opens in the browser
    assert f'href="{download}"' in content
    document = client.get(download)
    assert document.status_code == 200
    assert document["Content-Disposition"].startswith("inline")
    assert b"".join(document.streaming_content) == PDF

    handed_early = client.post(f"/desborde/impresion/{job.pk}/entregado/")
    assert handed_early.status_code == 409
    assert (
        "Verifique primero que el documento corresponde al caso." in handed_early.content.decode()
    )
    verified_early = client.post(f"/desborde/impresion/{job.pk}/verificado/")
    assert verified_early.status_code == 409
    assert "Primero imprima el documento." in verified_early.content.decode()
    scan_early = client.post(
        f"/desborde/impresion/{job.pk}/escaneo/",
        {"file": SimpleUploadedFile("firmado.png", TINY_PNG, content_type="image/png")},
    )
    assert scan_early.status_code == 409

    assert client.post(f"/desborde/impresion/{job.pk}/impreso/").status_code == 302
    response = client.post(
        f"/desborde/impresion/{job.pk}/verificado/", {"signatures": "on"}, follow=True
    )
    assert "verificado que corresponde al caso" in response.content.decode()
    job.refresh_from_db()
    assert job.printed_at and job.belongs_confirmed
    assert job.signatures_taken and not job.fingerprints_taken

    no_file = client.post(f"/desborde/impresion/{job.pk}/escaneo/")
    assert no_file.status_code == 400
    assert "Seleccione el documento escaneado." in no_file.content.decode()
    scan = client.post(
        f"/desborde/impresion/{job.pk}/escaneo/",
        {"file": SimpleUploadedFile("firmado.png", TINY_PNG, content_type="image/png")},
    )
    assert scan.status_code == 302
    assert whatsapp_case.evidence.filter(
        kind=EvidenceKind.SIGNED_SCAN, original_name="firmado.png"
    ).exists()
    assert "firmado.png" in client.get("/desborde/impresion/").content.decode()

    assert client.post(f"/desborde/impresion/{job.pk}/entregado/").status_code == 302
    job.refresh_from_db()
    assert job.handed_at is not None
    assert "print-queue-empty" in client.get("/desborde/impresion/").content.decode()
    assert client.post(f"/desborde/impresion/{job.pk}/otro-paso/").status_code == 404


def test_wa04_another_office_gets_404(client, whatsapp_case, tech, far_orientador):
    """WA-04, NFR-02: another office's orientador sees nothing of this queue: 404 on every
    step and on the document."""
    client.force_login(tech)
    send_pdf(client, whatsapp_case)
    job = PrintJob.objects.get()
    client.force_login(far_orientador)
    assert "data-job=" not in client.get("/desborde/impresion/").content.decode()
    for step in ("impreso", "verificado", "entregado"):
        assert client.post(f"/desborde/impresion/{job.pk}/{step}/").status_code == 404
    assert client.post(f"/desborde/impresion/{job.pk}/escaneo/").status_code == 404
    assert client.get(f"/evidencias/{job.document_id}/descargar/").status_code == 404
    job.refresh_from_db()
    assert job.printed_at is None


def test_nfr02_print_queue_queries_do_not_grow_with_rows(
    client, orientador, office, tech, django_assert_max_num_queries
):
    """WA-04, NFR-02: the print queue (with each case's scans) does not query per row."""

    def add_jobs(n0, n1):
        for n in range(n0, n1):
            case = assign(
                intake_for(
                    orientador, office, mode=IntakeMode.WHATSAPP, document_number=f"8{n:07d}"
                ).case,
                tech,
            )
            print_job_send(
                case=case,
                by=tech,
                title=f"Factura {n}",
                upload=SimpleUploadedFile("f.pdf", PDF, content_type="application/pdf"),
            )

    client.force_login(orientador)
    add_jobs(0, 3)
    with django_assert_max_num_queries(6):
        response = client.get("/desborde/impresion/")
    assert response.content.decode().count("data-job=") == 3
    add_jobs(3, 20)
    with django_assert_max_num_queries(6):
        response = client.get("/desborde/impresion/")
    assert response.content.decode().count("data-job=") == 20


def test_cel04_the_encargado_works_the_print_queue_of_an_office_without_orientador(client):
    """WA-04 / CEL-04: in an office without orientador the encargado prints, verifies, uploads
    the signed scan into the case's evidence and hands the document over."""
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    from core.roles import Role
    from tests.factories import OfficeFactory, make_case
    from tests.helpers import make_user, office_printer

    office = OfficeFactory(has_orientador=False, name="Oficina Bello")
    office_printer(office)
    encargado = make_user(Role.ENCARGADO, office)
    tech = make_user(Role.TECNOLOGO, office)
    case = make_case(supported_office=office, assigned_to=tech)
    job = print_job_send(
        case=case,
        by=tech,
        title="Constancia de atención",
        upload=Upload("constancia.pdf", PDF, content_type="application/pdf"),
    )
    client.force_login(encargado)

    assert case.number in client.get("/desborde/impresion/").content.decode()
    assert client.post(f"/desborde/impresion/{job.pk}/impreso/").status_code == 302
    assert client.post(f"/desborde/impresion/{job.pk}/verificado/").status_code == 302
    scan = Upload("firmado.png", TINY_PNG, content_type="image/png")
    assert client.post(f"/desborde/impresion/{job.pk}/escaneo/", {"file": scan}).status_code == 302
    assert client.post(f"/desborde/impresion/{job.pk}/entregado/").status_code == 302
    job.refresh_from_db()
    assert job.printed_at and job.belongs_confirmed and job.handed_at
    assert case.evidence.filter(kind=EvidenceKind.SIGNED_SCAN).count() == 1
