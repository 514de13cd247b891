"""Fixtures shared by the overflow page tests: the intake office (with its printer), another
office of the unit, the technologists' office, their people, and a WhatsApp case."""

import pytest

from core.roles import Role
from desborde.models import IntakeMode
from tests.desborde.pages.helpers import assign, intake_for, staff
from tests.factories import OfficeFactory
from tests.helpers import office_printer


@pytest.fixture
def office(db):
    """The intake office, with the printer its print queue (WA-04) sends to."""
    office = OfficeFactory(name="Oficina Envigado", zone="Sur")
    office_printer(office, "Impresora Envigado")
    return office


@pytest.fixture
def far_office(db):
    """Another office of the same unit, with its own orientador."""
    return OfficeFactory(name="Oficina Bello", zone="Norte")


@pytest.fixture
def tech_office(db):
    return OfficeFactory(name="Oficina Itagüí", zone="Sur")


@pytest.fixture
def orientador(office):
    return staff(Role.ORIENTADOR, office, "orientadora", first_name="Luisa", last_name="Mejía")


@pytest.fixture
def far_orientador(far_office):
    return staff(Role.ORIENTADOR, far_office, "orientador.bello")


@pytest.fixture
def tech(tech_office):
    return staff(Role.TECNOLOGO, tech_office, "tecnologo", first_name="Carlos", last_name="Ruiz")


@pytest.fixture
def whatsapp_case(orientador, office, tech):
    """A WhatsApp intake of ``office`` assigned to ``tech``."""
    intake = intake_for(orientador, office, mode=IntakeMode.WHATSAPP, name="Jorge Iván Cano")
    return assign(intake.case, tech)
