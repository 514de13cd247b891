"""The SPEC roles, as Django groups, and where each lands after login.

The groups (and their model permissions) are created by a data migration from ``ROLE_PERMISSIONS``;
pages and API endpoints check membership through ``user_has_role`` / the classes in
``core.permissions``. Modality apps point a role at their own start page through the modality
registry (``core.modalities.modality_register(start_pages=…)``) in their ``AppConfig.ready``.
"""

from django.db import models


class Role(models.TextChoices):
    ORIENTADOR = "orientador", "Orientador"
    TECNOLOGO = "tecnologo", "Tecnólogo Auxiliar Atención Operación Comercial"
    GESTOR = "gestor", "Profesional Comercial / gestor de equipo"
    ASIGNADOR = "asignador", "Asignador"
    ENCARGADO = "encargado", "Encargado de oficina"
    CREADOR = "creador", "Creador de experiencia"
    MESA = "mesa", "Mesa de ayuda / ESSOR"
    GESTOR_OFICINA = "gestor_oficina", "Gestor de oficina"
    CLIENTE_INTERNO = "cliente_interno", "Cliente interno"


#: Staff who work cases (everyone but the internal-client employee).
STAFF_ROLES = tuple(r for r in Role if r != Role.CLIENTE_INTERNO)
#: Roles that see the cases of a whole unit.
UNIT_ROLES = (Role.GESTOR, Role.ASIGNADOR, Role.MESA)
#: Roles that see the cases of their own office.
OFFICE_ROLES = (Role.ORIENTADOR, Role.ENCARGADO, Role.GESTOR_OFICINA)
#: Roles that look customers up and register them.
CUSTOMER_ROLES = (Role.ORIENTADOR, Role.TECNOLOGO, Role.CREADOR, Role.ASIGNADOR, Role.GESTOR)
#: Roles that need the customer's personal data (document, phones, e-mail, addresses) to do
#: their work; other roles see a case's customer by name only (NFR-02).
PERSONAL_DATA_ROLES = CUSTOMER_ROLES
#: Roles that reassign cases by hand (CORE-09).
REASSIGN_ROLES = (Role.ASIGNADOR, Role.GESTOR, Role.GESTOR_OFICINA)
#: Roles that may attach evidence to a case they can see.
EVIDENCE_ROLES = (Role.TECNOLOGO, Role.ORIENTADOR, Role.CREADOR)
#: Roles that work their office's print queue (WA-04, CEL-04): print, verify, scan, hand over.
PRINT_QUEUE_ROLES = (Role.ORIENTADOR, Role.ENCARGADO)

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ORIENTADOR: [
        "view_office",
        "view_transactiontype",
        "view_customer",
        "add_customer",
        "view_case",
        "view_evidence",
        "add_evidence",
    ],
    Role.TECNOLOGO: [
        "view_office",
        "view_transactiontype",
        "view_customer",
        "change_customer",
        "view_case",
        "change_case",
        "view_evidence",
        "add_evidence",
        "view_contactattempt",
        "add_contactattempt",
    ],
    Role.GESTOR: [
        "view_office",
        "change_office",
        "view_kiosk",
        "add_kiosk",
        "change_kiosk",
        "view_videosession",
        "view_printer",
        "view_printjob",
        "view_user",
        "view_staffavailability",
        "add_staffavailability",
        "change_staffavailability",
        "view_case",
        "change_case",
        "view_customer",
        "view_messagetemplate",
        "change_messagetemplate",
        "view_evidence",
        "view_assignmentpool",
        "add_assignmentpool",
        "change_assignmentpool",
        "view_contactattempt",
        "view_rosterentry",
        "add_rosterentry",
        "change_rosterentry",
        "delete_rosterentry",
        "view_shiftcheck",
        "view_turn",
        # The agenda (issue 13): appointment types and working hours; bookings read-only.
        "view_appointmenttype",
        "add_appointmenttype",
        "change_appointmenttype",
        "view_workinghours",
        "add_workinghours",
        "change_workinghours",
        "delete_workinghours",
        "view_appointment",
    ],
    Role.ASIGNADOR: [
        "view_office",
        "view_user",
        "view_staffavailability",
        "view_case",
        "change_case",
        "view_customer",
        "view_assignmentpool",
        "change_assignmentpool",
        "view_contactattempt",
    ],
    Role.ENCARGADO: [
        "view_office",
        "view_kiosk",
        "change_kiosk",
        "view_printer",
        "view_case",
        "view_printjob",
    ],
    Role.CREADOR: [
        "view_office",
        "view_transactiontype",
        "view_customer",
        "add_customer",
        "view_case",
        "add_case",
        "view_evidence",
        "add_evidence",
    ],
    Role.MESA: ["view_office", "view_case"],
    Role.GESTOR_OFICINA: ["view_office", "view_user", "view_case", "change_case"],
    Role.CLIENTE_INTERNO: [],
}

_START_PAGES: dict[str, str] = {role: "core:case_list" for role in STAFF_ROLES}
_START_PAGES[Role.TECNOLOGO] = "core:workbench"
_START_PAGES[Role.ORIENTADOR] = "core:office_home"
_START_PAGES[Role.ENCARGADO] = "core:office_home"
_START_PAGES[Role.CLIENTE_INTERNO] = "core:account"
#: Issue 16: the gestor de equipo starts the day on the dashboard of their unit.
_START_PAGES[Role.GESTOR] = "core:dashboard"

#: When a user has several roles, the first in this order decides the start page.
_START_PRIORITY = [
    Role.TECNOLOGO,
    Role.ORIENTADOR,
    Role.ASIGNADOR,
    Role.GESTOR,
    Role.GESTOR_OFICINA,
    Role.ENCARGADO,
    Role.CREADOR,
    Role.MESA,
    Role.CLIENTE_INTERNO,
]


def user_roles(user) -> set[str]:
    """The user's role codes, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(Role.values)
        user._role_cache = cached
    return cached


def user_has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def can_see_personal_data(user) -> bool:
    return bool(user.is_superuser or user_has_role(user, *PERSONAL_DATA_ROLES))


def start_page_for(user) -> str:
    from core import modalities

    roles = user_roles(user)
    for role in _START_PRIORITY:
        if role in roles:
            return modalities.start_page(role) or _START_PAGES[role]
    if getattr(user, "is_staff", False):
        return "admin:index"
    return "core:account"
