"""What pqr_digital adds to core's case lifecycle: the digital PQR's unit for the daily due-date
alert (LEG-02: they have no office) and the screenshot required before closing (PQR-06)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.business_days import BOGOTA
from core.exceptions import ProtocolConflict
from core.models import CaseStatus, EvidenceKind, Notification, Unit
from core.roles import Role
from core.services.closing import case_closing_check, case_evidence_add
from core.services.deadlines import pqr_due_alerts_send
from pqr_digital.models import DigitalChannel
from tests.factories import TINY_PNG, OfficeFactory
from tests.factories.pqr_digital import make_digital_pqr
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def test_leg02_a_digital_pqr_past_its_term_alerts_the_regional_managers_only():
    regional_gestor = make_user(Role.GESTOR, OfficeFactory(unit=Unit.REGIONAL), email="r@x.co")
    metro_gestor = make_user(Role.GESTOR, OfficeFactory(unit=Unit.METROPOLITANO), email="m@x.co")
    filed = dt.datetime.combine(
        timezone.localdate() - dt.timedelta(days=40), dt.time(9), tzinfo=BOGOTA
    )
    case = make_digital_pqr(filed_at=filed)

    assert pqr_due_alerts_send() == 1

    alert = Notification.objects.get()
    assert alert.recipient == regional_gestor.email != metro_gestor.email
    assert "Unidad Canales Regional" in alert.body
    assert case.number in alert.body and "silencio administrativo positivo" in alert.body


def _screenshot():
    return SimpleUploadedFile("captura.png", TINY_PNG, content_type="image/png")


@pytest.mark.parametrize("channel", [DigitalChannel.FACEBOOK, DigitalChannel.WHATSAPP])
def test_pqr06_a_chat_or_network_pqr_does_not_close_without_the_screenshot(channel):
    tech = make_user(Role.TECNOLOGO, OfficeFactory(unit=Unit.REGIONAL))
    case = make_digital_pqr(channel=channel, assigned_to=tech, status=CaseStatus.ASIGNADO)

    with pytest.raises(ProtocolConflict, match="adjunte la captura de la interacción"):
        case_closing_check(case=case, by=tech)
    case_evidence_add(case=case, by=tech, kind=EvidenceKind.INVOICE_PHOTO, upload=_screenshot())
    with pytest.raises(ProtocolConflict):
        case_closing_check(case=case, by=tech)  # another kind of evidence is not the proof

    case_evidence_add(case=case, by=tech, kind=EvidenceKind.CHAT_SCREENSHOT, upload=_screenshot())
    case_closing_check(case=case, by=tech)


def test_pqr06_a_contact_center_pqr_closes_with_its_recording_reference_only():
    tech = make_user(Role.TECNOLOGO, OfficeFactory(unit=Unit.REGIONAL))
    case = make_digital_pqr(
        channel=DigitalChannel.CONTACT_CENTER, assigned_to=tech, status=CaseStatus.ASIGNADO
    )

    case_closing_check(case=case, by=tech)  # no screenshot: the call's recording is the proof
