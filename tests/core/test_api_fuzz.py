"""NFR-03 / NFR-04: bad input gets a clear message, never a 500 — generated API requests.

schemathesis reads the OpenAPI schema the application serves at /api/schema/ (drf-spectacular)
and, driven by hypothesis, generates requests for every operation in it: valid ones and invalid
ones (wrong types, missing or unknown fields, values outside the enums, odd strings, ids that do
not exist), as JSON, form and multipart bodies. Each request goes to the Django WSGI application
in-process, as a user of each role of ``core.roles.Role`` (``Authorization: Token <key>``) and as
an anonymous caller, with some data in scope (cases of the users' office assigned to the
technologist; a WhatsApp intake with a proposal and a print job) so that detail endpoints find
something. Two assertions: no answer is a 5xx (NFR-03: a 400/404/409 in Spanish instead), and
every answer is one the schema documents (NFR-04) — a status the operation lists, with that
status' Content-Type, headers and body shape (schemathesis' status_code_conformance,
content_type_conformance, response_headers_conformance, response_schema_conformance). Each
response outside the schema is reported per operation, status and kind, with the first request
that got it; known ones, waiting for their product fix, are in ALLOWED (which must shrink to zero).

Size: FUZZ_EXAMPLES is the number of generated requests of a run, shared out evenly over every
(identity, operation) pair (at least one each). The default keeps the CI run short; ``make fuzz``
runs a long one (marker ``fuzz``: ``pytest -m fuzz`` selects it alone).
Seed: with FUZZ_SEED unset every run sends the same requests (derandomized, no flaky CI); an
integer FUZZ_SEED makes a different, reproducible run (the same value replays it).

Each request runs in a savepoint that is rolled back after it, and the cache (throttle counters)
is emptied before it: every request meets the same data, so a failure replays — and shrinks to a
minimal request — deterministically.
"""

import contextlib
import datetime as dt
import fnmatch
import logging
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import pytest
import schemathesis
from django.core import signals
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.openapi.checks import JsonSchemaError, UndefinedContentType, UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.models import CaseStatus, Customer, Office, PrintJob, TransactionType
from core.roles import Role
from core.services.printing import print_job_send
from desborde import services as desborde_services
from desborde.models import Intake, IntakeMode, OutcomeProposal
from tests.factories import Case, make_case

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

SCHEMA_PATH = "/api/schema/"
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 600)
FUZZ_SEED = int(os.environ["FUZZ_SEED"]) if os.environ.get("FUZZ_SEED", "").strip() else None
#: None is the anonymous caller; then one user per role.
IDENTITIES = [None, *Role]
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
#: Path segment before a path parameter → the model whose ids it takes.
ID_SOURCES = {
    "cases": Case,
    "customers": Customer,
    "offices": Office,
    "transaction-types": TransactionType,
    "intakes": Intake,
    "proposals": OutcomeProposal,
    "print-jobs": PrintJob,
}
CALENDAR_EDGES = [
    dt.date.min,
    dt.date.min + dt.timedelta(days=1),
    dt.date.max - dt.timedelta(days=1),
    dt.date.max,
]
SHOW = 2000  # characters of a body shown in a failure


class InProcessApp:
    """The project's WSGI application (what ``config.wsgi.application`` is), called the way
    Django's test client calls it: without closing the database connection at the start and
    end of the request (the test's transaction lives on it). It keeps the traceback of an
    exception the application turned into a 500."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.tracebacks: list[str] = []

    def _record(self, **kwargs):
        self.tracebacks.append(traceback.format_exc())

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        signals.got_request_exception.connect(self._record)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()  # sends request_finished
        finally:
            signals.got_request_exception.disconnect(self._record)
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@cache
def load_operations():
    """The API's operations, from the schema the application serves (read once per session:
    it does not depend on the data)."""
    # Dates at the ends of the calendar (where date arithmetic overflows) as often as others.
    schemathesis.openapi.format(
        "date", st.one_of(st.sampled_from(CALENDAR_EDGES), st.dates()).map(dt.date.isoformat)
    )
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, InProcessApp())
    operations, errors = [], []
    for result in schema.get_all_operations():
        try:
            operations.append(result.ok())
        except Exception as exc:  # noqa: BLE001 — an operation schemathesis cannot read
            errors.append(repr(exc))
    assert not errors, f"operaciones del esquema que schemathesis no puede leer: {errors}"
    assert operations, f"el esquema de {SCHEMA_PATH} no tiene operaciones"
    return tuple(operations)


@cache
def case_strategy(operation):
    """Valid and invalid requests for one operation, like schemathesis' own fuzzing phase."""
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def hypothesis_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=FUZZ_SEED is None,
        print_blob=False,
        # No "explain" phase: it replays the failing request many times to say little more.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        # Generating schema-shaped data is slow and filters some drafts out: not the API's fault.
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


def share(pair: int, operations: int) -> int:
    """Examples for the ``pair``-th (identity, operation) pair: FUZZ_EXAMPLES spread evenly over
    all pairs (the remainder one by one, spaced out), at least one each."""
    pairs = len(IDENTITIES) * operations
    return max(1, (pair + 1) * FUZZ_EXAMPLES // pairs - pair * FUZZ_EXAMPLES // pairs)


def path_id_source(operation) -> tuple[str, type] | None:
    """(name, model) of the operation's first path parameter, when the path says what it is."""
    segments = operation.path.strip("/").split("/")
    for before, segment in zip(segments, segments[1:], strict=False):
        if segment.startswith("{") and segment.endswith("}") and before in ID_SOURCES:
            return segment[1:-1], ID_SOURCES[before]
    return None


def shown(value) -> str:
    if value is None:
        return "(sin cuerpo)"
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    value = str(value)
    return value if len(value) <= SHOW else f"{value[:SHOW]}… ({len(value)} caracteres)"


def failure_report(who: str, case, response, tracebacks, headers) -> str:
    request = response.request
    lines = [
        f"{response.status_code} para {request.method} {request.path_url} (como {who})",
        f"cuerpo enviado ({request.headers.get('Content-Type', 'sin Content-Type')}):",
        f"  {shown(request.body)}",
        f"respuesta {response.status_code} ({response.headers.get('content-type', ['?'])[0]}):",
        f"  {shown(response.content)}",
    ]
    if tracebacks:
        lines += ["excepción en el servidor:", tracebacks[-1]]
    with contextlib.suppress(Exception):  # the curl line is a courtesy
        lines += ["reproducir:", f"  {case.as_curl_command(headers=headers)}"]
    return "\n".join(lines)


#: Besides "no 5xx", every response must be one the schema documents: a status the operation
#: lists, with that status' Content-Type, headers and body shape.
CONFORMANCE_CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class Allowed(NamedTuple):
    """A known kind of response outside the schema, tolerated until its product fix lands.
    ``operation`` is a glob on schemathesis' label ("POST /api/v1/cases/{id}/close/"), ``status``
    an HTTP status (None: any), ``kind`` a glob on :func:`failure_kind`; ``fixed(schema, api)``
    tells from the served schema (or one anonymous request) that the fix has landed."""

    operation: str
    status: int | None
    kind: str
    reason: str
    fixed: Callable[[dict, object], bool]


def documents(method: str, path: str, status: str) -> Callable[[dict, object], bool]:
    def fixed(schema, api):
        operation = schema["paths"].get(path, {}).get(method)
        return operation is None or status in operation["responses"]

    return fixed


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"].get(name, {})


def referenced(schema: dict, prop: dict) -> dict:
    """The component a property points at (``$ref`` or ``allOf: [$ref]``)."""
    ref = prop.get("$ref") or next((p["$ref"] for p in prop.get("allOf", []) if "$ref" in p), "")
    return component(schema, ref.rsplit("/", 1)[-1]) if ref else prop


def allows_blank(schema: dict, name: str, *fields: str) -> bool:
    props = component(schema, name).get("properties", {})
    return all("BlankEnum" in str(props.get(f)) or "''" in str(props.get(f)) for f in fields)


def answers_json(path: str) -> Callable[[dict, object], bool]:
    def fixed(schema, api):
        return api.get(path)["Content-Type"].startswith("application/json")

    return fixed


HOOK = "core/api_schema.py (postprocessing hook, in SPECTACULAR_SETTINGS)"
#: Known responses outside the documented schema, each with the fix that removes it. When a fix
#: lands its entries must go: ``test_allowed_nonconformances_are_still_needed`` fails on an entry
#: whose fix is in. The list must shrink to zero — it is no place for a new entry without a fix.
ALLOWED: list[Allowed] = []


@dataclass
class Finding:
    """One kind of response outside the schema, for one operation and status."""

    message: str  # schemathesis' explanation, from the first occurrence
    example: str  # the first request that got it, and the answer
    count: int = 0


def failure_kind(failure: Failure) -> str:
    """What is wrong, coarse enough that one defect is one kind: an undocumented status; the
    body failing a keyword at a place (list indexes as ``*``); a Content-Type or header."""
    if isinstance(failure, UndefinedStatusCode):
        return "estado no documentado"
    if isinstance(failure, JsonSchemaError):
        where = "/".join(
            "*" if isinstance(part, int) else str(part) for part in failure.instance_path
        )
        keyword = failure.schema_path[-1] if failure.schema_path else "?"
        return f"cuerpo /{where}: {keyword}"
    if isinstance(failure, UndefinedContentType):
        return "Content-Type no documentado"
    return failure.title


def allowance(key: tuple[str, int, str]) -> Allowed | None:
    label, status, kind = key
    for entry in ALLOWED:
        if (
            fnmatch.fnmatchcase(label, entry.operation)
            and entry.status in (None, status)
            and fnmatch.fnmatchcase(kind, entry.kind)
        ):
            return entry
    return None


def exchange(case, response, headers) -> str:
    """The request and the answer, shortened, for a report."""
    request = response.request
    lines = [
        f"{request.method} {request.path_url} "
        f"({request.headers.get('Content-Type', 'sin Content-Type')}): {shown(request.body)}",
        f"→ {response.status_code} ({response.headers.get('content-type', ['?'])[0]}): "
        f"{shown(response.content)}",
    ]
    with contextlib.suppress(Exception):  # the curl line is a courtesy
        lines.append(f"reproducir: {case.as_curl_command(headers=headers)}")
    return "\n".join(lines)


def check_conformance(case, response, headers, findings: dict) -> None:
    """Record (not raise: every example of the operation still runs) each way the response
    leaves the documented schema."""
    try:
        case.validate_response(response, checks=CONFORMANCE_CHECKS, headers=headers)
    except FailureGroup as group:
        failures = group.exceptions
    except Failure as failure:
        failures = (failure,)
    else:
        return
    for failure in failures:
        key = (case.operation.label, response.status_code, failure_kind(failure))
        if key not in findings:
            findings[key] = Finding(
                message=failure.message, example=exchange(case, response, headers)
            )
        findings[key].count += 1


def findings_report(findings: dict) -> str:
    """Findings grouped by operation."""
    lines, last = [], None
    for (label, status, kind), finding in sorted(findings.items()):
        if label != last:
            lines.append(f"--- {label} ---")
            last = label
        lines.append(f"{status} {kind} ({finding.count} respuesta(s)):")
        lines += [f"    {line}" for line in finding.message.splitlines() if line.strip()]
        lines += [f"    {line}" for line in finding.example.splitlines()]
    return "\n".join(lines)


@pytest.fixture
def fuzz_app(settings):
    """The WSGI application with the settings of this test: the host the test client sends,
    no HTTPS redirect, throttle counters in a cache of this process (not the Redis that other
    test runs share)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "api-fuzz",
        }
    }
    return InProcessApp()


@pytest.fixture
def data_in_scope(users, office, printer):
    """Cases of the users' office assigned to the technologist, and a WhatsApp intake of the
    orientador whose case the technologist works: a proposal and a print job on it."""
    tecnologo = users[Role.TECNOLOGO]
    for status in (CaseStatus.ASIGNADO, CaseStatus.EN_ATENCION, CaseStatus.ABIERTO):
        make_case(office=office, assigned_to=tecnologo, status=status)
    intake, _ = desborde_services.intake_create(
        orientador=users[Role.ORIENTADOR],
        office=office,
        mode=IntakeMode.WHATSAPP,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        full_name="María Elena Restrepo",
        document_type="CC",
        document_number="43512876",
        phone="3104567890",
        contract="123456789",
        email="maria.restrepo@example.com",
        data_consent=True,
    )
    case = intake.case
    case.assigned_to, case.status = tecnologo, CaseStatus.ASIGNADO
    case.save(update_fields=["assigned_to", "status"])
    desborde_services.outcome_propose(
        case=case, by=tecnologo, text="Se expide el duplicado y se envía al correo."
    )
    print_job_send(
        case=case,
        by=tecnologo,
        title="Constancia de atención",
        upload=SimpleUploadedFile("constancia.pdf", PDF, content_type="application/pdf"),
    )


def fuzz_operation(
    operation, *, examples, app, headers, who, known_ids, statuses, findings
) -> None:
    """Send ``examples`` generated requests to one operation; AssertionError on a 5xx, after
    hypothesis has shrunk the request to a minimal one. Every other response outside the
    documented schema goes into ``findings``."""
    source = path_id_source(operation)
    known = known_ids[source[1]] if source else []

    @hypothesis_settings(examples)
    @given(case=case_strategy(operation), data=st.data())
    def run(case, data):
        # Half the requests (the simplest first) name an object that exists.
        if known and not data.draw(st.booleans(), label="id generado"):
            case.path_parameters = {
                **case.path_parameters,
                source[0]: data.draw(st.sampled_from(known), label=source[0]),
            }
        caches["default"].clear()
        app.tracebacks.clear()
        with transaction.atomic():
            response = case.call(app=app, headers=headers)
            transaction.set_rollback(True)
        statuses[response.status_code] += 1
        assert response.status_code < 500, failure_report(
            who, case, response, app.tracebacks, headers
        )
        check_conformance(case, response, headers, findings)

    if FUZZ_SEED is not None:
        run = seed(FUZZ_SEED)(run)
    run()


def error_text(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):  # hypothesis found several distinct failures
        return "\n\n".join(error_text(sub) for sub in exc.exceptions)
    if isinstance(exc, AssertionError):
        return str(exc)
    return "".join(traceback.format_exception(exc))


@pytest.mark.parametrize("role", IDENTITIES, ids=lambda role: role or "anonimo")
def test_nfr03_nfr04_generated_requests_get_documented_answers_never_a_5xx(
    role, users, data_in_scope, fuzz_app, caplog
):
    """NFR-03 / NFR-04: every operation of the schema, fed generated valid and invalid requests
    as this role (or anonymous): bad input gets a clear message, never a 500, and every answer
    is one the schema documents (status, Content-Type, headers, body), but for the known ones
    in ALLOWED."""
    # Thousands of 4xx would each log a line, and every replay of a 500 its traceback: the
    # failure report below carries the request, the answer and the server's traceback.
    caplog.set_level(logging.CRITICAL, logger="django.request")
    caplog.set_level(logging.WARNING, logger="axes")
    operations = load_operations()
    who = role or "anónimo"
    headers = {}
    if role:
        token, _ = Token.objects.get_or_create(user=users[role])
        headers["Authorization"] = f"Token {token.key}"
    known_ids = {
        model: list(model.objects.order_by("-pk").values_list("pk", flat=True))
        for model in ID_SOURCES.values()
    }
    statuses: Counter = Counter()
    findings: dict[tuple[str, int, str], Finding] = {}
    failures: list[str] = []
    started = time.monotonic()

    for index, operation in enumerate(operations):
        try:
            fuzz_operation(
                operation,
                examples=share(IDENTITIES.index(role) * len(operations) + index, len(operations)),
                app=fuzz_app,
                headers=headers,
                who=who,
                known_ids=known_ids,
                statuses=statuses,
                findings=findings,
            )
        except Exception as exc:  # noqa: BLE001 — every operation runs; all failures are shown
            failures.append(f"--- {operation.label} ---\n{error_text(exc)}")

    unexpected = {key: found for key, found in findings.items() if allowance(key) is None}
    allowed = Counter()
    for key, found in findings.items():
        if (entry := allowance(key)) is not None:
            allowed[entry.reason] += found.count
    print(
        f"\n[fuzz] {who}: {sum(statuses.values())} solicitudes a {len(operations)} operaciones "
        f"en {time.monotonic() - started:.1f} s; estados {dict(sorted(statuses.items()))}; "
        f"fuera del esquema: {len(unexpected)} tipo(s) nuevos, "
        f"{sum(allowed.values())} respuesta(s) conocidas"
    )
    for reason, count in allowed.most_common():
        print(f"[fuzz]   conocida ({count}): {reason}")
    if unexpected:
        failures.append(
            f"{len(unexpected)} respuesta(s) fuera del esquema documentado (ni en ALLOWED):\n"
            + findings_report(unexpected)
        )
    if failures:
        pytest.fail(
            f"{len(failures)} fallo(s) como {who} "
            f"(FUZZ_EXAMPLES={FUZZ_EXAMPLES}, FUZZ_SEED={FUZZ_SEED}):\n\n" + "\n\n".join(failures),
            pytrace=False,
        )


def test_allowed_nonconformances_are_still_needed(api):
    """Every entry of ALLOWED waits for a fix; once the fix is in (the schema documents the
    status or shape, or the answer is JSON) the entry must go, so the list shrinks to zero."""
    schema = api.get(SCHEMA_PATH, {"format": "json"}).json()
    landed = [entry for entry in ALLOWED if entry.fixed(schema, api)]
    assert not landed, "corrección ya aplicada: quite de ALLOWED " + "; ".join(
        f"{entry.operation} {entry.status} {entry.kind} ({entry.reason})" for entry in landed
    )
