"""DF-04 and WA-03 rules on intakes built with the desborde factories
(tests/factories/desborde.py)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import CaseStatus
from core.roles import Role
from core.services.closing import case_closing_check
from desborde import services
from desborde.models import OutcomeProposal
from tests.factories.desborde import IntakeFactory, OutcomeProposalFactory
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def close(case):
    case.status = CaseStatus.CERRADO_PRIMER_CONTACTO
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at"])


def test_df04_sweep_leaves_an_already_reported_intake_alone(django_capture_on_commit_callbacks):
    """DF-04: an intake reported before (``reported`` trait) is not e-mailed again by the sweep;
    one closed and not reported is."""
    done = IntakeFactory(reported=True)
    pending = IntakeFactory(office=done.office)
    make_user(Role.ASIGNADOR, done.office, email="asignador@example.com")
    close(done.case)
    close(pending.case)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.intakes_report_pending() == 1
    pending.refresh_from_db()
    assert pending.reported_at is not None
    assert len(mail.outbox) == 1
    assert pending.case.number in mail.outbox[0].body
    assert done.case.number not in mail.outbox[0].body


def test_wa03_pending_proposal_blocks_the_closure_until_the_customer_agrees():
    """WA-03: a WhatsApp case (``whatsapp`` trait) with a proposal waiting for the customer is
    refused by the desborde closing rule; once the customer agrees it may close."""
    proposal = OutcomeProposalFactory()
    case = proposal.case
    assert case.modality == "desborde"
    with pytest.raises(ValidationError, match="de acuerdo con la propuesta"):
        case_closing_check(case=case, by=proposal.proposed_by)
    proposal.response = OutcomeProposal.Response.AGREED
    proposal.save(update_fields=["response"])
    case_closing_check(case=case, by=proposal.proposed_by)
