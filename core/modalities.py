"""The modality registry: the one place a modality app plugs into core.

A modality app (desborde, asesor_linea, balanceo, copropiedad, pqr_digital, cliente_interno)
declares in its ``AppConfig.ready``, with ``modality_register``:

- ``start_pages``: the page each role lands on after login (role → URL name). Two apps claiming
  the same role is an error at start-up (``ImproperlyConfigured``), never a silent override;
- ``menu``: entries of the top menu (label, URL name, roles that see it);
- ``case_panels``: callables ``(request, case, forms) -> dict(template=…, …) | None`` that add a
  panel to the case page of the modality's cases (and only theirs: the page runs the panels of
  its case's modality, so its query count does not grow with the number of apps);
- ``closing_rules``: callables ``(case, by) -> None`` that may refuse to close a case of the
  modality by raising ``ValidationError``/``ProtocolConflict`` with a Spanish message;
- ``templates``: the codes of the modality's message templates by purpose (``"voicemail"`` is
  the voicemail script of CORE-07: picked by the case's modality);
- ``case_scopes``: callables ``(user, roles) -> Q | None`` that widen which cases a user sees
  (``core.selectors.case_scope_q`` ORs them): e.g. the digital PQR, which belong to no office,
  for the Unidad Canales Regional's help desk and gestores de oficina;
- ``case_unit``: ``(case) -> unit | None``, the unit a case of the modality belongs to when it
  has no office (the digital PQR: Unidad Canales Regional); the daily due-date alert (LEG-02)
  goes to that unit's managers;
- ``demo_data``: ``(DemoContext) -> str`` — the app's part of ``manage.py seed_demo``
  (idempotent), given core's demo offices, users and customers; returns a line for the summary.

Core reads the registry and imports no modality app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

#: The voicemail script when a modality names none (2.1's overflow script, CORE-11).
DEFAULT_TEMPLATES = {"voicemail": "buzon-desborde"}


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoContext:
    """What core's demo data made, for the apps' parts of ``seed_demo``."""

    offices: dict  # office code → Office
    users: dict  # username → User
    customers: list


@dataclass
class ModalityRegistration:
    modality: str
    start_pages: dict[str, str] = field(default_factory=dict)
    menu: list[MenuEntry] = field(default_factory=list)
    case_panels: list[Callable] = field(default_factory=list)
    closing_rules: list[Callable] = field(default_factory=list)
    templates: dict[str, str] = field(default_factory=dict)
    case_scopes: list[Callable] = field(default_factory=list)
    case_unit: Callable | None = None
    demo_data: Callable | None = None


_REGISTRY: dict[str, ModalityRegistration] = {}


def modality_register(
    modality: str,
    *,
    start_pages: dict[str, str] | None = None,
    menu: list[MenuEntry] | None = None,
    case_panels: list[Callable] | None = None,
    closing_rules: list[Callable] | None = None,
    templates: dict[str, str] | None = None,
    case_scopes: list[Callable] | None = None,
    case_unit: Callable | None = None,
    demo_data: Callable | None = None,
) -> ModalityRegistration:
    """Declare what a modality adds to core (see the module docstring). Once per modality."""
    if modality in _REGISTRY:
        raise ImproperlyConfigured(f"La modalidad {str(modality)!r} ya está registrada.")
    start_pages = dict(start_pages or {})
    for role in start_pages:
        owner = next((r.modality for r in _REGISTRY.values() if role in r.start_pages), None)
        if owner is not None:
            raise ImproperlyConfigured(
                f"Las modalidades {str(owner)!r} y {str(modality)!r} registran una página de "
                f"inicio para el rol {str(role)!r}: solo una puede hacerlo."
            )
    registration = ModalityRegistration(
        modality=modality,
        start_pages=start_pages,
        menu=list(menu or []),
        case_panels=list(case_panels or []),
        closing_rules=list(closing_rules or []),
        templates=dict(templates or {}),
        case_scopes=list(case_scopes or []),
        case_unit=case_unit,
        demo_data=demo_data,
    )
    _REGISTRY[modality] = registration
    return registration


def modality_unregister(modality: str) -> None:
    """Tests only: take a registration back."""
    _REGISTRY.pop(modality, None)


def registrations() -> list[ModalityRegistration]:
    return list(_REGISTRY.values())


def registration_for(modality: str) -> ModalityRegistration | None:
    return _REGISTRY.get(modality)


def start_page(role: str) -> str | None:
    for registration in _REGISTRY.values():
        if role in registration.start_pages:
            return registration.start_pages[role]
    return None


def menu_entries(roles: set[str], *, superuser: bool = False) -> list[MenuEntry]:
    return [
        entry
        for registration in _REGISTRY.values()
        for entry in registration.menu
        if superuser or roles & set(entry.roles)
    ]


def case_panels(modality: str) -> list[Callable]:
    registration = _REGISTRY.get(modality)
    return registration.case_panels if registration else []


def closing_rules(modality: str) -> list[Callable]:
    registration = _REGISTRY.get(modality)
    return registration.closing_rules if registration else []


def case_scopes() -> list[Callable]:
    return [scope for registration in _REGISTRY.values() for scope in registration.case_scopes]


def case_unit(case) -> str | None:
    """The unit of a case without office, as its modality says (None when it says nothing)."""
    registration = _REGISTRY.get(case.modality)
    return registration.case_unit(case) if registration and registration.case_unit else None


def case_managing_unit(case) -> str | None:
    """The unit whose managers answer for a case (LEG-02's alerts, the SAP queue): its supported
    office's or office's unit; a case without office, the unit its modality names."""
    office = case.supported_office or case.office
    return office.unit if office else case_unit(case)


def template_code(modality: str, purpose: str) -> str:
    registration = _REGISTRY.get(modality)
    if registration and purpose in registration.templates:
        return registration.templates[purpose]
    return DEFAULT_TEMPLATES[purpose]
