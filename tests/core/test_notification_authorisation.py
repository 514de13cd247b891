"""CORE-13 / COP-03: the technologist records how the customer authorised being notified of the
PQR's decision — e-mail with express consent, else a mobile for an SMS citation, else a
physical address — through ``POST /api/v1/cases/{id}/notification-authorisation/``."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from core.exceptions import ProtocolConflict
from core.models import CaseKind, CaseStatus, NotificationMedium
from core.personal_data import EMAIL_MESSAGE, MOBILE_MESSAGE
from core.roles import Role
from core.services.constancia import case_notification_authorise
from tests.factories import CustomerFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

NO_CONSENT = "La notificación por correo requiere la autorización expresa del cliente."
NOT_ASSIGNEE = "Solo el tecnólogo asignado puede trabajar este caso."


def url(case) -> str:
    return f"/api/v1/cases/{case.pk}/notification-authorisation/"


def authorisation(case) -> dict:
    case.refresh_from_db()
    return {
        "medium": case.notification_medium,
        "email": case.notification_email,
        "email_consent": case.notification_email_consent,
        "mobile": case.notification_mobile,
        "address": case.notification_address,
    }


BLANK = {"medium": "", "email": "", "email_consent": False, "mobile": "", "address": ""}


@pytest.fixture
def case(tecnologo, office):
    return make_case(
        channel="administradores-copropiedad",
        office=office,
        assigned_to=tecnologo,
        status=CaseStatus.EN_ATENCION,
        customer=CustomerFactory(full_name="Edificio Ñandú PH"),
        motive="Facturación errónea en la copropiedad Ñandú",
    )


@pytest.fixture
def tech_api(api_as, tecnologo):
    return api_as(tecnologo)


def test_core13_email_with_express_consent_is_recorded(tech_api, case):
    """CORE-13: e-mail with the customer's express consent; the domain is normalised and the
    reason is kept in the case's history."""
    response = tech_api.post(
        url(case),
        {"medium": "email", "email": " Admin@Nandu.COM.CO ", "email_consent": True},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": case.pk,
        "number": case.number,
        "medium": "email",
        "medium_display": "correo electrónico (autorización expresa)",
        "email": "Admin@nandu.com.co",
        "email_consent": True,
        "mobile": "",
        "address": "",
    }
    assert authorisation(case)["email"] == "Admin@nandu.com.co"
    latest = case.history.order_by("-history_id").first()
    assert latest.history_change_reason == (
        "autorización de notificación: correo electrónico (autorización expresa)"
    )
    assert latest.history_user_id == case.assigned_to_id


def test_core13_email_without_express_consent_refused_and_nothing_written(tech_api, case):
    """CORE-13: the e-mail medium needs the express consent: 400 with the Spanish message on the
    consent field; the case keeps no authorisation."""
    response = tech_api.post(
        url(case), {"medium": "email", "email": "admin@nandu.com.co"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"email_consent": [NO_CONSENT]}
    assert authorisation(case) == BLANK


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"medium": "email", "email_consent": True},
            {"email": ["Ingrese el correo para la notificación."]},
        ),
        (
            {"medium": "email", "email": "no-es-correo", "email_consent": True},
            {"email": [EMAIL_MESSAGE]},
        ),
        ({"medium": "sms"}, {"mobile": ["Ingrese el celular para la citación por SMS."]}),
        ({"medium": "sms", "mobile": "604 444 1234"}, {"mobile": [MOBILE_MESSAGE]}),
        (
            {"medium": "direccion", "address": "   "},
            {"address": ["Ingrese la dirección para la citación por correo."]},
        ),
        (
            {"medium": "fax"},
            {
                "medium": [
                    "Medio de notificación no válido: use «email» (correo electrónico), «sms» "
                    "(celular) o «direccion» (dirección física)."
                ]
            },
        ),
        ({}, {"medium": ["Este campo es obligatorio."]}),
    ],
    ids=[
        "email-missing",
        "email-invalid",
        "sms-missing",
        "sms-landline",
        "address-blank",
        "fax",
        "no-medium",
    ],
)
def test_core13_invalid_authorisation_refused_in_spanish(tech_api, case, body, errors):
    """CORE-13: each medium needs its data, validated by core.personal_data: 400 per field, and
    nothing is written."""
    response = tech_api.post(url(case), body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert authorisation(case) == BLANK


def test_core13_sms_mobile_normalised_and_replaces_previous_email(tech_api, case):
    """CORE-13: a customer without e-mail is cited by SMS; the mobile is stored as its 10 digits,
    and the new authorisation replaces the previous one entirely."""
    first = tech_api.post(
        url(case),
        {"medium": "email", "email": "admin@nandu.com.co", "email_consent": True},
        format="json",
    )
    assert first.status_code == 200

    response = tech_api.post(
        url(case), {"medium": "sms", "mobile": "+57 310-456 7890"}, format="json"
    )

    assert response.status_code == 200
    assert authorisation(case) == {**BLANK, "medium": "sms", "mobile": "3104567890"}


def test_core13_physical_address_recorded(tech_api, case):
    """CORE-13: without e-mail nor mobile, the physical address for the citation by mail."""
    response = tech_api.post(
        url(case), {"medium": "direccion", "address": "Calle  10 # 43-20,  Medellín"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["medium_display"] == "dirección física: citación por correo"
    assert authorisation(case) == {
        **BLANK,
        "medium": NotificationMedium.ADDRESS,
        "address": "Calle 10 # 43-20, Medellín",
    }


def test_core13_other_technologist_gets_404_and_other_roles_403(api_as, case, office, users):
    """NFR-02: another technologist does not see the case (404, like a missing one); a role that
    does not work cases is refused (403). Nothing is written."""
    other = UserFactory(username="tecnologo.otro", home_office=office)
    other.groups.add(Group.objects.get(name=Role.TECNOLOGO))
    body = {"medium": "sms", "mobile": "3104567890"}

    refused = api_as(other).post(url(case), body, format="json")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Caso no encontrado."}
    for role in (Role.GESTOR, Role.ASIGNADOR, Role.ORIENTADOR):
        response = api_as(users[role]).post(url(case), body, format="json")
        assert response.status_code == 403
        assert response.json() == {"detail": "Su rol no tiene acceso a este recurso."}
    assert authorisation(case) == BLANK


def test_core13_closed_case_refused_409(tech_api, case):
    """CORE-13: the authorisation is recorded on an open case only."""
    case.status = CaseStatus.TAREA_GENERADA
    case.save(update_fields=["status"])

    response = tech_api.post(url(case), {"medium": "sms", "mobile": "3104567890"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "El caso está tarea generada; no admite cambios."}
    assert authorisation(case) == BLANK


def test_core13_pedido_has_no_notification_authorisation(tecnologo, office):
    """CORE-13: only a PQR's decision is notified; a pedido is refused in Spanish."""
    pedido = make_case(
        kind=CaseKind.PEDIDO, office=office, assigned_to=tecnologo, status=CaseStatus.ASIGNADO
    )

    with pytest.raises(ValidationError) as refused:
        case_notification_authorise(case=pedido, by=tecnologo, medium="sms", mobile="3104567890")

    assert refused.value.message_dict == {
        "medium": ["Solo una PQR lleva autorización del medio de notificación."]
    }
    assert authorisation(pedido) == BLANK


def test_core13_service_refuses_someone_else_than_the_assignee(case, users):
    """CORE-13: only the assigned technologist records the authorisation (409 at the service)."""
    with pytest.raises(ProtocolConflict, match=NOT_ASSIGNEE):
        case_notification_authorise(
            case=case, by=users[Role.GESTOR], medium="sms", mobile="3104567890"
        )
    assert authorisation(case) == BLANK
