"""The creador's pages (2.7): the inbox (live table, registration by hand), the interaction page
(data, request with copy and "Marcar como enviado", the PQR with the rule questions, the
screenshot, the messages), and the digital PQR's panel on the case page."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import Case, CaseStatus, Customer, OutboundMessage
from core.roles import Role
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services import interactions as services
from tests.factories import TINY_PNG, OfficeFactory
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

INBOX = "/pqr-digital/"


def _h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.fixture
def creador_client(client, creador):
    client.force_login(creador)
    return client


def test_pqr01_inbox_lists_open_interactions_oldest_first_live(
    creador_client, creador, other_creador, register, django_assert_max_num_queries
):
    now = timezone.now()
    register(author_handle="@reciente", contract="", property_address="")
    older = register(channel=DigitalChannel.TWITTER, author_handle="@antigua")
    Interaction.objects.filter(pk=older.pk).update(arrived_at=now - dt.timedelta(hours=5))
    register(by=other_creador, author_handle="@ajena")
    done = register(author_handle="@radicada")
    services.interaction_pqr_create(interaction=done, by=creador)

    response = creador_client.get(INBOX)

    html = response.content.decode()
    assert response.status_code == 200
    assert _h1(html) == "Bandeja de interacciones"
    assert html.index("@antigua") < html.index("@reciente")
    assert "@ajena" not in html and "@radicada" not in html
    assert "contrato o dirección del inmueble" in html  # what is missing
    assert "5\xa0horas" in html  # waiting time
    assert 'hx-get="/pqr-digital/bandeja/tabla/"' in html
    assert "Orientación a la factura" in html  # the Contact Center's group, on the form
    with django_assert_max_num_queries(8):
        table = creador_client.get("/pqr-digital/bandeja/tabla/")
    assert "@antigua" in table.content.decode() and "<h1" not in table.content.decode()
    closed = creador_client.get(INBOX, {"estado": "pqr_creada"}).content.decode()
    assert "@radicada" in closed and "@antigua" not in closed


def test_pqr01_register_by_hand_from_the_inbox(creador_client, creador):
    response = creador_client.post(
        "/pqr-digital/interacciones/",
        {
            "channel": "contact_center",
            "author_handle": "3157778899",
            "text": "Llama inconforme con la lectura del medidor.",
            "full_name": "Jorge Salazar",
            "document_type": "CC",
            "document_number": "98765432",
            "recording_ref": "CC-ORF-1",
        },
    )
    interaction = Interaction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pqr-digital/interacciones/{interaction.pk}/"
    assert interaction.handled_by == creador
    assert interaction.recording_ref == "CC-ORF-1"

    bad = creador_client.post("/pqr-digital/interacciones/", {"channel": "", "text": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Seleccione la red o el canal por el que llegó." in html
    assert Interaction.objects.count() == 1


def test_nfr02_inbox_pages_roles_and_scope(client, cc_office, creador, other_creador, register):
    theirs = register(by=other_creador)
    client.force_login(make_user(Role.TECNOLOGO, cc_office))
    assert client.get(INBOX).status_code == 403
    assert client.get(f"/pqr-digital/interacciones/{theirs.pk}/").status_code == 403
    client.force_login(creador)
    assert client.get(f"/pqr-digital/interacciones/{theirs.pk}/").status_code == 404
    for action in ("datos", "solicitar-informacion", "radicar", "cerrar", "captura"):
        url = f"/pqr-digital/interacciones/{theirs.pk}/{action}/"
        assert client.post(url, {}).status_code == 404, action
    assert client.get(f"/pqr-digital/interacciones/{theirs.pk}/estado/parcial/").status_code == 404
    client.logout()
    assert client.get(INBOX).status_code == 302


def test_pqr02_request_shows_the_text_to_copy_and_mark_as_sent(creador_client, creador, incomplete):
    url = f"/pqr-digital/interacciones/{incomplete.pk}/"
    html = creador_client.get(url).content.decode()
    assert "Faltan datos mínimos" in html and "contrato o dirección del inmueble" in html
    assert "Solicitar información por inbox" in html

    response = creador_client.post(f"{url}solicitar-informacion/")
    assert response.status_code == 302
    html = creador_client.get(url).content.decode()
    message = incomplete.messages.get()
    assert "Esperando la respuesta del usuario" in html
    assert f'id="message-body-{message.pk}"' in html
    assert "necesitamos los siguientes datos: contrato o dirección del inmueble" in html
    assert f'data-copy-target="message-body-{message.pk}"' in html
    assert "Marcar como enviado" in html
    assert "envío manual" in html and "para envío manual" in html

    assert creador_client.post(f"{url}mensajes/{message.pk}/enviado/").status_code == 302
    html = creador_client.get(url).content.decode()
    assert "Enviado el" in html and "por Paula Ríos (a mano)" in html
    again = creador_client.post(f"{url}mensajes/{message.pk}/enviado/")
    assert again.status_code == 409
    assert "ya fue marcado como enviado" in again.content.decode()


def test_pqr02_user_answer_typed_in_and_pqr_filed_with_screenshot(
    creador_client, creador, incomplete
):
    url = f"/pqr-digital/interacciones/{incomplete.pk}/"
    services.interaction_request_info(interaction=incomplete, by=creador)
    form = {
        "full_name": incomplete.full_name,
        "author_handle": incomplete.author_handle,
        "document_type": "CC",
        "document_number": incomplete.document_number,
        "contract": "1203456",
        "property_address": "",
        "motive": incomplete.motive,
        "sewerage_not_provided": "no",
        "sewerage_payments": "no",
        "premises": "residencial",
        "holder": "natural",
        "relation_to_premises": "",
        "notification_medium": "",
    }
    assert creador_client.post(f"{url}datos/", form).status_code == 302
    incomplete.refresh_from_db()
    assert incomplete.status == Interaction.Status.OPEN and incomplete.contract == "1203456"

    response = creador_client.post(f"{url}radicar/", form, follow=True)

    case = Case.objects.get()
    html = response.content.decode()
    assert f'<p class="case-number-big mb-1" id="pqr-number">{case.number}</p>' in html
    assert f"PQR radicada: {case.number}. Falta adjuntar la captura de la interacción." in html
    assert 'id="screenshot-missing"' in html and "La PQR no está completa" in html
    assert f"Registramos su reclamo con el número {case.number}" in html

    upload = SimpleUploadedFile("captura.png", TINY_PNG, content_type="image/png")
    response = creador_client.post(f"{url}captura/", {"file": upload}, follow=True)
    html = response.content.decode()
    assert "Captura adjuntada a la PQR." in html
    assert 'id="screenshot-missing"' not in html and "captura.png" in html


def test_pqr03_missing_data_and_relation_are_shown_on_the_form(creador_client, register):
    interaction = register(motive="")
    url = f"/pqr-digital/interacciones/{interaction.pk}/radicar/"
    before = (Case.objects.count(), Customer.objects.count())

    response = creador_client.post(
        url,
        {
            "full_name": interaction.full_name,
            "document_number": interaction.document_number,
            "contract": interaction.contract,
            "motive": "",
            "sewerage_not_provided": "no",
            "sewerage_payments": "no",
            "premises": "no_residencial",
            "holder": "natural",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Falta el motivo de la petición." in html
    assert "indique la relación del solicitante con el inmueble" in html
    assert (Case.objects.count(), Customer.objects.count()) == before


def test_pqr04_redirect_is_explained_on_the_page(creador_client, register):
    interaction = register()
    url = f"/pqr-digital/interacciones/{interaction.pk}/"
    form = {
        "full_name": interaction.full_name,
        "document_number": interaction.document_number,
        "contract": interaction.contract,
        "motive": interaction.motive,
        "sewerage_not_provided": "si",
        "sewerage_payments": "si",
        "premises": "residencial",
        "holder": "natural",
    }

    response = creador_client.post(f"{url}radicar/", form, follow=True)

    html = response.content.decode()
    assert not Case.objects.exists()
    assert "No se radicó PQR" in html
    assert 'id="redirected"' in html
    assert "debe presentarse por el canal escrito" in html  # the message kept, to copy
    assert 'id="pqr-form"' not in html


def test_pqr02_close_refused_today_is_shown_with_409(creador_client, creador, incomplete):
    services.interaction_request_info(interaction=incomplete, by=creador)
    response = creador_client.post(f"/pqr-digital/interacciones/{incomplete.pk}/cerrar/")
    assert response.status_code == 409
    assert "el usuario tiene hasta mañana para responder" in response.content.decode()
    response = creador_client.post(
        f"/pqr-digital/interacciones/{incomplete.pk}/cerrar/",
        {"cannot_receive_messages": "on"},
        follow=True,
    )
    assert "Interacción cerrada como no atendida." in response.content.decode()
    assert 'id="unattended"' in response.content.decode()


# --- the case page's panel ------------------------------------------------------------------------

#: The case page of a digital PQR for its creador: session, user, roles, the user's office, the
#: case with its relations, attempts, the panel (the interaction with its screenshot flag, its
#: messages with who sent them), the evidence (none yet), the history. Pinned: a change must
#: say why here.
DIGITAL_CASE_PAGE_QUERIES = 10


def test_pqr05_pqr06_case_panel_shows_network_relation_messages_pinned_queries(
    client, creador, register, django_assert_num_queries
):
    interaction = register(channel=DigitalChannel.INSTAGRAM, author_handle="@tiendadonaluz")
    case = services.interaction_pqr_create(
        interaction=interaction,
        by=creador,
        premises=Interaction.Premises.NON_RESIDENTIAL,
        relation_to_premises="Propietaria del local",
    )
    message = interaction.messages.get()
    services.interaction_message_mark_sent(interaction=interaction, message=message, by=creador)
    client.force_login(creador)
    client.get(f"/casos/{case.pk}/")  # warm per-process caches (content types)

    with django_assert_num_queries(DIGITAL_CASE_PAGE_QUERIES):
        response = client.get(f"/casos/{case.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="pqr-digital-panel"' in html
    assert '<dd class="col-7 col-md-3" id="panel-network">Instagram</dd>' in html
    assert "@tiendadonaluz" in html
    assert "Propietaria del local" in html
    assert "PQR radicada: motivo y número" in html and "enviado el" in html
    assert case.number in html
    assert 'id="panel-screenshot-missing"' in html


def test_pqr06_case_panel_of_a_call_shows_recording_and_retention(client, creador, register):
    call = register(channel=DigitalChannel.CONTACT_CENTER, recording_ref="CC-ORF-77")
    case = services.interaction_pqr_create(interaction=call, by=creador)
    call.refresh_from_db()
    client.force_login(creador)
    html = client.get(f"/casos/{case.pk}/").content.decode()
    assert '<dd class="col-7 col-md-3" id="panel-recording">CC-ORF-77</dd>' in html
    assert "Grabación conservada hasta" in html
    assert f"{call.recording_retained_until:%d/%m/%Y}" in html
    assert 'id="panel-screenshot-missing"' not in html


def test_nfr02_case_panel_hides_handle_and_texts_from_roles_without_personal_data(
    client, creador, register
):
    """The Regional help desk sees the digital PQR (pqr_digital.scopes) but not the personal
    data: no handle, no message texts."""
    interaction = register(author_handle="@vecinabello")
    case = services.interaction_pqr_create(interaction=interaction, by=creador)
    mesa = make_user(Role.MESA, OfficeFactory(unit="regional"))
    client.force_login(mesa)
    html = client.get(f"/casos/{case.pk}/").content.decode()
    assert 'id="pqr-digital-panel"' in html
    assert "@vecinabello" not in html
    assert "Registramos su reclamo" not in html
    assert "PQR radicada: motivo y número" in html
    assert case.status == CaseStatus.ABIERTO
    assert OutboundMessage.objects.count() == 1
