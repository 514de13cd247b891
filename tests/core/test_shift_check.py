"""CEL-03 step 3 (reused by AL-02): before contacting customers the technologist confirms the
audio and the supported office's printer; stored per technologist and day; the gestor sees who
has done it (admin, API); NFR-02 per role."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.models import ShiftCheck, Unit
from core.roles import Role
from core.selectors.roster import roster_today, shift_check_done
from core.services.roster import shift_check_record
from tests.factories import OfficeFactory, UserFactory
from tests.helpers import ANON, ROLE_COLUMNS, make_user

pytestmark = pytest.mark.django_db

CHECKS = "/api/v1/shift-checks/"
ADMIN = "/admin/core/shiftcheck/"


@pytest.fixture
def tech(office):
    return make_user(Role.TECNOLOGO, office, username="tecnologa", first_name="Ana")


def test_cel03_both_confirmations_required_and_nothing_stored_otherwise(tech):
    with pytest.raises(ValidationError) as exc:
        shift_check_record(technologist=tech, audio=False, printer=False)
    assert exc.value.message_dict == {
        "audio": ["Confirme que el audio de su equipo funciona."],
        "printer": [
            "Confirme que la impresora de la oficina que apoya está configurada en su equipo."
        ],
    }
    with pytest.raises(ValidationError, match="impresora"):
        shift_check_record(technologist=tech, audio=True, printer=False)
    assert not ShiftCheck.objects.exists()
    assert not shift_check_done(technologist=tech, day=roster_today())


def test_cel03_stored_per_technologist_and_day_and_idempotent(tech):
    today = roster_today()
    first = shift_check_record(technologist=tech, audio=True, printer=True)
    assert (first.day, first.audio_ok, first.printer_ok) == (today, True, True)
    assert shift_check_done(technologist=tech, day=today)
    assert not shift_check_done(technologist=tech, day=today + dt.timedelta(days=1))

    again = shift_check_record(technologist=tech, audio=True, printer=True)
    assert again.pk == first.pk
    assert again.checked_at >= first.checked_at
    tomorrow = shift_check_record(
        technologist=tech, audio=True, printer=True, day=today + dt.timedelta(days=1)
    )
    assert tomorrow.pk != first.pk
    assert ShiftCheck.objects.filter(technologist=tech).count() == 2


def test_cel03_only_technologists_check(office):
    gestor = make_user(Role.GESTOR, office, username="gestor")
    with pytest.raises(ValidationError, match="Solo un tecnólogo"):
        shift_check_record(technologist=gestor, audio=True, printer=True)
    assert not ShiftCheck.objects.exists()


def test_cel03_api_records_todays_check_of_the_caller(tech, api_as):
    client = api_as(tech)
    response = client.post(CHECKS, {"audio": True, "printer": True}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["technologist"], body["day"]) == (tech.pk, roster_today().isoformat())
    assert (body["audio"], body["printer"]) == (True, True)

    response = client.post(CHECKS, {"audio": True, "printer": True}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == body["id"]
    assert ShiftCheck.objects.count() == 1


def test_cel03_api_refusals_in_spanish(tech, api_as):
    client = api_as(tech)
    response = client.post(CHECKS, {"audio": True, "printer": False}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "printer": [
            "Confirme que la impresora de la oficina que apoya está configurada en su equipo."
        ]
    }
    response = client.post(CHECKS, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "audio": ["Este campo es obligatorio."],
        "printer": ["Este campo es obligatorio."],
    }
    assert not ShiftCheck.objects.exists()


OK, NO = 200, 403
# fmt: off
TABLE = {
    #                           anon orie tecn gest asig enca crea mesa geof clin
    "POST /api/v1/shift-checks/": (401, NO, 201, NO, NO, NO, NO, NO, NO, NO),
    "GET /api/v1/shift-checks/":  (401, NO, OK, OK, OK, NO, NO, NO, NO, NO),
}
# fmt: on


@pytest.mark.parametrize(("key", "row"), TABLE.items(), ids=list(TABLE))
def test_nfr02_shift_check_api_role_table(office, api, api_as, key, row):
    method, url = key.split(" ")
    mismatches = []
    for who, expected in zip(ROLE_COLUMNS, row, strict=True):
        client = api if who == ANON else api_as(make_user(who, office, username=f"api_{who}"))
        response = getattr(client, method.lower())(
            url, {"audio": True, "printer": True}, format="json"
        )
        if response.status_code != expected:
            mismatches.append(f"{who}: esperado {expected}, obtenido {response.status_code}")
    assert not mismatches, "\n".join(mismatches)


def test_nfr02_gestor_sees_who_checked_in_their_unit(
    office, tech, api_as, django_assert_max_num_queries
):
    far = OfficeFactory(unit=Unit.REGIONAL)
    far_tech = make_user(Role.TECNOLOGO, far, username="tecnologo_regional")
    other = make_user(Role.TECNOLOGO, office, username="otro")
    mine = shift_check_record(technologist=tech, audio=True, printer=True)
    yesterday = roster_today() - dt.timedelta(days=1)
    old = shift_check_record(technologist=tech, audio=True, printer=True, day=yesterday)
    theirs = shift_check_record(technologist=other, audio=True, printer=True)
    shift_check_record(technologist=far_tech, audio=True, printer=True)
    gestor = api_as(make_user(Role.GESTOR, office, username="gestor"))

    def ids(client, **params):
        response = client.get(CHECKS, params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    with django_assert_max_num_queries(6):
        assert ids(gestor) == {mine.pk, old.pk, theirs.pk}
    assert ids(gestor, day=roster_today().isoformat()) == {mine.pk, theirs.pk}
    assert ids(api_as(tech)) == {mine.pk, old.pk}


def test_cel03_admin_list_is_read_only_and_scoped(client, office, tech):
    far = OfficeFactory(unit=Unit.REGIONAL)
    far_tech = make_user(Role.TECNOLOGO, far, username="tecnologo_regional")
    mine = shift_check_record(technologist=tech, audio=True, printer=True)
    theirs = shift_check_record(technologist=far_tech, audio=True, printer=True)
    gestor = make_user(Role.GESTOR, office, username="gestor", is_staff=True)
    client.force_login(gestor)
    response = client.get(ADMIN)
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [mine.pk]
    assert client.get(f"{ADMIN}add/").status_code == 403
    assert client.get(f"{ADMIN}{mine.pk}/change/").status_code == 200  # a view page
    assert client.post(f"{ADMIN}{mine.pk}/change/", {}).status_code == 403
    assert client.get(f"{ADMIN}{mine.pk}/delete/").status_code == 403
    response = client.get(f"{ADMIN}{theirs.pk}/change/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    root = UserFactory(username="raiz", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.get(ADMIN)
    assert {c.pk for c in response.context["cl"].result_list} == {mine.pk, theirs.pk}
