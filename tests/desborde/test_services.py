"""Overflow by web form (2.1) and WhatsApp (2.2): the write paths of ``desborde.services``.

DF-01 eligibility and the intake's data, DF-02 round-robin on commit, DF-03 / WA-02 the CRM
fields, DF-04 the PQR number back to the asignador, WA-03 the customer's agreement before
closing, NFR-03 Spanish messages and nothing written on bad input. The print queue (WA-04) is
core's: tests/core/test_printing.py.
"""

import datetime as dt
import logging
import threading
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.exceptions import ProtocolConflict
from core.models import (
    AttentionMedium,
    Case,
    CaseKind,
    CaseStatus,
    Customer,
    Evidence,
    EvidenceKind,
    InitialCause,
    Notification,
    PqrType,
    StaffAvailability,
    TransactionType,
)
from core.reference_data import TRANSACTION_TYPES
from core.roles import Role
from core.services.closing import case_close
from desborde import reference_data, services
from desborde.models import DATA_CONSENT_VERSION, Intake, IntakeMode, OutcomeProposal
from desborde.tasks import pqr_report_sweep_task
from tests.factories import TINY_PNG, OfficeFactory, UserFactory
from tests.factories.desborde import intake_kwargs
from tests.helpers import answer_call, pool_technologist, wait_until

pytestmark = pytest.mark.django_db

ELIGIBLE = [code for code, _, _, eligible, *_ in TRANSACTION_TYPES if eligible]
NOT_ELIGIBLE = [code for code, _, _, eligible, *_ in TRANSACTION_TYPES if not eligible]
KIND = {code: kind for code, _, kind, *_ in TRANSACTION_TYPES}
CHANNEL_LABEL = {
    IntakeMode.FORMULARIO_WEB: "desborde formulario web",
    IntakeMode.WHATSAPP: "desborde WhatsApp",
}


# --- helpers ---------------------------------------------------------------------------------


def png(name="foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PNG, content_type="image/png")


def counts() -> tuple[int, int, int, int]:
    return (
        Intake.objects.count(),
        Case.objects.count(),
        Customer.objects.count(),
        Evidence.objects.count(),
    )


def close(case, tech) -> Case:
    return case_close(
        case=case,
        by=tech,
        outcome="primer_contacto",
        initial_cause=InitialCause.objects.get(code="informacion-general"),
        motive="Se envió el duplicado de la factura al correo del cliente.",
    )


@pytest.fixture
def orientador(users):
    return users[Role.ORIENTADOR]


@pytest.fixture
def tech_office(office):
    """The technologist works from another office of the same unit (trabajo interno)."""
    return OfficeFactory(unit=office.unit, zone="Norte")


@pytest.fixture
def pool_tech(tech_office):
    return pool_technologist(tech_office)


@pytest.fixture
def assigned_intake(orientador, office, pool_tech, django_capture_on_commit_callbacks):
    def make(**overrides) -> Intake:
        with django_capture_on_commit_callbacks(execute=True):
            intake, _ = services.intake_create(**intake_kwargs(orientador, office, **overrides))
        intake.case.refresh_from_db()
        assert intake.case.assigned_to == pool_tech
        return intake

    return make


# --- DF-01 / WA-01 eligibility and the intake's data ------------------------------------------


def test_df01_catalogue_has_the_twelve_eligible_transactions():
    """DF-01: exactly the 12 transactions of 2.1 step 1 are eligible for overflow."""
    assert len(ELIGIBLE) == 12
    assert set(
        TransactionType.objects.filter(eligible_overflow=True).values_list("code", flat=True)
    ) == set(ELIGIBLE)


@pytest.mark.parametrize("mode", [IntakeMode.FORMULARIO_WEB, IntakeMode.WHATSAPP])
@pytest.mark.parametrize("code", ELIGIBLE)
def test_df01_df03_wa02_eligible_transaction_creates_intake_and_case(
    orientador, office, code, mode
):
    """DF-01, DF-03, WA-02: an eligible transaction registers the intake (start time, zone,
    orientador, consent) and opens the CRM case with turno DFILA, medio verbal, the modality's
    canal and the intake office as oficina a la que se apoya."""
    office.zone = "Centro Occidental"
    office.save(update_fields=["zone"])
    before = timezone.now()

    intake, created = services.intake_create(
        **intake_kwargs(
            orientador,
            office,
            mode=mode,
            transaction_type=TransactionType.objects.get(code=code),
        )
    )

    assert created is True
    intake.refresh_from_db()
    assert intake.mode == mode
    assert intake.office == office
    assert intake.zone == "Centro Occidental"
    assert intake.orientador == orientador
    assert before <= intake.started_at <= timezone.now()
    assert intake.data_consent_at == intake.started_at
    assert intake.data_consent_version == DATA_CONSENT_VERSION
    assert intake.full_name == "María Elena Restrepo"
    assert intake.document_number == "43512876"
    assert intake.phone == "3104567890"
    assert intake.transaction_type.code == code
    case = intake.case
    assert case.number.startswith("PQR-" if KIND[code] == "PQR" else "PED-")
    assert case.kind == KIND[code]
    assert case.pqr_type == (PqrType.PETICION if KIND[code] == CaseKind.PQR else "")
    assert case.turn_number == "DFILA"
    assert case.attention_medium == AttentionMedium.VERBAL
    assert case.channel.name == CHANNEL_LABEL[mode]
    assert case.supported_office == office
    assert case.office is None  # the technologist's office, set when they register it (DF-03)
    assert case.transaction_type.code == code
    assert case.contract_number == "123456789"
    assert case.created_by == orientador
    assert case.status == CaseStatus.ABIERTO
    assert case.pool.code == f"desborde-{office.unit}"
    assert case.customer.document_number == "43512876"
    assert case.customer.mobile == "3104567890"
    assert case.customer.email == "maria.restrepo@example.com"
    assert case.history.get().history_change_reason.startswith("desborde")


@pytest.mark.parametrize("code", NOT_ELIGIBLE)
def test_df01_not_eligible_transaction_refused_nothing_written(orientador, office, code):
    """DF-01: any other transaction: stay in line and take a ticket; nothing is registered."""
    before = counts()

    with pytest.raises(ValidationError) as exc:
        services.intake_create(
            **intake_kwargs(
                orientador, office, transaction_type=TransactionType.objects.get(code=code)
            )
        )

    assert set(exc.value.message_dict) == {"transaction_type"}
    assert "continúe en la fila" in exc.value.message_dict["transaction_type"][0]
    assert "ficho" in exc.value.message_dict["transaction_type"][0]
    assert counts() == before


def test_wa01_inactive_eligible_transaction_refused(orientador, office):
    """WA-01: a transaction the managers deactivated no longer goes by overflow."""
    transaction_type = TransactionType.objects.get(code="duplicado-de-factura")
    transaction_type.active = False
    transaction_type.save(update_fields=["active"])

    with pytest.raises(ValidationError) as exc:
        services.intake_create(
            **intake_kwargs(
                orientador, office, mode=IntakeMode.WHATSAPP, transaction_type=transaction_type
            )
        )

    assert "transaction_type" in exc.value.message_dict
    assert Intake.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"document_number": "12"},
            "document_number",
            "La cédula de ciudadanía debe tener entre 3 y 10 dígitos.",
        ),
        (
            {"document_number": "43AB876"},
            "document_number",
            "La cédula de ciudadanía debe tener entre 3 y 10 dígitos.",
        ),
        ({"document_number": ""}, "document_number", "Ingrese el número de documento."),
        ({"document_type": "XX"}, "document_type", "Tipo de documento no válido."),
        (
            {"phone": "123"},
            "phone",
            "Ingrese un teléfono colombiano válido (celular 3xx xxx xxxx o fijo 60x).",
        ),
        (
            {"phone": "+1 212 555 0100"},
            "phone",
            "Ingrese un teléfono colombiano válido (celular 3xx xxx xxxx o fijo 60x).",
        ),
        (
            {"phone": "llámeme"},
            "phone",
            "Ingrese un teléfono colombiano válido (celular 3xx xxx xxxx o fijo 60x).",
        ),
        ({"email": "maria@"}, "email", "Ingrese un correo electrónico válido."),
        ({"email": "maria restrepo@example.com"}, "email", "Ingrese un correo electrónico válido."),
        ({"contract": "12-34"}, "contract", "El contrato EPM solo lleva dígitos."),
        ({"full_name": "   "}, "full_name", "Ingrese el nombre del cliente."),
        ({"mode": "correo"}, "mode", "Seleccione formulario web o WhatsApp."),
    ],
)
def test_nfr03_bad_input_spanish_message_nothing_written(
    orientador, office, overrides, field, message
):
    """NFR-03: bad document numbers, phones (short, foreign), e-mails… get a Spanish message on
    their field and change nothing."""
    before = counts()

    with pytest.raises(ValidationError) as exc:
        services.intake_create(**intake_kwargs(orientador, office, **overrides))

    assert exc.value.message_dict[field] == [message]
    assert counts() == before


def test_nfr03_several_bad_fields_reported_together(orientador, office):
    """NFR-03: the orientador sees every problem at once, not one per submit."""
    with pytest.raises(ValidationError) as exc:
        services.intake_create(
            **intake_kwargs(orientador, office, phone="123", email="x@", data_consent=False)
        )

    assert set(exc.value.message_dict) == {"phone", "email", "data_consent"}
    assert "Ley 1581" in exc.value.message_dict["data_consent"][0]
    assert counts() == (0, 0, 0, 0)


def test_df01_fixed_line_is_accepted_as_phone(orientador, office):
    """DF-01: a Medellín fixed line (604 …) is a valid contact number too."""
    intake, _ = services.intake_create(**intake_kwargs(orientador, office, phone="604 444 1234"))

    assert intake.phone == "6044441234"
    assert intake.case.customer.phone == "6044441234"
    assert intake.case.customer.mobile == ""


def test_nfr03_same_token_twice_stores_one(orientador, office):
    """NFR-03: a double tap on the tablet (same client token) stores one intake and one case."""
    token = uuid.uuid4()

    first, created_first = services.intake_create(
        **intake_kwargs(orientador, office, client_token=token)
    )
    second, created_second = services.intake_create(
        **intake_kwargs(orientador, office, client_token=token)
    )

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert Intake.objects.count() == 1
    assert Case.objects.count() == 1
    assert Customer.objects.count() == 1
    assert Case.history.count() == 1
    # The second tap's transaction was rolled back whole: its case number was not used.
    third, _ = services.intake_create(**intake_kwargs(orientador, office, client_token=None))
    assert int(third.case.number[-6:]) == int(first.case.number[-6:]) + 1


@pytest.mark.django_db(transaction=True)
def test_nfr03_customer_created_meanwhile_by_another_request(
    postgres, orientador, office, monkeypatch
):
    """NFR-03: another request commits the same customer between this one's lookup and its
    insert. The unique index refuses the second contact, the intake is registered again with
    the contact that won, and nothing the orientador submitted is lost."""
    from django.db import connection as this_connection

    from core.services import customers

    real_find = customers.customer_find_by_document
    calls = []

    def other_request(document_type, document_number):
        Customer.objects.create(
            document_type=document_type,
            document_number=document_number,
            full_name="Registrado por otra solicitud",
        )
        from django.db import connection

        connection.close()

    def find_missing_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:  # the other request commits the same document right now
            other = threading.Thread(target=other_request, kwargs=kwargs)
            other.start()
            other.join()
            return None
        return real_find(**kwargs)

    monkeypatch.setattr(customers, "customer_find_by_document", find_missing_once)

    intake, created = services.intake_create(**intake_kwargs(orientador, office))

    assert created is True
    assert len(calls) == 2
    winner = Customer.objects.get()
    assert winner.full_name == "Registrado por otra solicitud"
    assert intake.case.customer == winner
    # The record that won is not rewritten: this intake's number is the case's contact, and
    # kept beside the record with who gave it (security finding 3).
    assert winner.mobile == ""
    assert intake.case.contact_phone == "3104567890"
    assert {(d.kind, d.value, d.given_by) for d in winner.contact_details.all()} == {
        ("mobile", "3104567890", orientador),
        ("email", "maria.restrepo@example.com", orientador),
    }
    assert Intake.objects.count() == 1
    assert Case.objects.get().number == intake.case.number
    assert this_connection.in_atomic_block is False


def test_nfr02_token_of_another_orientador_refused(orientador, office):
    """NFR-02: a token already used by someone else does not reveal their intake."""
    token = uuid.uuid4()
    services.intake_create(**intake_kwargs(orientador, office, client_token=token))
    colleague = UserFactory(home_office=office)
    colleague.groups.add(Group.objects.get(name=Role.ORIENTADOR))

    with pytest.raises(ValidationError) as exc:
        services.intake_create(**intake_kwargs(colleague, office, client_token=token))

    assert exc.value.messages == ["Este envío ya fue registrado por otra persona."]
    assert Intake.objects.count() == 1


def test_wa01_photos_go_to_the_case_evidence(orientador, office):
    """WA-01: the invoice and ID photos sent by WhatsApp land in the case's expediente."""
    intake, _ = services.intake_create(
        **intake_kwargs(
            orientador,
            office,
            mode=IntakeMode.WHATSAPP,
            photos=[
                (EvidenceKind.INVOICE_PHOTO, png("factura.png")),
                (EvidenceKind.ID_PHOTO, png("cedula.png")),
            ],
        )
    )

    evidence = intake.case.evidence.order_by("id")
    assert [(e.kind, e.original_name) for e in evidence] == [
        (EvidenceKind.INVOICE_PHOTO, "factura.png"),
        (EvidenceKind.ID_PHOTO, "cedula.png"),
    ]
    assert all(
        e.uploaded_by == orientador and e.customer_id == intake.case.customer_id for e in evidence
    )


def test_wa01_bad_photo_refused_nothing_written(orientador, office):
    """WA-01 / NFR-03: a "photo" that is not an image is refused and nothing is stored."""
    fake = SimpleUploadedFile("factura.png", b"MZ\x90\x00 not an image", content_type="image/png")

    with pytest.raises(ValidationError) as exc:
        services.intake_create(
            **intake_kwargs(
                orientador,
                office,
                mode=IntakeMode.WHATSAPP,
                photos=[(EvidenceKind.INVOICE_PHOTO, fake)],
            )
        )

    assert exc.value.message_dict["photos"] == [
        "El contenido del archivo no corresponde a un archivo .png."
    ]
    assert counts() == (0, 0, 0, 0)


def test_df01_photos_only_in_whatsapp_mode(orientador, office):
    """DF-01: the web form carries no photos."""
    with pytest.raises(ValidationError) as exc:
        services.intake_create(
            **intake_kwargs(orientador, office, photos=[(EvidenceKind.ID_PHOTO, png())])
        )

    assert exc.value.message_dict["photos"] == [
        "Las fotos se envían solo en la modalidad WhatsApp."
    ]
    assert counts() == (0, 0, 0, 0)


# --- DF-02 the round robin ------------------------------------------------------------------


def test_df02_case_enters_the_pool_and_is_assigned_on_commit(
    orientador, office, pool_tech, django_capture_on_commit_callbacks
):
    """DF-02: the case is saved unassigned in the unit's pool and handed to an available pool
    member as soon as the intake commits."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        intake, _ = services.intake_create(**intake_kwargs(orientador, office))
    assert Case.objects.get(pk=intake.case_id).assigned_to is None

    for callback in callbacks:
        callback()

    case = Case.objects.get(pk=intake.case_id)
    assert case.assigned_to == pool_tech
    assert case.status == CaseStatus.ASIGNADO
    assert case.history.filter(history_change_reason__startswith="asignación automática").exists()


def test_df02_successive_intakes_alternate_in_alphabetical_order(
    orientador, office, tech_office, django_capture_on_commit_callbacks
):
    """DF-02 / CORE-09: intakes registered one after another go round the pool's available
    technologists in alphabetical order; an unavailable member gets none."""
    beatriz = pool_technologist(tech_office, first_name="Beatriz", last_name="Gómez")
    alvaro = pool_technologist(tech_office, first_name="Álvaro", last_name="Zapata")
    absent = pool_technologist(tech_office, first_name="Aarón", last_name="Arango")
    day_off = StaffAvailability.objects.get(user=absent)
    day_off.is_available = False
    day_off.save(update_fields=["is_available"])

    assigned = []
    for document in ("43512876", "71222333", "1017333444"):
        with django_capture_on_commit_callbacks(execute=True):
            intake, _ = services.intake_create(
                **intake_kwargs(orientador, office, document_number=document)
            )
        assigned.append(Case.objects.get(pk=intake.case_id).assigned_to)

    assert assigned == [alvaro, beatriz, alvaro]


def test_df02_regional_office_uses_the_regional_pool(django_capture_on_commit_callbacks):
    """DF-02: each unit has its own overflow pool."""
    regional = OfficeFactory(unit="regional")
    orientador = UserFactory(home_office=regional)
    orientador.groups.add(Group.objects.get(name=Role.ORIENTADOR))
    tech = pool_technologist(OfficeFactory(unit="regional"))
    pool_technologist(OfficeFactory(), first_name="Metro", last_name="Politano")

    with django_capture_on_commit_callbacks(execute=True):
        intake, _ = services.intake_create(**intake_kwargs(orientador, regional))

    case = Case.objects.get(pk=intake.case_id)
    assert case.pool.code == "desborde-regional"
    assert case.assigned_to == tech


# --- DF-03 / DF-04 registration and the PQR number back to the asignador -----------------------


def test_df03_df04_closing_reports_pqr_number_to_asignador(
    users, office, tech_office, pool_tech, assigned_intake, django_capture_on_commit_callbacks
):
    """DF-03: the technologist calls, attaches the recording and registers the case with
    oficina = their office and oficina a la que se apoya = the intake office. DF-04: the
    asignador of the unit is e-mailed the PQR number and the intake shows it."""
    other_unit_asignador = UserFactory(home_office=OfficeFactory(unit="regional"))
    other_unit_asignador.groups.add(Group.objects.get(name=Role.ASIGNADOR))
    intake = assigned_intake()
    case = intake.case
    answer_call(case, pool_tech)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        close(case, pool_tech)

    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert case.office == tech_office
    assert case.supported_office == office
    assert case.turn_number == "DFILA"
    assert case.channel.name == "desborde formulario web"
    assert case.evidence.filter(kind=EvidenceKind.CALL_RECORDING).count() == 1
    intake.refresh_from_db()
    assert intake.reported_at is not None
    assert [m.to for m in mail.outbox] == [[users[Role.ASIGNADOR].email]]
    assert case.number in mail.outbox[0].subject
    assert case.number in mail.outbox[0].body
    assert "María Elena Restrepo" in mail.outbox[0].body


def test_df04_nothing_reported_before_the_commit(
    pool_tech, assigned_intake, django_capture_on_commit_callbacks
):
    """DF-04: the e-mail goes after the registration commits, never for a rolled-back close."""
    intake = assigned_intake()
    answer_call(intake.case, pool_tech)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        close(intake.case, pool_tech)

    intake.refresh_from_db()
    assert intake.reported_at is None
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_df04_reporting_twice_queues_one_email(
    users, pool_tech, assigned_intake, django_capture_on_commit_callbacks
):
    """DF-04: the report is idempotent: a second call (the receiver and the sweep, or the sweep
    run twice) neither queues another e-mail nor moves ``reported_at``."""
    intake = assigned_intake()
    answer_call(intake.case, pool_tech)
    with django_capture_on_commit_callbacks(execute=False):  # the receiver does not run
        case = close(intake.case, pool_tech)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = services.intake_report_pqr_number(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.intake_report_pqr_number(case=case)

    assert first == intake
    assert second is None
    assert Notification.objects.filter(case=case).count() == 1
    assert [m.to for m in mail.outbox] == [[users[Role.ASIGNADOR].email]]
    intake.refresh_from_db()
    assert intake.reported_at == first.reported_at
    assert intake.history.filter(history_change_reason="PQR informada al asignador").count() == 1


def test_df04_open_case_is_not_reported(pool_tech, assigned_intake):
    """DF-04: only a closed (registered) case is reported, neither by a call nor by the sweep."""
    intake = assigned_intake()

    assert services.intake_report_pqr_number(case=intake.case) is None
    assert services.intakes_report_pending() == 0

    intake.refresh_from_db()
    assert intake.reported_at is None
    assert not Notification.objects.filter(case=intake.case).exists()


def test_df04_failed_report_keeps_close_200_and_the_sweep_reports_once(
    users,
    orientador,
    pool_tech,
    assigned_intake,
    api_as,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    """DF-04, CORE-07: the ``case_closed`` receiver fails after the close committed (here the
    mail queue is down): the close still answers 200 and the case is closed, the failure is
    logged with the case number, and the periodic sweep then reports it — one e-mail, however
    often the sweep runs. Meanwhile the intake's API answers ``pqr_numbers`` "" and then the
    number."""
    intake = assigned_intake()
    case = intake.case
    answer_call(case, pool_tech)
    mail.outbox.clear()
    intake_url = f"/api/v1/desborde/intakes/{intake.pk}/"

    with monkeypatch.context() as patch:
        patch.setattr(services, "intake_report_pqr_number", _fail)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(pool_tech).post(
                f"/api/v1/cases/{case.pk}/close/",
                {
                    "outcome": "primer_contacto",
                    "initial_cause": "informacion-general",
                    "motive": "Se envió el duplicado de la factura al correo del cliente.",
                },
                format="json",
            )

    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.CERRADO_PRIMER_CONTACTO
    case.refresh_from_db()
    assert case.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    logged = [r for r in caplog.records if r.name == "core.services.closing"]
    assert len(logged) == 1
    assert logged[0].levelno == logging.ERROR
    assert case.number in logged[0].getMessage()
    assert isinstance(logged[0].exc_info[1], ConnectionError)
    assert mail.outbox == []
    intake.refresh_from_db()
    assert intake.reported_at is None
    assert api_as(orientador).get(intake_url).json()["pqr_numbers"] == ""

    for _ in range(2):  # beat sends it every minute; the second run finds nothing to do
        with django_capture_on_commit_callbacks(execute=True):
            pqr_report_sweep_task.delay()

    assert [m.to for m in mail.outbox] == [[users[Role.ASIGNADOR].email]]
    assert case.number in mail.outbox[0].subject
    assert Notification.objects.filter(case=case).count() == 1
    intake.refresh_from_db()
    assert intake.reported_at is not None
    assert api_as(orientador).get(intake_url).json()["pqr_numbers"] == case.number
    listed = api_as(orientador).get("/api/v1/desborde/intakes/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["pqr_numbers"] for row in rows if row["id"] == intake.pk] == [case.number]


def test_df04_sweep_skips_a_failing_intake_and_reports_the_others(
    pool_tech, assigned_intake, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """DF-04: one intake whose report keeps failing is logged and left for the next run; the
    other closed cases are still reported."""
    broken, fine = assigned_intake(), assigned_intake(document_number="71222333")
    for intake in (broken, fine):
        answer_call(intake.case, pool_tech)
        with django_capture_on_commit_callbacks(execute=False):
            close(intake.case, pool_tech)
    real_report = services.intake_report_pqr_number

    def report_or_fail(*, case):
        if case.pk == broken.case_id:
            raise ValueError("dato dañado")
        return real_report(case=case)

    monkeypatch.setattr(services, "intake_report_pqr_number", report_or_fail)

    assert services.intakes_report_pending() == 1

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.reported_at is None
    assert fine.reported_at is not None
    assert [r.levelno for r in caplog.records if broken.case.number in r.getMessage()] == [
        logging.ERROR
    ]


@pytest.mark.django_db(transaction=True)
def test_df04_receiver_and_sweep_at_once_report_once(
    postgres, pool_tech, orientador, office, monkeypatch
):
    """DF-04: the receiver and the sweep report the same case at the same moment (two
    connections): the second waits for the intake's row lock, then finds it reported — one
    e-mail, not two."""
    intake, _ = services.intake_create(**intake_kwargs(orientador, office))  # commits, assigns
    case = Case.objects.get(pk=intake.case_id)
    assert case.assigned_to == pool_tech
    answer_call(case, pool_tech)
    with monkeypatch.context() as patch:  # the receiver fails: the case waits for the sweep
        patch.setattr(services, "intake_report_pqr_number", _fail)
        close(case, pool_tech)
    assert Intake.objects.get(pk=intake.pk).reported_at is None
    mail.outbox.clear()
    other = {}

    def sweep_in_another_connection():
        from django.db import connection

        try:
            other["reported"] = services.intakes_report_pending()
        finally:
            connection.close()

    with transaction.atomic():
        assert services.intake_report_pqr_number(case=case) == intake
        sweep = threading.Thread(target=sweep_in_another_connection)
        sweep.start()
        wait_until(_waits_for_a_lock, message="el barrido no esperó el bloqueo del registro")
    sweep.join(timeout=30)

    assert other == {"reported": 0}
    assert Notification.objects.filter(case=case).count() == 1
    assert len(mail.outbox) == 1


def _fail(**kwargs):
    raise ConnectionError("cola de correo no disponible")


def _waits_for_a_lock() -> bool:
    """Another connection of this database waits for a row lock. (Read inside the caller's
    transaction: clear the per-transaction snapshot of the statistics first.)"""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            ["%desborde_intake%"],
        )
        return cursor.fetchone()[0] > 0


def test_df04_sweep_is_scheduled_every_minute_in_beat():
    """DF-04: the sweep is a django-celery-beat interval task (created by a migration, editable
    in admin) pointing at the registered Celery task; loading it again changes nothing."""
    from django.apps import apps

    reference_data.load_periodic_tasks(apps)
    reference_data.load_periodic_tasks(apps)

    scheduled = PeriodicTask.objects.get(task="desborde.pqr_report_sweep")
    assert scheduled.enabled
    assert (scheduled.interval.every, scheduled.interval.period) == (1, "minutes")
    assert scheduled.task == pqr_report_sweep_task.name


# --- WA-03 the customer's agreement before closing --------------------------------------------


def test_wa03_whatsapp_case_closes_only_after_customer_agreement(
    orientador, pool_tech, assigned_intake, django_capture_on_commit_callbacks
):
    """WA-03: without a proposal, with a pending one, or after disagreement the technologist
    cannot close; once the orientador records the customer's agreement they can."""
    intake = assigned_intake(mode=IntakeMode.WHATSAPP)
    case = intake.case
    answer_call(case, pool_tech)

    with pytest.raises(ProtocolConflict) as exc:
        close(case, pool_tech)
    assert "de acuerdo" in exc.value.messages[0]

    first = services.outcome_propose(
        case=case, by=pool_tech, text="Se expide el duplicado y se envía al correo."
    )
    with pytest.raises(ProtocolConflict):
        close(case, pool_tech)
    services.outcome_respond(
        proposal=first, by=orientador, agreed=False, comment="Quiere el duplicado impreso."
    )
    with pytest.raises(ProtocolConflict):
        close(case, pool_tech)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.EN_ATENCION

    second = services.outcome_propose(
        case=case, by=pool_tech, text="Se imprime el duplicado en la oficina."
    )
    services.outcome_respond(proposal=second, by=orientador, agreed=True)
    with django_capture_on_commit_callbacks(execute=True):
        closed = close(case, pool_tech)

    assert closed.status == CaseStatus.CERRADO_PRIMER_CONTACTO
    assert closed.channel.name == "desborde WhatsApp"
    assert list(case.outcome_proposals.order_by("id").values_list("response", flat=True)) == [
        OutcomeProposal.Response.DISAGREED,
        OutcomeProposal.Response.AGREED,
    ]
    second.refresh_from_db()
    assert second.responded_by == orientador
    assert second.responded_at is not None


def test_wa03_earlier_agreement_does_not_cover_a_newer_rejected_proposal(
    orientador, pool_tech, assigned_intake
):
    """WA-03: what counts is the customer's answer to the latest proposal."""
    case = assigned_intake(mode=IntakeMode.WHATSAPP).case
    answer_call(case, pool_tech)
    agreed = services.outcome_propose(case=case, by=pool_tech, text="Propuesta inicial.")
    services.outcome_respond(proposal=agreed, by=orientador, agreed=True)
    newer = services.outcome_propose(case=case, by=pool_tech, text="Propuesta corregida.")

    with pytest.raises(ProtocolConflict):
        close(case, pool_tech)  # pending
    services.outcome_respond(proposal=newer, by=orientador, agreed=False, comment="No acepta.")
    with pytest.raises(ProtocolConflict):
        close(case, pool_tech)  # rejected

    assert Case.objects.get(pk=case.pk).closed_at is None


def test_wa03_proposal_rules(orientador, pool_tech, users, assigned_intake):
    """WA-03: only the assigned technologist proposes, with a text, one at a time; a
    disagreement needs the reason; an answer is final; web-form cases have no loop."""
    case = assigned_intake(mode=IntakeMode.WHATSAPP).case

    with pytest.raises(ProtocolConflict):
        services.outcome_propose(case=case, by=users[Role.TECNOLOGO], text="Otra cosa.")
    with pytest.raises(ValidationError) as exc:
        services.outcome_propose(case=case, by=pool_tech, text="  ")
    assert "text" in exc.value.message_dict
    proposal = services.outcome_propose(case=case, by=pool_tech, text="Duplicado por correo.")
    with pytest.raises(ProtocolConflict):
        services.outcome_propose(case=case, by=pool_tech, text="Otra propuesta.")
    with pytest.raises(ValidationError) as exc:
        services.outcome_respond(proposal=proposal, by=orientador, agreed=False, comment="")
    assert exc.value.message_dict["comment"] == ["Indique por qué el cliente no está de acuerdo."]
    services.outcome_respond(proposal=proposal, by=orientador, agreed=True)
    with pytest.raises(ProtocolConflict):
        services.outcome_respond(proposal=proposal, by=orientador, agreed=False, comment="x")

    web_case = assigned_intake(document_number="71222333").case
    with pytest.raises(ProtocolConflict) as exc:
        services.outcome_propose(case=web_case, by=pool_tech, text="Duplicado.")
    assert exc.value.messages == ["Este caso no llegó por desborde WhatsApp."]
    assert case.history.filter(
        history_change_reason="propuesta de cierre enviada al orientador"
    ).exists()


def test_df01_started_at_is_bogota_day(orientador, office):
    """NFR-01: the intake's time is aware and shown on the Bogotá calendar day."""
    intake, _ = services.intake_create(**intake_kwargs(orientador, office))

    assert timezone.is_aware(intake.started_at)
    assert timezone.localtime(intake.started_at).utcoffset() == dt.timedelta(hours=-5)


def test_wa03_no_answer_after_the_case_is_closed(orientador, pool_tech, assigned_intake):
    """WA-03: a proposal still pending when the case was closed cannot be answered."""
    case = assigned_intake(mode=IntakeMode.WHATSAPP).case
    proposal = services.outcome_propose(case=case, by=pool_tech, text="Se expide el duplicado.")
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CERRADO_PRIMER_CONTACTO)

    with pytest.raises(ProtocolConflict, match="ya está cerrado"):
        services.outcome_respond(proposal=proposal, by=orientador, agreed=True)

    proposal.refresh_from_db()
    assert proposal.response == OutcomeProposal.Response.PENDING
