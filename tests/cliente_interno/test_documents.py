"""CI-05: documents travel both ways inside the appointment. Either party (the employee, the
technologist) sends one through ``/api/v1/cliente-interno/bookings/{id}/documents/``; both
lists show both; it is the case's evidence (core's type and size checks: a refused file leaves
nothing); the download page streams it to the two parties only. Anyone else — another employee,
another technologist — gets 404 on the list, the upload and the download (NFR-02)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cliente_interno.selectors import booking_for_party
from cliente_interno.services.attention import NO_CASE_YET, booking_call
from core.live.groups import user_group
from core.models import Evidence, EvidenceKind
from core.roles import Role
from tests.cliente_interno.helpers import check_in
from tests.factories.core import TINY_PNG
from tests.helpers import PDF, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(reserved_booking):
    found = reserved_booking(timezone.now().replace(second=0, microsecond=0))
    return booking_for_party(user=found.employee, pk=found.pk)


@pytest.fixture
def in_attention(booking, ci_tech):
    """The technologist called the turn: the case exists, the room is open."""
    booking_call(booking=check_in(booking), by=ci_tech)
    return booking_for_party(user=ci_tech, pk=booking.pk)


@pytest.fixture
def other_tech(office):
    return make_user(Role.TECNOLOGO, office, username="tec-ci-otro")


def docs_url(booking) -> str:
    return f"/api/v1/cliente-interno/bookings/{booking.pk}/documents/"


def pdf(name="factura.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="medidor.png"):
    return SimpleUploadedFile(name, TINY_PNG, content_type="image/png")


def send(client, booking, upload):
    return client.post(docs_url(booking), {"file": upload}, format="multipart")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_ci05_documents_travel_both_ways_and_both_parties_see_them(
    in_attention, api_as, ci_tech, employee
):
    """The employee sends a PDF, the technologist an image: each list (from either side) has
    both, oldest first, saying who sent each; both are the case's evidence."""
    employee_api, tech_api = api_as(employee), api_as(ci_tech)

    first = send(employee_api, in_attention, pdf())
    second = send(tech_api, in_attention, png())

    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    sent = first.json()
    evidence = Evidence.objects.get(pk=sent["id"])
    assert sent == {
        "id": evidence.pk,
        "name": "factura.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
        "uploaded_by": "funcionario",
        "uploaded_at": sent["uploaded_at"],
        "url": f"/cliente-interno/citas/{in_attention.pk}/documentos/{evidence.token}/",
    }
    assert second.json()["uploaded_by"] == "tecnólogo"
    for client in (employee_api, tech_api):
        listed = client.get(docs_url(in_attention))
        assert listed.status_code == 200
        assert [(d["name"], d["uploaded_by"]) for d in listed.json()] == [
            ("factura.pdf", "funcionario"),
            ("medidor.png", "tecnólogo"),
        ]
    case = in_attention.appointment.case
    assert set(Evidence.objects.filter(case=case).values_list("kind", flat=True)) == {
        EvidenceKind.OTHER
    }
    assert Evidence.objects.filter(case=case, uploaded_by=employee).count() == 1


def test_ci05_both_parties_are_told_to_refresh(
    in_attention, api_as, employee, ci_tech, monkeypatch, django_capture_on_commit_callbacks
):
    """A document sent: "ci.documents" to both parties' pages, so both lists refresh."""
    sent = []
    monkeypatch.setattr(
        "core.live.publish._send", lambda groups, payload: sent.append((set(groups), payload))
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert send(api_as(employee), in_attention, pdf()).status_code == 201

    assert sent == [
        (
            {user_group(employee.pk), user_group(ci_tech.pk)},
            {"type": "ci.documents", "booking": in_attention.pk},
        )
    ]


def test_ci05_download_streams_the_file_to_either_party(in_attention, client, employee, ci_tech):
    url = send_and_url(in_attention, employee)
    for user in (employee, ci_tech):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="factura.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF


def send_and_url(booking, user) -> str:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    response = send(client, booking, pdf())
    assert response.status_code == 201, response.content
    return response.json()["url"]


@pytest.mark.parametrize("who", ["other_employee", "other_tech"])
def test_nfr02_ci05_documents_are_404_for_anyone_else(
    who, in_attention, api_as, client, employee, other_employee, other_tech, settings
):
    """Another employee, another technologist: the list, the upload and the download answer
    404 as for a missing booking; nothing is stored."""
    url = send_and_url(in_attention, employee)
    before = len(stored_files(settings))
    stranger = {"other_employee": other_employee, "other_tech": other_tech}[who]
    stranger_api = api_as(stranger)

    assert stranger_api.get(docs_url(in_attention)).status_code == 404
    assert send(stranger_api, in_attention, pdf("intruso.pdf")).status_code == 404
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert Evidence.objects.count() == 1
    assert len(stored_files(settings)) == before


def test_nfr02_ci05_documents_api_is_403_for_another_role(in_attention, api_as, users):
    assert api_as(users[Role.ORIENTADOR]).get(docs_url(in_attention)).status_code == 403


def test_ci05_a_refused_type_is_400_and_leaves_nothing(in_attention, api_as, employee, settings):
    """A .exe: core's Spanish message, no evidence row, no file in storage."""
    upload = SimpleUploadedFile("programa.exe", b"MZ\x90\x00" + b"\x00" * 60)

    response = send(api_as(employee), in_attention, upload)

    assert response.status_code == 400
    assert response.json() == {
        "file": [
            "Tipo de archivo no permitido. Se aceptan: audio (mp3, wav, ogg, m4a), imagen "
            "(jpg, png) o PDF."
        ]
    }
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_ci05_a_file_too_large_is_400(in_attention, api_as, ci_tech, settings):
    settings.EVIDENCE_MAX_BYTES = 20

    response = send(api_as(ci_tech), in_attention, pdf())

    assert response.status_code == 400
    assert response.json()["file"][0].startswith("El archivo supera el tamaño máximo de")
    assert not Evidence.objects.exists()


def test_ci05_no_documents_before_the_call(booking, api_as, employee):
    """Before the call there is no case: the list is empty and a document is refused (409)."""
    employee_api = api_as(employee)

    assert employee_api.get(docs_url(booking)).json() == []
    response = send(employee_api, booking, pdf())

    assert response.status_code == 409
    assert response.json() == {"detail": NO_CASE_YET}
    assert not Evidence.objects.exists()


def test_ci05_the_documents_block_works_from_the_booking_alone(in_attention, client, ci_tech):
    """The technologist's room includes the documents block: the API URL, the CSRF token, the
    upload form and its script (no inline script)."""
    client.force_login(ci_tech)

    page = client.get(f"/cliente-interno/tecnologo/citas/{in_attention.pk}/sala/")

    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-url="{docs_url(in_attention)}"' in html
    assert 'data-csrf="' in html
    assert 'id="ci-document-file"' in html
    assert "Enviar documento" in html
    assert "js/cliente-interno-documents.js" in html
