"""Findings of the security probe (issue "Security: close what an attacker with a staff account
can do today"): dialled numbers masked, contact data not rewritten by an intake, lockout and
throttling, bad input answered 400, tokens that expire and can be revoked, proxy headers.
Each test fails without its fix. The admin's scope is in test_admin_scope.py, evidence rules in
test_evidence.py."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import ApiTokenActivity, CaseStatus, ContactAttempt, Customer, Unit
from core.roles import Role
from tests.factories import CustomerFactory, OfficeFactory, UserFactory, make_case
from tests.factories.desborde import intake_payload
from tests.helpers import make_user, token_client

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"
ROOT = Path(__file__).resolve().parents[2]


# --- 2. dialled numbers ----------------------------------------------------------------------


@pytest.fixture
def called_case(users, office):
    case = make_case(office=office, supported_office=office, assigned_to=users[Role.TECNOLOGO])
    case.status = CaseStatus.ASIGNADO
    case.save(update_fields=["status"])
    ContactAttempt.objects.create(
        case=case,
        sequence=1,
        outcome=ContactAttempt.Outcome.NO_CONTESTA,
        number_dialled="3112223344",
        made_by=users[Role.TECNOLOGO],
        made_at=timezone.now(),
    )
    return case


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.MESA, "311•••••44"),
        (Role.GESTOR_OFICINA, "311•••••44"),
        (Role.ENCARGADO, "311•••••44"),
        (Role.TECNOLOGO, "3112223344"),
        (Role.ASIGNADOR, "3112223344"),
    ],
)
def test_nfr02_dialled_number_masked_for_roles_without_personal_data(
    client, users, called_case, role, shown
):
    """NFR-02: the number dialled is the customer's phone: roles that see the customer's name
    only get it masked, in the API and on the case page."""
    body = token_client(users[role]).get(f"/api/v1/cases/{called_case.pk}/").json()
    assert body["attempts"][0]["number_dialled"] == shown

    client.force_login(users[role])
    page = client.get(f"/casos/{called_case.pk}/").content.decode()
    assert f"({shown})" in page
    if shown != "3112223344":
        assert "3112223344" not in page


# --- 3. contact data given at intake --------------------------------------------------------


@pytest.fixture
def known_customer():
    return CustomerFactory(
        document_number="43512876",
        full_name="María Elena Restrepo",
        mobile="3101111111",
        email="maria@example.com",
        address="Calle 10 # 20-30",
    )


def test_core03_intake_from_another_office_does_not_rewrite_the_customer(known_customer):
    """CORE-03 / NFR-02: an intake that sends an existing document with another phone and
    e-mail does not overwrite the customer's record; the new values are this case's contact,
    kept beside the record with who gave them and for which case."""
    far_office = OfficeFactory(unit=Unit.REGIONAL)
    orientador = make_user(Role.ORIENTADOR, far_office)

    response = token_client(orientador).post(
        "/api/v1/desborde/intakes/",
        intake_payload(far_office, phone="3159998877", email="atacante@example.com", contract=""),
        format="json",
    )

    assert response.status_code == 201, response.content
    known_customer.refresh_from_db()
    assert (known_customer.mobile, known_customer.email) == ("3101111111", "maria@example.com")
    case = known_customer.cases.get()
    assert (case.contact_phone, case.contact_email) == ("3159998877", "atacante@example.com")
    details = {
        (d.kind, d.value, d.case_id, d.given_by_id) for d in known_customer.contact_details.all()
    }
    assert details == {
        ("mobile", "3159998877", case.pk, orientador.pk),
        ("email", "atacante@example.com", case.pk, orientador.pk),
    }


def test_core07_case_page_dials_the_number_given_for_the_case(client, known_customer, office):
    """CORE-07: the technologist dials the number given for this case, not an older one."""
    tech = make_user(Role.TECNOLOGO, office)
    case = make_case(customer=known_customer, contact_phone="3159998877", assigned_to=tech)
    client.force_login(tech)
    page = client.get(f"/casos/{case.pk}/").content.decode()
    assert '<strong id="number-to-dial">3159998877</strong>' in page


def test_core03_api_case_registration_keeps_the_record(known_customer, office):
    """CORE-03: a creador registering a case for an existing document with a new e-mail leaves
    the record as it was and the e-mail on the case."""
    creador = make_user(Role.CREADOR, office)
    response = token_client(creador).post(
        "/api/v1/cases/",
        {
            "customer": {
                "document_type": "CC",
                "document_number": "43512876",
                "full_name": "Otro Nombre",
                "email": "nuevo@example.com",
            },
            "kind": "PQR",
            "pqr_type": "reclamo",
            "channel": "contact-center",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    known_customer.refresh_from_db()
    assert known_customer.email == "maria@example.com"
    assert known_customer.full_name == "María Elena Restrepo"
    assert known_customer.cases.get().contact_email == "nuevo@example.com"


def test_nfr02_lookup_outside_scope_gives_name_only(known_customer, office):
    """NFR-02: an orientador who looks up a document of a customer outside their office gets
    that it exists and the name, not phones, e-mail or address."""
    orientador = make_user(Role.ORIENTADOR, office)
    response = token_client(orientador).get(
        "/api/v1/customers/", {"document_type": "CC", "document_number": "43512876"}
    )
    assert response.status_code == 200
    [found] = response.json()["results"]
    assert found["full_name"] == "María Elena Restrepo"
    assert found["restricted"] is True
    assert [found[f] for f in ("phone", "mobile", "email", "address")] == [None] * 4


def test_nfr02_lookup_inside_scope_gives_the_contact_data(known_customer, office):
    """NFR-02: a customer of a case of the orientador's office is shown whole."""
    orientador = make_user(Role.ORIENTADOR, office)
    make_case(customer=known_customer, supported_office=office)
    response = token_client(orientador).get(
        "/api/v1/customers/", {"document_type": "CC", "document_number": "43512876"}
    )
    [found] = response.json()["results"]
    assert found["restricted"] is False
    assert found["mobile"] == "3101111111"


def test_core03_assigned_technologist_updates_contact_with_audit(known_customer, office):
    """CORE-03 / CORE-06: the customer record changes only by an explicit update of the
    technologist of one of its cases; the history says who and why."""
    tech = make_user(Role.TECNOLOGO, office)
    make_case(customer=known_customer, assigned_to=tech)
    url = f"/api/v1/customers/{known_customer.pk}/contact/"

    missing_reason = token_client(tech).post(url, {"mobile": "3159998877"}, format="json")
    assert missing_reason.status_code == 400
    known_customer.refresh_from_db()
    assert known_customer.mobile == "3101111111"

    response = token_client(tech).post(
        url, {"mobile": "3159998877", "reason": "confirmado en la llamada"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["mobile"] == "3159998877"
    latest = known_customer.history.latest()
    assert latest.history_user == tech
    assert (
        latest.history_change_reason == "datos de contacto actualizados: confirmado en la llamada"
    )


@pytest.mark.parametrize(("role", "status"), [(Role.TECNOLOGO, 404), (Role.ORIENTADOR, 403)])
def test_nfr02_contact_update_refused_to_others(known_customer, office, role, status):
    """NFR-02: another technologist (404) or another role (403) cannot change the record."""
    make_case(customer=known_customer, assigned_to=make_user(Role.TECNOLOGO, office))
    response = token_client(make_user(role, office)).post(
        f"/api/v1/customers/{known_customer.pk}/contact/",
        {"mobile": "3159998877", "reason": "x"},
        format="json",
    )
    assert response.status_code == status
    known_customer.refresh_from_db()
    assert known_customer.mobile == "3101111111"


# --- 4. lockout and throttling ---------------------------------------------------------------


def test_nfr02_login_form_locks_user_after_repeated_failures(client, users, settings):
    """NFR-02: after AXES_FAILURE_LIMIT wrong passwords even the right one is refused (429,
    Spanish message); a superuser sees the lock in admin and lifts it with axes_reset."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "tecnologo", "password": "x"})
        assert response.status_code == 200  # the form again, with its error
    last_try = client.post("/accounts/login/", {"username": "tecnologo", "password": "x"})
    assert last_try.status_code == 429
    locked = client.post("/accounts/login/", {"username": "tecnologo", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Cuenta bloqueada temporalmente" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    admin = UserFactory(username="raiz", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "tecnologo" in page.content.decode()
    client.logout()

    call_command("axes_reset_username", "tecnologo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    unlocked = client.post("/accounts/login/", {"username": "tecnologo", "password": PASSWORD})
    assert unlocked.status_code == 302


def test_nfr02_address_locked_after_failures_with_several_user_names(client, users, settings):
    """NFR-02: guessing across user names from one address locks the address, at its own limit
    (AXES_IP_FAILURE_LIMIT, 20): then even another user with the right password is refused."""
    for i in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": f"nadie{i}", "password": "x"})
    assert (
        client.post("/accounts/login/", {"username": "nadie", "password": "x"}).status_code == 429
    )
    locked = client.post("/accounts/login/", {"username": "gestor", "password": PASSWORD})
    assert locked.status_code == 429


def test_nfr02_one_users_typos_do_not_lock_the_office(client, users, settings):
    """NFR-02: an office's devices share one address: five typos lock that user name only; a
    colleague logs in from the same address."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "orientador", "password": "x"})
    assert (
        client.post(
            "/accounts/login/", {"username": "orientador", "password": PASSWORD}
        ).status_code
        == 429
    )
    colleague = client.post("/accounts/login/", {"username": "encargado", "password": PASSWORD})
    assert colleague.status_code == 302


def test_nfr02_token_endpoint_locks_after_failures(api, users, settings):
    """NFR-02: the API token endpoint counts failures like the login form (429, Spanish)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth_token": "1000/min", "contact_lookup": "1000/min"},
    }
    statuses = [
        api.post(
            "/api/v1/auth/token/", {"username": "tecnologo", "password": "x"}, format="json"
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = api.post(
        "/api/v1/auth/token/", {"username": "tecnologo", "password": PASSWORD}, format="json"
    )
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Cuenta bloqueada temporalmente")
    assert not Token.objects.exists()


def test_nfr02_token_endpoint_is_throttled(api, users):
    """NFR-02: the token endpoint answers 429 in Spanish past its rate (10 a minute)."""
    statuses = [
        api.post(
            "/api/v1/auth/token/", {"username": "tecnologo", "password": PASSWORD}, format="json"
        ).status_code
        for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    last = api.post(
        "/api/v1/auth/token/", {"username": "tecnologo", "password": PASSWORD}, format="json"
    )
    assert last.json()["detail"].startswith("Demasiadas solicitudes. Intente de nuevo en")


def test_nfr02_contact_lookups_are_throttled(users, office):
    """NFR-02: document look-ups answer 429 past their rate (30 a minute); the plain list of
    the caller's contacts is not counted."""
    client = token_client(users[Role.ORIENTADOR])
    statuses = [
        client.get(
            "/api/v1/customers/", {"document_type": "CC", "document_number": str(10**7 + i)}
        ).status_code
        for i in range(31)
    ]
    assert statuses == [200] * 30 + [429]
    assert client.get("/api/v1/customers/").status_code == 200


# --- 5. bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_nfr03_intake_list_date_out_of_range_is_400(users, day):
    """NFR-03: a date the day range cannot hold is a 400 with a Spanish message, not a 500."""
    response = token_client(users[Role.ORIENTADOR]).get("/api/v1/desborde/intakes/", {"date": day})
    assert response.status_code == 400
    assert response.json() == {"date": ["Fecha fuera de rango: entre 2000 y 2999."]}


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/api/v1/auth/token/"),
        (Role.ORIENTADOR, "/api/v1/desborde/intakes/"),
        (Role.CREADOR, "/api/v1/cases/"),
    ],
)
def test_nfr03_deeply_nested_json_is_400(users, who, url):
    """NFR-03: a JSON body nested 100,000 levels is a 400 in Spanish on any JSON endpoint,
    the unauthenticated token endpoint included."""
    client = token_client(users[who]) if who else APIClient()
    response = client.generic("POST", url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "El JSON enviado tiene demasiados niveles de anidación."}


def test_nfr03_malformed_json_is_400_in_spanish(api):
    response = api.generic("POST", "/api/v1/auth/token/", "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "El cuerpo de la solicitud no es un JSON válido."}


# --- 7. tokens, proxy headers ----------------------------------------------------------------


def test_nfr02_token_expires_after_inactivity(users, settings):
    """NFR-02: a token unused for API_TOKEN_IDLE_HOURS is refused (401, Spanish) and deleted;
    a token in use stays valid."""
    tech = users[Role.TECNOLOGO]
    token = Token.objects.create(user=tech)
    ApiTokenActivity.objects.create(
        token=token, last_used_at=timezone.now() - settings.API_TOKEN_IDLE_TIMEOUT / 2
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/cases/").status_code == 200
    touched = ApiTokenActivity.objects.get(token=token).last_used_at
    assert timezone.now() - touched < dt.timedelta(minutes=1)

    ApiTokenActivity.objects.filter(token=token).update(
        last_used_at=timezone.now() - settings.API_TOKEN_IDLE_TIMEOUT - dt.timedelta(minutes=1)
    )
    expired = client.get("/api/v1/cases/")
    assert expired.status_code == 401
    assert expired.json()["detail"].startswith("El token expiró por inactividad")
    assert not Token.objects.filter(user=tech).exists()


def test_nfr02_expired_token_is_replaced_at_login(api, users, settings):
    tech = users[Role.TECNOLOGO]
    old = Token.objects.create(user=tech)
    ApiTokenActivity.objects.create(token=old, last_used_at=timezone.now() - dt.timedelta(days=2))
    body = api.post(
        "/api/v1/auth/token/", {"username": "tecnologo", "password": PASSWORD}, format="json"
    ).json()
    assert body["token"] != old.key
    assert Token.objects.get(user=tech).key == body["token"]


def test_nfr02_api_logout_revokes_the_token(users):
    """NFR-02: POST /api/v1/auth/logout/ revokes the caller's token: the next call is 401."""
    client = token_client(users[Role.TECNOLOGO])
    response = client.post("/api/v1/auth/logout/")
    assert response.status_code == 200
    assert response.json() == {"detail": "Sesión de API cerrada: el token fue revocado."}
    assert client.get("/api/v1/cases/").status_code == 401
    assert not Token.objects.exists()


def test_nfr02_site_logout_revokes_the_token(client, users):
    """NFR-02: logging out of the site revokes the user's API token too."""
    tech = users[Role.TECNOLOGO]
    token = Token.objects.create(user=tech)
    client.force_login(tech)
    assert client.post("/accounts/logout/").status_code == 302
    assert not Token.objects.filter(key=token.key).exists()


def test_nfr02_forwarded_proto_not_trusted_without_a_proxy(client, settings):
    """NFR-02: without DJANGO_BEHIND_PROXY a client's X-Forwarded-Proto does not make a plain
    request count as HTTPS (the SSL redirect still applies)."""
    assert settings.SECURE_PROXY_SSL_HEADER is None
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_nfr02_forwarded_proto_trusted_when_the_setting_says_a_proxy_is_in_front():
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.SECURE_PROXY_SSL_HEADER)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_BEHIND_PROXY": "true"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_customer_record_untouched_json_roundtrip_guard():
    """The deep body used above really is valid JSON nested 100,000 levels (not a typo that
    would make the 400 trivial)."""
    assert DEEP.count("[") == 100_000
    with pytest.raises(RecursionError):
        json.loads(DEEP)
    assert Customer.objects.count() == 0
