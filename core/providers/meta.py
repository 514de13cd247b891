"""Meta's Graph API: Messenger and Instagram (Send API, page access token) and the WhatsApp Cloud
API (phone number id, system-user token). One POST per attempt; the answer is read into a
``SendResult`` — the outbox service decides what to do with it.

Errors come as ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``:
- the 24-hour customer-service window is closed: WhatsApp code 131047 (470 in the old on-premises
  API); Messenger code 10 with subcode 2018278, Instagram code 10 with 2534022;
- try again later: no answer or a timeout, HTTP 5xx or 429, ``is_transient``, and the codes of
  rate limits and of Meta's temporary failures (``RETRY_CODES``);
- anything else (bad recipient, expired token, missing permission…) is refused for good.
"""

import logging

import requests
from django.conf import settings

from core.providers import SendResult

log = logging.getLogger(__name__)

PAGE_CHANNELS = ("facebook", "instagram")
WHATSAPP = "whatsapp"
CHANNELS = (*PAGE_CHANNELS, WHATSAPP)

WINDOW_CODES = {131047, 470}
WINDOW_SUBCODES = {(10, 2018278), (10, 2534022)}
RETRY_CODES = {
    1,  # unknown error, "possibly a temporary issue"
    2,  # service temporarily unavailable
    4,  # application request limit
    17,  # user request limit
    32,  # page request limit
    613,  # calls exceeded the rate limit
    80006,  # Messenger rate limit
    80007,  # Instagram / WhatsApp Business Account rate limit
    130429,  # WhatsApp throughput reached
    131000,  # WhatsApp: something went wrong
    131016,  # WhatsApp: service unavailable
    131056,  # WhatsApp: too many messages to the same user (pair rate limit)
    133004,  # WhatsApp: server temporarily unavailable
}
ERROR_TEXT_MAX = 1000


class MetaProvider:
    name = "meta"

    def is_configured(self, channel: str) -> bool:
        if channel in PAGE_CHANNELS:
            return bool(settings.META_PAGE_ACCESS_TOKEN)
        if channel == WHATSAPP:
            return bool(settings.META_WHATSAPP_TOKEN and settings.META_WHATSAPP_PHONE_NUMBER_ID)
        return False

    def request_for(self, *, channel: str, recipient: str, body: str) -> tuple[str, str, dict]:
        """(url, token, JSON body) of the send call for ``channel``."""
        base = settings.META_GRAPH_URL.rstrip("/")
        if channel == WHATSAPP:
            return (
                f"{base}/{settings.META_WHATSAPP_PHONE_NUMBER_ID}/messages",
                settings.META_WHATSAPP_TOKEN,
                {
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": recipient,
                    "type": "text",
                    "text": {"body": body},
                },
            )
        return (
            f"{base}/me/messages",
            settings.META_PAGE_ACCESS_TOKEN,
            {
                "recipient": {"id": recipient},
                "messaging_type": "RESPONSE",
                "message": {"text": body},
            },
        )

    def send(self, *, channel: str, recipient: str, body: str) -> SendResult:
        if channel not in CHANNELS:
            return SendResult.refused(f"Meta no envía mensajes por el canal «{channel}».")
        if not self.is_configured(channel):
            return SendResult.refused(
                f"Meta no está configurado para {channel}: faltan el token o el número."
            )
        url, token, payload = self.request_for(channel=channel, recipient=recipient, body=body)
        try:
            response = requests.post(
                url,
                json=payload,
                headers={"Authorization": f"Bearer {token}"},
                timeout=settings.META_HTTP_TIMEOUT,
            )
        except requests.Timeout as exc:
            return SendResult.retry(_short(f"Meta no respondió a tiempo: {exc}"))
        except requests.RequestException as exc:
            return SendResult.retry(_short(f"No se pudo conectar con Meta: {exc}"))
        return read_response(response, channel=channel)


def read_response(response: requests.Response, *, channel: str) -> SendResult:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}

    if 200 <= response.status_code < 300:
        message_id = _message_id(data, channel=channel)
        if not message_id:
            # Meta accepted it: sending it again would repeat it to the user.
            log.warning("Meta aceptó el mensaje sin devolver su identificador: %s", data)
        return SendResult.sent(message_id)

    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    text = _error_text(response.status_code, error, fallback=response.text)
    if code in WINDOW_CODES or (code, subcode) in WINDOW_SUBCODES:
        return SendResult.window_closed(text)
    if (
        response.status_code >= 500
        or response.status_code == 429
        or code in RETRY_CODES
        or error.get("is_transient") is True
    ):
        return SendResult.retry(text, retry_after=_retry_after(response))
    return SendResult.refused(text)


def _message_id(data: dict, *, channel: str) -> str:
    if channel == WHATSAPP:
        messages = data.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            return str(messages[0].get("id") or "")
        return ""
    return str(data.get("message_id") or "")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_text(status: int, error: dict, *, fallback: str) -> str:
    if not error:
        return _short(f"Meta respondió HTTP {status}: {fallback.strip() or 'sin detalle'}")
    code = error.get("code")
    subcode = error.get("error_subcode")
    codes = f"#{code}" + (f"/{subcode}" if subcode else "")
    trace = f" (fbtrace_id {error['fbtrace_id']})" if error.get("fbtrace_id") else ""
    return _short(f"Meta respondió HTTP {status} ({codes}): {error.get('message', '')}{trace}")


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _short(text: str) -> str:
    return text if len(text) <= ERROR_TEXT_MAX else text[: ERROR_TEXT_MAX - 1] + "…"
