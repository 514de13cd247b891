"""LEG-01: the PQR response term, 15 días hábiles on the Colombian calendar (America/Bogota).

Every expected date below was counted by hand on the 2026/2027 Colombian calendar (weekends and
the national holidays of Ley 51 de 1983 moved to Monday); the filing day itself is not counted.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.business_days import add_business_days, pqr_due_date
from core.models import CaseKind, PqrType
from core.services.cases import case_open
from tests.factories import CustomerFactory, make_case

pytestmark = pytest.mark.django_db

BOGOTA = ZoneInfo("America/Bogota")


def bogota(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BOGOTA)


def test_leg01_friday_before_long_weekend_skips_the_monday_festivo():
    """LEG-01: filed Fri 14/08/2026; Mon 17/08 (La Asunción, observed) is not counted.

    Tue 18/08 is day 1 … Fri 04/09 is day 14, Mon 07/09 is day 15. Without the holiday the
    count would end on Fri 04/09.
    """
    assert add_business_days(dt.date(2026, 8, 14), 1) == dt.date(2026, 8, 18)
    assert pqr_due_date(bogota(2026, 8, 14, 10, 0)) == dt.date(2026, 9, 7)


def test_leg01_friday_before_ascension_and_corpus_christi_mondays():
    """LEG-01: filed Fri 15/05/2026; Mon 18/05 (Ascensión) and Mon 08/06 (Corpus Christi) are
    skipped: day 14 is Fri 05/06, day 15 Tue 09/06."""
    assert pqr_due_date(bogota(2026, 5, 15, 9, 30)) == dt.date(2026, 6, 9)


def test_leg01_december_holidays_8_and_25():
    """LEG-01: filed Fri 04/12/2026; Tue 08/12 (Inmaculada Concepción) and Fri 25/12 (Navidad)
    are skipped: Mon 07/12 is day 1, Thu 24/12 day 13, Mon 28/12 day 14, Tue 29/12 day 15."""
    assert pqr_due_date(bogota(2026, 12, 4, 11, 0)) == dt.date(2026, 12, 29)


def test_leg01_term_crosses_the_year_with_new_year_and_reyes_observed():
    """LEG-01: filed Thu 24/12/2026; skipped: Fri 25/12, Fri 01/01/2027 and Mon 11/01/2027 (Reyes
    Magos, 6 January moved to Monday). Mon 28/12 is day 1, Fri 08/01 day 9, Tue 12/01 day 10,
    Tue 19/01/2027 day 15."""
    assert add_business_days(dt.date(2027, 1, 8), 1) == dt.date(2027, 1, 12)
    assert pqr_due_date(bogota(2026, 12, 24, 16, 0)) == dt.date(2027, 1, 19)


def test_leg01_add_business_days_across_all_four_year_end_holidays():
    """LEG-01: from Fri 04/12/2026, 25 business days skip 08/12, 25/12, 01/01 and 11/01:
    Tue 29/12 is day 15, Fri 08/01 day 22, Thu 14/01/2027 day 25."""
    assert add_business_days(dt.date(2026, 12, 4), 25) == dt.date(2027, 1, 14)


def test_leg01_late_night_filing_counts_the_bogota_date_not_the_utc_date():
    """LEG-01: Thu 13/08/2026 22:00 in Bogotá is already Fri 14/08 03:00 UTC.

    From Thu 13/08: Fri 14/08 is day 1 and Fri 04/09 day 15. Counting from the UTC date
    (Fri 14/08) would give Mon 07/09.
    """
    filed_utc = dt.datetime(2026, 8, 14, 3, 0, tzinfo=dt.UTC)
    assert filed_utc == bogota(2026, 8, 13, 22, 0)
    assert pqr_due_date(filed_utc) == dt.date(2026, 9, 4)
    assert pqr_due_date(bogota(2026, 8, 13, 22, 0)) == dt.date(2026, 9, 4)


def test_leg01_naive_datetime_is_refused():
    """LEG-01: a filing time without zone cannot be placed on the Bogotá calendar."""
    with pytest.raises(ValueError, match="zona horaria"):
        pqr_due_date(dt.datetime(2026, 8, 13, 22, 0))  # noqa: DTZ001


def test_leg01_holy_week_2026_thursday_and_friday_are_skipped():
    """LEG-01: filed Mon 30/03/2026; Jueves Santo 02/04 and Viernes Santo 03/04 are skipped.

    Tue 31/03 day 1, Wed 01/04 day 2, Mon 06/04 day 3 … Wed 22/04 day 15.
    """
    assert add_business_days(dt.date(2026, 4, 1), 1) == dt.date(2026, 4, 6)
    assert pqr_due_date(bogota(2026, 3, 30, 8, 0)) == dt.date(2026, 4, 22)


def test_leg01_friday_before_san_jose_and_holy_week():
    """LEG-01: filed Fri 20/03/2026; Mon 23/03 (San José, observed), 02/04 and 03/04 skipped:
    Tue 24/03 day 1, Wed 01/04 day 7, Mon 06/04 day 8, Wed 15/04 day 15."""
    assert pqr_due_date(bogota(2026, 3, 20, 15, 0)) == dt.date(2026, 4, 15)


def test_leg01_case_open_gives_a_pqr_its_due_date_and_a_pedido_none():
    """LEG-01: case_open stores the term on the PQR (filed late at night, Bogotá date counts);
    a pedido has no legal term."""
    filed_utc = dt.datetime(2026, 8, 14, 3, 0, tzinfo=dt.UTC)
    pqr = case_open(
        kind=CaseKind.PQR,
        pqr_type=PqrType.RECLAMO,
        customer=CustomerFactory(),
        channel="whatsapp",
        filed_at=filed_utc,
    )
    pedido = case_open(
        kind=CaseKind.PEDIDO,
        customer=CustomerFactory(),
        channel="desborde-celular",
        filed_at=filed_utc,
    )
    pqr.refresh_from_db()
    pedido.refresh_from_db()
    assert pqr.due_date == dt.date(2026, 9, 4)
    assert pedido.due_date is None


def test_leg01_case_page_shows_the_due_date_as_day_month_year(client, tecnologo):
    """LEG-01: the assigned technologist sees the due date on the case page (d/m/Y)."""
    case = make_case(assigned_to=tecnologo, filed_at=bogota(2026, 8, 14, 10, 0))
    client.force_login(tecnologo)

    response = client.get(reverse("core:case_detail", args=[case.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Fecha límite de respuesta" in content
    assert "07/09/2026 (15 días hábiles)" in content


def test_leg01_case_page_of_a_pedido_shows_no_due_date(client, tecnologo):
    """LEG-01: a pedido's page shows no response term."""
    case = make_case(
        kind=CaseKind.PEDIDO,
        channel="desborde-celular",
        assigned_to=tecnologo,
        filed_at=bogota(2026, 8, 14, 10, 0),
    )
    client.force_login(tecnologo)

    response = client.get(reverse("core:case_detail", args=[case.pk]))

    assert response.status_code == 200
    assert case.number in response.content.decode()
    assert "Fecha límite de respuesta" not in response.content.decode()
