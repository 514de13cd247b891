"""Fixtures of the balancing tests: offices with kiosks on, technologists of today's balancing
pool (rostered, checked, available, idle since a given time), waiting customers who accepted
virtual attention, and what the live layer would have sent."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from balanceo.models import BalanceSeat
from core.models import (
    Kiosk,
    Printer,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    StaffAvailability,
    TransactionType,
    WorkMode,
)
from core.roles import Role
from core.services.turns import turn_create, turn_virtual_consent
from tests.factories import OfficeFactory
from tests.helpers import afternoon_clock, make_user

_seq = itertools.count(1)


class BalanceWorld:
    """Builds the scenes of the balancing tests through the real models and services."""

    def __init__(self):
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.staff = {}

    def office(self, *, technologist_count=2, kiosks_on=2, kiosks_off=0, **kwargs):
        n = next(_seq)
        office = OfficeFactory(
            name=kwargs.pop("name", f"Oficina Balanceo {n}"),
            code=kwargs.pop("code", f"BAL{n:03d}"),
            technologist_count=technologist_count,
            **kwargs,
        )
        printer = Printer.objects.create(office=office, name=f"Impresora módulos {n}")
        for i in range(kiosks_on + kiosks_off):
            Kiosk.objects.create(
                office=office,
                label=f"Módulo {i + 1}",
                printer=printer,
                is_on=i < kiosks_on,
                last_seen_at=self.now if i < kiosks_on else None,
                live_channel=f"canal-{n}-{i}" if i < kiosks_on else "",
            )
        self.staff[office.pk] = make_user(
            Role.ENCARGADO, office, username=f"encargado_bal_{n}", first_name="Encargado"
        )
        return office

    def kiosks(self, office):
        return list(Kiosk.objects.filter(office=office).order_by("label"))

    def tech(
        self,
        offices,
        *,
        idle_minutes=0,
        checked=True,
        video=True,
        available=True,
        home=None,
        username=None,
    ):
        n = next(_seq)
        offices = offices if isinstance(offices, list | tuple) else [offices]
        tech = make_user(
            Role.TECNOLOGO,
            home or offices[0],
            username=username or f"tec_bal_{n}",
            first_name=f"Tecnólogo {n}",
            work_mode=WorkMode.HOME,
        )
        StaffAvailability.objects.create(
            user=tech, date=self.today, is_available=True, work_mode=WorkMode.HOME
        )
        for office in offices:
            RosterEntry.objects.create(
                day=self.today, technologist=tech, office=office, modality=RemoteModality.BALANCEO
            )
        if checked:
            ShiftCheck.objects.create(
                technologist=tech,
                day=self.today,
                audio_ok=True,
                printer_ok=True,
                video_ok=video,
                checked_at=self.now,
            )
        BalanceSeat.objects.create(
            technologist=tech,
            day=self.today,
            available=available,
            idle_since=self.now - dt.timedelta(minutes=idle_minutes),
        )
        return tech

    def turn(self, office, *, minutes_ago=0, accept=True, code="duplicado-de-factura"):
        turn = turn_create(
            office=office,
            transaction_type=TransactionType.objects.get(code=code),
            accepts_remote=False,
            by=self.staff[office.pk],
            at=self.now - dt.timedelta(minutes=minutes_ago),
        )
        if accept:
            turn_virtual_consent(turn=turn, accepts=True, by=self.staff[office.pk])
        turn.refresh_from_db()
        return turn


@pytest.fixture(autouse=True)
def _afternoon(monkeypatch):
    """Turns "20 minutes ago" must be today's (a past day's turn is read-only): every balanceo
    test runs on a clock anchored at 3 p.m. Bogotá today, also when the suite runs at midnight."""
    return afternoon_clock(monkeypatch)


@pytest.fixture
def world(db):
    return BalanceWorld()


@pytest.fixture
def published(monkeypatch):
    """What the live layer would have sent after commit: (groups, payload) in order."""
    sent = []
    monkeypatch.setattr(
        "core.live.publish._send", lambda groups, payload: sent.append((list(groups), payload))
    )
    return sent


@pytest.fixture(autouse=True)
def _balanceo_registered():
    """``tests/core/test_modalities.py`` registers and then unregisters ``Modality.BALANCEO``
    in its ``finally`` blocks, which takes balancing's own registration (menu, case panel) away
    for the rest of the session: put it back, as the app's start-up does."""
    from django.apps import apps

    from core import modalities
    from core.models import Modality

    if modalities.registration_for(Modality.BALANCEO) is None:
        apps.get_app_config("balanceo").ready()
