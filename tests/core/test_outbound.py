"""The outbox of messages to customers through the networks (PQR-02, PQR-06, NFR-03), against a
local fake of Meta's Graph API (pytest-httpserver): what goes out, exactly once; what is retried;
what waits for a person, and why."""

import datetime as dt
import socket
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Response

from core.api_errors import api_exception_handler
from core.exceptions import ProtocolConflict
from core.models import OutboundMessage
from core.roles import Role
from core.services import outbound
from core.services.outbound import (
    outbound_mark_sent,
    outbound_queue,
    outbound_send,
    outbound_send_due,
    provider_for,
)
from tests.factories import UserFactory, make_case
from tests.helpers import make_user, wait_until

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
PAGE_TOKEN = "token-de-pagina-de-prueba"
WA_TOKEN = "token-de-whatsapp-de-prueba"
PHONE_ID = "109876543210"
PSID = "6543210987654321"
WA_ID = "573104567890"
BODY = "Hola, para radicar su PQR envíenos su nombre, cédula, contrato y el motivo."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def meta_error(code: int, message: str, subcode: int | None = None) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.fixture
def graph(settings, httpserver):
    """Meta configured, its Graph API played by the local fake server."""
    settings.SOCIAL_PROVIDER = "meta"
    settings.META_GRAPH_URL = httpserver.url_for("/v21.0")
    settings.META_PAGE_ACCESS_TOKEN = PAGE_TOKEN
    settings.META_WHATSAPP_TOKEN = WA_TOKEN
    settings.META_WHATSAPP_PHONE_NUMBER_ID = PHONE_ID
    settings.OUTBOUND_MAX_ATTEMPTS = 5
    return httpserver


def messenger_ok(server, message_id="m_AbCdEf123"):
    server.expect_request("/v21.0/me/messages", method="POST").respond_with_json(
        {"recipient_id": PSID, "message_id": message_id}
    )


def queue(key="pqr-digital:1:solicitud-informacion", channel="facebook", **kwargs):
    kwargs.setdefault("recipient", WA_ID if channel == "whatsapp" else PSID)
    return outbound_queue(
        key=key, channel=channel, body=BODY, purpose="solicitud_informacion", **kwargs
    )


def make_due(message):
    """Move the message's retry time to the past (the clock, not a sleep)."""
    OutboundMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


# --- choosing the provider -------------------------------------------------------------


def test_pqr02_provider_is_meta_only_for_its_networks_when_configured(settings):
    settings.SOCIAL_PROVIDER = "manual"
    settings.META_PAGE_ACCESS_TOKEN = PAGE_TOKEN
    assert provider_for("facebook") == "manual"

    settings.SOCIAL_PROVIDER = "meta"
    settings.META_WHATSAPP_TOKEN, settings.META_WHATSAPP_PHONE_NUMBER_ID = "", ""
    assert [provider_for(c) for c in ("facebook", "instagram", "whatsapp")] == [
        "meta",
        "meta",
        "manual",  # no WhatsApp credentials
    ]
    settings.META_WHATSAPP_TOKEN, settings.META_WHATSAPP_PHONE_NUMBER_ID = WA_TOKEN, PHONE_ID
    assert provider_for("whatsapp") == "meta"
    for channel in ("twitter", "chat_epm", "contact_center"):
        assert provider_for(channel) == "manual"
    settings.META_PAGE_ACCESS_TOKEN = ""
    assert provider_for("instagram") == "manual"


# --- manual sending -------------------------------------------------------------------------


def test_pqr02_manual_message_waits_for_a_person_who_marks_it_sent_once(office, graph):
    creador = make_user(Role.CREADOR, office)
    case = make_case()
    message = queue(channel="twitter", recipient="@usuario_epm", subject=case, created_by=creador)

    assert message.status == Status.HUMAN
    assert message.provider == "manual"
    assert message.human_reason.startswith("Envío manual: copie el texto en la consola")
    assert message.subject == case and message.created_by == creador
    assert outbound_send_due() == 0  # never picked up by the sweep

    before = timezone.now()
    marked = outbound_mark_sent(message=message, by=creador)
    stored = OutboundMessage.objects.get(pk=message.pk)
    assert (marked.status, stored.status) == (Status.SENT, Status.SENT)
    assert stored.sent_by == creador
    assert before <= stored.sent_at <= timezone.now()

    with pytest.raises(ProtocolConflict, match="El mensaje ya fue marcado como enviado.") as exc:
        outbound_mark_sent(message=message, by=UserFactory())
    assert OutboundMessage.objects.get(pk=message.pk).sent_by == creador  # the first one stays
    response = api_exception_handler(exc.value, {})  # what the API answers
    assert response.status_code == 409
    assert response.data == {"detail": "El mensaje ya fue marcado como enviado."}
    assert graph.log == []  # X has no automatic provider, even with Meta configured


def test_pqr02_an_automatic_message_cannot_be_marked_sent_by_hand(graph):
    message = queue()  # pendiente: the worker sends it
    with pytest.raises(ProtocolConflict, match="se está enviando automáticamente"):
        outbound_mark_sent(message=message, by=UserFactory())
    assert OutboundMessage.objects.get(pk=message.pk).status == Status.PENDING


# --- Meta: success ----------------------------------------------------------------------------


def test_pqr06_messenger_message_is_sent_after_commit_with_the_exact_request(
    graph, django_capture_on_commit_callbacks
):
    messenger_ok(graph, "m_AbCdEf123")
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
        assert message.status == Status.PENDING
        assert graph.log == []  # nothing leaves before the commit

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider == "meta"
    assert message.provider_message_id == "m_AbCdEf123"
    assert message.attempts == 1
    assert message.sent_at is not None and message.sent_by is None
    [(request, _)] = graph.log
    assert request.path == "/v21.0/me/messages"
    assert request.headers["Authorization"] == f"Bearer {PAGE_TOKEN}"
    assert request.get_json() == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": BODY},
    }


def test_pqr06_whatsapp_message_is_sent_with_the_cloud_api_request(
    graph, django_capture_on_commit_callbacks
):
    graph.expect_request(f"/v21.0/{PHONE_ID}/messages", method="POST").respond_with_json(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": WA_ID, "wa_id": WA_ID}],
            "messages": [{"id": "wamid.HBgMNTczMTA0NTY3ODkwFQIAERgS"}],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(channel="whatsapp")

    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == (
        Status.SENT,
        "wamid.HBgMNTczMTA0NTY3ODkwFQIAERgS",
    )
    [(request, _)] = graph.log
    assert request.headers["Authorization"] == f"Bearer {WA_TOKEN}"
    assert request.get_json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": BODY},
    }


# --- retries ----------------------------------------------------------------------------------


def test_nfr03_two_server_errors_then_success_sends_once_with_backoff(
    graph, django_capture_on_commit_callbacks
):
    for _ in range(2):
        graph.expect_oneshot_request("/v21.0/me/messages", method="POST").respond_with_json(
            meta_error(2, "An unexpected error has occurred. Please retry your request later."),
            status=500,
        )
    messenger_ok(graph, "m_tercero")

    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "HTTP 500" in message.last_error and "#2" in message.last_error
    first_wait = message.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=50) < first_wait <= outbound.RETRY_BASE

    assert outbound_send_due() == 0  # not due yet: no request
    assert len(graph.log) == 1

    make_due(message)
    assert outbound_send_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 2)
    second_wait = message.next_attempt_at - timezone.now()
    assert outbound.RETRY_BASE < second_wait <= 2 * outbound.RETRY_BASE  # doubled

    make_due(message)
    assert outbound_send_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert message.provider_message_id == "m_tercero"
    assert message.next_attempt_at is None
    assert len(graph.log) == 3

    make_due(message)
    assert outbound_send_due() == 0
    assert outbound_send(message_id=message.pk).status == Status.SENT  # a late task: no-op
    assert len(graph.log) == 3


def test_nfr03_when_the_retries_are_spent_a_person_sends_it(graph, settings):
    settings.OUTBOUND_MAX_ATTEMPTS = 2
    graph.expect_request("/v21.0/me/messages").respond_with_data("Service Unavailable", 503)
    message = queue()

    outbound_send(message_id=message.pk)
    make_due(message)
    outbound_send_due()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.HUMAN, 2)
    assert message.human_reason.startswith("Envío manual: no se pudo enviar tras 2 intentos")
    assert "HTTP 503" in message.last_error
    make_due(message)
    assert outbound_send_due() == 0
    assert len(graph.log) == 2


def test_nfr03_rate_limit_429_waits_at_least_what_meta_asks(graph):
    graph.expect_request("/v21.0/me/messages").respond_with_response(
        Response(
            '{"error": {"message": "(#613) Calls exceeded the rate", "code": 613}}',
            status=429,
            headers={"Retry-After": "600"},
            content_type="application/json",
        )
    )
    message = outbound_send(message_id=queue().pk)
    assert message.status == Status.PENDING
    assert message.next_attempt_at - timezone.now() > dt.timedelta(seconds=590)


def test_nfr03_connection_refused_is_retried(graph, settings):
    settings.META_GRAPH_URL = f"http://127.0.0.1:{_free_port()}/v21.0"  # nobody listens
    message = outbound_send(message_id=queue().pk)
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.last_error.startswith("No se pudo conectar con Meta")


def test_nfr03_message_queued_while_the_broker_is_down_is_sent_by_the_sweep(
    graph, monkeypatch, django_capture_on_commit_callbacks
):
    from core import tasks

    def broker_down(*args, **kwargs):
        raise OSError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    messenger_ok(graph)
    monkeypatch.setattr(tasks.send_outbound_message_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    assert OutboundMessage.objects.get(pk=message.pk).status == Status.PENDING  # saved, not lost
    assert graph.log == []

    assert tasks.outbound_sweep_task() == 1  # what beat runs every minute
    assert OutboundMessage.objects.get(pk=message.pk).status == Status.SENT


# --- what a person must send ------------------------------------------------------------------


@pytest.mark.parametrize(
    "channel,path,error",
    [
        (
            "whatsapp",
            f"/v21.0/{PHONE_ID}/messages",
            meta_error(131047, "(#131047) Re-engagement message"),
        ),
        (
            "facebook",
            "/v21.0/me/messages",
            meta_error(10, "(#10) This message is sent outside of allowed window.", 2018278),
        ),
        (
            "instagram",
            "/v21.0/me/messages",
            meta_error(10, "(#10) This message is sent outside of allowed window.", 2534022),
        ),
    ],
    ids=["whatsapp-131047", "messenger-10-2018278", "instagram-10-2534022"],
)
def test_pqr02_outside_the_24_hour_window_goes_to_a_person(graph, channel, path, error):
    graph.expect_request(path, method="POST").respond_with_json(error, status=400)
    message = outbound_send(message_id=queue(channel=channel).pk)

    assert message.status == Status.HUMAN
    assert "fuera de la ventana de 24 horas de la red" in message.human_reason
    assert str(error["error"]["code"]) in message.last_error
    make_due(message)
    assert outbound_send_due() == 0  # not retried
    assert len(graph.log) == 1


def test_pqr02_other_client_errors_go_to_a_person_with_the_error(graph):
    graph.expect_request("/v21.0/me/messages").respond_with_json(
        meta_error(100, "(#100) No matching user found", 2018001), status=400
    )
    message = outbound_send(message_id=queue().pk)
    assert message.status == Status.HUMAN
    assert message.human_reason.startswith("Envío manual: la red rechazó el mensaje")
    assert "No matching user found" in message.human_reason
    assert "#100/2018001" in message.last_error and "AbC123" in message.last_error


def test_pqr02_reply_window_already_closed_is_never_dropped(graph):
    closed = queue(key="cerrada", reply_window_ends_at=timezone.now() - dt.timedelta(minutes=1))
    assert closed.status == Status.HUMAN
    assert "fuera de la ventana de 24 horas de la red" in closed.human_reason

    # Open when queued, closed before the worker got to it: not sent, handed to a person.
    late = queue(key="tarde", reply_window_ends_at=timezone.now() + dt.timedelta(hours=1))
    assert late.status == Status.PENDING
    OutboundMessage.objects.filter(pk=late.pk).update(reply_window_ends_at=timezone.now())
    late = outbound_send(message_id=late.pk)
    assert late.status == Status.HUMAN
    assert "fuera de la ventana de 24 horas de la red" in late.human_reason
    assert graph.log == []


def test_nfr03_message_abandoned_mid_send_goes_to_a_person_once(graph):
    messenger_ok(graph)
    stale = queue(key="abandonado")
    recent = queue(key="en-curso")
    now = timezone.now()
    OutboundMessage.objects.filter(pk=stale.pk).update(
        status=Status.SENDING, attempts=1, next_attempt_at=now - dt.timedelta(seconds=1)
    )
    OutboundMessage.objects.filter(pk=recent.pk).update(
        status=Status.SENDING, attempts=1, next_attempt_at=now + dt.timedelta(minutes=4)
    )

    assert outbound_send_due() == 0
    stale.refresh_from_db()
    assert stale.status == Status.HUMAN
    assert "estado incierto: verifique en la consola de la red si llegó" in stale.human_reason
    assert OutboundMessage.objects.get(pk=recent.pk).status == Status.SENDING  # still in time

    assert outbound_send(message_id=stale.pk).status == Status.HUMAN  # never resent
    outbound_send_due()
    assert OutboundMessage.objects.get(pk=stale.pk).human_reason == stale.human_reason
    assert graph.log == []


# --- idempotency and concurrency ------------------------------------------------------------


def test_nfr03_queued_twice_with_the_same_key_is_one_row_and_one_request(
    graph, django_capture_on_commit_callbacks
):
    messenger_ok(graph)
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(key="pqr-digital:7:numero-pqr")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = queue(key="pqr-digital:7:numero-pqr")

    assert second.pk == first.pk
    assert callbacks == []  # nothing queued the second time
    assert OutboundMessage.objects.filter(idempotency_key="pqr-digital:7:numero-pqr").count() == 1
    assert OutboundMessage.objects.get(pk=first.pk).status == Status.SENT
    assert len(graph.log) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nfr03_two_workers_sending_the_same_message_make_one_request(graph):
    messenger_ok(graph)
    message = OutboundMessage.objects.create(
        idempotency_key="concurrente",
        provider="meta",
        channel="facebook",
        recipient=PSID,
        purpose="numero_pqr",
        body=BODY,
    )
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait(timeout=10)
            results.append(outbound_send(message_id=message.pk).status)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(results) == 2
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert len(graph.log) == 1


# --- a real worker ----------------------------------------------------------------------------


@pytest.fixture
def worker_graph(real_worker):
    """The fake Graph API the real worker posts to (its address and tokens are in the worker's
    environment: tests/conftest.py, ``celery_worker_process``)."""
    server = HTTPServer(host="127.0.0.1", port=real_worker["meta_port"])
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_pqr06_a_real_worker_delivers_a_queued_meta_message(real_worker, worker_graph, settings):
    settings.SOCIAL_PROVIDER = "meta"
    settings.META_PAGE_ACCESS_TOKEN = PAGE_TOKEN  # this process chooses Meta; the worker sends
    worker_graph.expect_request("/v21.0/me/messages", method="POST").respond_with_json(
        {"recipient_id": PSID, "message_id": "m_desde_el_worker"}
    )

    message = queue(key="worker:numero-pqr")  # autocommit: the task is queued at once

    sent = wait_until(
        lambda: OutboundMessage.objects.filter(pk=message.pk, status=Status.SENT).first(),
        message=f"el worker no envió el mensaje:\n{real_worker['log'].read_text()[-3000:]}",
    )
    assert sent.provider_message_id == "m_desde_el_worker"
    assert sent.attempts == 1
    assert "core.send_outbound_message" in real_worker["log"].read_text()
    [(request, _)] = worker_graph.log
    worker_token = real_worker["meta"]["META_PAGE_ACCESS_TOKEN"]
    assert request.headers["Authorization"] == f"Bearer {worker_token}"  # the worker's
    assert request.get_json() == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": BODY},
    }


# --- admin ------------------------------------------------------------------------------------


def test_nfr04_outbox_admin_is_read_only_for_superusers_and_gestores(client, office):
    message = queue(channel="twitter", recipient="@usuario_epm")
    changelist = reverse("admin:core_outboundmessage_changelist")
    change = reverse("admin:core_outboundmessage_change", args=[message.pk])

    gestor = make_user(Role.GESTOR, office, is_staff=True)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    for user in (superuser, gestor):
        client.force_login(user)
        response = client.get(changelist)
        assert response.status_code == 200
        assert "@usuario_epm" in response.content.decode()
        assert client.get(change).status_code == 200
        assert client.get(reverse("admin:core_outboundmessage_add")).status_code == 403
        client.post(change, {"status": Status.SENT})
        assert OutboundMessage.objects.get(pk=message.pk).status == Status.HUMAN

    client.force_login(make_user(Role.CREADOR, office, is_staff=True))
    assert client.get(changelist).status_code == 403
