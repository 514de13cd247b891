"""Browser: the Regional help desk logs in, lands on its exports and downloads yesterday's CSV
(PQR-07)."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from core.business_days import BOGOTA
from core.models import Unit
from core.roles import Role
from pqr_digital.reference_data import load_periodic_tasks
from pqr_digital.services.export import daily_exports_run
from tests.factories import CustomerFactory, OfficeFactory
from tests.factories.pqr_digital import make_digital_pqr
from tests.helpers import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_pqr07_mesa_downloads_yesterdays_csv(page, live_server, login, screenshot, tmp_path):
    office = OfficeFactory(name="Oficina Rionegro", unit=Unit.REGIONAL)
    make_user(Role.MESA, office, username="mesa_rionegro", first_name="Ángela")
    make_user(Role.GESTOR_OFICINA, office, username="go_rionegro", email="go@epm.example")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    at = dt.datetime.combine(yesterday, dt.time(9, 15), tzinfo=BOGOTA)
    first = make_digital_pqr(
        customer=CustomerFactory(full_name="Íñigo Muñoz", document_number="0098765432"),
        filed_at=at,
    )
    second = make_digital_pqr(filed_at=at + dt.timedelta(hours=3))
    make_digital_pqr(filed_at=at - dt.timedelta(days=1))  # the day before: not in it
    load_periodic_tasks(apps)  # the schedule the page shows (flushed by transactional tests)
    daily_exports_run()  # what the 06:00 job did this morning

    login(page, "mesa_rionegro")
    expect(page).to_have_url(f"{live_server.url}/pqr-digital/exportes/")
    expect(page.locator("h1")).to_have_text("Exportes de PQR digitales")
    expect(page.locator("#schedule")).to_contain_text("06:00")
    row = page.locator("#exports tbody tr").first
    expect(row).to_contain_text(yesterday.strftime("%d/%m/%Y"))
    expect(row).to_contain_text("proceso diario")
    screenshot(page, "pqr07-exportes-mesa")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"pqr-digitales-{yesterday:%Y-%m-%d}.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    data = Path(path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:2] == ["número de PQR", "fecha de radicación"]
    assert [r[0] for r in rows[1:]] == [first.number, second.number]
    assert rows[1][1] == f"{yesterday:%d/%m/%Y} 09:15"
    assert rows[1][7] == "Íñigo Muñoz"
    assert rows[1][9] == '="0098765432"'
