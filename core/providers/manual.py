"""The manual provider: nothing is sent automatically. The creador de experiencia copies the text
into the network's console (X, Chat EPM, a call…) and marks the message as sent."""

from core.providers import SendResult

#: Shown to the person who must send it.
MANUAL_REASON = "Envío manual: copie el texto en la consola de la red y márquelo como enviado."


class ManualProvider:
    name = "manual"

    def is_configured(self, channel: str) -> bool:
        return True

    def send(self, *, channel: str, recipient: str, body: str) -> SendResult:
        return SendResult.refused(MANUAL_REASON)
