"""Desborde's part of seed_demo (registered with core.modalities): the orientador has today's
intakes to see, the overflow pools have their technologists, and a second run adds nothing."""

import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import AssignmentPool
from desborde.models import Intake, IntakeMode

pytestmark = pytest.mark.django_db


def test_df01_wa01_seed_demo_gives_the_orientador_todays_intakes(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115

    today = Intake.objects.filter(
        orientador__username="orientador", started_at__date=timezone.localdate()
    )
    assert sorted(today.values_list("mode", flat=True)) == [
        IntakeMode.FORMULARIO_WEB,
        IntakeMode.WHATSAPP,
    ]
    assert all(intake.case.modality == "desborde" for intake in today)
    members = {
        pool.code: sorted(pool.members.values_list("username", flat=True))
        for pool in AssignmentPool.objects.filter(code__startswith="desborde-")
    }
    assert members == {
        "desborde-metropolitano": ["tecnologo1", "tecnologo2", "tecnologo3", "tecnologo4"],
        "desborde-regional": ["tecnologo5"],
    }
