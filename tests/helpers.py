"""Helpers shared by test modules (no test module imports another): users and clients, the
services' availability, polling with a deadline, small files."""

import os
import time

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.services import kiosks as kiosk_services
from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
#: The orientador's tablet, for browser tests.
TABLET = {"width": 768, "height": 1024}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 413
#: Browser tests with a video call: Chromium's fake camera and microphone, permission granted
#: (the ``media_browser`` / ``new_page`` fixtures of tests/browser/conftest.py), the page's
#: check that its call is connected, and how long to wait for it.
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
CONNECTED = (
    "() => !!(window.videoCall && window.videoCall.pc && "
    "window.videoCall.pc.connectionState === 'connected')"
)
CONNECT_MS = 45_000
#: Video frames arrived over the page's call (inbound RTP video bytes > 0).
VIDEO_BYTES = """async () => {
  if (!window.videoCall || !window.videoCall.pc) { return false; }
  const stats = await window.videoCall.pc.getStats();
  let bytes = 0;
  stats.forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") { bytes += r.bytesReceived || 0; }
  });
  return bytes > 0;
}"""


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing; with REQUIRE_SERVICES=1 (CI) fail it instead."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 y falta un servicio: {reason}", pytrace=False)
    pytest.skip(reason)


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.1, message: str = ""):
    """Poll ``predicate`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(message or f"la condición no se cumplió en {timeout} s")


#: Columns of the role × URL tables: anonymous first, then every role of core.roles.Role.
ANON = "anonimo"
ROLE_COLUMNS = (
    ANON,
    "orientador",
    "tecnologo",
    "gestor",
    "asignador",
    "encargado",
    "creador",
    "mesa",
    "gestor_oficina",
    "cliente_interno",
)


def make_user(role: str | None, office, **kwargs):
    """A user of ``office`` with ``role`` (a core.roles.Role value), or with no role."""
    user = UserFactory(home_office=office, **kwargs)
    if role:
        user.groups.add(Group.objects.get(name=str(role)))
    return user


def token_client(user) -> APIClient:
    """A client that authenticates like an integration: a token, the user loaded per request."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def pool_technologist(office, *, first_name="Álvaro", last_name="Zapata", **kwargs):
    """A technologist of ``office`` working from home, available today and member of the unit's
    overflow pool (CORE-09): the one the round robin hands a desborde case to."""
    from django.utils import timezone

    from core.models import AssignmentPool, StaffAvailability, WorkMode
    from core.roles import Role

    tech = make_user(
        Role.TECNOLOGO,
        office,
        first_name=first_name,
        last_name=last_name,
        work_mode=WorkMode.HOME,
        **kwargs,
    )
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    AssignmentPool.objects.get(code=f"desborde-{office.unit}").members.add(tech)
    return tech


def answer_call(case, tech) -> None:
    """The customer answered and the recording is in the expediente (DF-03)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import ContactAttempt, EvidenceKind
    from core.services.calls import attempt_log
    from core.services.evidence import evidence_attach

    attempt_log(
        case=case, by=tech, outcome=ContactAttempt.Outcome.CONTESTO, number_dialled="3104567890"
    )
    evidence_attach(
        case=case,
        kind=EvidenceKind.CALL_RECORDING,
        upload=SimpleUploadedFile("llamada.mp3", MP3, content_type="audio/mpeg"),
        uploaded_by=tech,
    )


def office_printer(office, name: str = "Impresora principal"):
    """An active printer of ``office``: print jobs go to one (WA-04, CEL-04)."""
    from core.models import Printer

    printer, _ = Printer.objects.get_or_create(office=office, name=name)
    return printer


def paired(kiosk, by) -> str:
    """The kiosk's device credential, as if the encargado had typed its code."""
    pairing, secret = kiosk_services.kiosk_pairing_request()
    kiosk_services.kiosk_pair(kiosk=kiosk, code=pairing.code, by=by)
    return kiosk_services.kiosk_pairing_collect(secret=secret)[2]


def afternoon_clock(monkeypatch, hour: int = 15):
    """Django's clock (``timezone.now``) anchored at ``hour`` o'clock in Bogotá today and running
    from there: a test that builds "now − 20 minutes" data gets today's date whenever the suite
    runs, also just after midnight (where "20 minutes ago" is yesterday and the product rightly
    treats it as a past day). The live server of browser tests runs in this process, so it reads
    the same clock. Returns the anchor."""
    import datetime as dt

    from django.utils import timezone

    from core.business_days import BOGOTA

    anchor = dt.datetime.combine(timezone.localdate(), dt.time(hour, 0), tzinfo=BOGOTA)
    started = time.monotonic()
    monkeypatch.setattr(
        timezone, "now", lambda: anchor + dt.timedelta(seconds=time.monotonic() - started)
    )
    return anchor


def clock_advance(monkeypatch, seconds: float) -> None:
    """Django's clock (``timezone.now``, whatever it is now: real or ``afternoon_clock``)
    ``seconds`` later from now on — the live server of browser tests reads it too."""
    import datetime as dt

    from django.utils import timezone

    current = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: current() + dt.timedelta(seconds=seconds))
