"""The creador's inbox API (2.7) under /api/v1/pqr-digital/interactions/: the contract of the
issue, Spanish 400 per field, 409 for the states and the redirects (nothing created), 404 for
another creador's interaction, roles."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.business_days import pqr_due_date
from core.models import Case, Customer, EvidenceKind, OutboundMessage
from core.roles import Role
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services import interactions as services
from tests.factories import TINY_PNG
from tests.helpers import make_user, token_client
from tests.pqr_digital.interactions.conftest import COMPLETE

pytestmark = pytest.mark.django_db

URL = "/api/v1/pqr-digital/interactions/"


@pytest.fixture
def api(creador):
    return token_client(creador)


def _counts():
    return Case.objects.count(), Customer.objects.count()


def test_pqr01_create_answers_201_with_id_status_and_missing(api, creador):
    response = api.post(
        URL,
        {
            "channel": "facebook",
            "author_handle": "@vecinabello",
            "text": "La factura llegó muy alta.",
            "full_name": "Marcela Ríos",
            "document_type": "CC",
            "document_number": "43.987.654",
            "motive": "Consumo facturado muy alto.",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    interaction = Interaction.objects.get()
    assert body["id"] == interaction.pk
    assert body["status"] == "abierta"
    assert body["missing"] == ["contract", "property_address"]
    assert body["missing_display"] == "contrato o dirección del inmueble"
    assert body["document_number"] == "43987654"
    assert body["handled_by"] == "Paula Ríos"
    assert body["messages"] == []
    assert interaction.handled_by == creador


def test_pqr01_create_bad_input_answers_spanish_400_per_field(api):
    response = api.post(URL, {"channel": "tiktok", "text": ""}, format="json")
    assert response.status_code == 400
    assert "Seleccione la red o el canal" in response.json()["channel"][0]

    response = api.post(
        URL,
        {"channel": "twitter", "text": "  ", "document_type": "CC", "document_number": "x1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "text": ["Escriba lo que dijo el usuario (la mención, el chat o la llamada)."],
        "document_number": ["La cédula de ciudadanía debe tener entre 3 y 10 dígitos."],
    }
    response = api.post(URL, {"channel": "whatsapp"}, format="json")
    assert response.json() == {"text": ["Este campo es obligatorio."]}
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.TECNOLOGO, 403),
        (Role.ORIENTADOR, 403),
        (Role.MESA, 403),
        (Role.GESTOR_OFICINA, 403),
        (Role.GESTOR, 403),
    ],
)
def test_nfr02_only_creadores_use_the_inbox_api(cc_office, role, status, register):
    interaction = register()
    client = token_client(make_user(role, cc_office))
    assert client.get(URL).status_code == status
    assert client.get(f"{URL}{interaction.pk}/").status_code == status
    assert client.post(f"{URL}{interaction.pk}/pqr/", {}, format="json").status_code == status
    body = client.post(URL, {"channel": "facebook", "text": "x"}, format="json").json()
    assert body["detail"] == "Su rol no tiene acceso a este recurso."


def test_nfr02_anonymous_gets_401(register):
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code == 401


def test_pqr01_list_open_ones_oldest_first_shared_inbox_and_404_for_another_creadors(
    api, creador, other_creador, register, django_assert_max_num_queries
):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    mine = register(author_handle="@mia")
    Interaction.objects.filter(pk=mine.pk).update(arrived_at=now - dt.timedelta(hours=1))
    theirs = register(by=other_creador, author_handle="@de-otro")
    unassigned = services.interaction_receive(
        channel=DigitalChannel.WHATSAPP,
        provider="meta",
        sender_id="573001112233",
        text="Factura alta",
        at=now - dt.timedelta(hours=3),
    )
    closed = register(author_handle="@cerrada")
    case = services.interaction_pqr_create(interaction=closed, by=creador)

    with django_assert_max_num_queries(6):
        response = api.get(URL)
    assert [row["id"] for row in response.json()["results"]] == [unassigned.pk, mine.pk]
    assert response.json()["results"][0]["handled_by"] is None

    filtered = api.get(URL, {"status": "pqr_creada"}).json()["results"]
    assert [row["id"] for row in filtered] == [closed.pk]
    assert filtered[0]["case"]["number"] == case.number
    assert [r["id"] for r in api.get(URL, {"channel": "whatsapp"}).json()["results"]] == [
        unassigned.pk
    ]
    assert api.get(URL, {"status": "perdida"}).json() == {"status": ["Estado no válido."]}

    not_found = {"detail": "Interacción no encontrada."}
    assert api.get(f"{URL}{theirs.pk}/").json() == not_found
    for action in ("pqr/", "request-info/", "close-unanswered/"):
        response = api.post(f"{URL}{theirs.pk}/{action}", {}, format="json")
        assert response.status_code == 404, action
    assert api.patch(f"{URL}{theirs.pk}/", {"contract": "1"}, format="json").status_code == 404
    assert api.get(f"{URL}{unassigned.pk}/").status_code == 200
    assert api.get(f"{URL}999999/").status_code == 404


def test_pqr03_pqr_answers_201_with_the_case(api, creador, register):
    interaction = register(channel=DigitalChannel.WHATSAPP)

    response = api.post(
        f"{URL}{interaction.pk}/pqr/",
        {"sewerage_not_provided": False, "premises": "residencial", "holder": "natural"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get()
    assert body["id"] == case.pk
    assert body["number"] == case.number
    assert body["status"] == "abierto"
    assert body["due_date"] == pqr_due_date(case.filed_at).isoformat()
    assert body["channel"] == "WhatsApp"
    assert body["pqr_type"] == "reclamo"
    assert body["initial_cause"] == "inconformidad con consumo o producción facturado"
    assert body["customer_document_type"] == "SIN_ID"
    assert body["interaction"] == interaction.pk
    assert body["screenshot_required"] is True
    assert case.number in body["filed_message"]["body"]
    assert body["filed_message"]["status"] == "envio_manual"


def test_pqr03_missing_minimum_content_answers_400_per_field_nothing_created(api, register):
    interaction = register(document_number="", motive="")
    before = _counts()

    response = api.post(f"{URL}{interaction.pk}/pqr/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "document_number": ["Falta el número de identificación del usuario."],
        "motive": ["Falta el motivo de la petición."],
    }
    assert _counts() == before

    response = api.post(
        f"{URL}{interaction.pk}/pqr/",
        {"document_number": "43987654", "motive": "Factura alta", "premises": "casa"},
        format="json",
    )
    assert response.json() == {"premises": ["Indique residencial o no_residencial."]}
    response = api.post(
        f"{URL}{interaction.pk}/pqr/",
        {"document_number": "43987654", "motive": "Factura alta", "premises": "no_residencial"},
        format="json",
    )
    assert list(response.json()) == ["relation_to_premises"]
    assert _counts() == before

    response = api.post(
        f"{URL}{interaction.pk}/pqr/",
        {"document_number": "43987654", "motive": "Factura alta"},
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"sewerage_not_provided": True, "sewerage_payments": True},
            "redirigida_escrito",
            "se tramita por el canal escrito",
        ),
        (
            {"premises": "no_residencial", "holder": "juridica"},
            "redirigida_otros_canales",
            "persona jurídica",
        ),
    ],
)
def test_pqr04_pqr05_a_redirect_answers_409_with_its_message_nothing_created(
    api, register, body, status, message
):
    interaction = register()
    before = _counts()

    response = api.post(f"{URL}{interaction.pk}/pqr/", body, format="json")

    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert "No se radicó PQR" in response.json()["detail"]
    assert _counts() == before
    detail = api.get(f"{URL}{interaction.pk}/").json()
    assert detail["status"] == status
    assert detail["case"] is None
    assert [m["purpose"] for m in detail["messages"]] == [
        "redireccion_canal_escrito"
        if status == "redirigida_escrito"
        else "redireccion_persona_juridica"
    ]
    again = api.post(f"{URL}{interaction.pk}/pqr/", body, format="json")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("La interacción está cerrada")


def test_pqr03_a_second_pqr_answers_409(api, register):
    interaction = register()
    assert api.post(f"{URL}{interaction.pk}/pqr/", {}, format="json").status_code == 201
    response = api.post(f"{URL}{interaction.pk}/pqr/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Ya se radicó la PQR")


def test_pqr02_request_info_and_close_unanswered(api, register):
    incomplete = register(contract="", property_address="")
    complete = register(author_handle="@completa")

    response = api.post(f"{URL}{incomplete.pk}/request-info/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "esperando_informacion"
    [message] = body["messages"]
    assert message["purpose"] == "solicitud_informacion"
    assert message["purpose_display"] == "solicitud de información"
    assert message["provider"] == "manual" and message["status"] == "envio_manual"
    assert "contrato o dirección del inmueble" in message["body"]

    conflict = api.post(f"{URL}{complete.pk}/request-info/")
    assert conflict.status_code == 409
    assert conflict.json() == {"detail": "No falta ningún dato mínimo: puede radicar la PQR."}

    same_day = api.post(f"{URL}{incomplete.pk}/close-unanswered/", {}, format="json")
    assert same_day.status_code == 409
    assert "tiene hasta mañana" in same_day.json()["detail"]
    closed = api.post(
        f"{URL}{incomplete.pk}/close-unanswered/", {"cannot_receive_messages": True}, format="json"
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "no_atendida"
    assert closed.json()["cannot_receive_messages"] is True
    bad = api.post(
        f"{URL}{complete.pk}/close-unanswered/",
        {"cannot_receive_messages": "tal vez"},
        format="json",
    )
    assert bad.json() == {"cannot_receive_messages": ["Indique verdadero o falso."]}


def test_pqr02_patch_completes_the_data(api, incomplete):
    response = api.patch(
        f"{URL}{incomplete.pk}/", {"property_address": "Calle 10 # 4-20"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["missing"] == []
    incomplete.refresh_from_db()
    assert incomplete.property_address == "Calle 10 # 4-20"
    assert incomplete.full_name == COMPLETE["full_name"]  # fields not sent are left alone


def test_pqr06_manual_message_marked_sent_then_409(api, creador, register):
    interaction = register()
    other = register(author_handle="@otra")
    api.post(f"{URL}{interaction.pk}/pqr/", {}, format="json")
    message = interaction.messages.get()
    url = f"{URL}{interaction.pk}/messages/{message.pk}/sent/"

    response = api.post(url)

    assert response.status_code == 200
    assert response.json()["status"] == "enviado"
    assert response.json()["sent_by"] == "Paula Ríos"
    assert api.post(url).status_code == 409
    assert api.post(f"{URL}{other.pk}/messages/{message.pk}/sent/").status_code == 404
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT


def test_pqr06_screenshot_upload(api, register):
    interaction = register(channel=DigitalChannel.CHAT_EPM)
    upload = SimpleUploadedFile("chat.png", TINY_PNG, content_type="image/png")
    response = api.post(f"{URL}{interaction.pk}/screenshot/", {"file": upload})
    assert response.status_code == 409  # the PQR first

    api.post(f"{URL}{interaction.pk}/pqr/", {}, format="json")
    response = api.post(
        f"{URL}{interaction.pk}/screenshot/",
        {"file": SimpleUploadedFile("chat.png", TINY_PNG, content_type="image/png")},
    )
    assert response.status_code == 201
    assert response.json()["kind"] == EvidenceKind.CHAT_SCREENSHOT
    assert api.get(f"{URL}{interaction.pk}/").json()["has_screenshot"] is True
    bad = api.post(
        f"{URL}{interaction.pk}/screenshot/",
        {"file": SimpleUploadedFile("chat.exe", b"MZ", content_type="application/octet-stream")},
    )
    assert bad.status_code == 400
    assert "Tipo de archivo no permitido" in bad.json()["file"][0]
