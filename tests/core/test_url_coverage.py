"""NFR-02: every URL of the URL conf has a row in a role table — a new URL without one fails here.

The URL conf is walked whole (``django.urls.get_resolver()``: includes, DRF routers, the admin):
every pattern with the methods it answers — a DRF viewset's actions, the handlers a class-based
view implements (``http_method_names``), GET for a plain function view, and for the admin the
methods of each kind of page (``ADMIN_METHODS``).

The rows are read from the test modules' source (ast; no test module imports another): every
module-level dict whose values are role-column tuples (anonymous + every role, or the roles
alone) and whose keys are ``"METHOD /path/{placeholder}/"`` (or ``"/path/"``, a GET). A row
covers the URL pattern its path resolves to (placeholders filled in), so a row is written the
way the tables write them and the path converters need no translation. ``ADMIN_TABLE`` of
tests/access/test_admin_table.py has a row per model: it covers that model's standard admin
pages, which that module requests as every role.

A pattern may be left without a row only in ``EXCLUDED``, with the reason.
"""

import ast
import functools
import re
from pathlib import Path

from django.contrib import admin
from django.urls import Resolver404, URLResolver, get_resolver, resolve

from tests.helpers import ROLE_COLUMNS

TESTS = Path(__file__).resolve().parents[1]
#: Tables whose keys are relative to their module's BASE (the request code prefixes it).
ROW_PREFIXES = {
    ("asesor_linea/test_api.py", "TABLE"): "/api/v1/asesor-linea/",
    ("cliente_interno/test_booking_api.py", "TABLE"): "/api/v1/cliente-interno/",
}
#: Patterns without a row, and why.
EXCLUDED = {
    "api/schema/": (
        "the OpenAPI schema, public by design (AllowAny) and seconds to generate per request; "
        "what it documents is tests/core/test_api_contract.py's"
    ),
}
#: Route prefixes without rows, and why.
EXCLUDED_PREFIXES = {
    "bench/": "benchmark views, mounted only with BENCH_VIEWS (never in a deployment)",
}
#: The admin's pages by kind (after admin/<app>/<model>/), and the methods each answers.
ADMIN_KINDS = {
    "": ("GET",),
    "add/": ("GET", "POST"),
    "<path:object_id>/change/": ("GET", "POST"),
    "<path:object_id>/delete/": ("GET", "POST"),
    "<path:object_id>/history/": ("GET",),
    "([^/]+)/history/([^/]+)/$": ("GET", "POST"),
    "<path:object_id>/": ("GET",),
}
ADMIN_METHODS = {
    "admin/login/": ("GET", "POST"),
    "admin/logout/": ("POST",),
    "admin/password_change/": ("GET", "POST"),
}
IGNORED_METHODS = {"options", "head"}
#: A row's key: "METHOD /path/", "/path/" (GET) or a path relative to the module's BASE.
REQUEST_LINE = re.compile(r"^((GET|POST|PUT|PATCH|DELETE) )?[^ /]*/[^ ]*$")
FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>\[a-z0-9\]\+\)/\?\$$")


def _walk(resolver, prefix=""):
    """(route, pattern) of every URL pattern, the route as ``ResolverMatch.route`` spells it."""
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        route = prefix + route.removeprefix("^") if prefix else route
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route)
        else:
            yield route, pattern


def _admin_model_route(route: str) -> tuple[str, str] | None:
    """(model label, the rest of the route) for a registered model's admin page."""
    for model in admin.site._registry:
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.startswith(base):
            return model._meta.label_lower, route[len(base) :]
    return None


def _methods(route: str, pattern) -> tuple[str, ...]:
    if route.startswith("admin/"):
        on_model = _admin_model_route(route)
        if on_model and on_model[1] in ADMIN_KINDS:
            return ADMIN_KINDS[on_model[1]]
        if on_model:  # a custom view of that admin (a form)
            return ("GET", "POST")
        return ADMIN_METHODS.get(route, ("GET",))
    callback = pattern.callback
    if getattr(callback, "actions", None):  # a DRF viewset's route (HEAD: added once served)
        return tuple(sorted(m.upper() for m in callback.actions if m not in IGNORED_METHODS))
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        names = [m for m in view_class.http_method_names if m not in IGNORED_METHODS]
        return tuple(sorted(m.upper() for m in names if hasattr(view_class, m)))
    return ("GET",)


def url_conf() -> dict[str, tuple[str, ...]]:
    """Every route of the URL conf → its methods. A DRF format-suffix route (``.json``) is its
    route without the suffix: the same view, another renderer."""
    routes = {}
    for route, pattern in _walk(get_resolver()):
        if route.endswith("<drf_format_suffix:format>"):
            route = route.removesuffix("<drf_format_suffix:format>")
        base = FORMAT_SUFFIX.sub("/$", route)
        routes.setdefault(base, _methods(route, pattern))
    return routes


def _evaluate(node, names: dict):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _evaluate(node.left, names) + _evaluate(node.right, names)
    if isinstance(node, ast.JoinedStr):
        parts = (v.value if isinstance(v, ast.FormattedValue) else v for v in node.values)
        return "".join(_evaluate(part, names) for part in parts)
    raise ValueError(ast.unparse(node))


@functools.cache
def role_tables() -> tuple[dict, set[str], list[str]]:
    """({(module, table): [row key, …]}, admin model labels with a row, unreadable keys)."""
    tables, admin_models, unreadable = {}, set(), []
    widths = {len(ROLE_COLUMNS), len(ROLE_COLUMNS) - 1}
    for path in sorted(TESTS.rglob("*.py")):
        module = path.relative_to(TESTS).as_posix()
        names = {}
        for node in ast.parse(path.read_text()).body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target = node.targets[0]
            if not isinstance(target, ast.Name):
                continue
            try:
                names[target.id] = _evaluate(node.value, names)
                continue
            except ValueError:
                pass
            value = node.value
            if not (isinstance(value, ast.Dict) and value.values):
                continue
            if not all(isinstance(v, ast.Tuple) and len(v.elts) in widths for v in value.values):
                continue
            keys, unread = [], []
            for key in value.keys:
                try:
                    keys.append(_evaluate(key, names))
                except (ValueError, AttributeError):
                    unread.append(f"{module} {target.id}: {ast.unparse(key)}")
            if target.id == "ADMIN_TABLE":
                admin_models.update(keys)
            elif any(REQUEST_LINE.match(key) for key in keys):
                tables[(module, target.id)] = keys
                unreadable += unread
    return tables, admin_models, unreadable


def _sample(path: str) -> str:
    path = path.replace("{day}", "2030-01-02")
    return re.sub(r"\{[a-z_]+\}", "1", path)


def covered_pairs() -> tuple[dict[tuple[str, str], list[str]], list[str], set[str]]:
    """({(method, route): [where a row is]}, rows that resolve to nothing, admin models)."""
    tables, admin_models, unreadable = role_tables()
    covered: dict[tuple[str, str], list[str]] = {}
    stale = list(unreadable)
    for (module, name), keys in tables.items():
        for key in keys:
            method, _, path = key.rpartition(" ")
            if not path.startswith("/"):
                path = ROW_PREFIXES.get((module, name), "/?") + path
            try:
                match = resolve(_sample(path))
            except Resolver404:
                stale.append(f"{module} {name}: {key}")
                continue
            covered.setdefault((method or "GET", match.route), []).append(f"{module} {name}")
    return covered, stale, admin_models


def readable(route: str) -> str:
    """A route written as a table's row: placeholders for converters and regex groups."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    route = route.replace("([^/]+)", "{id}").replace("\\.", ".").replace("^", "").rstrip("$")
    return "/" + route.replace("/?", "/")


def uncovered() -> list[str]:
    covered, _, admin_models = covered_pairs()
    missing = []
    for route, methods in url_conf().items():
        if route in EXCLUDED or any(route.startswith(p) for p in EXCLUDED_PREFIXES):
            continue
        on_model = _admin_model_route(route)
        if on_model and on_model[0] in admin_models and on_model[1] in ADMIN_KINDS:
            continue
        missing += [f'"{m} {readable(route)}"' for m in methods if (m, route) not in covered]
    return missing


def test_nfr02_every_url_pattern_has_a_row_in_a_role_table():
    """NFR-02: a URL (× method) without a row in any role table fails, with the rows to add:
    tests/access/test_role_url_table.py TABLE (or the module's own table), one status per
    role column, 404 for another office's or unit's object."""
    missing = uncovered()
    assert not missing, (
        f"{len(missing)} URL sin fila en ninguna tabla de roles; agregue en "
        "tests/access/test_role_url_table.py (TABLE) una fila por cada una, con el estado de "
        "cada rol (anónimo y los roles de core.roles.Role) y, si toma un objeto, otra con el "
        "objeto de la otra unidad ({far_…}):\n" + "\n".join(missing)
    )


def test_nfr02_every_row_names_a_url_that_exists():
    """A row whose URL resolves to nothing (renamed, removed) covers nothing: fix or drop it."""
    _, stale, _ = covered_pairs()
    assert not stale, "filas que no corresponden a ninguna URL:\n" + "\n".join(stale)


def test_nfr02_every_admin_model_has_a_row():
    _, _, admin_models = covered_pairs()
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered <= admin_models, sorted(registered - admin_models)


def test_nfr02_exclusions_are_urls_that_exist():
    routes = url_conf()
    assert set(EXCLUDED) <= set(routes)


def test_nfr02_a_new_url_without_a_row_is_reported(settings):
    """The walk sees a URL that no table has (this check must be able to fail)."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, include, path

    urlpatterns = [
        path("nueva-pagina/<int:pk>/", lambda request, pk: HttpResponse()),
        path("", include("config.urls")),
    ]
    module = type("UrlConf", (), {"urlpatterns": urlpatterns})
    settings.ROOT_URLCONF = module
    clear_url_caches()
    try:
        assert '"GET /nueva-pagina/{pk}/"' in uncovered()
    finally:
        clear_url_caches()
