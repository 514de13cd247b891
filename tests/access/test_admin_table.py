"""NFR-02 in Django admin: every registered ModelAdmin × every role × A's row and B's row.

Every role is given admin access (``is_staff``) — the worst case, if someone ticks the box by
mistake (tests/core/test_admin_scope.py does the same); a user without it, of any role, gets the
admin's login page. ``ADMIN_TABLE`` says, per model and role, what a staff user of office A may
do there, written by hand:

- ``-`` nothing: the list and the add form 403, any object refused;
- ``l`` the list (their own scope's rows), but A's row of the scene is not theirs: refused;
- ``v`` view: the list shows A's row and never B's, the change page (read-only), the history;
- ``a`` add, ``c`` change (the change form may be posted), ``d`` delete, on top of ``v``.

"Refused" is 403, or the admin's "does not exist" redirect to /admin/, or 404: never data. B's
row (the other unit's) is refused for every role, except where seeing it is by design
(``FAR_VISIBLE``). No page shows B's personal data (``FAR_MARKER``).

The changelists, the site's own pages and the custom admin views run in CI; every object page
of every model (change, delete, history, the history's version form, the object URL) as every
role is the long run: ``ACCESS_FULL=1 pytest -m access_full tests/access``.
"""

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver

from core.models import Appointment, ContactAttempt, Office, StaffAvailability, User
from pqr_digital.models import Interaction
from tests.access.world import FAR_MARKER
from tests.helpers import ANON, ROLE_COLUMNS

pytestmark = pytest.mark.django_db

STAFF_COLUMNS = ROLE_COLUMNS[1:]
ADL = (302, "/admin/login/?next={url}")  # anonymous or not staff → the admin's login page
IDX = (302, "/admin/")  # already logged in: the admin index
OUT = (302, "/accounts/login/")  # logged out
GONE = "gone"  # the admin's "does not exist" redirect to its index: no data shown
REFUSED = "refused"  # 403, GONE or 404
CHANGED = "changed"  # the form was taken: 200 (it says what is missing) or 302 (saved)
TO_CHANGE = "to_change"  # the object URL redirects to its change page (no data)

# fmt: off
#: Per registered model: what each staff role of office A may do (see the docstring).
ADMIN_TABLE = {
    #                                   orie   tecn   gest    asig  enca  crea  mesa  geof  clin
    "auth.group":                       ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "authtoken.tokenproxy":             ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "axes.accessattempt":               ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "axes.accessfailurelog":            ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "axes.accesslog":                   ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "cliente_interno.internalbooking":  ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
    "copropiedad.condocase":            ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "copropiedad.copropiedad":          ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.appointment":                 ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.appointmenttype":             ("-",  "-",   "vac",  "-",  "-",  "-",  "-",  "-",  "-"),
    "core.assignmentpool":              ("-",  "-",   "vac",  "vc", "-",  "-",  "-",  "-",  "-"),
    "core.case":                        ("v",  "l",   "v",    "v",  "v",  "l",  "v",  "v",  "-"),
    "core.channel":                     ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.contactattempt":              ("-",  "l",   "v",    "v",  "-",  "-",  "-",  "-",  "-"),
    "core.customer":                    ("v",  "l",   "v",    "v",  "-",  "l",  "-",  "-",  "-"),
    "core.duealertrun":                 ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.evidence":                    ("v",  "l",   "v",    "-",  "-",  "l",  "-",  "-",  "-"),
    "core.initialcause":                ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.kiosk":                       ("-",  "-",   "vac",  "-",  "vc", "-",  "-",  "-",  "-"),
    "core.messagetemplate":             ("-",  "-",   "vc",   "-",  "-",  "-",  "-",  "-",  "-"),
    "core.notification":                ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.office":                      ("v",  "v",   "vc",   "v",  "v",  "v",  "v",  "v",  "-"),
    "core.outboundmessage":             ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.printer":                     ("-",  "-",   "v",    "-",  "v",  "-",  "-",  "-",  "-"),
    "core.printjob":                    ("-",  "-",   "v",    "-",  "v",  "-",  "-",  "-",  "-"),
    "core.rosterentry":                 ("-",  "-",   "vad",  "-",  "-",  "-",  "-",  "-",  "-"),
    "core.sendermailbox":               ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.shiftcheck":                  ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.staffavailability":           ("-",  "-",   "vac",  "v",  "-",  "-",  "-",  "-",  "-"),
    "core.transactiontype":             ("v",  "v",   "-",    "-",  "-",  "v",  "-",  "-",  "-"),
    "core.turn":                        ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.user":                        ("-",  "-",   "v",    "v",  "-",  "-",  "-",  "v",  "-"),
    "core.videosession":                ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
    "core.workinghours":                ("-",  "-",   "vacd", "-",  "-",  "-",  "-",  "-",  "-"),
    "desborde.intake":                  ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "desborde.outcomeproposal":         ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "django_celery_beat.clockedschedule": ("-", "-",  "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "django_celery_beat.crontabschedule": ("-", "-",  "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "django_celery_beat.intervalschedule": ("-", "-", "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "django_celery_beat.periodictask":  ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "django_celery_beat.solarschedule": ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "pqr_digital.digitalpqrexport":     ("-",  "-",   "-",    "-",  "-",  "-",  "-",  "-",  "-"),
    "pqr_digital.inboundmessage":       ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
    "pqr_digital.interaction":          ("-",  "-",   "v",    "-",  "-",  "-",  "-",  "-",  "-"),
}

#: The admin's own pages and the custom views of some admins, as a plain role table.
ADMIN_ROWS = {
    #                                           anon orie tecn gest asig enca crea mesa geof clin
    "GET /admin/":                              (ADL, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /admin/login/":                        (200, IDX, IDX, IDX, IDX, IDX, IDX, IDX, IDX, IDX),
    "POST /admin/login/":                       (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /admin/logout/":                      (IDX, OUT, OUT, OUT, OUT, OUT, OUT, OUT, OUT, OUT),
    "GET /admin/password_change/":              (ADL, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /admin/password_change/":             (ADL, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /admin/password_change/done/":         (ADL, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /admin/autocomplete/":                 (ADL, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/jsi18n/":                       (ADL, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /admin/r/1/{case}/":                   (ADL, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "GET /admin/core/":                         (ADL, 200, 200, 200, 200, 200, 200, 200, 200, 404),
    "GET /admin/desborde/":                     (ADL, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "GET /admin/no-existe/":                    (ADL, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # CEL-01: only gestores program the roster; the user's password: superusers only.
    "GET /admin/core/rosterentry/programar/":   (ADL, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    "POST /admin/core/rosterentry/programar/":  (ADL, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/rosterentry/copiar/":      (ADL, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    "POST /admin/core/rosterentry/copiar/":     (ADL, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/user/{user}/password/":    (ADL, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /admin/core/user/{user}/password/":   (ADL, 403, 403, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on

#: The scene's row of A and of B, by the placeholders of tests/access/world.py (None: no row of
#: B, the model is not scoped, or a made-up id where no role may open anything anyway).
ADMIN_OBJECTS = {
    "cliente_interno.internalbooking": ("booking", "far_booking"),
    "copropiedad.condocase": ("condocase", "far_condocase"),
    "copropiedad.copropiedad": ("copropiedad", "far_copropiedad"),
    "core.appointment": ("condo", "far_condo"),
    "core.appointmenttype": ("appointmenttype", None),
    "core.assignmentpool": ("pool", "far_pool"),
    "core.case": ("case", "far_case"),
    "core.channel": ("channel", None),
    "core.contactattempt": ("attempt", "far_attempt"),
    "core.customer": ("cu", "far_cu"),
    "core.evidence": ("evidence", "far_evidence"),
    "core.initialcause": ("initialcause", None),
    "core.kiosk": ("kiosk", "far_kiosk"),
    "core.messagetemplate": ("messagetemplate", None),
    "core.office": ("office", None),
    "core.outboundmessage": ("outbound", None),
    "core.printer": ("printer", "far_printer"),
    "core.printjob": ("job", "far_job"),
    "core.rosterentry": ("roster", "far_roster"),
    "core.sendermailbox": ("sendermailbox", None),
    "core.shiftcheck": ("shiftcheck", "far_shiftcheck"),
    "core.staffavailability": ("availability", "far_availability"),
    "core.transactiontype": ("transactiontype", None),
    "core.turn": ("turn", "far_turn"),
    "core.user": ("user", "far_user"),
    "core.videosession": ("session", "far_session"),
    "core.workinghours": ("hours", "far_hours"),
    "desborde.intake": ("intake", "far_intake"),
    "desborde.outcomeproposal": ("proposal", "far_proposal"),
    "pqr_digital.digitalpqrexport": ("exp", None),
    "pqr_digital.inboundmessage": ("inbound", None),
    "pqr_digital.interaction": ("itx", "far_itx"),
    "auth.group": ("group", None),
}
#: B's rows a role of A sees by design, with the reason.
FAR_VISIBLE = {
    "pqr_digital.interaction": "the Contact Center's inbox belongs to no unit (pqr_digital/admin)",
}
#: Admin forms that list every unit's staff in a selector by design (global configuration).
STAFF_OF_EVERY_UNIT = {"core.appointmenttype": "an appointment type is served across units"}

# --- known defects (each with its own strict xfail test below) --------------------------------
#: simple_history's version form (…/history/<version>/) saved a POST for whoever may *view* the
#: history (django-simple-history 3.13 checks no change permission); fixed by
#: core.admin.scope.SafeHistoryAdmin: the table checks those POSTs again (403).
HISTORY_FORM_SAVES_FOR_VIEWERS = False
#: History admins of models that keep no history: their history pages answered 500, now 404
#: (SafeHistoryAdmin); left out of the table, checked by their own test below.
MODELS_WITHOUT_HISTORY = {
    "core.shiftcheck",
    "core.videosession",
    "pqr_digital.digitalpqrexport",
    "pqr_digital.inboundmessage",
}
#: Unit-scoped admins whose forms offered (and saved) another unit's staff: fixed (their forms
#: list the user's unit's staff, core/admin/config.py unit_staff); none left.
STAFF_OF_OTHER_UNITS: set[str] = set()

KINDS = {
    "": "changelist",
    "add/": "add",
    "<path:object_id>/history/": "history",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/change/": "change",
    "<path:object_id>/": "object",
    "([^/]+)/history/([^/]+)/$": "history_form",
}
METHODS = {
    "changelist": ("GET",),
    "add": ("GET", "POST"),
    "change": ("GET", "POST"),
    "delete": ("GET", "POST"),
    "history": ("GET",),
    "history_form": ("GET", "POST"),
    "object": ("GET",),
}


def _model(label: str):
    return next(m for m in admin.site._registry if m._meta.label_lower == label)


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        route = prefix + route.removeprefix("^") if prefix else route
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route)
        else:
            yield route


def _model_routes(label: str) -> list[str]:
    """The admin's URL patterns of a model, after ``admin/<app>/<model>/``."""
    base = "admin/{}/{}/".format(*label.split("."))
    return [r[len(base) :] for r in _walk(get_resolver()) if r.startswith(base)]


def _client(scene, username: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if username:
        client.cookies[settings.SESSION_COOKIE_NAME] = scene["sessions"][username]
    return client


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _outcome(response) -> str | int:
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/admin/login/"):
        return "login"
    if response.status_code == 302 and location == "/admin/":
        return GONE
    if response.status_code == 302 and location.endswith("/change/"):
        return TO_CHANGE
    return response.status_code


def _matches(expected, got) -> bool:
    if expected == REFUSED:
        return got in (403, GONE, 404)
    if expected == CHANGED:
        return got in (200, 302) or (isinstance(got, str) and got not in ("login", GONE))
    return got == expected


def _expected(kind: str, method: str, code: str, which: str, far_visible: bool):
    if kind == "object":
        return TO_CHANGE
    if kind == "changelist":
        return 403 if code == "-" else 200
    if kind == "add":
        return (200 if method == "GET" else CHANGED) if "a" in code else 403
    if (which == "far" and not far_visible) or "v" not in code:
        return REFUSED
    if method == "POST" and kind in ("change", "history_form"):
        return CHANGED if "c" in code else 403
    if kind == "delete":
        return 200 if "d" in code else 403
    return 200


def _version(model, pk) -> int | None:
    history = getattr(model, "history", None)
    if history is None or not hasattr(model._meta, "simple_history_manager_attribute"):
        return None
    return (
        history.filter(**{model._meta.pk.attname: pk})
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


def test_nfr02_admin_table_covers_every_registered_model_and_role():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert set(ADMIN_TABLE) == registered
    assert all(len(row) == len(STAFF_COLUMNS) for row in ADMIN_TABLE.values())
    assert set(ADMIN_OBJECTS) <= registered


@pytest.mark.parametrize("label", sorted(ADMIN_TABLE))
def test_nfr02_admin_changelist_as_every_role(scene, label):
    """NFR-02: each admin list as anonymous, as every role without admin access (the admin's
    login page) and with it (the table's status); a list lists A's row to the roles that see
    it and never B's."""
    app, name = label.split(".")
    url = f"/admin/{app}/{name}/"
    own_key, far_key = ADMIN_OBJECTS.get(label, (None, None))
    ids = scene["ids"]
    mismatches = []
    for who in ROLE_COLUMNS:
        response = _client(scene, None if who == ANON else who).get(url)
        if _outcome(response) != "login":
            mismatches.append(f"{who} sin acceso al admin: {response.status_code}")
    for who, code in zip(STAFF_COLUMNS, ADMIN_TABLE[label], strict=True):
        response = _client(scene, f"staff_{who}").get(url)
        expected = 403 if code == "-" else 200
        if response.status_code != expected:
            mismatches.append(f"staff {who}: esperado {expected}, obtenido {response.status_code}")
            continue
        if expected != 200:
            continue
        listed = {str(obj.pk) for obj in response.context["cl"].result_list}
        if "v" in code and own_key and str(ids[own_key]) not in listed:
            mismatches.append(f"staff {who}: no lista la fila de A")
        if far_key and label not in FAR_VISIBLE and str(ids[far_key]) in listed:
            mismatches.append(f"staff {who}: lista la fila de B")
        if label not in FAR_VISIBLE and FAR_MARKER in _body(response):
            mismatches.append(f"staff {who}: la lista muestra datos de B")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(("key", "row"), ADMIN_ROWS.items(), ids=list(ADMIN_ROWS))
def test_nfr02_admin_site_pages_as_every_role(scene, key, row):
    method, template = key.split(" ")
    ids = scene["ids"]
    url = template.format(**ids)
    mismatches = []
    for who, expected in zip(ROLE_COLUMNS, row, strict=True):
        client = _client(scene, None if who == ANON else f"staff_{who}")
        response = client.get(url) if method == "GET" else client.post(url, {})
        status, where = expected if isinstance(expected, tuple) else (expected, None)
        location = response.get("Location", "")
        if response.status_code != status or (
            where is not None and location != where.format(url=quote(url))
        ):
            mismatches.append(
                f"{who}: esperado {expected}, obtenido {response.status_code} {location}"
            )
        elif FAR_MARKER in _body(response):
            mismatches.append(f"{who}: datos de B")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.access_full
@pytest.mark.parametrize("label", sorted(ADMIN_TABLE))
def test_nfr02_admin_object_pages_as_every_role(scene, label):
    """NFR-02: every admin page of A's row and of B's row (change, delete, history, the
    history's version form, the object URL, add) × every method × every role with admin
    access, and anonymous (the login page): the status the table implies, never B's data."""
    model = _model(label)
    own_key, far_key = ADMIN_OBJECTS.get(label, (None, None))
    ids = scene["ids"]
    far_visible = label in FAR_VISIBLE
    mismatches = []
    for rest in _model_routes(label):
        kind = KINDS.get(rest)
        if kind is None or kind == "changelist":
            continue  # custom views: ADMIN_ROWS; the list: the test above
        for which, key in (("own", own_key), ("far", far_key)):
            if which == "far" and (key is None or kind == "add"):
                continue
            if kind in ("history", "history_form") and label in MODELS_WITHOUT_HISTORY:
                continue
            pk = ids[key] if key else 999999
            path = "/admin/{}/{}/".format(*label.split(".")) + rest
            if kind == "history_form":
                version = _version(model, pk) or 999999
                path = path.replace("([^/]+)/history/([^/]+)/$", f"{pk}/history/{version}/")
            else:
                path = path.replace("<path:object_id>", str(pk))
            for method in METHODS[kind]:
                for who, code in zip(ROLE_COLUMNS, ("-", *ADMIN_TABLE[label]), strict=True):
                    if who == ANON:
                        expected = "login"
                    elif kind == "history_form" and _version(model, pk) is None:
                        expected = 404  # no version of this row yet: nothing to show
                    else:
                        expected = _expected(kind, method, code, which, far_visible)
                    known = (
                        HISTORY_FORM_SAVES_FOR_VIEWERS
                        and kind == "history_form"
                        and method == "POST"
                        and expected == 403
                    )
                    if known:
                        continue
                    client = _client(scene, None if who == ANON else f"staff_{who}")
                    response = client.get(path) if method == "GET" else client.post(path, {})
                    got = _outcome(response)
                    body = _body(response)
                    shows_far = FAR_MARKER in body and not (
                        (which == "far" and far_visible)
                        or label in STAFF_OF_EVERY_UNIT
                        or label in STAFF_OF_OTHER_UNITS
                    )
                    if not _matches(expected, got) or shows_far:
                        mismatches.append(
                            f"{method} {path} {who}: esperado {expected}, obtenido {got}"
                            + (" con datos de B" if shows_far else "")
                        )
    assert not mismatches, "\n".join(mismatches)


# --- the defects found, to fix in product code --------------------------------------------------


def _form_fields(html: str) -> dict:
    """The values a browser would post back for the admin form in ``html``."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or (kind and kind.group(1) == "submit"):
            continue
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for attrs, options in re.findall(r"<select([^>]*)>(.*?)</select>", html, re.S):
        name = re.search(r'name="([^"]+)"', attrs)
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        if name and chosen:
            data[name.group(1)] = chosen if "multiple" in attrs else chosen[0]
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = text.strip()
    return data


def _make_superuser(scene):
    me = scene["staff"]["gestor_oficina"]
    return "staff_gestor_oficina", User, me.pk, {"is_superuser": "on", "is_staff": "on"}


def _rename_office(scene):
    return "staff_mesa", Office, scene["ids"]["office"], {"name": "Oficina Renombrada"}


def _revert_attempt(scene):
    ContactAttempt.objects.filter(pk=scene["ids"]["attempt"]).update(outcome="no_contesta")
    return "staff_asignador", ContactAttempt, scene["ids"]["attempt"], {}


def _revert_appointment(scene):
    return "staff_gestor", Appointment, scene["ids"]["condo"], {}


def _change_interaction(scene):
    return "staff_gestor", Interaction, scene["ids"]["far_itx"], {"full_name": "Otro nombre"}


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param(_make_superuser, id="gestor_oficina se hace superusuario"),
        pytest.param(_rename_office, id="mesa renombra una oficina"),
        pytest.param(_revert_attempt, id="asignador cambia un intento de llamada"),
        pytest.param(_revert_appointment, id="gestor revierte una cita"),
        pytest.param(_change_interaction, id="gestor cambia una interacción"),
    ],
)
def test_nfr02_history_version_form_does_not_save_for_a_viewer(scene, attack):
    """A role that may only *view* a row (no change permission) posts the row's history
    version form (/admin/<app>/<model>/<id>/history/<version>/) with the values of the page
    and a change: refused (403), the row unchanged."""
    username, model, pk, change = attack(scene)
    before = model.objects.filter(pk=pk).values().get()
    first = model.history.filter(**{model._meta.pk.attname: pk}).order_by("history_id").first()
    url = (
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/{pk}/history/{first.history_id}/"
    )
    client = _client(scene, username)
    data = {**_form_fields(_body(client.get(url))), **change}
    response = client.post(url, data)
    assert model.objects.filter(pk=pk).values().get() == before
    assert response.status_code == 403


@pytest.mark.parametrize("label", sorted(MODELS_WITHOUT_HISTORY))
def test_nfr03_admin_history_page_is_never_a_server_error(scene, label):
    own_key, _ = ADMIN_OBJECTS[label]
    url = "/admin/{}/{}/{}/history/".format(*label.split("."), scene["ids"][own_key])
    response = _client(scene, "staff_gestor").get(url)
    assert response.status_code in (200, 403, 404)


def test_nfr02_gestor_cannot_record_availability_for_another_units_technologist(scene):
    """A gestor records staff availability (admin) of their unit's technologists only, as the
    roster refuses «El tecnólogo no existe o no es de su unidad.» for another unit's."""
    far_tech = scene["far"]["tecnologo"]
    client = _client(scene, "staff_gestor")
    body = {"user": far_tech.pk, "date": "2030-01-02", "is_available": "on"}
    client.post("/admin/core/staffavailability/add/", {**body, "work_mode": "trabajo_en_casa"})
    assert not StaffAvailability.objects.filter(user=far_tech, date="2030-01-02").exists()
    assert FAR_MARKER not in _body(client.get("/admin/core/staffavailability/add/"))
