"""Factories of 2.7: interactions, and digital PQR as the creador leaves them (PQR-03)."""

import factory
from django.utils import timezone

from core.models import CaseKind, PqrType
from pqr_digital.models import CASE_CHANNEL, DigitalChannel, Interaction
from tests.factories.core import CustomerFactory, make_case


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    channel = DigitalChannel.FACEBOOK
    author_handle = factory.Sequence(lambda n: f"@usuario{n}")
    text = "Me llegó la factura de este mes muy alta, no estoy de acuerdo con el consumo."
    arrived_at = factory.LazyFunction(timezone.now)


def make_digital_pqr(*, channel=DigitalChannel.FACEBOOK, customer=None, created_by=None, **kwargs):
    """A digital PQR: reclamo, the network's CRM channel, causa inicial "inconformidad con
    consumo o producción facturado", open and in no pool, with its interaction (pqr_creada)."""
    kwargs.setdefault("motive", "Inconformidad con el consumo facturado del último periodo.")
    kwargs.setdefault("contract_number", "0012345678")
    case = make_case(
        kind=CaseKind.PQR,
        pqr_type=PqrType.RECLAMO,
        customer=customer or CustomerFactory(),
        channel=CASE_CHANNEL[channel],
        initial_cause="inconformidad-consumo",
        created_by=created_by,
        **kwargs,
    )
    InteractionFactory(
        channel=channel,
        arrived_at=case.filed_at,
        status=Interaction.Status.PQR_CREATED,
        handled_by=created_by,
        full_name=case.customer.full_name,
        document_type=case.customer.document_type,
        document_number=case.customer.document_number,
        contract=case.contract_number,
        motive=case.motive,
        closed_at=case.filed_at,
        case=case,
    )
    return case
