"""Fixtures of the creador's inbox tests (2.7, PQR-01..06): the Contact Center's office, two
creadores sharing the inbox, and interactions in the states the tests start from."""

import datetime as dt

import pytest

from core.business_days import BOGOTA
from core.models import DocumentType
from core.roles import Role
from pqr_digital.models import DigitalChannel
from pqr_digital.services import interactions as services
from tests.factories import OfficeFactory
from tests.helpers import make_user

#: PQR-02's minimum content, complete.
COMPLETE = {
    "full_name": "Marcela Ríos Gaviria",
    "document_type": DocumentType.CC,
    "document_number": "43987654",
    "contract": "1203456",
    "motive": "Inconformidad con el consumo de energía facturado en el último periodo.",
}


def bogota(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BOGOTA)


@pytest.fixture
def cc_office(db):
    return OfficeFactory(name="Contact Center", zone="Centro")


@pytest.fixture
def creador(cc_office):
    return make_user(
        Role.CREADOR, cc_office, username="creador", first_name="Paula", last_name="Ríos"
    )


@pytest.fixture
def other_creador(cc_office):
    return make_user(
        Role.CREADOR, cc_office, username="creador2", first_name="Tomás", last_name="Arango"
    )


@pytest.fixture
def register(creador):
    """Register an interaction by hand as ``creador`` (Facebook, complete data by default)."""

    def make(channel=DigitalChannel.FACEBOOK, by=None, **data):
        values = {**COMPLETE, **data}
        if channel == DigitalChannel.CONTACT_CENTER:
            values.setdefault("recording_ref", "CC-ORF-0001")
        return services.interaction_register(
            by=by or creador,
            channel=channel,
            text="La factura llegó muy alta, no estoy de acuerdo con el consumo.",
            author_handle=values.pop("author_handle", "@vecinabello"),
            **values,
        )

    return make


@pytest.fixture
def incomplete(register):
    """A Facebook mention without contract or address (PQR-02)."""
    return register(contract="", property_address="")
