"""Meta's webhook (Messenger, Instagram, WhatsApp Cloud API) → stored deliveries → interactions
(PQR-01, PQR-02), signed and idempotent (NFR-02, NFR-03)."""

import copy
import datetime as dt
import hashlib
import hmac
import json
import threading

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from pqr_digital.models import DigitalChannel, InboundMessage, Interaction
from pqr_digital.services.inbound import inbound_process, inbound_process_pending

pytestmark = pytest.mark.django_db

URL = "/api/v1/pqr-digital/webhooks/meta/"
SECRET = "secreto-de-la-app-de-prueba"
VERIFY = "token-de-verificacion-de-prueba"
SENT_AT = dt.datetime(2026, 3, 2, 14, 30, 5, tzinfo=dt.UTC)
PSID = "6543210987654321"
WA_ID = "573104567890"


def messenger(mid="m_AAA111", text="Me llegó muy alta la factura de marzo", *, obj="page", **extra):
    message = {"mid": mid, "text": text, **extra}
    return {
        "object": obj,
        "entry": [
            {
                "id": "102030405060708",
                "time": int(SENT_AT.timestamp() * 1000),
                "messaging": [
                    {
                        "sender": {"id": PSID},
                        "recipient": {"id": "102030405060708"},
                        "timestamp": int(SENT_AT.timestamp() * 1000),
                        "message": message,
                    }
                ],
            }
        ],
    }


WAMID = "wamid.HBgMNTczMTA0NTY3ODkwFQIAEhgUM0EB"


def whatsapp(wamid=WAMID, text="Buenas, quiero reclamar", *, at=SENT_AT, kind="text"):
    message = {"from": WA_ID, "id": wamid, "timestamp": str(int(at.timestamp())), "type": kind}
    if kind == "text":
        message["text"] = {"body": text}
    else:
        message[kind] = {"mime_type": "image/jpeg", "id": "1234567890"}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1122334455",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "576044444115",
                                "phone_number_id": "109876543210",
                            },
                            "contacts": [{"profile": {"name": "María Restrepo"}, "wa_id": WA_ID}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def meta(settings):
    settings.META_APP_SECRET = SECRET
    settings.META_VERIFY_TOKEN = VERIFY


@pytest.fixture
def deliver(meta, django_capture_on_commit_callbacks):
    """POST a payload as Meta does (signed, CSRF checks on) and run what it queued on commit
    (the processing task, in-process)."""
    client = Client(enforce_csrf_checks=True)

    def post(payload, *, signature=None, raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {} if signature is False else {"X-Hub-Signature-256": signature or sign(body)}
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(URL, data=body, content_type="application/json", headers=headers)
        response.callbacks = callbacks
        return response

    return post


def counts():
    return InboundMessage.objects.count(), Interaction.objects.count()


# --- the handshake ----------------------------------------------------------------------------


def test_pqr01_handshake_answers_the_challenge(client, meta):
    response = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "otro-token", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
    ids=["token-incorrecto", "modo-incorrecto", "sin-token"],
)
def test_nfr02_handshake_with_a_wrong_token_is_refused(client, meta, params):
    response = client.get(URL, params, HTTP_ACCEPT="text/plain")
    assert response.status_code == 403
    assert "token de verificación" in response.json()["detail"]


def test_nfr02_handshake_refused_when_no_verify_token_is_configured(client, settings):
    settings.META_VERIFY_TOKEN = ""
    response = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": ""})
    assert response.status_code == 403


# --- the signature ----------------------------------------------------------------------------


def test_nfr02_bad_or_missing_signature_is_refused_and_stores_nothing(deliver, settings):
    payload = messenger()
    body = json.dumps(payload).encode()
    before = counts()

    for signature in (
        sign(body, "otro-secreto"),
        sign(body + b" "),  # signed another body
        "sha1=" + hashlib.sha1(body).hexdigest(),  # noqa: S324 — the wrong scheme on purpose
        "sha256=",
        False,  # no header
    ):
        response = deliver(payload, raw=body, signature=signature)
        assert response.status_code == 403, signature
        assert response.json() == {"detail": "Firma del webhook ausente o incorrecta."}
        assert response.callbacks == []

    settings.META_APP_SECRET = ""  # without a secret nothing is accepted, not even an empty HMAC
    assert deliver(payload, raw=body, signature=sign(body, "")).status_code == 403
    assert counts() == before


def test_nfr03_malformed_json_with_a_valid_signature_is_a_400_in_spanish(deliver):
    response = deliver(None, raw=b'{"object": "page", "entry": [')
    assert response.status_code == 400
    assert response.json() == {"detail": "El cuerpo de la solicitud no es un JSON válido."}
    assert counts() == (0, 0)


# --- deliveries become interactions -----------------------------------------------------------


@pytest.mark.parametrize(
    "obj,channel", [("page", DigitalChannel.FACEBOOK), ("instagram", DigitalChannel.INSTAGRAM)]
)
def test_pqr01_messenger_and_instagram_messages_become_interactions(deliver, obj, channel):
    response = deliver(messenger(obj=obj))

    assert response.status_code == 200
    assert response.json() == {"stored": 1}
    inbound = InboundMessage.objects.get()
    assert (inbound.provider, inbound.provider_message_id, inbound.channel) == (
        "meta",
        "m_AAA111",
        channel,
    )
    assert inbound.processed_at is not None
    interaction = inbound.interaction
    assert interaction.channel == channel
    assert interaction.provider == "meta"
    assert interaction.provider_sender_id == PSID
    assert interaction.author_handle == PSID  # Messenger sends no name
    assert interaction.text == "Me llegó muy alta la factura de marzo"
    assert interaction.arrived_at == SENT_AT
    assert interaction.status == Interaction.Status.OPEN


def test_pqr01_whatsapp_message_becomes_an_interaction(deliver):
    response = deliver(whatsapp())

    assert response.json() == {"stored": 1}
    interaction = Interaction.objects.get()
    assert interaction.channel == DigitalChannel.WHATSAPP
    assert interaction.provider_sender_id == WA_ID
    assert interaction.author_handle == "María Restrepo"
    assert interaction.text == "Buenas, quiero reclamar"
    assert interaction.arrived_at == SENT_AT
    inbound = InboundMessage.objects.get()
    assert inbound.interaction == interaction and inbound.sender_name == "María Restrepo"


def test_pqr01_a_message_without_text_is_kept_with_its_type(deliver):
    deliver(whatsapp(kind="image"))
    assert Interaction.objects.get().text == "[mensaje de tipo image sin texto]"


def test_nfr03_the_same_delivery_twice_is_one_message_and_one_interaction(deliver):
    payload = whatsapp()
    first = deliver(payload)
    second = deliver(copy.deepcopy(payload))

    assert (first.json(), second.json()) == ({"stored": 1}, {"stored": 0})
    assert second.status_code == 200
    assert second.callbacks == []  # nothing queued again
    assert counts() == (1, 1)


def test_pqr02_the_answer_to_an_information_request_reopens_the_interaction(deliver):
    deliver(whatsapp())
    interaction = Interaction.objects.get()
    requested = SENT_AT + dt.timedelta(minutes=10)
    Interaction.objects.filter(pk=interaction.pk).update(
        status=Interaction.Status.WAITING_INFO, info_requested_at=requested
    )
    answered = SENT_AT + dt.timedelta(hours=3)

    response = deliver(
        whatsapp("wamid.RESPUESTA", "María Restrepo, CC 43512876, contrato 123456789", at=answered)
    )

    assert response.json() == {"stored": 1}
    assert counts() == (2, 1)  # an answer, not a new interaction
    interaction.refresh_from_db()
    assert interaction.status == Interaction.Status.OPEN
    assert interaction.info_answered_at == answered  # the clock of the request stops
    assert interaction.last_inbound_at == answered
    assert set(interaction.inbound_messages.values_list("provider_message_id", flat=True)) == {
        WAMID,
        "wamid.RESPUESTA",
    }


@pytest.mark.parametrize(
    "payload",
    [
        # WhatsApp: the status of a message we sent
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1122334455",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "109876543210"},
                                "statuses": [
                                    {"id": "wamid.X", "status": "delivered", "recipient_id": WA_ID}
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        # Messenger: the echo of the page's own message, a read receipt, a delivery receipt
        messenger(is_echo=True),
        {
            "object": "page",
            "entry": [
                {"id": "1", "messaging": [{"sender": {"id": PSID}, "read": {"watermark": 1}}]}
            ],
        },
        {"object": "page", "entry": [{"id": "1", "messaging": [{"delivery": {"mids": ["m_1"]}}]}]},
        # shapes that are not Meta's messages at all
        {"object": "user", "entry": [{"id": "1", "changes": [{"field": "feed"}]}]},
        {"object": "page", "entry": "no es una lista"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]},
        ["una", "lista"],
        "texto",
        {"object": "page", "entry": [{"messaging": [{"sender": {"id": PSID}, "message": {}}]}]},
    ],
    ids=[
        "wa-status",
        "echo",
        "leido",
        "entregado",
        "objeto-desconocido",
        "entry-no-lista",
        "wa-sin-value",
        "lista",
        "texto",
        "sin-mid",
    ],
)
def test_pqr01_statuses_echoes_and_unknown_shapes_answer_200_and_store_nothing(deliver, payload):
    response = deliver(payload)
    assert response.status_code == 200
    assert response.json() == {"stored": 0}
    assert counts() == (0, 0)


# --- processing: tasks lost, run twice -------------------------------------------------------


def test_nfr03_deliveries_stored_while_the_broker_is_down_are_processed_by_the_sweep(
    deliver, monkeypatch
):
    from pqr_digital import tasks

    def broker_down(*args, **kwargs):
        raise OSError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.process_inbound_task, "apply_async", broker_down)
    response = deliver(messenger())
    assert response.status_code == 200  # Meta gets its answer: nothing to deliver again
    inbound = InboundMessage.objects.get()
    assert inbound.processed_at is None and Interaction.objects.count() == 0

    assert tasks.inbound_sweep_task() == 1  # what beat runs periodically
    inbound.refresh_from_db()
    assert inbound.processed_at is not None and inbound.interaction is not None
    assert inbound_process(inbound_id=inbound.pk) == "ya procesado"
    assert inbound_process_pending() == 0
    assert counts() == (1, 1)


def test_nfr03_the_sweep_processes_oldest_first(meta):
    stored("m_nuevo", timezone.now(), sender="111")
    stored("m_viejo", timezone.now() - dt.timedelta(hours=2), sender="222")
    assert inbound_process_pending(limit=1) == 1
    assert InboundMessage.objects.get(provider_message_id="m_viejo").processed_at is not None
    assert InboundMessage.objects.get(provider_message_id="m_nuevo").processed_at is None
    assert Interaction.objects.get().text == "m_viejo"
    assert inbound_process_pending() == 1


def stored(mid, at, text=None, sender=PSID):
    return InboundMessage.objects.create(
        provider="meta",
        provider_message_id=mid,
        channel=DigitalChannel.FACEBOOK,
        sender_id=sender,
        text=text or mid,
        sent_at=at,
    )


def test_pqr01_a_senders_messages_are_processed_in_the_order_written(meta):
    first = stored("m_hola", SENT_AT, "Hola")
    second = stored("m_queja", SENT_AT + dt.timedelta(seconds=20), "La factura llegó muy alta")
    other = stored("m_otro", SENT_AT - dt.timedelta(minutes=1), sender="999")

    assert inbound_process(inbound_id=second.pk) == "procesado"  # its task ran first

    interaction = Interaction.objects.get(provider_sender_id=PSID)
    assert interaction.text == "Hola"  # the first message opened it
    assert interaction.last_inbound_at == second.sent_at
    assert set(interaction.inbound_messages.all()) == {first, second}
    assert inbound_process(inbound_id=first.pk) == "ya procesado"
    assert InboundMessage.objects.get(pk=other.pk).processed_at is None  # another sender


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pqr01_two_workers_with_two_messages_of_one_sender_open_one_interaction(meta):
    messages = [
        stored("m_uno", SENT_AT, "Hola"),
        stored("m_dos", SENT_AT + dt.timedelta(seconds=5), "Quiero reclamar por la factura"),
    ]
    start = threading.Barrier(2)
    results, errors = [], []

    def worker(message):
        try:
            start.wait(timeout=10)
            results.append(inbound_process(inbound_id=message.pk))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(message,)) for message in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert "procesado" in results and set(results) <= {"procesado", "ya procesado"}
    interaction = Interaction.objects.get()
    assert interaction.text == "Hola"
    assert InboundMessage.objects.filter(interaction=interaction).count() == 2


def test_nfr04_the_webhook_is_in_the_openapi_schema_with_its_own_operations(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operations = json.loads(response.content)["paths"][URL]
    assert operations["get"]["operationId"] == "v1_pqr_digital_webhooks_meta_verify"
    assert operations["post"]["operationId"] == "v1_pqr_digital_webhooks_meta_receive"
