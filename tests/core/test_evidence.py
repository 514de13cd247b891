"""CORE-08: evidence (expediente del cliente) uploaded through the case page and downloaded.

Upload: POST /casos/<id>/evidencias/ (multipart: kind, file). Download:
/evidencias/<id>/descargar/, only for staff who may see the case (NFR-02).
"""

import hashlib
import struct
import zlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Evidence, EvidenceKind
from core.roles import Role
from core.services.evidence import evidence_attach
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db

NOT_ALLOWED = (
    "Tipo de archivo no permitido. Se aceptan: audio (mp3, wav, ogg, m4a), imagen (jpg, png) o PDF."
)


def png_bytes() -> bytes:
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def stored_files(media_root) -> list[Path]:
    root = Path(media_root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def technologist(username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=Role.TECNOLOGO))
    return user


@pytest.fixture
def case(tecnologo):
    return make_case(assigned_to=tecnologo)


def upload(client, case, name: str, content: bytes, kind=EvidenceKind.INVOICE_PHOTO):
    return client.post(
        reverse("core:evidence_upload", args=[case.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_core08_valid_png_is_stored_with_checksum_uploader_and_kind(
    client, tecnologo, case, settings
):
    """CORE-08: a PNG uploaded by the assigned technologist lands in the customer's expediente,
    with SHA-256, uploader, type and time, and is listed on the case page."""
    data = png_bytes()
    client.force_login(tecnologo)

    response = upload(client, case, "factura.png", data)

    assert response.status_code == 302
    assert response["Location"] == reverse("core:case_detail", args=[case.pk])
    evidence = Evidence.objects.get()
    assert evidence.case == case
    assert evidence.customer == case.customer
    assert evidence.kind == EvidenceKind.INVOICE_PHOTO
    assert evidence.uploaded_by == tecnologo
    assert evidence.uploaded_at is not None
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.size == len(data)
    assert evidence.content_type == "image/png"
    assert evidence.original_name == "factura.png"
    files = stored_files(settings.MEDIA_ROOT)
    assert len(files) == 1
    assert files[0].read_bytes() == data
    assert evidence.history.get().history_change_reason == (
        "evidencia cargada: foto de la factura o cupón"
    )

    page = client.get(reverse("core:case_detail", args=[case.pk]))

    content = page.content.decode()
    assert "Evidencia cargada en el expediente." in content
    assert "factura.png" in content
    assert "foto de la factura o cupón" in content
    assert reverse("core:evidence_download", args=[evidence.pk]) in content
    assert "Sin evidencias." not in content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("instalador.exe", b"MZ\x90\x00" + b"\x00" * 60, NOT_ALLOWED),
        ("sin_extension", png_bytes(), NOT_ALLOWED),
        (
            "factura.png",
            b"MZ\x90\x00 esto no es una imagen",
            "El contenido del archivo no corresponde a un archivo .png.",
        ),
        (
            "grabacion.pdf",
            png_bytes(),
            "El contenido del archivo no corresponde a un archivo .pdf.",
        ),
    ],
    ids=["exe", "no-extension", "png-not-png", "pdf-not-pdf"],
)
def test_core08_wrong_type_refused_in_spanish_and_nothing_stored(
    client, tecnologo, case, settings, name, content, message
):
    """CORE-08 / NFR-03: a file whose extension or content is not accepted is refused with a
    Spanish message; no Evidence row and no file in MEDIA_ROOT."""
    client.force_login(tecnologo)

    response = upload(client, case, name, content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_core08_oversized_file_refused_and_nothing_stored(client, tecnologo, case, settings):
    """CORE-08 / NFR-03: a file above EVIDENCE_MAX_BYTES is refused; nothing is stored."""
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    data = png_bytes()
    data += b"\x00" * (settings.EVIDENCE_MAX_BYTES + 1 - len(data))
    client.force_login(tecnologo)

    response = upload(client, case, "escaneo.png", data)

    assert response.status_code == 400
    assert "El archivo supera el tamaño máximo de 1 MB." in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_core08_file_exactly_at_the_limit_is_accepted(client, tecnologo, case, settings):
    """CORE-08: the limit itself is allowed (only larger files are refused)."""
    settings.EVIDENCE_MAX_BYTES = 1024
    data = png_bytes()
    data += b"\x00" * (settings.EVIDENCE_MAX_BYTES - len(data))
    client.force_login(tecnologo)

    response = upload(client, case, "escaneo.png", data)

    assert response.status_code == 302
    assert Evidence.objects.get().size == 1024


def test_core08_upload_refused_for_a_case_not_assigned_to_the_technologist(client, case, settings):
    """CORE-08 / NFR-02: another technologist cannot attach evidence to the case (404)."""
    client.force_login(technologist("otro_tecnologo"))

    response = upload(client, case, "factura.png", png_bytes())

    assert response.status_code == 404
    assert Evidence.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.fixture
def evidence(case, tecnologo):
    return evidence_attach(
        case=case,
        kind=EvidenceKind.CALL_RECORDING,
        upload=SimpleUploadedFile("llamada.png", png_bytes()),
        uploaded_by=tecnologo,
    )


def test_core08_assigned_technologist_downloads_the_bytes_as_attachment(
    client, tecnologo, evidence
):
    """CORE-08: the download returns the stored bytes as an attachment."""
    client.force_login(tecnologo)

    response = client.get(reverse("core:evidence_download", args=[evidence.pk]))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    response.close()
    assert body == png_bytes()
    assert hashlib.sha256(body).hexdigest() == evidence.sha256
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="llamada.png"' in response["Content-Disposition"]
    assert response["Content-Type"] == "image/png"


def test_core08_other_technologist_gets_404(client, evidence):
    """CORE-08 / NFR-02: a technologist not assigned to the case cannot download (404)."""
    client.force_login(technologist("otro_tecnologo"))

    response = client.get(reverse("core:evidence_download", args=[evidence.pk]))

    assert response.status_code == 404


def test_core08_anonymous_user_is_sent_to_login(client, evidence):
    """CORE-08: no download without logging in."""
    url = reverse("core:evidence_download", args=[evidence.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_core08_role_without_case_visibility_gets_403(client, users, evidence):
    """CORE-08 / NFR-02: the internal-client employee role has no access to case evidence."""
    client.force_login(users[Role.CLIENTE_INTERNO])

    download = client.get(reverse("core:evidence_download", args=[evidence.pk]))
    upload_response = upload(client, evidence.case, "otra.png", png_bytes())

    assert download.status_code == 403
    assert upload_response.status_code == 403
    assert Evidence.objects.count() == 1


def test_core08_pdf_opens_inline_for_printing_only_when_asked(client, settings):
    """CORE-08 / WA-04: ?ver=1 shows a PDF in the browser (to print it); by default and for
    audio it is always a download."""
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import CaseStatus, EvidenceKind
    from core.services.evidence import evidence_attach
    from tests.factories import UserFactory, make_case

    tech = UserFactory()
    tech.groups.add(Group.objects.get(name="tecnologo"))
    case = make_case(assigned_to=tech, status=CaseStatus.ASIGNADO)
    pdf = evidence_attach(
        case=case,
        kind=EvidenceKind.CONSTANCIA,
        upload=SimpleUploadedFile("constancia.pdf", b"%PDF-1.4\n%%EOF\n"),
        uploaded_by=tech,
    )
    audio = evidence_attach(
        case=case,
        kind=EvidenceKind.CALL_RECORDING,
        upload=SimpleUploadedFile("llamada.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00"),
        uploaded_by=tech,
    )
    client.force_login(tech)
    url = f"/evidencias/{pdf.pk}/descargar/"
    assert client.get(url)["Content-Disposition"].startswith("attachment")
    assert client.get(url + "?ver=1")["Content-Disposition"].startswith("inline")
    audio_url = f"/evidencias/{audio.pk}/descargar/?ver=1"
    assert client.get(audio_url)["Content-Disposition"].startswith("attachment")


# --- who may attach what, and when (security finding 6) -------------------------------------

MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 32


def api_upload(user, case, kind, name="llamada.mp3", content=MP3):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        f"/api/v1/cases/{case.pk}/evidence/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


@pytest.fixture
def office_case(users, office):
    from core.models import CaseStatus

    return make_case(
        office=office,
        supported_office=office,
        assigned_to=users[Role.TECNOLOGO],
        status=CaseStatus.ASIGNADO,
    )


@pytest.mark.parametrize(
    "kind", [EvidenceKind.CALL_RECORDING, EvidenceKind.INVOICE_PHOTO, EvidenceKind.OTHER]
)
def test_core08_closed_case_refuses_evidence_409(users, office_case, kind):
    """CORE-08: after closing, the expediente takes no more evidence (409, Spanish), whoever
    sends it; nothing is stored."""
    from core.models import CaseStatus

    office_case.status = CaseStatus.CERRADO_PRIMER_CONTACTO
    office_case.save(update_fields=["status"])
    content = png_bytes() if kind == EvidenceKind.INVOICE_PHOTO else MP3
    name = "foto.png" if kind == EvidenceKind.INVOICE_PHOTO else "llamada.mp3"
    for role in (Role.ORIENTADOR, Role.TECNOLOGO):
        response = api_upload(users[role], office_case, kind, name=name, content=content)
        assert response.status_code == 409
        assert response.json()["detail"].startswith(
            "El caso está cerrado con solución en primer contacto: solo se agregan documentos"
        )
    assert not office_case.evidence.exists()


def test_wa04_signed_scan_still_accepted_after_closing(users, office_case):
    """WA-04 / CEL-04: the scans of the documents signed at the office come after closing."""
    from core.models import CaseStatus

    office_case.status = CaseStatus.CERRADO_PRIMER_CONTACTO
    office_case.save(update_fields=["status"])
    response = api_upload(
        users[Role.ORIENTADOR],
        office_case,
        EvidenceKind.SIGNED_SCAN,
        name="firmado.png",
        content=png_bytes(),
    )
    assert response.status_code == 201, response.content
    assert office_case.evidence.get().kind == EvidenceKind.SIGNED_SCAN


@pytest.mark.parametrize("role", [Role.ORIENTADOR, Role.CREADOR])
def test_core08_only_the_assigned_technologist_attaches_the_call_recording(
    users, office_case, role
):
    """CORE-08 / CORE-07: the call recording that closing requires comes only from the
    technologist assigned to the case (409 for anyone else); the assignee's is stored."""
    office_case.created_by = users[Role.CREADOR]
    office_case.save(update_fields=["created_by"])
    refused = api_upload(users[role], office_case, EvidenceKind.CALL_RECORDING)
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "Solo el tecnólogo asignado carga las grabaciones de sus llamadas."
    }
    assert not office_case.evidence.exists()

    accepted = api_upload(users[Role.TECNOLOGO], office_case, EvidenceKind.CALL_RECORDING)
    assert accepted.status_code == 201
    assert office_case.evidence.get().uploaded_by == users[Role.TECNOLOGO]
