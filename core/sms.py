"""SMS backends (CORE-12). Production plugs a provider in by subclassing ``BaseSmsBackend``."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class BaseSmsBackend:
    def send(self, *, to: str, body: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, body: str) -> None:
        print(f"[SMS a {to}] {body}")  # noqa: T201


class FileSmsBackend(BaseSmsBackend):
    """Each message appended as one JSON line to SMS_FILE_PATH/sms.log."""

    def send(self, *, to: str, body: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = {"to": to, "body": body, "at": timezone.now().isoformat()}
        with open(folder / "sms.log", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``outbox`` (tests)."""

    outbox: list[dict[str, str]] = []

    def send(self, *, to: str, body: str) -> None:
        LocmemSmsBackend.outbox.append({"to": to, "body": body})


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
