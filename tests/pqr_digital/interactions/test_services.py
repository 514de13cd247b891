"""2.7's interactions (PQR-01..06): the write paths of ``pqr_digital.services.interactions``.

The rules of the procedure's notes with their redirect and nothing created (case and contact
counts unchanged), the minimum content, the PQR's fields exactly, the message with the motive
and the number, the evidence, and the next-day closing job (once, one message, stopped by an
answer in time, never on the day of the request).
"""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from core.business_days import pqr_due_date
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    CaseKind,
    CaseStatus,
    Customer,
    DocumentType,
    EvidenceKind,
    MessageTemplate,
    Modality,
    OutboundMessage,
    PqrType,
)
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.reference_data import TEMPLATE_REQUEST_INFO
from pqr_digital.services import interactions as services
from pqr_digital.tasks import close_unanswered_task
from tests.factories import TINY_PNG, CustomerFactory
from tests.pqr_digital.interactions.conftest import COMPLETE, bogota

pytestmark = pytest.mark.django_db

Status = Interaction.Status
Purpose = services.Purpose
CHANNEL_LABELS = {
    DigitalChannel.FACEBOOK: "Facebook",
    DigitalChannel.INSTAGRAM: "Instagram",
    DigitalChannel.TWITTER: "Twitter",
    DigitalChannel.WHATSAPP: "WhatsApp",
    DigitalChannel.CHAT_EPM: "Chat EPM",
    DigitalChannel.CONTACT_CENTER: "Contact Center",
}


def _counts():
    return Case.objects.count(), Customer.objects.count()


def _messages(interaction, purpose=None):
    qs = interaction.messages.order_by("id")
    return list(qs.filter(purpose=purpose) if purpose else qs)


def _received(*, sender="573001112233", at=None, channel=DigitalChannel.WHATSAPP):
    """An interaction delivered by the network's webhook (the user has an id there)."""
    return services.interaction_receive(
        channel=channel,
        provider="meta",
        sender_id=sender,
        sender_name="Carolina Zapata",
        text="La factura está muy alta.",
        at=at or timezone.now(),
    )


# --- PQR-01: registering ------------------------------------------------------------------------


def test_pqr01_registered_by_hand_is_the_creadors_and_says_what_is_missing(creador, register):
    interaction = register(contract="", property_address="", motive="")

    assert interaction.status == Status.OPEN
    assert interaction.handled_by == creador
    assert interaction.provider == "manual"
    assert interaction.last_inbound_at == interaction.arrived_at
    assert services.interaction_missing_fields(interaction) == [
        "contract",
        "property_address",
        "motive",
    ]
    assert interaction.history.first().history_user == creador


def test_pqr01_bad_input_gets_spanish_messages_per_field_and_writes_nothing(creador):
    with pytest.raises(ValidationError) as error:
        services.interaction_register(
            by=creador,
            channel="telegram",
            text="  ",
            document_type=DocumentType.CC,
            document_number="12ab",
        )
    assert error.value.message_dict == {
        "channel": ["Seleccione la red o el canal por el que llegó."],
        "text": ["Escriba lo que dijo el usuario (la mención, el chat o la llamada)."],
        "document_number": ["La cédula de ciudadanía debe tener entre 3 y 10 dígitos."],
    }
    with pytest.raises(ValidationError) as error:
        services.interaction_register(
            by=creador, channel=DigitalChannel.FACEBOOK, text="hola", recording_ref="CC-1"
        )
    assert error.value.message_dict == {
        "recording_ref": [
            "La referencia de la grabación solo aplica a llamadas del Contact Center."
        ]
    }
    assert not Interaction.objects.exists()


def test_pqr01_stated_document_keeps_its_type_and_is_normalised(register):
    interaction = register(document_type="", document_number="43.987.654")
    assert (interaction.document_type, interaction.document_number) == ("CC", "43987654")
    with pytest.raises(ValidationError) as error:
        register(document_type=DocumentType.SIN_ID, document_number="")
    assert "document_type" in error.value.message_dict


# --- PQR-02: minimum content, the request, the closing ------------------------------------------


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({}, []),
        ({"contract": ""}, []),  # the address is enough
        ({"property_address": "", "contract": "123"}, []),
        ({"contract": "", "property_address": ""}, ["contract", "property_address"]),
        ({"full_name": "", "document_number": ""}, ["full_name", "document_number"]),
        ({"motive": "  "}, ["motive"]),
    ],
)
def test_pqr02_minimum_content_name_id_contract_or_address_motive(register, data, missing):
    interaction = register(**{"property_address": "Calle 10 # 4-20", **data})
    assert services.interaction_missing_fields(interaction) == missing


def test_pqr02_request_composes_the_editable_template_and_queues_it_for_the_network(
    creador, register
):
    interaction = register(contract="", property_address="", document_number="")
    at = bogota(2026, 3, 10, 9, 5)

    message = services.interaction_request_info(interaction=interaction, by=creador, at=at)

    interaction.refresh_from_db()
    assert interaction.status == Status.WAITING_INFO
    assert interaction.info_requested_at == at
    assert message.idempotency_key == f"pqr-digital:{interaction.pk}:solicitud-informacion:1"
    assert message.subject == interaction
    assert message.channel == DigitalChannel.FACEBOOK
    assert message.recipient == "@vecinabello"
    assert message.provider == "manual"  # registered by hand: the creador sends it
    assert message.status == OutboundMessage.Status.HUMAN
    assert message.created_by == creador
    assert message.body == (
        "Buenos días, Marcela Ríos Gaviria. Para atender su solicitud necesitamos los "
        "siguientes datos: número de identificación y contrato o dirección del inmueble. Por "
        "favor envíelos por este mismo medio. Si no recibimos la información, su solicitud no "
        "podrá ser atendida."
    )


def test_core11_pqr02_request_uses_the_text_a_manager_edited(creador, incomplete):
    template = MessageTemplate.objects.get(code=TEMPLATE_REQUEST_INFO)
    template.body = "Hola {{ nombre_cliente }}: envíenos {{ datos_faltantes }}."
    template.save()

    message = services.interaction_request_info(interaction=incomplete, by=creador)

    assert message.body == "Hola Marcela Ríos Gaviria: envíenos contrato o dirección del inmueble."


def test_pqr02_request_refused_when_nothing_missing_in_a_call_or_already_waiting(
    creador, register, incomplete
):
    with pytest.raises(ProtocolConflict, match="No falta ningún dato mínimo"):
        services.interaction_request_info(interaction=register(), by=creador)
    call = register(channel=DigitalChannel.CONTACT_CENTER, motive="")
    with pytest.raises(ProtocolConflict, match="durante la llamada"):
        services.interaction_request_info(interaction=call, by=creador)
    services.interaction_request_info(interaction=incomplete, by=creador)
    with pytest.raises(ProtocolConflict, match="se espera la respuesta"):
        services.interaction_request_info(interaction=incomplete, by=creador)
    assert OutboundMessage.objects.count() == 1


def test_pqr02_asking_again_after_a_partial_answer_is_a_new_message(creador, register):
    interaction = register(contract="", property_address="", motive="")
    services.interaction_request_info(interaction=interaction, by=creador)
    services.interaction_update(interaction=interaction, by=creador, contract="1203456")
    interaction.refresh_from_db()
    assert interaction.status == Status.OPEN  # the user's answer, typed in by the creador

    second = services.interaction_request_info(interaction=interaction, by=creador)

    assert second.idempotency_key.endswith(":solicitud-informacion:2")
    assert "motivo de la petición" in second.body
    assert "contrato" not in second.body


def test_pqr02_next_day_job_closes_once_and_sends_one_message(creador, incomplete):
    services.interaction_request_info(
        interaction=incomplete, by=creador, at=bogota(2026, 3, 10, 16, 0)
    )

    assert services.interactions_close_unanswered_due(now=bogota(2026, 3, 11, 8, 0)) == 1
    assert services.interactions_close_unanswered_due(now=bogota(2026, 3, 11, 8, 5)) == 0

    incomplete.refresh_from_db()
    assert incomplete.status == Status.UNATTENDED
    assert incomplete.closed_at == bogota(2026, 3, 11, 8, 0)
    assert incomplete.closed_by is None
    closing = _messages(incomplete, Purpose.CLOSE_UNANSWERED)
    assert len(closing) == 1
    assert closing[0].idempotency_key == f"pqr-digital:{incomplete.pk}:cierre-sin-informacion"
    assert "no será atendida" in closing[0].body
    assert "(contrato o dirección del inmueble)" in closing[0].body
    assert incomplete.history.first().history_change_reason.startswith("cierre automático")
    # A creador closing it afterwards is refused; nothing more is sent.
    with pytest.raises(ProtocolConflict, match="cerrada"):
        services.interaction_close_unanswered(interaction=incomplete, by=creador)
    assert len(_messages(incomplete)) == 2


def test_pqr02_a_request_made_today_is_not_closed_today(creador, incomplete):
    services.interaction_request_info(
        interaction=incomplete, by=creador, at=bogota(2026, 3, 10, 7, 30)
    )
    assert services.interactions_close_unanswered_due(now=bogota(2026, 3, 10, 23, 59)) == 0
    incomplete.refresh_from_db()
    assert incomplete.status == Status.WAITING_INFO
    with pytest.raises(ProtocolConflict, match="tiene hasta mañana"):
        services.interaction_close_unanswered(
            interaction=incomplete, by=creador, at=bogota(2026, 3, 10, 18, 0)
        )


def test_pqr02_the_day_is_bogotas_not_utcs(creador, register):
    """20:00 in Bogotá is already the next day in UTC, and 00:30 of the next day in Bogotá is
    05:30 UTC: only the first request is from an earlier Bogotá day at 08:00."""
    evening = register(contract="", property_address="")
    past_midnight = register(contract="", property_address="", author_handle="@otra")
    services.interaction_request_info(
        interaction=evening, by=creador, at=bogota(2026, 3, 10, 20, 0)
    )
    services.interaction_request_info(
        interaction=past_midnight, by=creador, at=bogota(2026, 3, 11, 0, 30)
    )

    assert services.interactions_close_unanswered_due(now=bogota(2026, 3, 11, 8, 0)) == 1

    evening.refresh_from_db()
    past_midnight.refresh_from_db()
    assert (evening.status, past_midnight.status) == (Status.UNATTENDED, Status.WAITING_INFO)


def test_pqr02_the_users_answer_in_time_stops_the_closing(creador):
    interaction = _received(at=bogota(2026, 3, 10, 9, 0))
    services.interaction_update(
        interaction=interaction, by=creador, full_name="Carolina Zapata", motive="Factura alta"
    )
    services.interaction_request_info(
        interaction=interaction, by=creador, at=bogota(2026, 3, 10, 9, 30)
    )

    answered = _received(at=bogota(2026, 3, 10, 21, 0))  # the same user writes back

    assert answered.pk == interaction.pk
    assert services.interactions_close_unanswered_due(now=bogota(2026, 3, 11, 8, 0)) == 0
    interaction.refresh_from_db()
    assert interaction.status == Status.OPEN
    assert interaction.info_answered_at == bogota(2026, 3, 10, 21, 0)
    assert not _messages(interaction, Purpose.CLOSE_UNANSWERED)


def test_pqr02_nfr03_an_answer_stored_but_not_processed_still_stops_the_closing(creador):
    """The webhook stored the user's answer in time but no worker processed it (broker down,
    task lost): the daily job processes the stored deliveries first, so the answer counts."""
    from pqr_digital.models import InboundMessage

    interaction = _received(at=bogota(2026, 3, 10, 9, 0))
    services.interaction_update(
        interaction=interaction, by=creador, full_name="Carolina Zapata", motive="Factura alta"
    )
    services.interaction_request_info(
        interaction=interaction, by=creador, at=bogota(2026, 3, 10, 9, 30)
    )
    InboundMessage.objects.create(
        provider="meta",
        provider_message_id="wamid.respuesta-sin-procesar",
        channel=DigitalChannel.WHATSAPP,
        sender_id="573001112233",
        text="Mi contrato es 1203456",
        sent_at=bogota(2026, 3, 10, 21, 0),
    )

    assert services.interactions_close_unanswered_due(now=bogota(2026, 3, 11, 8, 0)) == 0

    interaction.refresh_from_db()
    assert interaction.status == Status.OPEN
    assert interaction.info_answered_at == bogota(2026, 3, 10, 21, 0)
    assert not _messages(interaction, Purpose.CLOSE_UNANSWERED)
    assert InboundMessage.objects.get().interaction_id == interaction.pk


def test_pqr02_the_creador_typing_the_answer_stops_the_closing(creador, incomplete):
    services.interaction_request_info(
        interaction=incomplete, by=creador, at=bogota(2026, 3, 10, 9, 0)
    )
    services.interaction_update(interaction=incomplete, by=creador, contract="1203456")

    assert services.interactions_close_unanswered_due(now=bogota(2026, 3, 11, 8, 0)) == 0
    incomplete.refresh_from_db()
    assert incomplete.status == Status.OPEN
    assert incomplete.history.first().history_change_reason == (
        "datos completados: respuesta del usuario"
    )


def test_pqr02_user_who_cannot_receive_messages_is_closed_without_message(creador, incomplete):
    services.interaction_close_unanswered(
        interaction=incomplete, by=creador, cannot_receive_messages=True
    )

    incomplete.refresh_from_db()
    assert incomplete.status == Status.UNATTENDED
    assert incomplete.cannot_receive_messages is True
    assert incomplete.closed_by == creador
    assert not _messages(incomplete)
    assert "no puede recibir mensajes" in incomplete.history.first().history_change_reason


def test_pqr02_closing_before_asking_or_with_complete_data_is_refused(creador, register):
    with pytest.raises(ProtocolConflict, match="Primero solicite"):
        services.interaction_close_unanswered(
            interaction=register(contract="", property_address=""), by=creador
        )
    with pytest.raises(ProtocolConflict, match="radique la PQR"):
        services.interaction_close_unanswered(interaction=register(), by=creador)


def test_pqr02_a_call_without_the_data_closes_at_once_without_inbox_message(creador, register):
    call = register(channel=DigitalChannel.CONTACT_CENTER, document_number="")
    services.interaction_close_unanswered(interaction=call, by=creador)
    call.refresh_from_db()
    assert call.status == Status.UNATTENDED
    assert not _messages(call)


def test_pqr02_daily_task_runs_the_job(creador, incomplete):
    services.interaction_request_info(
        interaction=incomplete, by=creador, at=timezone.now() - dt.timedelta(days=2)
    )
    assert close_unanswered_task.delay().get() == 1


@pytest.mark.django_db(transaction=True)
def test_pqr02_job_skips_an_interaction_locked_by_another_transaction(postgres, creador, register):
    """SKIP LOCKED: a row locked elsewhere (a worker, a creador filing it) is left for the next
    run instead of waiting or being closed twice."""
    interaction = register(contract="", property_address="")
    services.interaction_request_info(
        interaction=interaction, by=creador, at=timezone.now() - dt.timedelta(days=1)
    )
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            Interaction.objects.select_for_update().get(pk=interaction.pk)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert services.interactions_close_unanswered_due() == 0
    finally:
        release.set()
        holder.join(10)
    assert services.interactions_close_unanswered_due() == 1
    assert len(_messages(interaction, Purpose.CLOSE_UNANSWERED)) == 1


# --- PQR-03: the PQR ----------------------------------------------------------------------------


@pytest.mark.parametrize("channel", list(DigitalChannel))
def test_pqr03_the_pqr_fields_exactly(creador, register, channel):
    interaction = register(channel=channel, property_address="Calle 10 # 4-20")
    at = bogota(2026, 3, 10, 10, 0)
    before = Customer.objects.count()

    case = services.interaction_pqr_create(interaction=interaction, by=creador, at=at)

    case = Case.objects.select_related("customer", "channel", "initial_cause").get(pk=case.pk)
    assert case.kind == CaseKind.PQR
    assert case.pqr_type == PqrType.RECLAMO
    assert case.channel.name == CHANNEL_LABELS[channel]
    assert case.modality == Modality.PQR_DIGITAL
    assert case.initial_cause.name == "inconformidad con consumo o producción facturado"
    assert case.status == CaseStatus.ABIERTO
    assert case.pool is None and case.assigned_to is None and case.office is None
    assert case.created_by == creador
    assert case.filed_at == at
    assert case.due_date == pqr_due_date(at)
    assert (case.contract_number, case.property_address, case.motive) == (
        "1203456",
        "Calle 10 # 4-20",
        COMPLETE["motive"],
    )
    # The number matches no contact: a new one "Sin identificación", with the name given.
    assert Customer.objects.count() == before + 1
    assert case.customer.document_type == DocumentType.SIN_ID
    assert case.customer.document_number == ""
    assert case.customer.full_name == "Marcela Ríos Gaviria"
    interaction.refresh_from_db()
    assert interaction.status == Status.PQR_CREATED
    assert interaction.case == case
    assert interaction.document_number == "43987654"  # the stated number is kept
    assert interaction.closed_by == creador


def test_pqr03_an_existing_contact_is_selected(creador, register):
    customer = CustomerFactory(document_type=DocumentType.CC, document_number="43987654")
    before = Customer.objects.count()

    case = services.interaction_pqr_create(interaction=register(), by=creador)

    assert case.customer == customer
    assert Customer.objects.count() == before


def test_pqr03_minimum_content_missing_answers_400_per_field_and_writes_nothing(creador, register):
    interaction = register(
        full_name="", document_number="", contract="", property_address="", motive=""
    )
    before = _counts()

    with pytest.raises(ValidationError) as error:
        services.interaction_pqr_create(interaction=interaction, by=creador)

    assert error.value.message_dict == {
        "full_name": ["Falta el nombre del usuario."],
        "document_number": ["Falta el número de identificación del usuario."],
        "contract": ["Falta el contrato o la dirección del inmueble."],
        "property_address": ["Falta el contrato o la dirección del inmueble."],
        "motive": ["Falta el motivo de la petición."],
    }
    assert _counts() == before
    interaction.refresh_from_db()
    assert interaction.status == Status.OPEN and interaction.case is None
    assert not _messages(interaction)


def test_pqr03_missing_data_given_with_the_request_are_used(creador, incomplete):
    case = services.interaction_pqr_create(
        interaction=incomplete, by=creador, property_address="Carrera 45 # 12-30"
    )
    assert case.property_address == "Carrera 45 # 12-30"
    incomplete.refresh_from_db()
    assert incomplete.property_address == "Carrera 45 # 12-30"


def test_pqr03_a_second_pqr_of_the_same_interaction_is_refused(creador, register):
    interaction = register()
    case = services.interaction_pqr_create(interaction=interaction, by=creador)
    with pytest.raises(ProtocolConflict, match=f"Ya se radicó la PQR {case.number}"):
        services.interaction_pqr_create(interaction=interaction, by=creador)
    assert Case.objects.count() == 1


def test_pqr03_another_creadors_interaction_is_refused(creador, other_creador, register):
    with pytest.raises(ProtocolConflict, match="a cargo de otro creador"):
        services.interaction_pqr_create(interaction=register(), by=other_creador)
    assert not Case.objects.exists()


def test_pqr03_an_unassigned_interaction_is_taken_by_who_files_it(other_creador):
    interaction = _received()
    services.interaction_pqr_create(
        interaction=interaction, by=other_creador, **{**COMPLETE, "contract": "1203456"}
    )
    interaction.refresh_from_db()
    assert interaction.handled_by == other_creador


# --- PQR-04 / PQR-05: the rules first ----------------------------------------------------------


def test_pqr04_sewerage_with_payments_goes_to_the_written_channel_nothing_created(
    creador, register
):
    interaction = register(document_number="", contract="", property_address="")
    before = _counts()

    with pytest.raises(services.InteractionRedirected) as error:
        services.interaction_pqr_create(
            interaction=interaction,
            by=creador,
            sewerage_not_provided=True,
            sewerage_payments=True,
        )

    assert isinstance(error.value, ProtocolConflict)  # the API's 409
    assert error.value.messages == [
        "Reclamo por alcantarillado no prestado con pagos realizados: involucra devolución de "
        "valores y se tramita por el canal escrito. No se radicó PQR: la interacción quedó "
        "cerrada como «redirigida a canal escrito» y el mensaje al usuario quedó listo: "
        "cópielo en la consola de la red y márquelo como enviado."
    ]
    assert _counts() == before  # no case, no contact
    interaction.refresh_from_db()
    assert interaction.status == Status.REDIRECTED_WRITTEN
    assert interaction.case is None and interaction.closed_by == creador
    assert (interaction.sewerage_not_provided, interaction.sewerage_payments) == (True, True)
    [message] = _messages(interaction)
    assert message.purpose == Purpose.REDIRECT_WRITTEN
    assert "debe presentarse por el canal escrito" in message.body
    assert message.idempotency_key == f"pqr-digital:{interaction.pk}:redireccion-canal-escrito"


def test_pqr04_sewerage_without_payments_is_accepted(creador, register):
    case = services.interaction_pqr_create(
        interaction=register(), by=creador, sewerage_not_provided=True, sewerage_payments=False
    )
    assert case.pqr_type == PqrType.RECLAMO
    assert case.digital_interaction.sewerage_not_provided is True


@pytest.mark.parametrize(
    ("holder", "document"),
    [
        (Interaction.Holder.LEGAL, (DocumentType.CC, "43987654")),
        (Interaction.Holder.NATURAL, (DocumentType.NIT, "900765432-1")),
    ],
)
def test_pqr05_non_residential_of_a_legal_entity_is_redirected_nothing_created(
    creador, register, holder, document
):
    interaction = register(document_type=document[0], document_number=document[1])
    before = _counts()

    with pytest.raises(services.InteractionRedirected, match="persona jurídica"):
        services.interaction_pqr_create(
            interaction=interaction,
            by=creador,
            premises=Interaction.Premises.NON_RESIDENTIAL,
            holder=holder,
        )

    assert _counts() == before
    interaction.refresh_from_db()
    assert interaction.status == Status.REDIRECTED_OTHER
    [message] = _messages(interaction)
    assert message.purpose == Purpose.REDIRECT_LEGAL_ENTITY
    assert "acreditar la relación con el inmueble" in message.body


def test_pqr05_natural_person_non_residential_needs_the_relation_and_it_is_recorded(
    creador, register
):
    interaction = register()
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.interaction_pqr_create(
            interaction=interaction, by=creador, premises=Interaction.Premises.NON_RESIDENTIAL
        )
    assert list(error.value.message_dict) == ["relation_to_premises"]
    assert "relación del solicitante con el inmueble" in error.value.messages[0]
    assert _counts() == before

    case = services.interaction_pqr_create(
        interaction=interaction,
        by=creador,
        premises=Interaction.Premises.NON_RESIDENTIAL,
        relation_to_premises="Arrendatario del local (panadería)",
    )

    interaction.refresh_from_db()
    assert interaction.case == case
    assert interaction.relation_to_premises == "Arrendatario del local (panadería)"
    assert interaction.premises == Interaction.Premises.NON_RESIDENTIAL


def test_pqr05_a_nit_for_residential_premises_is_filed(creador, register):
    interaction = register(document_type=DocumentType.NIT, document_number="900765432-1")
    case = services.interaction_pqr_create(interaction=interaction, by=creador)
    assert case.status == CaseStatus.ABIERTO


def test_pqr04_pqr05_bad_answers_get_spanish_messages(creador, register):
    with pytest.raises(ValidationError) as error:
        services.interaction_pqr_create(
            interaction=register(), by=creador, premises="bodega", holder="mixta"
        )
    assert error.value.message_dict == {
        "premises": ["Indique si el inmueble es residencial o no residencial."],
        "holder": ["Indique si el titular es persona natural o jurídica."],
    }


# --- PQR-06: the user is told, the evidence ----------------------------------------------------


def test_pqr06_the_user_is_told_motive_and_number_through_the_same_channel(creador, register):
    interaction = register(channel=DigitalChannel.INSTAGRAM)

    case = services.interaction_pqr_create(interaction=interaction, by=creador)

    [message] = _messages(interaction)
    assert message.purpose == Purpose.FILED
    assert message.channel == DigitalChannel.INSTAGRAM
    assert message.idempotency_key == f"pqr-digital:{interaction.pk}:pqr-radicada"
    assert f"Registramos su reclamo con el número {case.number}." in message.body
    assert f"Motivo PQR (Detalle): {COMPLETE['motive']} La respuesta" in message.body
    assert f"a más tardar el {case.due_date:%d/%m/%Y}" in message.body
    assert "por los medios previstos por la ley" in message.body
    assert message.status == OutboundMessage.Status.HUMAN


def test_pqr06_core13_the_authorised_medium_is_stored_and_told(creador, register):
    interaction = register()
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.interaction_pqr_create(
            interaction=interaction,
            by=creador,
            notification_medium="email",
            notification_email="marcela@example.com",
        )
    assert list(error.value.message_dict) == ["notification_email_consent"]
    assert _counts() == before

    case = services.interaction_pqr_create(
        interaction=interaction,
        by=creador,
        notification_medium="email",
        notification_email="marcela@Example.com",
        notification_email_consent=True,
    )

    case.refresh_from_db()
    assert (case.notification_medium, case.notification_email) == ("email", "marcela@example.com")
    assert case.notification_email_consent is True
    assert "se le notificará por correo electrónico" in _messages(interaction)[0].body


def test_pqr06_a_call_keeps_the_recording_six_months_and_the_creador_says_the_number(
    creador, register
):
    call = register(channel=DigitalChannel.CONTACT_CENTER, recording_ref="")
    with pytest.raises(ValidationError) as error:
        services.interaction_pqr_create(interaction=call, by=creador)
    assert list(error.value.message_dict) == ["recording_ref"]

    case = services.interaction_pqr_create(
        interaction=call, by=creador, recording_ref="CC-ORF-77", at=bogota(2026, 8, 31, 17, 0)
    )

    call.refresh_from_db()
    assert call.recording_ref == "CC-ORF-77"
    assert call.recording_retained_until == dt.date(2027, 2, 28)
    [message] = _messages(call)
    assert message.purpose == Purpose.FILED and case.number in message.body
    assert message.status == OutboundMessage.Status.SENT  # said during the call
    assert message.sent_by == creador
    with pytest.raises(ProtocolConflict, match="la evidencia es la grabación"):
        services.interaction_screenshot_add(
            interaction=call,
            by=creador,
            upload=SimpleUploadedFile("captura.png", TINY_PNG, "image/png"),
        )


def test_pqr06_the_screenshot_goes_to_the_pqr_evidence_as_captura_chat(creador, register):
    interaction = register(channel=DigitalChannel.WHATSAPP)
    upload = SimpleUploadedFile("chat.png", TINY_PNG, "image/png")
    with pytest.raises(ProtocolConflict, match="Primero radique la PQR"):
        services.interaction_screenshot_add(interaction=interaction, by=creador, upload=upload)
    case = services.interaction_pqr_create(interaction=interaction, by=creador)

    evidence = services.interaction_screenshot_add(
        interaction=interaction,
        by=creador,
        upload=SimpleUploadedFile("chat.png", TINY_PNG, "image/png"),
    )

    assert evidence.case == case
    assert evidence.kind == EvidenceKind.CHAT_SCREENSHOT
    assert evidence.uploaded_by == creador
    assert evidence.customer_id == case.customer_id


def test_pqr06_a_manual_message_is_marked_sent_once(creador, register):
    interaction = register()
    services.interaction_pqr_create(interaction=interaction, by=creador)
    [message] = _messages(interaction)

    sent = services.interaction_message_mark_sent(
        interaction=interaction, message=message, by=creador
    )

    assert sent.status == OutboundMessage.Status.SENT
    assert sent.sent_by == creador and sent.sent_at is not None
    with pytest.raises(ProtocolConflict, match="ya fue marcado"):
        services.interaction_message_mark_sent(interaction=interaction, message=sent, by=creador)


def test_pqr06_a_user_known_to_meta_gets_the_reply_window(creador, monkeypatch):
    """A user the network identified (webhook) is answered by the automatic provider when it
    is configured, within 24 h of their last message."""
    monkeypatch.setattr(
        "pqr_digital.services.interactions.common.provider_for", lambda channel: "meta"
    )
    arrived = timezone.now() - dt.timedelta(hours=1)
    interaction = _received(at=arrived)

    message = services.interaction_request_info(interaction=interaction, by=creador)

    assert message.provider == "meta"
    assert message.recipient == "573001112233"
    assert message.reply_window_ends_at == arrived + dt.timedelta(hours=24)
