"""Content-Security-Policy on every page (NFR-02), with django-csp.

The policy allows scripts and styles from our own static files only: no inline <script>, no
on*= handler attributes, no style= attributes, no eval (htmx's hx-on and js: expressions). The
browser tests open the pages of each role under the real header and check that Chromium refused
nothing, and that the scripts moved out of the templates still do their job.
"""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from core.models import CaseStatus
from core.roles import Role
from desborde.models import Intake
from tests.factories import CustomerFactory, OfficeFactory, UserFactory, make_case
from tests.helpers import TABLET, make_user, pool_technologist

pytestmark = pytest.mark.django_db


CSP = "Content-Security-Policy"
EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "connect-src": "'self'",
    "font-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def _policy(header: str) -> dict[str, str]:
    directives = (part.strip() for part in header.split(";") if part.strip())
    return {name: value.strip() for name, _, value in (d.partition(" ") for d in directives)}


# --- The header -------------------------------------------------------------------------------


def test_nfr02_pages_carry_the_csp_header_without_unsafe_inline(client):
    """NFR-02: the login page and a signed-in page carry the whole policy; no unsafe-*."""
    office = OfficeFactory()
    user = UserFactory(username="tecnologo_csp", home_office=office)
    user.groups.add(Group.objects.get(name=str(Role.TECNOLOGO)))

    anonymous = client.get(reverse("login"))
    client.force_login(user)
    signed_in = client.get(reverse("core:workbench"))

    for response in (anonymous, signed_in):
        assert response.status_code == 200
        header = response[CSP]
        assert "script-src 'self'" in header
        assert "unsafe-inline" not in header
        assert "unsafe-eval" not in header
        assert _policy(header) == EXPECTED_POLICY


def test_nfr02_only_the_swagger_ui_is_exempt(client):
    """NFR-02: /api/docs/ (Swagger UI, inline script) has no CSP header; the schema has it."""
    docs = client.get(reverse("api_docs"))
    assert docs.status_code == 200
    assert CSP not in docs
    schema = client.get(reverse("schema"))
    assert schema.status_code == 200
    assert _policy(schema[CSP]) == EXPECTED_POLICY


# --- The templates ----------------------------------------------------------------------------

TEMPLATE_DIRS = sorted(
    {Path(django_settings.BASE_DIR) / "templates"}
    | {
        path
        for path in Path(django_settings.BASE_DIR).glob("*/templates")
        if path.is_dir() and not path.parent.name.startswith(".")
    }
)
# A start tag: '<name' then attributes up to '>' (Django tags inside it are kept whole).
TAG = re.compile(r"<[a-zA-Z][\w-]*(?:\{%.*?%\}|\{\{.*?\}\}|[^<>])*>", re.DOTALL)
FORBIDDEN = [
    ("<script> en línea (sin src)", re.compile(r"^<script\b(?![^>]*\ssrc\s*=)", re.I)),
    ("atributo manejador on*=", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("atributo style=", re.compile(r"\sstyle\s*=", re.I)),
    ("hx-on (usa eval)", re.compile(r"\shx-on[:\-]", re.I)),
    ("expresión js:/javascript: (usa eval)", re.compile(r"[\"'\s](?:js|javascript):", re.I)),
]


INLINE_STYLE_BLOCK = "bloque <style> en línea"


def _violations(path: Path) -> list[tuple[str, str, str]]:
    """(file:line, what, the tag) for each forbidden form in a template."""
    text = path.read_text(encoding="utf-8")
    found = []
    for tag in TAG.finditer(text):
        where = f"{path}:{text.count(chr(10), 0, tag.start()) + 1}"
        for what, pattern in FORBIDDEN:
            if pattern.search(tag.group()):
                found.append((where, what, tag.group()[:120]))
        if re.match(r"<style\b", tag.group(), re.I):
            found.append((where, INLINE_STYLE_BLOCK, tag.group()[:120]))
    return found


def test_nfr02_templates_have_no_inline_script_handler_or_style():
    """NFR-02: no template has an inline <script>, an on*= handler, a style= attribute, an
    inline <style> or an htmx eval expression (hx-on, js:) — the CSP would block them."""
    templates = [path for folder in TEMPLATE_DIRS for path in sorted(folder.rglob("*.html"))]
    assert len(templates) > 10, TEMPLATE_DIRS
    found = [v for path in templates for v in _violations(path)]
    assert found == [], "\n".join(" — ".join(v) for v in found)


def test_nfr02_template_scan_catches_what_it_looks_for(tmp_path):
    """NFR-02: the scan above is not blind (each forbidden form is found)."""
    sample = tmp_path / "malo.html"
    sample.write_text(
        '<script>alert(1)</script>\n<button onclick="x()">a</button>\n'
        '<div style="color: red">b</div>\n<a href="javascript:void(0)">c</a>\n'
        "<div hx-on:click=\"x()\" hx-vals='js:{a: 1}'>d</div>\n<style>p {}</style>\n"
        '<script src="/static/js/ok.js" defer></script>\n',
        encoding="utf-8",
    )
    kinds = {what for _, what, _ in _violations(sample)}
    assert kinds == {what for what, _ in FORBIDDEN} | {INLINE_STYLE_BLOCK}
    assert all(":7" not in where for where, _, _ in _violations(sample))  # src + defer is fine


# --- In the browser ---------------------------------------------------------------------------

#: Runs in every document before its own scripts: reports each CSP violation to Python.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `securitypolicyviolation ${event.effectiveDirective} blocked=${event.blockedURI} ` +
    `en ${event.sourceFile}:${event.lineNumber} ${event.sample || ""}`
  );
}, true);
"""
CSP_CONSOLE = ("Content Security Policy", "Refused to")


def _watch_csp(page) -> list[str]:
    """Everything the page reports about the CSP: its console, its errors, and the
    securitypolicyviolation events (listener added before any script of the page runs)."""
    found: list[str] = []
    page.expose_function("__cspViolation", lambda text: found.append(text))
    page.add_init_script(CSP_LISTENER)
    page.on(
        "console",
        lambda msg: (
            found.append(f"consola: {msg.text}")
            if any(s in msg.text for s in CSP_CONSOLE)
            else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"error de página: {error}"))
    return found


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)  # events are delivered to Python asynchronously


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_nfr02_pages_under_csp_have_no_violations_and_moved_scripts_work(
    page, browser, live_server, login, screenshot, settings
):
    """NFR-02: the technologist's case page and the orientador's case and register pages run
    under the CSP with no violation, and the scripts moved to static/js/ still work:

    * case_detail.js — the "no informe la respuesta" hint appears while a notification medium
      is chosen in the close form (also when the page is shown again with one chosen);
    * desborde_register.js — after the first tap on "Registrar cliente" the button is disabled,
      a second tap sends nothing, and one intake is stored.
    """
    settings.WORKBENCH_REFRESH_SECONDS = 1  # htmx polls while the pages are open
    settings.LIVE_FALLBACK_POLL_SECONDS = 1  # the WSGI live server has no websocket
    office = OfficeFactory(name="Oficina Envigado", zone="Sur")
    make_user(
        Role.ORIENTADOR, office, username="orientadora_csp", first_name="Luisa", last_name="Mejía"
    )
    tech = pool_technologist(
        office, username="tecnologa_csp", first_name="Beatriz", last_name="Gómez"
    )
    case = make_case(
        customer=CustomerFactory(full_name="María Elena Restrepo", mobile="3104567890"),
        assigned_to=tech,
        supported_office=office,
        status=CaseStatus.ASIGNADO,
    )

    # The technologist: "Mis casos" (htmx polling), then the case page and its close form.
    violations = _watch_csp(page)
    page.set_viewport_size(TABLET)
    login(page, "tecnologa_csp")
    expect(page.get_by_role("heading", name="Mis casos")).to_be_visible()
    _settle(page)
    page.get_by_role("link", name=case.number).click()
    page.get_by_role("button", name="Contestó").click()
    expect(page.get_by_text("Intento 1 registrado: contestó.")).to_be_visible()

    medium = page.locator("#id_notification_medium")
    hint = page.locator("#notification-hint")
    expect(medium).to_have_value("")
    expect(hint).to_be_hidden()
    medium.select_option("sms")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("no la dé durante la llamada")
    medium.select_option("")
    expect(hint).to_be_hidden()
    # Sent with a medium but without the required CRM fields: the page comes back with the
    # medium chosen and the hint shown from the start (the script's first toggle()).
    medium.select_option("direccion")
    page.get_by_role("button", name="Registrar y cerrar").click()
    expect(
        page.locator("#close-form .text-danger, #close-form .alert-danger").first
    ).to_be_visible()
    expect(page.locator("#id_notification_medium")).to_have_value("direccion")
    expect(page.locator("#notification-hint")).to_be_visible()
    screenshot(page, "csp-caso-tecnologo-aviso-notificacion")
    _settle(page)
    assert violations == [], "\n".join(violations)

    # The orientador, in a second browser: start page (htmx), the case page, the register form.
    context = browser.new_context(viewport=TABLET, locale="es-CO", timezone_id="America/Bogota")
    try:
        orientador = context.new_page()
        violations = _watch_csp(orientador)
        login(orientador, "orientadora_csp")
        expect(orientador).to_have_url(f"{live_server.url}/desborde/")
        _settle(orientador)
        orientador.goto(f"{live_server.url}{reverse('core:case_detail', args=[case.pk])}")
        expect(orientador.get_by_role("heading", name=f"Caso {case.number}")).to_be_visible()
        expect(orientador.locator("#notification-hint")).to_have_count(0)  # not the assignee
        _settle(orientador)

        orientador.goto(f"{live_server.url}/desborde/")
        orientador.get_by_role("link", name="Nuevo registro — formulario web").click()
        orientador.get_by_label("¿Qué transacción necesita el cliente?").select_option(
            label="Duplicado de factura"
        )
        orientador.get_by_role("button", name="Continuar").click()
        expect(orientador.locator("#chosen-transaction")).to_have_text("Duplicado de factura")
        orientador.get_by_label("Nombre completo del cliente").fill("Jorge Iván Ríos")
        orientador.get_by_label("Tipo de documento").select_option("CC")
        orientador.get_by_label("Número de documento").fill("71.234.567")
        orientador.get_by_label("Teléfono (celular o fijo)").fill("310 456 7890")
        orientador.get_by_label("Contrato EPM").fill("123456789")
        orientador.get_by_label("Correo electrónico").fill("jorge.rios@example.com")
        orientador.get_by_label(
            "El cliente autoriza el tratamiento de sus datos personales"
        ).check()

        # Hold the POST in the network: the page stays on the form while it is in flight, as on a
        # slow connection. Playwright waits for that navigation before it evaluates anything, so
        # the page itself reports, through a binding, the buttons' state after each submit.
        register_url = f"{live_server.url}{reverse('desborde:register')}"
        held, sent, after_submit = [], [], []
        orientador.on(
            "request",
            lambda r: sent.append(r) if r.method == "POST" and r.url == register_url else None,
        )
        orientador.route(register_url, lambda route: held.append(route))
        orientador.expose_function("__afterSubmit", lambda state: after_submit.append(state))
        orientador.evaluate(
            """() => {
              const form = document.querySelector("form#step-2");
              const buttons = () => [...form.querySelectorAll("button[type=submit]")];
              form.addEventListener("submit", () => setTimeout(
                () => window.__afterSubmit(buttons().map((b) => b.disabled)), 0));
            }"""
        )
        submit = orientador.get_by_role("button", name="Registrar cliente")
        expect(submit).to_be_enabled()
        submit.scroll_into_view_if_needed()
        box = submit.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        orientador.mouse.click(x, y)  # first tap
        deadline = time.monotonic() + 5
        while not held and time.monotonic() < deadline:
            orientador.wait_for_timeout(50)
        assert len(held) == 1, "the form was not sent"
        orientador.mouse.click(x, y)  # second tap, while the first is still in flight
        orientador.wait_for_timeout(500)
        assert after_submit == [[True]]  # one submit, after which the button was disabled
        assert len(held) == 1 and len(sent) == 1
        held[0].continue_()  # let the one request through
        orientador.unroute(register_url)

        intake = Intake.objects.select_related("case").get()
        expect(orientador.locator("#case-number")).to_have_text(f"Caso CRM {intake.case.number}")
        _settle(orientador)
        assert violations == [], "\n".join(violations)

        # The listener is not deaf: an inline script added now is refused and reported.
        orientador.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__inlineRan = true'; document.body.append(s); }"
        )
        _settle(orientador)
        assert orientador.evaluate("window.__inlineRan === undefined")
        assert any("securitypolicyviolation script-src" in v for v in violations), violations
        assert any(v.startswith("consola: ") for v in violations), violations
    finally:
        context.close()
    assert Intake.objects.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_nfr02_admin_pages_work_under_csp(page, live_server, screenshot):
    """NFR-02: the Django admin (index, change list, change forms) runs under the CSP with no
    violation, and its JavaScript works (filter_horizontal's two-box selector is built)."""
    office = OfficeFactory(name="Oficina Bello")
    UserFactory(username="raiz_csp", is_staff=True, is_superuser=True, home_office=office)
    case = make_case(supported_office=office)
    violations = _watch_csp(page)

    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("raiz_csp")
    page.locator("#id_password").fill("clave-segura-123")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_contain_text("Atención a distancia")
    _settle(page)
    for url in (
        reverse("admin:core_case_changelist"),
        reverse("admin:core_case_change", args=[case.pk]),
        reverse("admin:core_user_add"),
        reverse("admin:core_assignmentpool_add"),
    ):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers[CSP.lower()], url
        _settle(page)
    # SelectFilter2.js (admin static file) turned the members <select> into the two boxes.
    expect(page.locator("#id_members_from")).to_be_visible()
    expect(page.locator("#id_members_input")).to_be_visible()
    screenshot(page, "csp-admin-formulario")
    assert violations == [], "\n".join(violations)
