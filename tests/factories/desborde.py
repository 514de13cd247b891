"""Factories of the desborde app: intakes (with their case), proposals, request bodies."""

import factory
from django.utils import timezone

from core.models import TransactionType
from desborde.models import DATA_CONSENT_VERSION, Intake, IntakeMode, OutcomeProposal
from tests.factories.core import OfficeFactory, UserFactory, make_case


class IntakeFactory(factory.django.DjangoModelFactory):
    """An intake as the tablet leaves it, with its open case (channel by mode).

    Traits: ``whatsapp`` (mode and channel of 2.2), ``reported`` (DF-04's report done)."""

    class Meta:
        model = Intake

    class Params:
        whatsapp = factory.Trait(mode=IntakeMode.WHATSAPP)
        reported = factory.Trait(reported_at=factory.LazyFunction(timezone.now))

    mode = IntakeMode.FORMULARIO_WEB
    office = factory.SubFactory(OfficeFactory)
    zone = factory.SelfAttribute("office.zone")
    orientador = factory.SubFactory(UserFactory, home_office=factory.SelfAttribute("..office"))
    started_at = factory.LazyFunction(timezone.now)
    transaction_type = factory.LazyFunction(
        lambda: TransactionType.objects.get(code="duplicado-de-factura")
    )
    full_name = factory.Faker("name", locale="es_CO")
    document_type = "CC"
    document_number = factory.Sequence(lambda n: f"{20000000 + n}")
    phone = "3104567890"
    data_consent_at = factory.LazyFunction(timezone.now)
    data_consent_version = DATA_CONSENT_VERSION
    case = factory.LazyAttribute(
        lambda o: make_case(
            channel="desborde-whatsapp"
            if o.mode == IntakeMode.WHATSAPP
            else "desborde-formulario-web",
            supported_office=o.office,
            turn_number="DFILA",
        )
    )


class OutcomeProposalFactory(factory.django.DjangoModelFactory):
    """WA-03: the technologist's proposal on a WhatsApp intake's case, waiting for an answer."""

    class Meta:
        model = OutcomeProposal

    case = factory.LazyFunction(lambda: IntakeFactory(whatsapp=True).case)
    text = "Se envía el duplicado de la factura; el cliente firma la constancia."
    proposed_by = factory.SubFactory(UserFactory)
    proposed_at = factory.LazyFunction(timezone.now)


def intake_kwargs(orientador, office, **overrides) -> dict:
    """The keyword arguments of ``desborde.services.intake_create`` for a valid web-form intake,
    typed as people type them (spaces, dots)."""
    data = {
        "orientador": orientador,
        "office": office,
        "mode": IntakeMode.FORMULARIO_WEB,
        "transaction_type": TransactionType.objects.get(code="duplicado-de-factura"),
        "full_name": "  María Elena   Restrepo ",
        "document_type": "CC",
        "document_number": "43.512.876",
        "phone": "310 456 7890",
        "contract": "123456789",
        "email": "maria.restrepo@example.com",
        "data_consent": True,
    }
    data.update(overrides)
    return data


def intake_payload(office, /, **overrides) -> dict:
    """A valid body for ``POST /api/v1/desborde/intakes/``."""
    data = {
        "office": office.pk,
        "mode": "formulario_web",
        "transaction_type": "duplicado-de-factura",
        "full_name": "María Elena Restrepo",
        "document_type": "CC",
        "document_number": "43512876",
        "phone": "3104567890",
        "contract": "123456789",
        "email": "maria.restrepo@example.com",
        "data_consent": True,
    }
    data.update(overrides)
    return data
