"""2.7 in admin (read-mostly, superusers and gestores) and in the demo data (every network,
every state, digital PQR filed yesterday for the daily export)."""

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.business_days import bogota_day_bounds
from core.models import Case, Modality, OutboundMessage
from core.roles import Role
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services import interactions as services
from tests.helpers import afternoon_clock, make_user

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "/admin/pqr_digital/interaction/",
    "/admin/pqr_digital/inboundmessage/",
    "/admin/pqr_digital/digitalpqrexport/",
]


@pytest.mark.parametrize(
    ("role", "superuser", "status"),
    [
        (Role.GESTOR, False, 200),
        (None, True, 200),
        (Role.CREADOR, False, 403),
        (Role.MESA, False, 403),
        (Role.TECNOLOGO, False, 403),
    ],
)
def test_nfr04_admin_shows_2_7_to_superusers_and_gestores_only(
    client, cc_office, register, role, superuser, status
):
    interaction = register()
    user = make_user(role, cc_office, is_staff=True, is_superuser=superuser)
    client.force_login(user)
    for url in ADMIN_URLS[:2]:
        assert client.get(url).status_code == status, url
    change = client.get(f"/admin/pqr_digital/interaction/{interaction.pk}/change/")
    assert change.status_code == status
    assert client.get("/admin/pqr_digital/interaction/add/").status_code == 403


def test_pqr07_nfr04_export_admin_only_for_those_who_handle_digital_pqr(client, cc_office):
    """The exports hold the Regional unit's PQR: a Regional gestor sees them in admin (files
    through the scoped download pages), a Metropolitano one is refused like any other role."""
    from pqr_digital.models import DigitalPqrExport
    from tests.factories import OfficeFactory

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    export = DigitalPqrExport.objects.create(date_from=yesterday, date_to=yesterday, rows=3)
    url = "/admin/pqr_digital/digitalpqrexport/"
    regional = make_user(Role.GESTOR, OfficeFactory(unit="regional"), is_staff=True)
    metro = make_user(Role.GESTOR, cc_office, is_staff=True)

    client.force_login(metro)
    assert client.get(url).status_code == 403
    assert client.get(f"{url}{export.pk}/change/").status_code == 403
    client.force_login(regional)
    assert client.get(url).status_code == 200
    page = client.get(f"{url}{export.pk}/change/").content.decode()
    assert f'href="/pqr-digital/exportes/{export.pk}/csv/"' in page
    assert "/media/" not in page


def test_nfr04_gestor_cannot_change_an_interaction_superuser_corrects_the_data(
    client, cc_office, register
):
    interaction = register()
    gestor = make_user(Role.GESTOR, cc_office, is_staff=True)
    client.force_login(gestor)
    url = f"/admin/pqr_digital/interaction/{interaction.pk}/change/"
    assert client.post(url, {"full_name": "Otro"}).status_code == 403
    page = client.get(url).content.decode()
    assert "Marcela Ríos Gaviria" in page and 'name="full_name"' not in page

    client.force_login(make_user(None, cc_office, is_staff=True, is_superuser=True))
    page = client.get(url).content.decode()
    assert 'name="full_name"' in page and 'name="status"' not in page


def test_core01_demo_has_every_network_and_state_and_yesterdays_digital_pqr(settings, monkeypatch):
    afternoon_clock(monkeypatch)  # the demo's "hours ago" stay today's, also at midnight
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    first = (Interaction.objects.count(), Case.objects.count(), OutboundMessage.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (
        Interaction.objects.count(),
        Case.objects.count(),
        OutboundMessage.objects.count(),
    ) == first

    statuses = set(Interaction.objects.values_list("status", flat=True))
    assert statuses == set(Interaction.Status.values)
    assert set(Interaction.objects.values_list("channel", flat=True)) == set(DigitalChannel.values)
    waiting = Interaction.objects.get(status=Interaction.Status.WAITING_INFO)
    assert waiting.messages.get().status == OutboundMessage.Status.HUMAN
    assert Interaction.objects.filter(
        status=Interaction.Status.OPEN, handled_by__isnull=True
    ).exists()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    start, end = bogota_day_bounds(yesterday)
    digital = Case.objects.filter(modality=Modality.PQR_DIGITAL, created_by__username="creador")
    assert digital.filter(filed_at__gte=start, filed_at__lt=end).count() >= 4
    before_start, _ = bogota_day_bounds(yesterday - dt.timedelta(days=1))
    assert digital.filter(filed_at__gte=before_start, filed_at__lt=start).count() >= 2


def test_pqr02_demo_like_closing_is_idempotent_with_the_job(creador, incomplete):
    """The job after a manual closing (or a second run) sends nothing more."""
    services.interaction_request_info(
        interaction=incomplete, by=creador, at=timezone.now() - dt.timedelta(days=2)
    )
    services.interaction_close_unanswered(interaction=incomplete, by=creador)
    assert services.interactions_close_unanswered_due() == 0
    assert incomplete.messages.filter(purpose=services.Purpose.CLOSE_UNANSWERED).count() == 1
