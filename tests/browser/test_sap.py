"""Browser (issue 16; LEG-02, NFR-01, NFR-02): the silencio-administrativo-positivo queue end to
end. Two PQR of the gestor's unit passed their term (three days ago, and long ago) and one of the
other unit; the sweep files them; the gestor follows the dashboard's link to the queue on a
tablet, sees the 72-hour clock of each (orange "Quedan N h", red "Vencido hace N h"), records the
recognition of one with its act and a PDF, and finds it under *Reconocidos* with who, when and
the evidence. Screenshots: test-artifacts/sap-queue.png, test-artifacts/sap-recognised.png."""

import datetime as dt
import math
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.business_days import BOGOTA
from core.models import Case, CaseKind, Channel, Evidence, Modality, SapCase, Unit
from core.roles import Role
from core.services.sap import sap_sweep
from tests.factories import CustomerFactory, OfficeFactory
from tests.helpers import PDF, TABLET, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pqr(number: str, office, due: dt.date) -> Case:
    return Case.objects.create(
        number=number,
        kind=CaseKind.PQR,
        pqr_type="reclamo",
        customer=CustomerFactory(full_name=f"Cliente {number}"),
        channel=Channel.objects.get(code="desborde-formulario-web"),
        modality=Modality.DESBORDE,
        office=office,
        filed_at=timezone.now() - dt.timedelta(days=40),
        due_date=due,
    )


def test_leg02_gestor_recognises_a_silencio_positivo_from_the_queue(
    page, live_server, login, screenshot, tmp_path
):
    sur = OfficeFactory(name="Oficina Sur", unit=Unit.METROPOLITANO)
    far = OfficeFactory(name="Oficina Lejana", unit=Unit.REGIONAL)
    make_user(Role.GESTOR, sur, username="gestora", first_name="Gloria", last_name="Gómez")
    # Due three days ago: the clock began two days ago at 00:00 and ends tonight at 12:00 a.m.,
    # so fewer than 24 hours are left whatever the hour (the orange badge).
    fresh_due = timezone.localdate() - dt.timedelta(days=3)
    began = dt.datetime.combine(fresh_due + dt.timedelta(days=1), dt.time(0), tzinfo=BOGOTA)
    fresh = _pqr("PQR-FRESCA", sur, fresh_due)
    old = _pqr("PQR-VIEJA", sur, fresh_due - dt.timedelta(days=10))
    _pqr("PQR-LEJANA", far, fresh_due - dt.timedelta(days=3))
    result = sap_sweep()
    assert result["entered"] == 3
    hours_left = math.ceil((began + dt.timedelta(hours=72) - timezone.now()).total_seconds() / 3600)

    page.set_viewport_size(TABLET)
    login(page, "gestora")
    page.goto(f"{live_server.url}/tablero/")
    page.locator("#link-sap").click()
    expect(page.locator("h1")).to_have_text("Silencio administrativo positivo")
    rows = page.locator("#sap-queue tbody tr[data-sap-case]")
    expect(rows).to_have_count(2)  # the other unit's case is not here
    expect(rows.first).to_contain_text("PQR-VIEJA")  # most urgent first (expired)
    expect(rows.first.locator('[data-sap-badge="vencido"]')).to_contain_text("Vencido hace")
    fresh_row = page.locator('tr[data-sap-case="PQR-FRESCA"]')
    expect(fresh_row).to_contain_text(f"{fresh_due:%d/%m/%Y}")
    badge = fresh_row.locator('[data-sap-badge="urgente"]')
    # (the hour may tick between the count here and the page's)
    expect(badge).to_have_text(re.compile(rf"Quedan ({hours_left}|{hours_left - 1}) h"))
    expect(fresh_row).to_contain_text("sin asignar")
    expect(page.locator("body")).not_to_contain_text("PQR-LEJANA")
    screenshot(page, "sap-queue")

    # Without the act's reference the browser does not send the form (the field is required;
    # the server's own Spanish message is tests/core/test_sap_page.py's): nothing recorded.
    form_row = page.locator('tr[data-sap-form="PQR-FRESCA"]')
    form_row.get_by_text("Registrar reconocimiento de PQR-FRESCA").click()
    form_row.get_by_role("button", name="Registrar reconocimiento").click()
    reference = form_row.get_by_label("Referencia del acto de reconocimiento")
    assert reference.evaluate("element => element.validity.valueMissing") is True
    assert SapCase.objects.get(case=fresh).recognised_at is None

    act = tmp_path / "resolucion-123.pdf"
    act.write_bytes(PDF)
    reference.fill("Resolución 123 de 2026")
    form_row.get_by_label("Observaciones").fill("Se reconoce lo pedido por el cliente.")
    form_row.get_by_label("Evidencia (opcional)").set_input_files(str(act))
    form_row.get_by_role("button", name="Registrar reconocimiento").click()
    expect(page.locator("#sap-queue tbody tr[data-sap-case]")).to_have_count(1)
    expect(page.locator('tr[data-sap-case="PQR-FRESCA"]')).to_have_count(0)

    record = SapCase.objects.select_related("recognised_by", "evidence").get(case=fresh)
    assert record.recognised_by.username == "gestora"
    assert record.act_reference == "Resolución 123 de 2026"
    assert record.evidence.case_id == fresh.pk
    assert Evidence.objects.filter(case=fresh, kind="reconocimiento_sap").count() == 1
    assert SapCase.objects.get(case=old).recognised_at is None

    page.get_by_role("link", name="Reconocidos").click()
    done = page.locator('tr[data-sap-case="PQR-FRESCA"]')
    expect(done).to_contain_text("Resolución 123 de 2026")
    expect(done).to_contain_text("Gloria Gómez")
    expect(done.get_by_role("link", name="resolucion-123.pdf")).to_be_visible()
    screenshot(page, "sap-recognised")
