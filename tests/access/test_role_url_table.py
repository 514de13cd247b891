"""NFR-02: every role × every URL × A's object and the other unit's object → status.

The rows here are the URLs that no other role table covers (tests/core/test_url_coverage.py
fails for a URL without a row anywhere) and, for every modality, the same URL on office B's
object: B is an office of the other unit with its own case, intake, proposal, print job,
interaction, turn, kiosk, video session, condo appointment, booking and holds
(tests/access/world.py). Every user is of office A; B's objects answer 404 (or the role's 403),
never data: no response body, of any row and any role, contains ``FAR_MARKER``, which is in
every piece of B's personal data.

Cells: a status; ``LOG`` and the other (302, where) redirects; (403, text) for a page or an API
answer that explains the refusal in its own words. Without text: API 401/403 carry DRF's Spanish
messages, an API 404 a Spanish "no encontrado" message, a page 403 "Acceso denegado" and a page
404 "No encontrado". POST bodies are the evidence upload of tests/core/test_permissions.py (a
file and its kind): what a role may do answers 400/409 for it, what it may not 403/404.
"""

import json
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.api_turns import SHIFT_CHECK_MISSING
from core.roles import Role
from tests.access.world import FAR_MARKER
from tests.factories import TINY_PNG
from tests.helpers import ANON, ROLE_COLUMNS

pytestmark = pytest.mark.django_db

COLUMNS = ROLE_COLUMNS
LOG = (302, "/accounts/login/?next={url}")  # anonymous page → login form
OUT = (302, "/accounts/login/")  # logged out
TURNS = (302, "/oficina/turnos/")  # the office turn desk (CEL-02)
PRINTQ = (302, "/desborde/impresion/")  # the office print queue (WA-04)
COP = (302, "/copropiedad/")  # a condo call step without its requirement → step 1
CITAS = (302, "/copropiedad/citas/?fecha={condo_day}")  # the condo appointments of that day
ITX = (302, "/pqr-digital/interacciones/{itx}/")  # back to the interaction page
INB = (302, "/pqr-digital/")  # the creador's inbox
BAL = (302, "/balanceo/")  # the balancing seat page, which says why not
AGE = (302, "/cliente-interno/agendar/")  # the employee's slot picker
ATT = (302, "/cliente-interno/asistir/*")  # the booking's "Asistir a cita" link (signed, new)
#: Refusals that explain themselves (the scene's technologist is in no roster today; A's
#: staff are not of the unit that owns the digital PQR exports).
SHF = (403, SHIFT_CHECK_MISSING)
BTH = (403, "No está programado hoy para apoyar oficinas por celular")
ONL = (403, "No está programado hoy para apoyar oficinas por asesor en línea")
POO = (403, "No está programado hoy en el balanceo")
REG = (403, "Los exportes de PQR digitales son de la Unidad Canales Regional")

CREDENTIALS = "Las credenciales de autenticación no se proveyeron."
ROLE_REFUSED = "Su rol no tiene acceso a este recurso."
SPANISH_404 = re.compile(r"(no encontrad[oa]|^No existe)", re.IGNORECASE)

# fmt: off
TABLE = {
    #                                       anon orie tecn gest asig enca crea mesa geof clin
    # Public by design: health check, login form, token, API docs (no data behind them).
    "GET /healthz":                         (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /accounts/login/":                 (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /accounts/login/":                (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "PUT /accounts/login/":                 (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /accounts/logout/":               (OUT, OUT, OUT, OUT, OUT, OUT, OUT, OUT, OUT, OUT),
    "POST /api/v1/auth/token/":             (400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    "GET /api/docs/":                       (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),

    # desborde API (2.1, 2.2): intakes, WhatsApp proposals, the legacy print paths; B's → 404.
    "POST /api/v1/desborde/cases/{case}/print-jobs/":
                                            (401, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/desborde/cases/{far_case}/print-jobs/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/desborde/intakes/":        (401, 200, 403, 403, 200, 403, 403, 403, 403, 403),
    "POST /api/v1/desborde/intakes/":       (401, 400, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/desborde/intakes/{intake}/":
                                            (401, 200, 403, 403, 200, 403, 403, 403, 403, 403),
    "GET /api/v1/desborde/intakes/{far_intake}/":
                                            (401, 404, 403, 403, 404, 403, 403, 403, 403, 403),
    "POST /api/v1/desborde/cases/{wa_case}/proposals/":
                                            (401, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/desborde/cases/{far_wa_case}/proposals/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/desborde/proposals/":      (401, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/desborde/proposals/{proposal}/":
                                            (401, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/desborde/proposals/{far_proposal}/":
                                            (401, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/desborde/proposals/{proposal}/respond/":
                                            (401, 400, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/desborde/proposals/{far_proposal}/respond/":
                                            (401, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/desborde/print-jobs/":     (401, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    "GET /api/v1/desborde/print-jobs/{job}/":
                                            (401, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    "GET /api/v1/desborde/print-jobs/{far_job}/":
                                            (401, 404, 404, 403, 403, 404, 403, 403, 403, 403),
    "POST /api/v1/desborde/print-jobs/{job}/scans/":
                                            (401, 409, 403, 403, 403, 409, 403, 403, 403, 403),
    "POST /api/v1/desborde/print-jobs/{far_job}/scans/":
                                            (401, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "POST /api/v1/desborde/print-jobs/{job}/steps/":
                                            (401, 400, 403, 403, 403, 400, 403, 403, 403, 403),
    "POST /api/v1/desborde/print-jobs/{far_job}/steps/":
                                            (401, 404, 403, 403, 403, 404, 403, 403, 403, 403),

    # pqr_digital API (2.7): only creadores; an interaction B's creador took → 404 (taken =
    # not yours); the exports are the Regional unit's → 404 for A's Metropolitano staff.
    "POST /api/v1/pqr-digital/interactions/":
                                            (401, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "GET /api/v1/pqr-digital/interactions/{far_itx}/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "PATCH /api/v1/pqr-digital/interactions/{itx}/":
                                            (401, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "PATCH /api/v1/pqr-digital/interactions/{far_itx}/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{itx}/close-unanswered/":
                                            (401, 403, 403, 403, 403, 403, 409, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{far_itx}/close-unanswered/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{itx}/messages/999999/sent/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{far_itx}/messages/999999/sent/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{itx}/pqr/":
                                            (401, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{far_itx}/pqr/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{itx}/request-info/":
                                            (401, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{far_itx}/request-info/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{itx}/screenshot/":
                                            (401, 403, 403, 403, 403, 403, 409, 403, 403, 403),
    "POST /api/v1/pqr-digital/interactions/{far_itx}/screenshot/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "GET /api/v1/pqr-digital/exports/{day}.xlsx":
                                            (401, 403, 403, 404, 403, 403, 403, 404, 404, 403),

    # Turns, kiosks, the display and video (issues 11, 12): B's turn, kiosk, office, call → 404.
    # Pairing a kiosk starts on the device, before anybody logs in (CORE-01): public, throttled.
    "POST /api/v1/turns/{turn}/virtual-consent/":
                                            (401, 409, 404, 404, 404, 409, 404, 404, 404, 403),
    "POST /api/v1/turns/{far_turn}/virtual-consent/":
                                            (401, 404, 404, 404, 404, 404, 404, 404, 404, 403),
    "POST /api/v1/turns/{far_turn}/take/":
                                            (401, 403, SHF, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/turns/{far_turn}/outcome/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/turns/{far_turn}/office-decision/":
                                            (401, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "POST /api/v1/offices/{far_office}/turns/":
                                            (401, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "POST /api/v1/kiosks/pairings/":        (201, 201, 201, 201, 201, 201, 201, 201, 201, 201),
    "GET /api/v1/kiosks/pairings/current/":
                                            (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/kiosks/{far_kiosk}/pair/":
                                            (401, 403, 403, 403, 403, 404, 403, 403, 403, 403),
    "GET /api/v1/offices/{far_office}/display/":
                                            (401, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "GET /api/v1/video/sessions/{session}/config/":
                                            (401, 404, 200, 404, 404, 404, 404, 404, 404, 404),
    "GET /api/v1/video/sessions/{far_session}/config/":
                                            (401, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "POST /api/v1/video/sessions/{session}/state/":
                                            (401, 404, 400, 404, 404, 404, 404, 404, 404, 404),
    "POST /api/v1/video/sessions/{far_session}/state/":
                                            (401, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "GET /api/v1/video/sessions/{far_session}/":
                                            (401, 404, 404, 404, 404, 404, 404, 404, 404, 404),

    # The agenda and cliente_interno API (issues 13, 14): B's holds and bookings → 404.
    "DELETE /api/v1/agenda/holds/{hold}/":
                                            (401, 403, 403, 403, 403, 403, 204, 403, 403, 404),
    "DELETE /api/v1/agenda/holds/{far_hold}/":
                                            (401, 403, 403, 403, 403, 403, 404, 403, 403, 404),
    "GET /api/v1/cliente-interno/bookings/{booking}/":
                                            (401, 403, 200, 403, 403, 403, 403, 403, 403, 200),
    "GET /api/v1/cliente-interno/bookings/{far_booking}/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 404),
    "POST /api/v1/cliente-interno/bookings/{booking}/no-show/":
                                            (401, 403, 409, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cliente-interno/bookings/{far_booking}/no-show/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cliente-interno/bookings/{booking}/call/":
                                            (401, 403, 409, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cliente-interno/bookings/{far_booking}/call/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/cliente-interno/bookings/{booking}/documents/":
                                            (401, 403, 200, 403, 403, 403, 403, 403, 403, 200),
    "GET /api/v1/cliente-interno/bookings/{far_booking}/documents/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 404),
    "POST /api/v1/cliente-interno/bookings/{booking}/documents/":
                                            (401, 403, 409, 403, 403, 403, 403, 403, 403, 409),
    "POST /api/v1/cliente-interno/bookings/{far_booking}/documents/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 404),
    "DELETE /api/v1/cliente-interno/holds/{ci_hold}/":
                                            (401, 403, 403, 403, 403, 403, 403, 403, 403, 404),
    "DELETE /api/v1/cliente-interno/holds/{far_ci_hold}/":
                                            (401, 403, 403, 403, 403, 403, 403, 403, 403, 404),

    # core API: offices and transaction types are reference data for every staff role; B's
    # case, customer and print job → 404.
    "POST /api/v1/cases/{case}/print-jobs/":
                                            (401, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/{far_case}/print-jobs/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/offices/{office}/":        (401, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "GET /api/v1/offices/{far_office}/":    (401, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "GET /api/v1/transaction-types/{tt}/":     (401, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "GET /api/v1/customers/{cu}/":          (401, 200, 200, 200, 200, 403, 404, 403, 403, 403),
    "GET /api/v1/customers/{far_cu}/":      (401, 404, 404, 404, 404, 403, 404, 403, 403, 403),
    "POST /api/v1/customers/{far_cu}/contact/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/":                  (401, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /api/v1/cases/{far_case}/attempts/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/{far_case}/evidence/":
                                            (401, 404, 404, 403, 403, 403, 404, 403, 403, 403),
    "POST /api/v1/cases/{far_case}/close/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/{far_case}/reassign/":
                                            (401, 403, 403, 404, 404, 403, 403, 403, 404, 403),
    "POST /api/v1/cases/{far_case}/notification-authorisation/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /api/v1/cases/{far_case}/constancia/":
                                            (401, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /api/v1/print-jobs/":              (401, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    "GET /api/v1/print-jobs/{job}/":        (401, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    "GET /api/v1/print-jobs/{far_job}/":    (401, 404, 404, 403, 403, 404, 403, 403, 403, 403),
    "POST /api/v1/print-jobs/{job}/scans/":
                                            (401, 409, 403, 403, 403, 409, 403, 403, 403, 403),
    "POST /api/v1/print-jobs/{far_job}/scans/":
                                            (401, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "POST /api/v1/print-jobs/{job}/steps/":
                                            (401, 400, 403, 403, 403, 400, 403, 403, 403, 403),
    "POST /api/v1/print-jobs/{far_job}/steps/":
                                            (401, 404, 403, 403, 403, 404, 403, 403, 403, 403),

    # copropiedad API (2.6): creadores work the condo agenda as one team, so B's appointment
    # is theirs too (copropiedad.selectors) — every other role 403.
    "POST /api/v1/copropiedad/appointments/{condo}/reschedule/":
                                            (401, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /api/v1/copropiedad/appointments/{far_condo}/reschedule/":
                                            (401, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /api/v1/copropiedad/appointments/{condo}/cancel/":
                                            (401, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "POST /api/v1/copropiedad/appointments/{far_condo}/cancel/":
                                            (401, 403, 403, 403, 403, 403, 200, 403, 403, 403),

    # desborde pages: the tablet, the intake record, proposals, the office print queue, the
    # virtual booth (the scene's technologist is not rostered today: 403 with the reason, 404).
    "POST /desborde/registro/":             (LOG, 400, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /desborde/registros/{intake}/":    (LOG, 200, 403, 403, 200, 403, 403, 403, 403, 403),
    "GET /desborde/registros/{far_intake}/":
                                            (LOG, 404, 403, 403, 404, 403, 403, 403, 403, 403),
    "GET /desborde/propuestas/{proposal}/":
                                            (LOG, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /desborde/propuestas/{far_proposal}/":
                                            (LOG, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/propuestas/{proposal}/":
                                            (LOG, 400, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/propuestas/{far_proposal}/":
                                            (LOG, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/impresion/{job}/escaneo/":
                                            (LOG, 409, 403, 403, 403, 409, 403, 403, 403, 403),
    "POST /desborde/impresion/{far_job}/escaneo/":
                                            (LOG, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "POST /desborde/impresion/{job}/impreso/":
                                            (LOG, PRINTQ,403, 403, 403, PRINTQ,403, 403, 403, 403),
    "POST /desborde/impresion/{far_job}/impreso/":
                                            (LOG, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "POST /desborde/casos/{wa_case}/propuesta/":
                                            (LOG, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/casos/{far_wa_case}/propuesta/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/casos/{case}/imprimir/":
                                            (LOG, 403, 400, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/casos/{far_case}/imprimir/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/taquilla/verificacion/":
                                            (LOG, 403, BTH, 403, 403, 403, 403, 403, 403, 403),
    "GET /desborde/taquilla/turnos/":       (LOG, 403, BTH, 403, 403, 403, 403, 403, 403, 403),
    "GET /desborde/taquilla/turnos/{turn}/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /desborde/taquilla/turnos/{far_turn}/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/taquilla/turnos/{turn}/llamar/":
                                            (LOG, 403, BTH, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/taquilla/turnos/{far_turn}/llamar/":
                                            (LOG, 403, BTH, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/taquilla/turnos/{turn}/resultado/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /desborde/taquilla/turnos/{far_turn}/resultado/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),

    # pqr_digital pages: the creador's inbox and interaction page; exports; reassignment.
    "GET /pqr-digital/interacciones/":      (LOG, 403, 403, 403, 403, 403, INB, 403, 403, 403),
    "POST /pqr-digital/interacciones/":     (LOG, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "GET /pqr-digital/interacciones/{far_itx}/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "GET /pqr-digital/interacciones/{itx}/estado/parcial/":
                                            (LOG, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /pqr-digital/interacciones/{far_itx}/estado/parcial/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/interacciones/{itx}/datos/":
                                            (LOG, 403, 403, 403, 403, 403, ITX, 403, 403, 403),
    "POST /pqr-digital/interacciones/{far_itx}/datos/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/interacciones/{itx}/solicitar-informacion/":
                                            (LOG, 403, 403, 403, 403, 403, ITX, 403, 403, 403),
    "POST /pqr-digital/interacciones/{far_itx}/solicitar-informacion/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/interacciones/{itx}/radicar/":
                                            (LOG, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /pqr-digital/interacciones/{far_itx}/radicar/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/interacciones/{itx}/captura/":
                                            (LOG, 403, 403, 403, 403, 403, 409, 403, 403, 403),
    "POST /pqr-digital/interacciones/{far_itx}/captura/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/interacciones/{itx}/cerrar/":
                                            (LOG, 403, 403, 403, 403, 403, 409, 403, 403, 403),
    "POST /pqr-digital/interacciones/{far_itx}/cerrar/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/interacciones/{itx}/mensajes/999999/enviado/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/interacciones/{far_itx}/mensajes/999999/enviado/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "POST /pqr-digital/exportes/":          (LOG, 403, 403, REG, 403, 403, 403, REG, REG, 403),
    "POST /pqr-digital/exportes/{exp}/regenerar/":
                                            (LOG, 403, 403, 404, 403, 403, 403, 404, 404, 403),
    "GET /pqr-digital/exportes/{exp}/xlsx/":
                                            (LOG, 403, 403, 404, 403, 403, 403, 404, 404, 403),
    "POST /pqr-digital/reasignacion/":      (LOG, 403, 403, 400, 403, 403, 403, 403, 400, 403),

    # asesor en línea and balanceo pages: the scene's technologist is in no roster or pool
    # today (403 with the reason); any turn, A's or B's, is not theirs (404).
    "POST /asesor-linea/verificacion/":     (LOG, 403, ONL, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{turn}/caso/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{far_turn}/caso/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{turn}/terminar/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{far_turn}/terminar/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{turn}/imprimir/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{far_turn}/imprimir/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{turn}/escaneo/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /asesor-linea/turnos/{far_turn}/escaneo/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /asesor-linea/turnos/{far_turn}/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /balanceo/":                       (LOG, 403, POO, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/verificacion/":         (LOG, 403, POO, 403, 403, 403, 403, 403, 403, 403),
    "GET /balanceo/puesto/":                (LOG, 403, POO, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/disponibilidad/":       (LOG, 403, BAL, 403, 403, 403, 403, 403, 403, 403),
    "GET /balanceo/atencion/":              (LOG, 403, POO, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{turn}/caso/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{far_turn}/caso/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{turn}/terminar/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{far_turn}/terminar/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{turn}/imprimir/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{far_turn}/imprimir/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{turn}/escaneo/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /balanceo/turnos/{far_turn}/escaneo/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),

    # copropiedad pages: the creador's condo call (steps without their requirement → step 1).
    "POST /copropiedad/":                   (LOG, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /copropiedad/agenda/reservar/":
                                            (LOG, 403, 403, 403, 403, 403, COP, 403, 403, 403),
    "POST /copropiedad/agenda/liberar/":    (LOG, 403, 403, 403, 403, 403, COP, 403, 403, 403),
    "POST /copropiedad/datos/":             (LOG, 403, 403, 403, 403, 403, COP, 403, 403, 403),
    "GET /copropiedad/casos/{condo_case}/":
                                            (LOG, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /copropiedad/casos/{far_condo_case}/":
                                            (LOG, 403, 403, 403, 403, 403, 404, 403, 403, 403),
    "GET /copropiedad/citas/{condo}/reprogramar/":
                                            (LOG, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /copropiedad/citas/{far_condo}/reprogramar/":
                                            (LOG, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "POST /copropiedad/citas/{condo}/reprogramar/":
                                            (LOG, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "POST /copropiedad/citas/{far_condo}/reprogramar/":
                                            (LOG, 403, 403, 403, 403, 403, 400, 403, 403, 403),
    "GET /copropiedad/citas/{condo}/cancelar/":
                                            (LOG, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /copropiedad/citas/{far_condo}/cancelar/":
                                            (LOG, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "POST /copropiedad/citas/{condo}/cancelar/":
                                            (LOG, 403, 403, 403, 403, 403, CITAS,403, 403, 403),
    "POST /copropiedad/citas/{far_condo}/cancelar/":
                                            (LOG, 403, 403, 403, 403, 403, CITAS,403, 403, 403),

    # cliente_interno pages: the employee books and attends; the technologist serves. B's
    # booking (another employee, another technologist) and its link → 404.
    "POST /cliente-interno/agendar/retener/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 400),
    "POST /cliente-interno/agendar/liberar/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, AGE),
    "GET /cliente-interno/agendar/datos/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "POST /cliente-interno/agendar/datos/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "GET /cliente-interno/citas/{booking}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "GET /cliente-interno/citas/{far_booking}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 404),
    "GET /cliente-interno/asistir/{token}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    "GET /cliente-interno/asistir/{far_token}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 404),
    "POST /cliente-interno/asistir/{token}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 400),
    "POST /cliente-interno/asistir/{far_token}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 404),
    "GET /cliente-interno/sala/{booking}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, ATT),
    "GET /cliente-interno/sala/{far_booking}/":
                                            (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 404),
    "POST /cliente-interno/tecnologo/citas/{booking}/llamar/":
                                            (LOG, 403, 409, 403, 403, 403, 403, 403, 403, 403),
    "POST /cliente-interno/tecnologo/citas/{far_booking}/llamar/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /cliente-interno/tecnologo/citas/{booking}/no-asistio/":
                                            (LOG, 403, 409, 403, 403, 403, 403, 403, 403, 403),
    "POST /cliente-interno/tecnologo/citas/{far_booking}/no-asistio/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /cliente-interno/tecnologo/citas/{booking}/video/":
                                            (LOG, 403, 409, 403, 403, 403, 403, 403, 403, 403),
    "POST /cliente-interno/tecnologo/citas/{far_booking}/video/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /cliente-interno/tecnologo/citas/{booking}/sala/":
                                            (LOG, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    "GET /cliente-interno/tecnologo/citas/{far_booking}/sala/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /cliente-interno/tecnologo/citas/{booking}/sala/":
                                            (LOG, 403, 409, 403, 403, 403, 403, 403, 403, 403),
    "POST /cliente-interno/tecnologo/citas/{far_booking}/sala/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /cliente-interno/citas/{booking}/documentos/x/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 404),
    "GET /cliente-interno/citas/{far_booking}/documentos/x/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 404),

    # core pages: evidence downloads (CORE-08: whoever may see the case), the office turn desk,
    # and B's case on every case page → 404.
    "GET /evidencias/{evidence}/descargar/":
                                            (LOG, 200, 200, 200, 200, 200, 404, 200, 200, 403),
    "GET /evidencias/{far_evidence}/descargar/":
                                            (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 403),
    "GET /oficina/turnos/modulos/":         (LOG, 200, 403, 403, 403, 200, 403, 403, 403, 403),
    "POST /oficina/turnos/modulos/vincular/":
                                            (LOG, 400, 403, 403, 403, 400, 403, 403, 403, 403),
    "POST /oficina/turnos/{turn}/atencion-virtual/":
                                            (LOG, TURNS,403, 403, 403, TURNS,403, 403, 403, 403),
    "POST /oficina/turnos/{far_turn}/atencion-virtual/":
                                            (LOG, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "POST /oficina/turnos/{turn}/decision/":
                                            (LOG, TURNS,403, 403, 403, TURNS,403, 403, 403, 403),
    "POST /oficina/turnos/{far_turn}/decision/":
                                            (LOG, 404, 403, 403, 403, 404, 403, 403, 403, 403),
    "GET /casos/{far_case}/":               (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 403),
    "POST /casos/{far_case}/evidencias/":
                                            (LOG, 404, 404, 403, 403, 403, 404, 403, 403, 403),
    "POST /casos/{far_case}/intentos/":     (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /casos/{far_case}/cerrar/":       (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /casos/{far_case}/reasignar/":    (LOG, 403, 403, 404, 404, 403, 403, 403, 404, 403),
    "POST /casos/{far_case}/autorizacion-notificacion/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "GET /casos/{far_case}/constancia/":    (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    "POST /casos/{far_case}/constancia/":
                                            (LOG, 403, 404, 403, 403, 403, 403, 403, 403, 403),

    # B's waiting-room display and video call page → 404, anonymous included.
    "GET /oficina/{far_office}/sala/":      (404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "GET /video/sesiones/{far_session}/":
                                            (LOG, 404, 404, 404, 404, 404, 404, 404, 404, 404),

    # Lists, each checked for B's data (FAR_MARKER) in every body.
    "GET /api/v1/roster/":                  (401, 403, 200, 200, 200, 403, 403, 403, 403, 403),
    "GET /api/v1/technologists/":           (401, 403, 403, 200, 200, 403, 403, 403, 403, 403),
    "GET /api/v1/shift-checks/":            (401, 403, 200, 200, 200, 403, 403, 403, 403, 403),
    "GET /api/v1/kiosks/":                  (401, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "GET /api/v1/customers/":               (401, 200, 200, 200, 200, 403, 200, 403, 403, 403),
    "GET /casos/":                          (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 403),

    # Issue 16: the managers' dashboard (page, live fragment, CSV) and its API.
    "GET /tablero/":                        (LOG, 403, 403, 200, 200, 403, 403, 403, 200, 403),
    "GET /tablero/cifras/":                 (LOG, 403, 403, 200, 200, 403, 403, 403, 200, 403),
    "GET /tablero/cifras.csv":              (LOG, 403, 403, 200, 200, 403, 403, 403, 200, 403),
    "GET /api/v1/dashboard/":               (401, 403, 403, 200, 200, 403, 403, 403, 200, 403),

    # LEG-02 (issue 16): the SAP queue; both scene cases are in their unit's queue. The unit's
    # managers recognise (the upload body has no act reference: 400), B's → 404; the gestor de
    # oficina reads only.
    "GET /silencio-positivo/":              (LOG, 403, 403, 200, 200, 403, 403, 403, 200, 403),
    "POST /silencio-positivo/{case}/reconocer/":
                                            (LOG, 403, 403, 400, 400, 403, 403, 403, 403, 403),
    "POST /silencio-positivo/{far_case}/reconocer/":
                                            (LOG, 403, 403, 404, 404, 403, 403, 403, 403, 403),
    "GET /api/v1/sap/":                     (401, 403, 403, 200, 200, 403, 403, 403, 200, 403),
    "POST /api/v1/sap/{case}/recognise/":   (401, 403, 403, 400, 400, 403, 403, 403, 403, 403),
    "POST /api/v1/sap/{far_case}/recognise/":
                                            (401, 403, 403, 404, 404, 403, 403, 403, 403, 403),
    "GET /pqr-digital/exportes/":           (LOG, 403, 403, 200, 403, 403, 403, 200, 200, 403),
    "GET /api/v1/pqr-digital/exports/":     (401, 403, 403, 200, 403, 403, 403, 200, 200, 403),
    "GET /api/v1/cliente-interno/bookings/":
                                            (401, 403, 200, 403, 403, 403, 403, 403, 403, 200),
    "GET /api/v1/copropiedad/appointments/":
                                            (401, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /desborde/registros/":             (LOG, 200, 403, 403, 200, 403, 403, 403, 403, 403),
    "GET /oficina/turnos/listas/":          (LOG, 200, 403, 403, 403, 200, 403, 403, 403, 403),
    "GET /api/v1/booth/turns/":             (401, 403, SHF, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on

#: Rows of B's objects that do answer data, by design, with the reason.
FAR_DATA_BY_DESIGN = {
    "GET /api/v1/offices/{far_office}/": "offices are reference data every staff role reads",
    "POST /api/v1/copropiedad/appointments/{far_condo}/reschedule/": "condo agenda: one team",
    "POST /api/v1/copropiedad/appointments/{far_condo}/cancel/": "condo agenda: one team",
    "GET /copropiedad/citas/{far_condo}/reprogramar/": "condo agenda: one team",
    "POST /copropiedad/citas/{far_condo}/reprogramar/": "condo agenda: one team",
    "GET /copropiedad/citas/{far_condo}/cancelar/": "condo agenda: one team",
    "POST /copropiedad/citas/{far_condo}/cancelar/": "condo agenda: one team",
}


def _client(scene, who: str) -> Client:
    client = Client()
    if who != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = scene["sessions"][who]
    return client


def _request(client: Client, method: str, url: str):
    if method == "POST":
        upload = SimpleUploadedFile("factura.png", TINY_PNG, content_type="image/png")
        return client.post(url, {"kind": "foto_factura", "file": upload})
    if method == "PATCH":
        return client.patch(url, "{}", content_type="application/json")
    if method == "PUT":
        return client.put(url, "", content_type="application/x-www-form-urlencoded")
    if method == "DELETE":
        return client.delete(url)
    return client.get(url)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _detail(body: str):
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data.get("detail") if isinstance(data, dict) else None


def _mismatch(url: str, ids: dict, expected, response, body: str) -> str | None:
    """What is wrong with ``response`` for this cell, or None."""
    status, text = expected if isinstance(expected, tuple) else (expected, None)
    got = response.status_code
    if got != status:
        return f"esperado {status}, obtenido {got} {response.get('Location', '')}"
    if FAR_MARKER in body:
        return f"{got} con datos de la otra unidad ({FAR_MARKER})"
    if status == 302:
        where = text.format(url=quote(url), **ids)
        location = response["Location"]
        ok = location.startswith(where[:-1]) if where.endswith("*") else location == where
        return None if ok else f"redirige a {location}, esperado {where}"
    api = url.startswith("/api/v1/")
    if text is not None:
        ok = (_detail(body) == text) if api else (text in body)
        return None if ok else f"{got} sin el mensaje «{text}»"
    if api and status == 401 and _detail(body) != CREDENTIALS:
        return f"401 con {_detail(body)!r}"
    if api and status == 403 and _detail(body) != ROLE_REFUSED:
        return f"403 con {_detail(body)!r}"
    if api and status == 404 and not SPANISH_404.search(_detail(body) or ""):
        return f"404 con {_detail(body)!r}"
    if not api and status == 403 and "Acceso denegado" not in body:
        return "403 sin «Acceso denegado»"
    if not api and status == 404 and "No encontrado" not in body:
        return "404 sin «No encontrado»"
    return None


def test_nfr02_table_covers_every_role():
    assert set(COLUMNS) == {ANON, *Role.values}
    assert all(len(row) == len(COLUMNS) for row in TABLE.values())


def test_nfr02_far_objects_never_answer_data_in_the_table():
    """A row on B's object answers no role a 2xx, except the few by design (with reason)."""
    leaking = [
        key
        for key, row in TABLE.items()
        if "{far_" in key
        and key not in FAR_DATA_BY_DESIGN
        and any(200 <= (c[0] if isinstance(c, tuple) else c) < 300 for c in row)
    ]
    assert not leaking
    assert set(FAR_DATA_BY_DESIGN) <= set(TABLE)


@pytest.mark.parametrize(("key", "row"), TABLE.items(), ids=list(TABLE))
def test_nfr02_role_url_object_table(scene, key, row):
    """NFR-02: each role × this URL → the cell's status and message; no body has B's data.
    Every role is tried and every mismatch reported together."""
    method, template = key.split(" ")
    ids = scene["ids"]
    url = template.format(**ids)
    mismatches = []
    for who, expected in zip(COLUMNS, row, strict=True):
        response = _request(_client(scene, who), method, url)
        problem = _mismatch(url, ids, expected, response, _body(response))
        if problem:
            mismatches.append(f"{who}: {problem}")
    assert not mismatches, "\n".join(mismatches)
