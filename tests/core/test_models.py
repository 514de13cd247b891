"""Invariants of the shared models: offices, staff, customers, cases, history, catalogue.

CORE-01/02/03/04/05/06/13.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.models import (
    Case,
    CaseKind,
    CaseStatus,
    Channel,
    Customer,
    DocumentType,
    Kiosk,
    NotificationMedium,
    Office,
    PqrType,
    StaffAvailability,
    TransactionType,
)
from core.roles import Role
from core.services.cases import case_open
from core.services.customers import customer_get_or_create
from tests.factories import CustomerFactory, OfficeFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

ELIGIBLE_OVERFLOW = {
    "Alternativas de pago",
    "Cambio de categoría uso",
    "Cambio de suscriptor",
    "Cambio dirección tarjeta somos",
    "Certificado conexión servicio",
    "Consulta estado de cuenta",
    "Disponibilidad de energía",
    "Duplicado de factura",
    "Pago total o parcial deuda diferida",
    "Respuesta a radicados",
    "Retiro de tarjeta somos",
    "Traslado de diferidos Covid",
}

CHANNEL_LABELS = {
    "desborde formulario web",
    "desborde WhatsApp",
    "desborde",
    "desborde celular",
    "asesor en línea",
    "Balanceo automático",
    "Administradores de Copropiedad",
    "WhatsApp",
    "Facebook",
    "Instagram",
    "Twitter",
    "Chat EPM",
    "Contact Center",
    "Presencial",
}


def messages_of(exc_info, field: str) -> list[str]:
    return exc_info.value.message_dict[field]


# --- CORE-01 offices ---------------------------------------------------------------------------


def test_core01_only_one_cliente_interno_pseudo_office():
    """CORE-01: the "Cliente Interno" pseudo-office exists (created by migration) and is unique;
    ordinary offices are not limited."""
    assert Office.objects.get(is_internal_client=True).name == "Cliente Interno"
    OfficeFactory()
    OfficeFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeFactory(name="Otra Cliente Interno", is_internal_client=True)

    assert list(Office.objects.filter(is_internal_client=True).values_list("name", flat=True)) == [
        "Cliente Interno"
    ]


def test_core01_kiosk_label_unique_per_office():
    """CORE-01: a kiosk label appears once per office; another office may reuse it."""
    office, other = OfficeFactory(), OfficeFactory()
    Kiosk.objects.create(office=office, label="Módulo 1")
    Kiosk.objects.create(office=other, label="Módulo 1")

    with pytest.raises(IntegrityError), transaction.atomic():
        Kiosk.objects.create(office=office, label="Módulo 1")

    assert Kiosk.objects.filter(office=office).count() == 1
    assert Kiosk.objects.filter(label="Módulo 1").count() == 2


# --- CORE-02 staff -----------------------------------------------------------------------------


def test_core02_available_staff_needs_a_work_mode():
    """CORE-02: a person marked available on a day must work in some mode (Spanish message)."""
    user = UserFactory(work_mode="")
    availability = StaffAvailability(user=user, date=dt.date(2026, 9, 1), is_available=True)

    with pytest.raises(ValidationError) as exc_info:
        availability.full_clean()

    assert messages_of(exc_info, "work_mode") == [
        "Indique la modalidad de trabajo del funcionario disponible."
    ]


def test_core02_one_availability_row_per_person_and_day():
    """CORE-02: the per-day availability is a single row per person and date."""
    user = UserFactory(work_mode="trabajo_en_casa")
    StaffAvailability.objects.create(user=user, date=dt.date(2026, 9, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        StaffAvailability.objects.create(user=user, date=dt.date(2026, 9, 1), is_available=False)

    assert StaffAvailability.objects.filter(user=user).count() == 1


# --- CORE-03 customers -------------------------------------------------------------------------


def test_core03_existing_contact_found_by_document_with_dots_normalised():
    """CORE-03: "43.512.876" finds the contact stored as 43512876; no second contact is made."""
    existing = CustomerFactory(
        document_type=DocumentType.CC, document_number="43512876", full_name="María Restrepo"
    )

    found, created = customer_get_or_create(
        document_type=DocumentType.CC,
        document_number="43.512.876",
        full_name="Maria Restrepo Gómez",
    )

    assert created is False
    assert found.pk == existing.pk
    assert found.full_name == "María Restrepo"
    assert Customer.objects.filter(document_number="43512876").count() == 1
    assert Customer.objects.count() == 1


def test_core03_new_document_creates_a_contact():
    """CORE-03: an unknown document creates the contact with the normalised number."""
    customer, created = customer_get_or_create(
        document_type=DocumentType.CC,
        document_number=" 1.036.612.345 ",
        full_name="  Juan   Pérez ",
        mobile="3001234567",
    )

    assert created is True
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.document_number == "1036612345"
    assert stored.full_name == "Juan Pérez"
    assert stored.mobile == "3001234567"
    assert stored.is_legal_entity is False


def test_core03_sin_identificacion_contacts_are_new_every_time():
    """CORE-03: "Sin identificación" contacts have no number and cannot be matched: each is new."""
    first, created_first = customer_get_or_create(
        document_type=DocumentType.SIN_ID, full_name="Usuario Facebook"
    )
    second, created_second = customer_get_or_create(
        document_type=DocumentType.SIN_ID, full_name="Usuario Facebook"
    )

    assert created_first is True and created_second is True
    assert first.pk != second.pk
    assert list(
        Customer.objects.filter(document_type=DocumentType.SIN_ID).values_list(
            "document_number", flat=True
        )
    ) == ["", ""]


@pytest.mark.parametrize(
    ("document_type", "document_number", "message"),
    [
        (
            DocumentType.SIN_ID,
            "43512876",
            "Un contacto sin identificación no lleva número.",
        ),
        (
            DocumentType.CC,
            "43A12876",
            "La cédula de ciudadanía debe tener entre 3 y 10 dígitos.",
        ),
        (
            DocumentType.CC,
            "",
            "Ingrese el número de documento.",
        ),
        (
            DocumentType.NIT,
            "90012-345678",
            "El NIT debe tener entre 6 y 10 dígitos, con o sin dígito de verificación "
            "(900123456-7).",
        ),
        (
            DocumentType.NIT,
            "900123456-78",
            "El NIT debe tener entre 6 y 10 dígitos, con o sin dígito de verificación "
            "(900123456-7).",
        ),
    ],
)
def test_core03_bad_document_refused_in_spanish_and_nothing_written(
    document_type, document_number, message
):
    """CORE-03 / NFR-03: a malformed number is refused with a Spanish message; no contact."""
    with pytest.raises(ValidationError) as exc_info:
        customer_get_or_create(
            document_type=document_type, document_number=document_number, full_name="Ana Gil"
        )

    assert messages_of(exc_info, "document_number") == [message]
    assert Customer.objects.count() == 0


def test_core03_nit_marks_a_legal_entity():
    """CORE-03: a NIT contact is a legal entity (persona jurídica); the dots are stripped."""
    company, created = customer_get_or_create(
        document_type=DocumentType.NIT,
        document_number="900.123.456-7",
        full_name="Comercializadora Andina S.A.S.",
    )

    assert created is True
    company.refresh_from_db()
    assert company.document_number == "900123456-7"
    assert company.is_legal_entity is True


def test_core03_model_clean_refuses_number_on_sin_identificacion():
    """CORE-03: the model itself refuses a number on a "Sin identificación" contact."""
    customer = Customer(document_type=DocumentType.SIN_ID, document_number="123", full_name="X Y")

    with pytest.raises(ValidationError) as exc_info:
        customer.full_clean()

    assert messages_of(exc_info, "document_number") == [
        "Un contacto sin identificación no lleva número."
    ]


# --- CORE-05 case constraints ------------------------------------------------------------------


def _unsaved_case(**kwargs) -> Case:
    defaults = {
        "number": "PQR-2026-999999",
        "customer": CustomerFactory(),
        "channel": Channel.objects.get(code="desborde-formulario-web"),
        "filed_at": dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC),
        "due_date": dt.date(2026, 9, 22),
    }
    defaults.update(kwargs)
    return Case(**defaults)


def test_core05_pqr_without_pqr_type_refused_in_spanish():
    """CORE-05: a PQR must say petición, queja or reclamo."""
    case = _unsaved_case(kind=CaseKind.PQR, pqr_type="")

    with pytest.raises(ValidationError) as exc_info:
        case.full_clean()

    assert messages_of(exc_info, "pqr_type") == ["Indique si la PQR es petición, queja o reclamo."]


def test_core05_pedido_with_pqr_type_refused_in_spanish():
    """CORE-05: a pedido carries no PQR type."""
    case = _unsaved_case(number="PED-2026-999999", kind=CaseKind.PEDIDO, pqr_type=PqrType.QUEJA)

    with pytest.raises(ValidationError) as exc_info:
        case.full_clean()

    assert messages_of(exc_info, "pqr_type") == ["Un pedido no lleva tipo de PQR."]


def test_core05_case_open_refuses_pqr_without_type_and_writes_nothing():
    """CORE-05 / NFR-03: the service refuses it too, leaving no case and no used number."""
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as exc_info:
        case_open(kind=CaseKind.PQR, customer=customer, channel="whatsapp")

    assert "pqr_type" in exc_info.value.message_dict
    assert Case.objects.count() == 0
    assert Case.history.count() == 0


def test_core05_database_refuses_pqr_without_type():
    """CORE-05: the check constraint holds even when clean() is bypassed."""
    case = _unsaved_case(kind=CaseKind.PQR, pqr_type="")

    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()

    assert Case.objects.count() == 0


# --- CORE-13 notification authorisation --------------------------------------------------------


def test_core13_email_notification_needs_express_consent():
    """CORE-13: e-mail notification only with the customer's express consent."""
    case = make_case(pqr_type=PqrType.RECLAMO)
    case.notification_medium = NotificationMedium.EMAIL
    case.notification_email = "cliente@example.com"
    case.notification_email_consent = False

    with pytest.raises(ValidationError) as exc_info:
        case.full_clean()

    assert messages_of(exc_info, "notification_email_consent") == [
        "La notificación por correo requiere la autorización expresa del cliente."
    ]

    case.notification_email_consent = True
    case.full_clean()  # with consent it is accepted
    case.save(
        update_fields=["notification_medium", "notification_email", "notification_email_consent"]
    )
    case.refresh_from_db()
    assert case.will_be_notified is True


def test_core13_sms_citation_needs_a_mobile():
    """CORE-13: an SMS citation needs the mobile number."""
    case = make_case(pqr_type=PqrType.RECLAMO)
    case.notification_medium = NotificationMedium.SMS
    case.notification_mobile = ""

    with pytest.raises(ValidationError) as exc_info:
        case.full_clean()

    assert messages_of(exc_info, "notification_mobile") == [
        "Ingrese el celular para la citación por SMS."
    ]


def test_core13_address_citation_needs_an_address():
    """CORE-13: a citation by mail needs the physical address."""
    case = make_case(pqr_type=PqrType.RECLAMO)
    case.notification_medium = NotificationMedium.ADDRESS

    with pytest.raises(ValidationError) as exc_info:
        case.full_clean()

    assert messages_of(exc_info, "notification_address") == [
        "Ingrese la dirección para la citación por correo."
    ]


def test_core13_case_page_warns_not_to_tell_the_answer(client, tecnologo):
    """CORE-13: for a PQR that will be notified the workbench warns the technologist."""
    case = make_case(pqr_type=PqrType.RECLAMO, assigned_to=tecnologo)
    case.notification_medium = NotificationMedium.SMS
    case.notification_mobile = "3001234567"
    case.full_clean()
    case.save(update_fields=["notification_medium", "notification_mobile"])
    client.force_login(tecnologo)

    response = client.get(reverse("core:case_detail", args=[case.pk]))

    assert response.status_code == 200
    assert "no informe la respuesta durante la llamada" in response.content.decode()


# --- CORE-06 history ---------------------------------------------------------------------------


def test_core06_case_history_records_open_and_later_changes_and_page_lists_them(client):
    """CORE-06: opening writes a history row with its reason; a later change with its reason
    and author is kept; the case page lists both."""
    tecnologo = UserFactory(first_name="Laura", last_name="Zapata", username="lzapata")
    tecnologo.groups.add(Group.objects.get(name=Role.TECNOLOGO))
    case = case_open(
        kind=CaseKind.PQR,
        pqr_type=PqrType.PETICION,
        customer=CustomerFactory(),
        channel="desborde-formulario-web",
        reason="registro desde formulario web",
    )

    assert [h.history_change_reason for h in case.history.all()] == [
        "registro desde formulario web"
    ]
    assert case.history.get().history_type == "+"

    case.assigned_to = tecnologo
    case.status = CaseStatus.ASIGNADO
    case._change_reason = "asignación automática"
    case._history_user = tecnologo
    case.save(update_fields=["assigned_to", "status"])

    rows = list(case.history.order_by("history_id"))
    assert [(h.history_change_reason, h.status, h.history_type) for h in rows] == [
        ("registro desde formulario web", CaseStatus.ABIERTO, "+"),
        ("asignación automática", CaseStatus.ASIGNADO, "~"),
    ]
    assert rows[1].history_user == tecnologo
    assert rows[1].assigned_to_id == tecnologo.pk

    client.force_login(tecnologo)
    response = client.get(reverse("core:case_detail", args=[case.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    history_section = content[content.index("Historial") :]
    assert "registro desde formulario web" in history_section
    assert "asignación automática" in history_section
    assert "Laura Zapata" in history_section


# --- CORE-04 / CORE-05 catalogue ---------------------------------------------------------------


def test_core04_exactly_the_12_eligible_overflow_transactions():
    """CORE-04: the 12 transactions of 2.1 step 1, with the procedure's names."""
    eligible = set(
        TransactionType.objects.filter(eligible_overflow=True).values_list("name", flat=True)
    )
    assert eligible == ELIGIBLE_OVERFLOW
    assert TransactionType.objects.filter(eligible_overflow=True).count() == 12


def test_core04_orientador_and_presencial_flags():
    """CORE-04: Radicación de documentos and Pedidos de energía prepago need an orientador;
    Financiación / Refinanciación is presencial only; none of them is eligible for overflow."""
    needs_orientador = set(
        TransactionType.objects.filter(requires_orientador=True).values_list("name", flat=True)
    )
    presencial = set(
        TransactionType.objects.filter(presencial_only=True).values_list("name", flat=True)
    )

    assert needs_orientador == {"Radicación de documentos", "Pedidos de energía prepago"}
    assert presencial == {"Financiación / Refinanciación"}
    assert not TransactionType.objects.filter(
        name__in=needs_orientador | presencial, eligible_overflow=True
    ).exists()


def test_core05_the_14_channels_with_the_procedures_labels():
    """CORE-05: canal de atención values are exactly the 14 of 2.1–2.8."""
    assert set(Channel.objects.values_list("name", flat=True)) == CHANNEL_LABELS
    assert Channel.objects.count() == 14
