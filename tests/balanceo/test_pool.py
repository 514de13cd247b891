"""BAL-01: the gestor includes technologists in today's balancing pool through the support
roster (modality balanceo); each technologist is told by e-mail once for the day's roster — one
e-mail per save that changes their offices, none for a save that changes nothing — and the
pool has no roster cap (BAL-02 limits simultaneous support at match time, not the pool).
Also the demo data (the pool has something to show after ``seed_demo``)."""

import pytest
from django.core import mail
from django.utils import timezone

from balanceo import demo
from balanceo.models import BalanceSeat
from balanceo.selectors import balance_offices_for
from core.modalities import DemoContext
from core.models import (
    Kiosk,
    Office,
    RemoteModality,
    RosterEntry,
    StaffAvailability,
    Turn,
    VirtualConsent,
    WorkMode,
)
from core.roles import Role
from core.selectors.roster import shift_check_done
from core.services.roster import roster_entries_add_bulk, roster_entry_add
from tests.factories import OfficeFactory
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

BALANCEO = RemoteModality.BALANCEO


def technologist(office, username):
    tech = make_user(Role.TECNOLOGO, office, username=username, work_mode=WorkMode.HOME)
    StaffAvailability.objects.create(
        user=tech, date=timezone.localdate(), is_available=True, work_mode=WorkMode.HOME
    )
    return tech


def emails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def test_bal01_each_technologist_gets_one_email_for_the_days_balancing_roster(
    django_capture_on_commit_callbacks,
):
    home = OfficeFactory(name="Oficina Centro", code="CEN")
    bello = OfficeFactory(name="Oficina Bello", code="BEL", technologist_count=1)
    itagui = OfficeFactory(name="Oficina Itagüí", code="ITA")
    gestor = make_user(Role.GESTOR, home, username="gestor_bal")
    ana, beatriz, carlos = (technologist(home, name) for name in ("ana", "beatriz", "carlos"))
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        roster_entries_add_bulk(
            day=today,
            technologists=[ana, beatriz, carlos],
            offices=[bello, itagui],
            modality=BALANCEO,
            by=gestor,
        )

    assert len(mail.outbox) == 3
    for tech in (ana, beatriz, carlos):
        (email,) = emails_to(tech)
        assert email.subject == f"Programación de apoyo — {today:%d/%m/%Y}"
        assert "- Oficina Bello (BEL" in email.body and "- Oficina Itagüí (ITA" in email.body
        assert "balanceo (2.5)" in email.body
    # No roster cap for the pool: three supporters for an office with one technologist.
    assert RosterEntry.objects.filter(office=bello, modality=BALANCEO).count() == 3
    assert list(balance_offices_for(technologist=ana)) == [bello, itagui]

    # The same save again changes nothing for anyone: no e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        roster_entries_add_bulk(
            day=today,
            technologists=[ana, beatriz, carlos],
            offices=[bello, itagui],
            modality=BALANCEO,
            by=gestor,
        )
    assert len(mail.outbox) == 3

    # A change for Ana only: one more e-mail, to her, with all her offices of the day.
    with django_capture_on_commit_callbacks(execute=True):
        roster_entry_add(day=today, technologist=ana, office=home, modality=BALANCEO, by=gestor)
    assert len(mail.outbox) == 4
    assert len(emails_to(ana)) == 2 and len(emails_to(beatriz)) == 1
    assert "- Oficina Centro (CEN" in emails_to(ana)[1].body


def test_bal01_demo_puts_a_technologist_in_the_pool_with_a_waiting_customer(
    django_capture_on_commit_callbacks,
):
    offices = {
        "MED-CEN": OfficeFactory(name="Oficina Centro Medellín", code="MED-CEN"),
        "BEL": OfficeFactory(name="Oficina Bello", code="BEL", has_orientador=False),
    }
    for office in offices.values():
        Kiosk.objects.create(office=office, label="Módulo 1")
    center = offices["MED-CEN"]
    users = {
        "tecnologo3": make_user(Role.TECNOLOGO, center, username="tecnologo3"),
        "gestor": make_user(Role.GESTOR, center, username="gestor"),
        "admin": make_user(None, center, username="admin", is_superuser=True),
        "orientador": make_user(Role.ORIENTADOR, center, username="orientador"),
    }
    users["tecnologo3"].work_mode = WorkMode.HOME
    users["tecnologo3"].save(update_fields=["work_mode"])
    context = DemoContext(offices=offices, users=users, customers=[])

    with django_capture_on_commit_callbacks(execute=True):
        first = demo.seed(context)
        second = demo.seed(context)

    tech = users["tecnologo3"]
    assert "apoyos programados nuevos: 2" in first and "atención virtual: 1." in first
    assert "apoyos programados nuevos: 0" in second and "atención virtual: 0." in second
    assert set(balance_offices_for(technologist=tech)) == set(
        Office.objects.filter(pk__in=[o.pk for o in offices.values()])
    )
    assert shift_check_done(technologist=tech, video=True)
    assert BalanceSeat.objects.get(technologist=tech).available
    assert Turn.objects.filter(office=center, virtual_consent=VirtualConsent.ACEPTA).count() == 1
    assert len(emails_to(tech)) == 1
