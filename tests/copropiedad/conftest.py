"""Fixtures of condo administrators (2.6): the creador of the Contact Center, two technologists
who serve the "copropiedad" appointment type Monday to Friday, and a working day ahead."""

import pytest

from core.roles import Role
from tests.factories import OfficeFactory
from tests.factories.copropiedad import condo_type, next_business_day
from tests.helpers import make_user


@pytest.fixture
def creador(users):
    return users[Role.CREADOR]


@pytest.fixture
def tech_office(db, office):
    return OfficeFactory(unit=office.unit, name="Oficina Envigado Prueba")


@pytest.fixture
def techs(tech_office, office):
    """Two technologists of the agenda, of different home offices (COP-04: the case's office is
    the technologist's)."""
    first = make_user(
        Role.TECNOLOGO, tech_office, username="tec-agenda-1", first_name="Ana", last_name="Mejía"
    )
    second = make_user(
        Role.TECNOLOGO, office, username="tec-agenda-2", first_name="Bruno", last_name="Zea"
    )
    return first, second


@pytest.fixture
def appointment_type(techs):
    return condo_type(*techs)


@pytest.fixture
def day(appointment_type):
    """The next working day: its 7:00–12:00 and 13:00–17:00 slots are all free and future."""
    return next_business_day()
