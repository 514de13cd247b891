"""Asesor en línea's shared setup: Oficina Itagüí (with orientador, a printer and two kiosks)
supported by video from Oficina Centro; the technologist rostered today by asesor en línea with
today's start-of-shift check (audio, video, printer); the encargado who asks the customers; a
turn whose customer accepted virtual attention."""

import pytest

from core.models import Kiosk
from core.roles import Role
from tests.asesor_linea.support import accepted_turn, kiosk_on, rostered, technologist
from tests.factories import OfficeFactory
from tests.helpers import make_user, office_printer


@pytest.fixture
def supported(db):
    office = OfficeFactory(name="Oficina Itagüí", code="ITA", zone="Sur", has_orientador=True)
    office_printer(office, "Impresora Itagüí")
    return office


@pytest.fixture
def kiosks(supported):
    printer = office_printer(supported, "Impresora Módulo 1")
    return [
        Kiosk.objects.create(office=supported, label="Módulo 1", printer=printer),
        Kiosk.objects.create(office=supported, label="Módulo 2"),
    ]


@pytest.fixture
def kiosk(kiosks):
    return kiosk_on(kiosks[0])


@pytest.fixture
def home(db):
    return OfficeFactory(name="Oficina Centro", code="CEN")


@pytest.fixture
def tech(home, supported, kiosks):
    return rostered(
        technologist(home, "tecnologo", first_name="Óscar", last_name="Ramírez"), supported
    )


@pytest.fixture
def encargado(supported):
    return make_user(Role.ENCARGADO, supported, username="encargado", email="enc@example.com")


@pytest.fixture
def turn(supported, encargado):
    return accepted_turn(supported, encargado)
