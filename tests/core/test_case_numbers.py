"""CORE-05: case numbers are unique, human-readable, per kind and year, without gaps."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.models import Case, CaseKind, Channel
from core.services.cases import case_open
from tests.factories import CustomerFactory, make_case


@pytest.mark.django_db
def test_core05_numbers_per_kind_and_year():
    year = timezone.localdate().year
    first_pqr = make_case(kind=CaseKind.PQR)
    first_ped = make_case(kind=CaseKind.PEDIDO)
    second_pqr = make_case(kind=CaseKind.PQR)
    assert first_pqr.number == f"PQR-{year}-000001"
    assert second_pqr.number == f"PQR-{year}-000002"
    assert first_ped.number == f"PED-{year}-000001"


@pytest.mark.django_db
def test_core05_rolled_back_case_leaves_no_gap():
    customer = CustomerFactory()
    channel = Channel.objects.get(code="facebook")
    with pytest.raises(RuntimeError), transaction.atomic():
        case_open(kind=CaseKind.PQR, pqr_type="reclamo", customer=customer, channel=channel)
        raise RuntimeError("la petición falla después de abrir el caso")
    case = case_open(kind=CaseKind.PQR, pqr_type="reclamo", customer=customer, channel=channel)
    assert case.number.endswith("-000001")
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_core05_concurrent_numbers_no_duplicate_no_gap(postgres):
    """Several threads open cases at once on PostgreSQL: every number once, none skipped."""
    threads_n, per_thread = 8, 5
    customer = CustomerFactory()
    channel_id = Channel.objects.get(code="desborde-formulario-web").pk
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait(timeout=30)
            for _ in range(per_thread):
                case_open(
                    kind=CaseKind.PQR,
                    pqr_type="peticion",
                    customer=customer,
                    channel=Channel.objects.get(pk=channel_id),
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    numbers = sorted(Case.objects.values_list("number", flat=True))
    year = timezone.localdate().year
    expected = [f"PQR-{year}-{n:06d}" for n in range(1, threads_n * per_thread + 1)]
    assert numbers == expected
