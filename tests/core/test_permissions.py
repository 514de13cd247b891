"""NFR-02: every page and API endpoint checks the role; objects outside the scope answer 404.

One setup (``scene``): a user per role (the ``users`` fixture, all in ``office``) and one case in
that office, assigned to the technologist of the fixture. The table below is written out by hand:
anonymous pages → 302 to the login page, anonymous API → 401, wrong role → 403, case outside the
user's scope → 404.
"""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from core.api_turns import SHIFT_CHECK_MISSING
from core.business_days import BOGOTA
from core.models import CaseStatus, TransactionType
from core.roles import Role
from core.services.turns import turn_create
from pqr_digital.models import DigitalPqrExport
from tests.factories import TINY_PNG, CustomerFactory, UserFactory, make_case
from tests.factories.pqr_digital import InteractionFactory
from tests.helpers import ANON, ROLE_COLUMNS

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"
#: Column order of the table: anonymous first, then every role of core.roles.Role.
COLUMNS = ROLE_COLUMNS

#: Redirects: (302, where to). {url}: the requested URL; {case}: the case id; {cu}: its customer id.
LOG = (302, "/accounts/login/?next={url}")  # anonymous page → login form
ADM = (302, "/admin/login/?next=/admin/")  # not is_staff → the admin's own login
ADL = (302, "/admin/login/?next={url}")  # the same, for any admin page
OFI = (302, "/oficina/")
CAS = (302, "/casos/")
WB = (302, "/casos/mis-casos/")
TAB = (302, "/tablero/")  # the gestor's dashboard (issue 16)
DES = (302, "/desborde/")  # the orientador's tablet page (desborde app)
INB = (302, "/pqr-digital/")  # the creador's inbox (pqr_digital)
EXP = (302, "/pqr-digital/exportes/")  # the help desk's daily exports (pqr_digital)
REA = (302, "/pqr-digital/reasignacion/")  # the gestor de oficina's digital PQR (pqr_digital)
CIT = (302, "/cliente-interno/")  # the employee's Mis citas (cliente_interno)
DET = (302, "/casos/{case}/")  # evidence stored, back to the case page
COP = (302, "/copropiedad/")  # a step of the condo call without its requirement → step 1

#: The 404 message of each API resource (by the path segment after /api/v1/), when not a case's.
NOT_FOUND = {
    "pqr-digital": "No existe el exporte.",
    "turns": "Turno no encontrado.",
    "copropiedad": "Cita no encontrada.",
    "cliente-interno": "Cita no encontrada.",
}
#: Meta's webhook refuses a wrong verification token (GET) or signature (POST) with these.
WEBHOOK_REFUSED = ("Verificación del webhook rechazada", "Firma")
YESTERDAY = dt.datetime.now(tz=BOGOTA).date() - dt.timedelta(days=1)

# fmt: off
TABLE = {
    #                                    anon  orie  tecn  gest  asig  enca  crea  mesa  geof  clin
    "GET /":                            (LOG,  DES,  WB,   TAB,  CAS,  OFI,  INB,  EXP,  REA,  CIT),
    "GET /cuenta/":                     (LOG,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    "GET /casos/":                      (LOG,  200,  200,  200,  200,  200,  200,  200,  200,  403),
    "GET /casos/{case}/":               (LOG,  200,  200,  200,  200,  200,  404,  200,  200,  403),
    "POST /casos/{case}/evidencias/":   (LOG,  DET,  DET,  403,  403,  403,  404,  403,  403,  403),
    "GET /casos/mis-casos/":            (LOG,  403,  200,  403,  403,  403,  403,  403,  403,  403),
    "GET /casos/mis-casos/tabla/":      (LOG,  403,  200,  403,  403,  403,  403,  403,  403,  403),
    # Issue 13 (CORE-13, COP-03) pages: the assigned technologist only; the body has no medium
    # (400) and the scene's case no authorisation yet (400).
    "POST /casos/{case}/autorizacion-notificacion/":
                                        (LOG,  403,  400,  403,  403,  403,  403,  403,  403,  403),
    "POST /casos/{case}/constancia/":   (LOG,  403,  400,  403,  403,  403,  403,  403,  403,  403),
    "GET /casos/{case}/constancia/":    (LOG,  403,  200,  403,  403,  403,  403,  403,  403,  403),
    # Issue 13 (COP-01): the creador's condo pages; step 2 and 3 without a call → step 1.
    "GET /copropiedad/":                (LOG,  403,  403,  403,  403,  403,  200,  403,  403,  403),
    "GET /copropiedad/agenda/":         (LOG,  403,  403,  403,  403,  403,  COP,  403,  403,  403),
    "GET /copropiedad/datos/":          (LOG,  403,  403,  403,  403,  403,  COP,  403,  403,  403),
    "GET /copropiedad/citas/":          (LOG,  403,  403,  403,  403,  403,  200,  403,  403,  403),
    "POST /casos/{case}/intentos/":     (LOG,  403,  400,  403,  403,  403,  403,  403,  403,  403),
    "POST /casos/{case}/cerrar/":       (LOG,  403,  400,  403,  403,  403,  403,  403,  403,  403),
    "POST /casos/{case}/reasignar/":    (LOG,  403,  403,  400,  400,  403,  403,  403,  400,  403),
    "GET /oficina/":                    (LOG,  200,  403,  403,  403,  200,  403,  403,  403,  403),
    "GET /oficina/turnos/":             (LOG,  200,  403,  403,  403,  200,  403,  403,  403,  403),
    "POST /oficina/turnos/":            (LOG,  400,  403,  403,  403,  400,  403,  403,  403,  403),
    "GET /oficina/turnos/listas/":      (LOG,  200,  403,  403,  403,  200,  403,  403,  403,  403),
    "GET /oficina/turnos/avisos/":      (LOG,  200,  403,  403,  403,  200,  403,  403,  403,  403),
    "GET /oficina/turnos/remoto/":      (LOG,  200,  403,  403,  403,  200,  403,  403,  403,  403),
    "GET /admin/":                      (ADM,  ADM,  ADM,  200,  ADM,  ADM,  ADM,  ADM,  ADM,  ADM),
    "GET /admin/core/case/":            (ADL,  ADL,  ADL,  200,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/core/case/{case}/change/": (ADL, ADL, ADL, 200, ADL, ADL, ADL, ADL, ADL, ADL),
    "POST /admin/core/case/{case}/change/": (ADL, ADL, ADL, 403, ADL, ADL, ADL, ADL, ADL, ADL),
    "GET /admin/core/case/{case}/history/": (ADL, ADL, ADL, 200, ADL, ADL, ADL, ADL, ADL, ADL),
    "GET /admin/core/case/{case}/delete/":  (ADL, ADL, ADL, 403, ADL, ADL, ADL, ADL, ADL, ADL),
    "GET /admin/core/customer/{cu}/change/": (ADL, ADL, ADL, 200, ADL, ADL, ADL, ADL, ADL, ADL),
    "GET /admin/core/evidence/":        (ADL,  ADL,  ADL,  200,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/core/contactattempt/":  (ADL,  ADL,  ADL,  200,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/core/office/":          (ADL,  ADL,  ADL,  200,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/axes/accessattempt/":   (ADL,  ADL,  ADL,  403,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /api/v1/":                     (401,  200,  200,  200,  200,  200,  200,  200,  200,  403),
    "GET /api/v1/offices/":             (401,  200,  200,  200,  200,  200,  200,  200,  200,  403),
    "GET /api/v1/transaction-types/":   (401,  200,  200,  200,  200,  200,  200,  200,  200,  403),
    "GET /api/v1/customers/":           (401,  200,  200,  200,  200,  403,  200,  403,  403,  403),
    "GET /api/v1/cases/":               (401,  200,  200,  200,  200,  200,  200,  200,  200,  403),
    "GET /api/v1/cases/{case}/":        (401,  200,  200,  200,  200,  200,  404,  200,  200,  403),
    "POST /api/v1/cases/{case}/attempts/": (401, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/{case}/evidence/": (401, 201, 201, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/cases/{case}/close/":    (401, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/{case}/reassign/": (401, 403, 403, 400, 400, 403, 403, 403, 400, 403),
    # Issue 13 (CORE-13, COP-03): the assigned technologist only; the scene's case has no
    # medium in the body (400) and no authorisation yet (400).
    "POST /api/v1/cases/{case}/notification-authorisation/":
                                        (401,  403,  400,  403,  403,  403,  403,  403,  403,  403),
    "POST /api/v1/cases/{case}/constancia/":
                                        (401,  403,  400,  403,  403,  403,  403,  403,  403,  403),
    "POST /api/v1/customers/{cu}/contact/": (401, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/reassign/":     (401,  403,  403,  400,  400,  403,  403,  403,  400,  403),
    "POST /api/v1/auth/logout/":        (401,  200,  200,  200,  200,  200,  200,  200,  200,  200),
    # pqr_digital (2.7). The scene's users are of a Metropolitano office: the help desk and the
    # gestores reach the export pages, but the exports (of the Unidad Canales Regional) are 404.
    "GET /pqr-digital/":                (LOG,  403,  403,  403,  403,  403,  200,  403,  403,  403),
    "GET /pqr-digital/bandeja/tabla/":  (LOG,  403,  403,  403,  403,  403,  200,  403,  403,  403),
    "GET /pqr-digital/interacciones/{itx}/": (LOG, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /pqr-digital/exportes/":       (LOG,  403,  403,  200,  403,  403,  403,  200,  200,  403),
    "GET /pqr-digital/exportes/{exp}/csv/": (LOG, 403, 403, 404, 403, 403, 403, 404, 404, 403),
    "GET /pqr-digital/reasignacion/":   (LOG,  403,  403,  200,  403,  403,  403,  403,  200,  403),
    "GET /api/v1/pqr-digital/interactions/": (401, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /api/v1/pqr-digital/interactions/{itx}/":
                                        (401,  403,  403,  403,  403,  403,  200,  403,  403,  403),
    "GET /api/v1/pqr-digital/exports/": (401,  403,  403,  200,  403,  403,  403,  200,  200,  403),
    "GET /api/v1/pqr-digital/exports/{day}.csv": (401, 403, 403, 404, 403, 403, 403, 404, 404, 403),
    "GET /api/v1/pqr-digital/webhooks/meta/": (403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/pqr-digital/webhooks/meta/": (403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # Issue 11: roster, shift checks, turns, the virtual booth. The scene's technologist is not
    # rostered today: the booth refuses them (page 403, a turn of the office 404).
    "GET /api/v1/technologists/":       (401,  403,  403,  200,  200,  403,  403,  403,  403,  403),
    "GET /api/v1/roster/":              (401,  403,  200,  200,  200,  403,  403,  403,  403,  403),
    "POST /api/v1/roster/":             (401,  403,  403,  400,  403,  403,  403,  403,  403,  403),
    "POST /api/v1/shift-checks/":       (401,  403,  400,  403,  403,  403,  403,  403,  403,  403),
    "POST /api/v1/offices/{office}/turns/": (401, 400, 403, 403, 403, 400, 403, 403, 403, 403),
    "GET /api/v1/booth/turns/":         (401,  403,  403,  403,  403,  403,  403,  403,  403,  403),
    "POST /api/v1/turns/{turn}/take/":  (401,  403,  403,  403,  403,  403,  403,  403,  403,  403),
    "POST /api/v1/turns/{turn}/outcome/": (401, 403, 404, 403,  403,  403,  403,  403,  403,  403),
    "POST /api/v1/turns/{turn}/office-decision/":
                                        (401,  400,  403,  403,  403,  400,  403,  403,  403,  403),
    "GET /desborde/taquilla/":          (LOG,  403,  403,  403,  403,  403,  403,  403,  403,  403),
    "GET /admin/core/rosterentry/":     (ADL,  ADL,  ADL,  200,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/core/shiftcheck/":      (ADL,  ADL,  ADL,  200,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/core/turn/":            (ADL,  ADL,  ADL,  200,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/pqr_digital/interaction/": (ADL, ADL, ADL, 200, ADL, ADL, ADL, ADL, ADL, ADL),
    "GET /admin/pqr_digital/digitalpqrexport/": (ADL, ADL, ADL, 403, ADL, ADL, ADL, ADL, ADL, ADL),
    # Issue 13: the agenda, for the roles that book (the creador, condo administrators): no
    # type nor date in the query (400), no slot in the body (400).
    "GET /api/v1/agenda/slots/":        (401,  403,  403,  403,  403,  403,  400,  403,  403,  400),
    "POST /api/v1/agenda/holds/":       (401,  403,  403,  403,  403,  403,  400,  403,  403,  400),
    # Issue 14 (CI-01..05): the employee books and attends; the technologist serves. Pages of
    # another role 403; no query (400), a booking that does not exist (404), a bad token (400).
    "GET /cliente-interno/":            (LOG,  403,  403,  403,  403,  403,  403,  403,  403,  200),
    "GET /cliente-interno/agendar/":    (LOG,  403,  403,  403,  403,  403,  403,  403,  403,  200),
    "GET /cliente-interno/tecnologo/":  (LOG,  403,  200,  403,  403,  403,  403,  403,  403,  403),
    "GET /cliente-interno/sala/999999/": (LOG, 403,  403,  403,  403,  403,  403,  403,  403,  404),
    "GET /api/v1/cliente-interno/slots/": (401, 403, 403,  403,  403,  403,  403,  403,  403,  400),
    "POST /api/v1/cliente-interno/holds/": (401, 403, 403, 403,  403,  403,  403,  403,  403,  400),
    "GET /api/v1/cliente-interno/bookings/":
                                        (401,  403,  200,  403,  403,  403,  403,  403,  403,  200),
    "GET /api/v1/cliente-interno/bookings/999999/":
                                        (401,  403,  404,  403,  403,  403,  403,  403,  403,  404),
    "POST /api/v1/cliente-interno/check-in/":
                                        (401,  403,  403,  403,  403,  403,  403,  403,  403,  400),
    "POST /api/v1/cliente-interno/bookings/999999/call/":
                                        (401,  403,  404,  403,  403,  403,  403,  403,  403,  403),
    "GET /api/v1/cliente-interno/bookings/999999/documents/":
                                        (401,  403,  404,  403,  403,  403,  403,  403,  403,  404),
    # Issue 13 (COP-01): the condo administrators' API, the creador's: an empty body (400), an
    # appointment that does not exist (404).
    "GET /api/v1/copropiedad/appointments/": (401, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "POST /api/v1/copropiedad/appointments/": (401, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /api/v1/copropiedad/appointments/999999/reschedule/":
                                        (401,  403,  403,  403,  403,  403,  404,  403,  403,  403),
    "POST /api/v1/copropiedad/appointments/999999/cancel/":
                                        (401,  403,  403,  403,  403,  403,  404,  403,  403,  403),
    "POST /api/v1/copropiedad/phone-solutions/":
                                        (401,  403,  403,  403,  403,  403,  400,  403,  403,  403),
    "GET /admin/copropiedad/condocase/": (ADL, ADL,  ADL,  403,  ADL,  ADL,  ADL,  ADL,  ADL,  ADL),
    "GET /admin/copropiedad/copropiedad/": (ADL, ADL, ADL, 403, ADL, ADL,  ADL,  ADL,  ADL,  ADL),
}
# fmt: on

CELLS = [
    pytest.param(*key.split(" "), who, expected, id=f"{key} {who}")
    for key, row in TABLE.items()
    for who, expected in zip(COLUMNS, row, strict=True)
]


@pytest.fixture
def scene(users, office, tecnologo):
    """The one setup every cell shares: the users of every role and the technologist's case."""
    case = make_case(office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO)
    users[Role.GESTOR].is_staff = True  # as in the demo: the gestor configures in admin
    users[Role.GESTOR].save(update_fields=["is_staff"])
    interaction = InteractionFactory()  # open and unassigned: the creadores' shared inbox
    turn = turn_create(
        office=office,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        accepts_remote=True,
        mobile="3104567890",
    )
    export = DigitalPqrExport.objects.create(date_from=YESTERDAY, date_to=YESTERDAY)
    return {
        "users": users,
        "case": case,
        "interaction": interaction,
        "export": export,
        "turn": turn,
    }


def _request(client, method: str, url: str):
    if method == "POST":
        upload = SimpleUploadedFile("factura.png", TINY_PNG, content_type="image/png")
        return client.post(url, {"kind": "foto_factura", "file": upload})
    return client.get(url)


def test_nfr02_table_covers_every_role():
    """NFR-02: the table has a column for anonymous and for each role of core.roles.Role."""
    assert set(COLUMNS) == {ANON, *Role.values}
    assert len(COLUMNS) == len(Role.values) + 1


@pytest.mark.parametrize(("method", "url", "who", "expected"), CELLS)
def test_nfr02_role_url_table(client, scene, method, url, who, expected):
    """NFR-02: every role × every page and API endpoint → the status written in the table."""
    case = scene["case"]
    url = url.format(
        case=case.pk,
        cu=case.customer_id,
        itx=scene["interaction"].pk,
        exp=scene["export"].pk,
        day=f"{YESTERDAY:%Y-%m-%d}",
        office=scene["users"]["orientador"].home_office_id,
        turn=scene["turn"].pk,
    )
    if who != ANON:
        client.force_login(scene["users"][who])

    response = _request(client, method, url)

    if isinstance(expected, tuple):
        status, location = expected
        assert response.status_code == status, response.content[:500]
        assert response["Location"] == location.format(url=quote(url), case=case.pk)
    else:
        assert response.status_code == expected, response.content[:500]

    if url.startswith("/api/"):
        body = response.json()
        if expected == 401:
            assert body["detail"] == "Las credenciales de autenticación no se proveyeron."
        elif expected == 403 and "/webhooks/" in url:
            assert body["detail"].startswith(WEBHOOK_REFUSED)
        elif expected == 403 and who == "tecnologo" and ("/booth/" in url or "/take/" in url):
            # The virtual booth needs today's start-of-shift check first (CEL-03 step 3).
            assert body["detail"] == SHIFT_CHECK_MISSING
        elif expected == 403:
            assert body["detail"] == "Su rol no tiene acceso a este recurso."
        elif expected == 404:
            assert body["detail"] == NOT_FOUND.get(url.split("/")[3], "Caso no encontrado.")


def test_nfr02_evidence_upload_by_allowed_role_is_stored(client, scene):
    """NFR-02: the 302 of the table for the assigned technologist really stored the evidence."""
    case = scene["case"]
    client.force_login(scene["users"]["tecnologo"])

    response = _request(client, "POST", f"/casos/{case.pk}/evidencias/")

    assert response.status_code == 302
    assert case.evidence.get().original_name == "factura.png"


def test_nfr02_refused_evidence_upload_stores_nothing(client, scene):
    """NFR-02: a 403 / 404 on the evidence upload leaves the case's expediente empty."""
    case = scene["case"]
    for who, status in (("gestor", 403), ("creador", 404), ("cliente_interno", 403)):
        client.force_login(scene["users"][who])
        assert _request(client, "POST", f"/casos/{case.pk}/evidencias/").status_code == status
    assert not case.evidence.exists()


@pytest.fixture
def second_tecnologo(office):
    user = UserFactory(username="tecnologo2", home_office=office)
    user.groups.add(Group.objects.get(name=Role.TECNOLOGO))
    return user


def test_nfr02_other_technologist_gets_404_for_the_case(client, scene, second_tecnologo):
    """NFR-02: a technologist sees only cases assigned to them — another one's case is 404
    on the page, the evidence upload and the API, and is absent from both lists."""
    case = scene["case"]
    client.force_login(second_tecnologo)

    assert client.get(f"/casos/{case.pk}/").status_code == 404
    assert _request(client, "POST", f"/casos/{case.pk}/evidencias/").status_code == 404
    api_response = client.get(f"/api/v1/cases/{case.pk}/")
    assert api_response.status_code == 404
    assert api_response.json() == {"detail": "Caso no encontrado."}

    page = client.get("/casos/")
    assert page.status_code == 200
    assert case.number not in page.content.decode()
    listing = client.get("/api/v1/cases/")
    assert listing.json()["results"] == []
    assert not case.evidence.exists()


def test_nfr02_assigned_technologist_sees_the_case(client, scene):
    """NFR-02: the technologist the case is assigned to sees it on the page and in the API."""
    case = scene["case"]
    client.force_login(scene["users"]["tecnologo"])

    assert case.number in client.get(f"/casos/{case.pk}/").content.decode()
    assert case.number in client.get("/casos/").content.decode()
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["number"] == case.number
    assert [row["number"] for row in client.get("/api/v1/cases/").json()["results"]] == [
        case.number
    ]


START_PAGES = [
    ("orientador", "/desborde/"),
    ("tecnologo", "/casos/mis-casos/"),
    ("gestor", "/tablero/"),
    ("asignador", "/casos/"),
    ("encargado", "/oficina/"),
    ("creador", "/pqr-digital/"),
    ("mesa", "/pqr-digital/exportes/"),
    ("gestor_oficina", "/pqr-digital/reasignacion/"),
    ("cliente_interno", "/cliente-interno/"),
]


def test_nfr02_start_pages_cover_every_role():
    assert {role for role, _ in START_PAGES} == set(Role.values)


def _h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "la página no tiene <h1>"
    return match.group(1).strip()


@pytest.mark.parametrize(("role", "start_url"), START_PAGES)
def test_nfr02_login_form_lands_on_role_start_page(client, users, office, role, start_url):
    """NFR-02: after the real login form each role lands on its own start page."""
    response = client.post(
        "/accounts/login/", {"username": role, "password": PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1] == (start_url, 302)
    assert response.request["PATH_INFO"] == start_url
    expected_h1 = {
        "/casos/mis-casos/": "Mis casos",
        "/casos/": "Casos",
        "/tablero/": f"Tablero — {office.get_unit_display()}",
        "/desborde/": f"Desborde de fila — {office.name}",
        "/oficina/": office.name,
        "/cuenta/": "Mi cuenta",
        "/cliente-interno/": "Citas por video con EPM",
        "/pqr-digital/": "Bandeja de interacciones",
        "/pqr-digital/exportes/": "Exportes de PQR digitales",
        "/pqr-digital/reasignacion/": "PQR digitales por reasignar",
    }[start_url]
    assert _h1(response) == expected_h1


def test_nfr02_technologist_start_page_is_titled_mis_casos(client, users):
    """NFR-02: the technologist's start page is their queue, titled "Mis casos"."""
    response = client.post(
        "/accounts/login/", {"username": "tecnologo", "password": PASSWORD}, follow=True
    )

    assert response.request["PATH_INFO"] == "/casos/mis-casos/"
    content = response.content.decode()
    assert "<title>Mis casos" in content
    assert _h1(response) == "Mis casos"


def test_nfr02_wrong_password_shows_spanish_message(client, users):
    """NFR-02: a wrong password keeps the user out with a Spanish message."""
    response = client.post(
        "/accounts/login/", {"username": "tecnologo", "password": "otra-clave"}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain == []
    assert "Usuario o contraseña incorrectos" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/casos/").status_code == 302


def test_nfr01_refusal_pages_are_in_spanish(client, users, settings):
    """NFR-01: a refused page (403) and a missing one (404) answer in Spanish."""
    settings.DEBUG = False
    client.force_login(users[Role.CLIENTE_INTERNO])
    forbidden = client.get("/casos/")
    assert forbidden.status_code == 403
    assert "Acceso denegado" in forbidden.content.decode()
    missing = client.get("/casos/999999/")
    assert missing.status_code == 403  # the role check comes before the lookup
    client.force_login(users[Role.TECNOLOGO])
    missing = client.get("/casos/999999/")
    assert missing.status_code == 404
    assert "No encontrado" in missing.content.decode()


@pytest.mark.parametrize(
    ("role", "sees_personal_data"),
    [
        (Role.TECNOLOGO, True),
        (Role.ORIENTADOR, True),
        (Role.ASIGNADOR, True),
        (Role.GESTOR, True),
        (Role.ENCARGADO, False),
        (Role.MESA, False),
        (Role.GESTOR_OFICINA, False),
    ],
)
def test_nfr02_personal_data_only_for_roles_that_need_it(
    client, api_as, users, office, role, sees_personal_data
):
    """NFR-02: a role that can see the case but does not need the customer's personal data
    sees the name only, on the page and in the API."""
    customer = CustomerFactory(document_number="43512876", email="privado@example.com")
    case = make_case(
        customer=customer, office=office, supported_office=office, assigned_to=users[Role.TECNOLOGO]
    )
    client.force_login(users[role])
    page = client.get(f"/casos/{case.pk}/").content.decode()
    body = api_as(users[role]).get(f"/api/v1/cases/{case.pk}/").json()
    assert customer.full_name in page
    assert body["customer"]["full_name"] == customer.full_name
    assert ("43512876" in page) is sees_personal_data
    assert ("privado@example.com" in page) is sees_personal_data
    assert ("document_number" in body["customer"]) is sees_personal_data
    assert ("email" in body["customer"]) is sees_personal_data
