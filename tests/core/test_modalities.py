"""The modality registry (core.modalities): the one place a modality app plugs into core.

Start pages, menu entries, case-page panels, closing rules and message templates come from
the registry; ``Case.modality`` says which registration applies to a case (CORE-05)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from core import modalities
from core.models import Case, CaseStatus, Modality
from core.roles import Role
from core.services.closing import case_closing_check
from core.services.messaging import voicemail_script
from tests.factories import CustomerFactory, make_case
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def test_core05_two_apps_claiming_one_start_page_fail_at_start_up(monkeypatch):
    """A second registration of the orientador's start page is refused, not a silent override."""
    # The real balanceo app registers at start-up: take it out for this test (restored after).
    monkeypatch.delitem(modalities._REGISTRY, Modality.BALANCEO, raising=False)
    with pytest.raises(ImproperlyConfigured, match="página de inicio para el rol"):
        modalities.modality_register(
            Modality.BALANCEO, start_pages={Role.ORIENTADOR: "core:case_list"}
        )
    assert modalities.registration_for(Modality.BALANCEO) is None
    assert modalities.start_page(Role.ORIENTADOR) == "desborde:home"


def test_core05_a_modality_registers_once():
    with pytest.raises(ImproperlyConfigured, match="ya está registrada"):
        modalities.modality_register(Modality.DESBORDE)


def test_core10_case_page_query_count_does_not_grow_with_registered_apps(
    client, office, django_assert_num_queries, monkeypatch
):
    """CORE-10: the case page runs only its case's modality's panels: two more registered apps
    (with panels that would query) leave its query count as it was."""
    # The real asesor_linea app registers its modality at start-up: stand in for it here (the
    # original registration comes back when the test ends).
    monkeypatch.delitem(modalities._REGISTRY, Modality.ASESOR_LINEA, raising=False)
    monkeypatch.delitem(modalities._REGISTRY, Modality.BALANCEO, raising=False)
    tech = make_user(Role.TECNOLOGO, office)
    case = make_case(assigned_to=tech, status=CaseStatus.ASIGNADO, supported_office=office)
    client.force_login(tech)
    url = f"/casos/{case.pk}/"
    client.get(url)  # warm caches (content types, templates)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200

    modalities.modality_register(Modality.ASESOR_LINEA, case_panels=[lambda r, c, f: None])
    try:

        def querying_panel(request, case, forms):
            Case.objects.count()

        modalities.modality_register(Modality.BALANCEO, case_panels=[querying_panel])
        with django_assert_num_queries(len(before)):
            assert client.get(url).status_code == 200
    finally:
        modalities.modality_unregister(Modality.ASESOR_LINEA)
        modalities.modality_unregister(Modality.BALANCEO)


def test_core05_menu_is_built_from_the_registry(client, office):
    """The top menu shows the entries modality apps registered for the user's roles."""
    orientador = make_user(Role.ORIENTADOR, office)
    asignador = make_user(Role.ASIGNADOR, office)
    client.force_login(orientador)
    page = client.get("/casos/").content.decode()
    assert 'href="/desborde/">Desborde</a>' in page
    assert "Registros de desborde" not in page
    client.force_login(asignador)
    page = client.get("/casos/").content.decode()
    assert 'href="/desborde/registros/">Registros de desborde</a>' in page
    assert 'href="/desborde/">Desborde</a>' not in page


def test_core07_voicemail_script_is_picked_by_the_case_modality():
    """CORE-07 / CORE-11: the voicemail script comes from the template the case's modality
    registered: 2.6's for a condo administrator's case, 2.1's for an overflow case."""
    customer = CustomerFactory(full_name="Ana Ruiz")
    condo = make_case(customer=customer, channel="administradores-copropiedad")
    overflow = make_case(customer=customer, channel="desborde-formulario-web")
    assert condo.modality == Modality.COPROPIEDAD
    assert "atender la cita que agendó" in voicemail_script(case=condo)
    assert "brindarle orientación a su petición" in voicemail_script(case=overflow)


def test_core05_closing_rules_of_the_case_modality_run(monkeypatch):
    """A closing rule refuses with its Spanish message, for its modality's cases only."""
    monkeypatch.delitem(modalities._REGISTRY, Modality.BALANCEO, raising=False)

    def never(*, case, by):
        raise ValidationError("Regla de prueba: no se cierra.")

    modalities.modality_register(Modality.BALANCEO, closing_rules=[never])
    try:
        balanceo = make_case(channel="balanceo-automatico")
        other = make_case(channel="contact-center")
        with pytest.raises(ValidationError, match="Regla de prueba"):
            case_closing_check(case=balanceo, by=None)
        case_closing_check(case=other, by=None)
    finally:
        modalities.modality_unregister(Modality.BALANCEO)


@pytest.mark.parametrize(
    ("channel", "modality"),
    [
        ("desborde-whatsapp", Modality.DESBORDE),
        ("administradores-copropiedad", Modality.COPROPIEDAD),
        ("facebook", Modality.PQR_DIGITAL),
        ("presencial", Modality.GENERAL),
    ],
)
def test_core05_existing_cases_are_backfilled_by_channel(channel, modality):
    """The data migration gives existing cases the modality of their channel."""
    case = make_case(channel=channel)
    Case.objects.filter(pk=case.pk).update(modality=Modality.GENERAL)
    migration = importlib.import_module("core.migrations.0014_case_modality")
    migration.backfill(apps, None)
    case.refresh_from_db()
    assert case.modality == modality


#: The case page of an assigned WhatsApp desborde case, for its technologist, before any call:
#: session, user, roles, the user's office, the case with its relations, attempts, the desborde
#: panel (intake, proposals, print jobs), the evidence with uploaders (two), the history.
#: Pinned: a change must say why here.
CASE_PAGE_QUERIES = 12


def test_core10_case_page_query_count_is_pinned(client, office, django_assert_num_queries):
    """CORE-10: the case page runs exactly CASE_PAGE_QUERIES statements."""
    from tests.factories.desborde import IntakeFactory

    tech = make_user(Role.TECNOLOGO, office)
    intake = IntakeFactory(whatsapp=True, office=office)
    case = intake.case
    case.assigned_to = tech
    case.status = CaseStatus.ASIGNADO
    case.save(update_fields=["assigned_to", "status"])
    client.force_login(tech)
    client.get(f"/casos/{case.pk}/")  # warm per-process caches (content types)
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        response = client.get(f"/casos/{case.pk}/")
    assert response.status_code == 200
    assert case.number in response.content.decode()
    assert 'id="desborde-panel"' in response.content.decode()


def test_core05_case_scopes_of_the_registry_widen_case_visibility(client, office, monkeypatch):
    """A modality's ``case_scopes`` are OR'ed into core's case filter: the cases it grants become
    visible (list, page, API) to the users it names, and to nobody else."""
    from core.models import Modality as M
    from tests.factories import OfficeFactory

    # Stand in for the real asesor_linea registration (restored when the test ends).
    monkeypatch.delitem(modalities._REGISTRY, M.ASESOR_LINEA, raising=False)

    other = OfficeFactory()
    case = make_case(office=other, channel="asesor-en-linea")
    granted = make_user(Role.ENCARGADO, office)
    outsider = make_user(Role.ENCARGADO, office)
    client.force_login(granted)
    assert client.get(f"/casos/{case.pk}/").status_code == 404

    modalities.modality_register(
        M.ASESOR_LINEA,
        case_scopes=[
            lambda user, roles: Q(modality=M.ASESOR_LINEA) if user.pk == granted.pk else None
        ],
    )
    try:
        assert client.get(f"/casos/{case.pk}/").status_code == 200
        assert case.number in client.get("/casos/").content.decode()
        client.force_login(outsider)
        assert client.get(f"/casos/{case.pk}/").status_code == 404
    finally:
        modalities.modality_unregister(M.ASESOR_LINEA)
