"""CEL-02 office turns and CEL-03 the turn side of the virtual booth: numbers, eligibility,
mobile, "Llamar" under concurrency, one active turn per technologist, refusal, cannot connect,
the office's decision, past days; the API per role (NFR-02)."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import (
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    TransactionType,
    Turn,
    TurnEvent,
    TurnStatus,
)
from core.personal_data import MOBILE_MESSAGE
from core.roles import Role
from core.selectors.turns import booth_turns_for, office_queue, turn_get_for_user
from core.services import turns as svc
from tests.factories import OfficeFactory, make_case
from tests.helpers import make_user, token_client

pytestmark = pytest.mark.django_db

MOBILE = "3112223344"


def tt(code: str = "duplicado-de-factura") -> TransactionType:
    return TransactionType.objects.get(code=code)


def roster(tech, office, *, modality=RemoteModality.CELULAR, day=None):
    return RosterEntry.objects.create(
        day=day or timezone.localdate(), technologist=tech, office=office, modality=modality
    )


def shift_check(tech):
    return ShiftCheck.objects.create(
        technologist=tech,
        day=timezone.localdate(),
        audio_ok=True,
        printer_ok=True,
        checked_at=timezone.now(),
    )


def remote_turn(office, *, at=None, code="duplicado-de-factura", mobile=MOBILE):
    return svc.turn_create(
        office=office, transaction_type=tt(code), accepts_remote=True, mobile=mobile, at=at
    )


def technologist(office, username, *, rostered_to=None):
    tech = make_user(Role.TECNOLOGO, office, username=username)
    if rostered_to is not None:
        roster(tech, rostered_to)
    return tech


def kinds(turn) -> list[str]:
    return list(turn.events.order_by("at", "id").values_list("kind", flat=True))


# --- CEL-02: numbers ----------------------------------------------------------------------


def test_cel02_numbers_per_office_and_day(office, other_office):
    yesterday = timezone.now() - dt.timedelta(days=1)
    first = svc.turn_create(office=office, transaction_type=tt(), accepts_remote=False)
    second = svc.turn_create(office=office, transaction_type=tt(), accepts_remote=False)
    elsewhere = svc.turn_create(office=other_office, transaction_type=tt(), accepts_remote=False)
    before = svc.turn_create(
        office=office, transaction_type=tt(), accepts_remote=False, at=yesterday
    )

    assert [first.number, second.number] == [f"{office.code}-001", f"{office.code}-002"]
    assert elsewhere.number == f"{other_office.code}-001"
    assert before.number == f"{office.code}-001"
    assert before.day == timezone.localdate(yesterday)
    assert first.status == TurnStatus.EN_ESPERA
    assert kinds(first) == [TurnEvent.Kind.CREADO]


def test_cel02_rolled_back_turn_leaves_no_gap(office):
    with pytest.raises(RuntimeError), transaction.atomic():
        svc.turn_create(office=office, transaction_type=tt(), accepts_remote=False)
        raise RuntimeError("la petición falla después de entregar el turno")
    turn = svc.turn_create(office=office, transaction_type=tt(), accepts_remote=False)
    assert turn.number == f"{office.code}-001"


@pytest.mark.django_db(transaction=True)
def test_cel02_concurrent_numbers_no_duplicate_no_gap(postgres):
    """8 threads give turns at once in one office on PostgreSQL: every number once, none
    skipped."""
    office = OfficeFactory()
    type_id = tt().pk
    threads_n, per_thread = 8, 5
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def work():
        try:
            barrier.wait(timeout=30)
            for _ in range(per_thread):
                svc.turn_create(
                    office=office,
                    transaction_type=TransactionType.objects.get(pk=type_id),
                    accepts_remote=True,
                    mobile=MOBILE,
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    numbers = sorted(Turn.objects.filter(office=office).values_list("number", flat=True))
    assert numbers == [f"{office.code}-{n:03d}" for n in range(1, threads_n * per_thread + 1)]


# --- CEL-02: eligibility and mobile ----------------------------------------------------------


@pytest.mark.parametrize(
    ("has_orientador", "code", "eligible"),
    [
        (True, "radicacion-de-documentos", True),
        (True, "pedidos-energia-prepago", True),
        (True, "duplicado-de-factura", True),
        (True, "financiacion-refinanciacion", True),
        (False, "radicacion-de-documentos", False),
        (False, "pedidos-energia-prepago", False),
        (False, "duplicado-de-factura", True),
        (False, "revision-de-medidor", True),
    ],
)
def test_cel02_eligibility_per_office_with_and_without_orientador(has_orientador, code, eligible):
    office = OfficeFactory(has_orientador=has_orientador)
    assert svc.turn_eligible_remote(office=office, transaction_type=tt(code)) is eligible


def test_cel02_inactive_transaction_is_not_eligible(office):
    inactive = tt()
    inactive.active = False
    inactive.save(update_fields=["active"])
    assert svc.turn_eligible_remote(office=office, transaction_type=inactive) is False
    with pytest.raises(ValidationError) as exc:
        svc.turn_create(office=office, transaction_type=inactive, accepts_remote=False)
    assert exc.value.message_dict == {"transaction_type": [svc.INACTIVE_TYPE]}


def test_cel02_remote_refused_for_ineligible_transaction_nothing_written():
    office = OfficeFactory(has_orientador=False)
    with pytest.raises(ValidationError) as exc:
        svc.turn_create(
            office=office,
            transaction_type=tt("radicacion-de-documentos"),
            accepts_remote=True,
            mobile=MOBILE,
        )
    assert exc.value.message_dict == {"accepts_remote": [svc.NOT_REMOTE_ELIGIBLE]}
    assert not Turn.objects.exists()
    # In person the same transaction takes its turn.
    turn = svc.turn_create(
        office=office, transaction_type=tt("radicacion-de-documentos"), accepts_remote=False
    )
    assert turn.number.endswith("-001")


@pytest.mark.parametrize(
    ("mobile", "message"),
    [
        ("", svc.MOBILE_REQUIRED),
        ("   ", svc.MOBILE_REQUIRED),
        ("12345", MOBILE_MESSAGE),
        ("6045556677", MOBILE_MESSAGE),  # a landline of Medellín
        ("+1 212 555 0100", MOBILE_MESSAGE),
    ],
)
def test_cel02_mobile_validation_messages(office, mobile, message):
    with pytest.raises(ValidationError) as exc:
        svc.turn_create(office=office, transaction_type=tt(), accepts_remote=True, mobile=mobile)
    assert exc.value.message_dict == {"mobile": [message]}
    assert not Turn.objects.exists()


def test_cel02_mobile_stored_normalised_and_only_when_accepting(office):
    remote = svc.turn_create(
        office=office, transaction_type=tt(), accepts_remote=True, mobile="+57 311 222-3344"
    )
    in_person = svc.turn_create(
        office=office, transaction_type=tt(), accepts_remote=False, mobile="3112223344"
    )
    remote.refresh_from_db()
    in_person.refresh_from_db()
    assert remote.mobile == MOBILE and remote.accepts_remote is True
    assert in_person.mobile == "" and in_person.accepts_remote is False


# --- CEL-03: "Llamar" ------------------------------------------------------------------------


def test_cel03_take_calls_the_turn(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    turn = remote_turn(office)

    taken = svc.turn_take(turn=turn, by=tech)

    turn.refresh_from_db()
    assert taken.status == turn.status == TurnStatus.LLAMADO
    assert turn.called_by == tech and turn.called_at is not None
    assert kinds(turn) == [TurnEvent.Kind.CREADO, TurnEvent.Kind.LLAMADO]
    assert turn.events.get(kind=TurnEvent.Kind.LLAMADO).by == tech
    assert list(booth_turns_for(technologist=tech)) == []


@pytest.mark.parametrize("how", ["no_roster", "other_office", "other_modality", "yesterday"])
def test_cel03_take_requires_todays_cellphone_roster_for_the_office(office, other_office, how):
    tech = technologist(office, "tec_a")
    if how == "other_office":
        roster(tech, other_office)
    elif how == "other_modality":
        roster(tech, office, modality=RemoteModality.ASESOR_EN_LINEA)
    elif how == "yesterday":
        roster(tech, office, day=timezone.localdate() - dt.timedelta(days=1))
    turn = remote_turn(office)

    with pytest.raises(Http404):
        svc.turn_take(turn=turn, by=tech)
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA and turn.called_by is None


def test_cel03_take_of_a_turn_taken_by_someone_else_is_409(office):
    first = technologist(office, "tec_a", rostered_to=office)
    second = technologist(office, "tec_b", rostered_to=office)
    turn = remote_turn(office)
    svc.turn_take(turn=turn, by=first)

    with pytest.raises(ProtocolConflict) as exc:
        svc.turn_take(turn=turn, by=second)
    assert exc.value.messages == [svc.TAKEN]


def test_cel03_double_tap_on_ones_own_call_returns_it(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    turn = remote_turn(office)
    svc.turn_take(turn=turn, by=tech)
    again = svc.turn_take(turn=turn, by=tech)
    assert again.status == TurnStatus.LLAMADO and again.called_by_id == tech.pk
    assert kinds(turn).count(TurnEvent.Kind.LLAMADO) == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("in_person", "será atendido de manera presencial"),
        ("office_check", "La oficina está validando"),
    ],
)
def test_cel03_take_of_a_turn_off_the_booth_list_is_409(office, setup, message):
    tech = technologist(office, "tec_a", rostered_to=office)
    other = technologist(office, "tec_b", rostered_to=office)
    turn = remote_turn(office)
    if setup == "in_person":
        turn = svc.turn_create(office=office, transaction_type=tt(), accepts_remote=False)
    else:
        svc.turn_take(turn=turn, by=other)
        svc.turn_no_connect(turn=turn, by=other)
    with pytest.raises(ProtocolConflict) as exc:
        svc.turn_take(turn=turn, by=tech)
    assert message in exc.value.messages[0]


@pytest.mark.django_db(transaction=True)
def test_cel03_two_technologists_take_the_same_turn_at_once_one_wins(postgres):
    """Two technologists press "Llamar" on the same turn at the same moment (PostgreSQL,
    separate connections): exactly one gets it, the other the 409 message."""
    office = OfficeFactory()
    techs = [technologist(office, f"tec_{i}", rostered_to=office) for i in range(2)]
    rounds = 5
    turns = [remote_turn(office) for _ in range(rounds)]
    outcomes: list[list] = [[] for _ in range(rounds)]
    barrier = threading.Barrier(2)

    def press(tech):
        try:
            for i, turn in enumerate(turns):
                barrier.wait(timeout=30)
                try:
                    svc.turn_take(turn=Turn.objects.get(pk=turn.pk), by=tech)
                    outcomes[i].append(("ok", tech.pk))
                    barrier.wait(timeout=30)  # both pressed: release for the next round
                    svc.turn_refuse(turn=Turn.objects.get(pk=turn.pk), by=tech)
                except ProtocolConflict as exc:
                    outcomes[i].append(("409", exc.messages[0]))
                    barrier.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes[0].append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(t,)) for t in techs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for i, outcome in enumerate(outcomes):
        assert sorted(kind for kind, _ in outcome) == ["409", "ok"], outcome
        assert ("409", svc.TAKEN) in outcome
        turn = Turn.objects.get(pk=turns[i].pk)
        winner = next(who for kind, who in outcome if kind == "ok")
        assert turn.called_by_id == winner
        assert turn.events.filter(kind=TurnEvent.Kind.LLAMADO).count() == 1


def test_cel03_one_active_turn_per_technologist(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    first, second = remote_turn(office), remote_turn(office)
    svc.turn_take(turn=first, by=tech)

    with pytest.raises(ProtocolConflict) as exc:
        svc.turn_take(turn=second, by=tech)
    assert exc.value.messages == [
        f"Ya tiene el turno {first.number} ({office.name}) llamado: termínelo antes de llamar otro."
    ]
    second.refresh_from_db()
    assert second.status == TurnStatus.EN_ESPERA and second.called_by is None

    svc.turn_attention_start(turn=first, by=tech, case=make_case())
    with pytest.raises(ProtocolConflict, match="en atención"):
        svc.turn_take(turn=second, by=tech)
    svc.turn_finish(turn=first, by=tech)
    assert svc.turn_take(turn=second, by=tech).status == TurnStatus.LLAMADO


def test_cel03_one_active_turn_is_a_database_constraint(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    first, second = remote_turn(office), remote_turn(office)
    svc.turn_take(turn=first, by=tech)
    with pytest.raises(IntegrityError), transaction.atomic():
        Turn.objects.filter(pk=second.pk).update(status=TurnStatus.EN_ATENCION, called_by=tech)


def test_cel03_conflict_inside_a_callers_transaction_leaves_it_usable(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    first, second = remote_turn(office), remote_turn(office)
    with transaction.atomic():
        svc.turn_take(turn=first, by=tech)
        with pytest.raises(ProtocolConflict):
            svc.turn_take(turn=second, by=tech)
        assert Turn.objects.get(pk=first.pk).status == TurnStatus.LLAMADO
    assert Turn.objects.get(pk=first.pk).called_by == tech


def test_cel03_a_past_days_unfinished_call_does_not_block_the_technologist(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    yesterday = timezone.now() - dt.timedelta(days=1)
    old = remote_turn(office, at=yesterday)
    Turn.objects.filter(pk=old.pk).update(
        status=TurnStatus.LLAMADO, called_by=tech, called_at=yesterday
    )
    today = remote_turn(office)

    assert svc.turn_take(turn=today, by=tech).status == TurnStatus.LLAMADO

    old.refresh_from_db()
    assert old.status == TurnStatus.CANCELADO
    assert old.events.get(kind=TurnEvent.Kind.CANCELADO).note.startswith("llamado de un día")


# --- CEL-03: outcomes ----------------------------------------------------------------------


def test_cel03_refusal_keeps_the_turns_place_in_the_office_queue(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    first = remote_turn(office)
    second = svc.turn_create(office=office, transaction_type=tt(), accepts_remote=False)
    third = remote_turn(office)
    arrived = first.created_at
    svc.turn_take(turn=first, by=tech)

    refused = svc.turn_refuse(turn=first, by=tech)

    first.refresh_from_db()
    assert refused.status == first.status == TurnStatus.DEVUELTO_A_SALA
    assert first.accepts_remote is False and first.created_at == arrived
    assert list(office_queue(office=office)) == [first, second, third]
    assert list(booth_turns_for(technologist=tech)) == [third]
    assert kinds(first)[-1] == TurnEvent.Kind.RECHAZA
    # The technologist is free again.
    assert svc.turn_take(turn=third, by=tech).status == TurnStatus.LLAMADO


def test_cel03_only_the_caller_records_the_outcome(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    other = technologist(office, "tec_b", rostered_to=office)
    turn = remote_turn(office)
    with pytest.raises(ProtocolConflict, match="no está llamado"):
        svc.turn_refuse(turn=turn, by=tech)
    svc.turn_take(turn=turn, by=tech)
    for action in (svc.turn_refuse, svc.turn_no_connect):
        with pytest.raises(ProtocolConflict) as exc:
            action(turn=turn, by=other)
        assert exc.value.messages == [svc.NOT_HOLDER]
    turn.refresh_from_db()
    assert turn.status == TurnStatus.LLAMADO


def test_cel03_cannot_connect_tells_the_office_staff_by_email(
    office, other_office, django_capture_on_commit_callbacks
):
    orientador = make_user(Role.ORIENTADOR, office, username="ori")
    encargado = make_user(Role.ENCARGADO, office, username="enc")
    make_user(Role.ORIENTADOR, office, username="ori_sin_correo", email="")
    make_user(Role.ORIENTADOR, other_office, username="ori_otra")
    tech = technologist(office, "tec_a", rostered_to=office)
    turn = remote_turn(office)
    svc.turn_take(turn=turn, by=tech)

    with django_capture_on_commit_callbacks(execute=True):
        svc.turn_no_connect(turn=turn, by=tech)

    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA and turn.needs_office_check is True
    assert turn.called_by is None and turn.accepts_remote is True
    assert kinds(turn)[-1] == TurnEvent.Kind.NO_CONECTA
    assert list(booth_turns_for(technologist=tech)) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted([orientador.email, encargado.email])
    message = mail.outbox[0]
    assert message.subject == f"Turno {turn.number}: no se pudo comunicar con el cliente"
    assert "311•••••44" in message.body and MOBILE not in message.body
    assert "celular o de manera presencial" in message.body


@pytest.mark.parametrize(
    ("decision", "accepts_remote", "on_booth", "event"),
    [
        ("celular", True, True, TurnEvent.Kind.DECISION_CELULAR),
        ("presencial", False, False, TurnEvent.Kind.DECISION_PRESENCIAL),
    ],
)
def test_cel03_office_decision_both_ways(office, decision, accepts_remote, on_booth, event):
    encargado = make_user(Role.ENCARGADO, office, username="enc")
    tech = technologist(office, "tec_a", rostered_to=office)
    first = remote_turn(office)
    later = remote_turn(office)
    svc.turn_take(turn=first, by=tech)
    svc.turn_no_connect(turn=first, by=tech)

    decided = svc.turn_office_decision(turn=first, decision=decision, by=encargado)

    first.refresh_from_db()
    assert decided.status == first.status == TurnStatus.EN_ESPERA
    assert first.needs_office_check is False and first.accepts_remote is accepts_remote
    assert kinds(first)[-1] == event
    assert first.events.get(kind=event).by == encargado
    booth = list(booth_turns_for(technologist=tech))
    assert booth == ([first, later] if on_booth else [later])  # back in its place
    assert list(office_queue(office=office)) == [first, later]
    with pytest.raises(ProtocolConflict, match="no está pendiente de validar"):
        svc.turn_office_decision(turn=first, decision=decision, by=encargado)


def test_cel03_office_decision_only_by_that_offices_staff(office, other_office):
    stranger = make_user(Role.ENCARGADO, other_office, username="enc_otra")
    gestor = make_user(Role.GESTOR, office, username="gestor_x")
    orientador = make_user(Role.ORIENTADOR, office, username="ori")
    tech = technologist(office, "tec_a", rostered_to=office)
    turn = remote_turn(office)
    svc.turn_take(turn=turn, by=tech)
    svc.turn_no_connect(turn=turn, by=tech)
    for user in (stranger, gestor, tech):
        with pytest.raises(Http404):
            svc.turn_office_decision(turn=turn, decision="celular", by=user)
    with pytest.raises(ValidationError) as exc:
        svc.turn_office_decision(turn=turn, decision="telepatía", by=orientador)
    assert exc.value.message_dict == {"decision": [svc.DECISION_INVALID]}


def test_cel03_attention_start_and_finish(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    turn = remote_turn(office)
    case = make_case(turn_number=turn.number)
    svc.turn_take(turn=turn, by=tech)

    started = svc.turn_attention_start(turn=turn, by=tech, case=case)
    assert started.status == TurnStatus.EN_ATENCION and started.case == case
    assert started.attention_started_at is not None
    finished = svc.turn_finish(turn=turn)
    assert finished.status == TurnStatus.ATENDIDO and finished.finished_at is not None
    assert svc.turn_finish(turn=turn).finished_at == finished.finished_at  # idempotent
    assert kinds(turn) == [
        TurnEvent.Kind.CREADO,
        TurnEvent.Kind.LLAMADO,
        TurnEvent.Kind.ACEPTA,
        TurnEvent.Kind.ATENDIDO,
    ]
    with pytest.raises(ProtocolConflict, match="no está en atención"):
        svc.turn_finish(turn=remote_turn(office))


def test_cel02_past_days_turns_are_read_only(office):
    encargado = make_user(Role.ENCARGADO, office, username="enc")
    tech = technologist(office, "tec_a", rostered_to=office)
    yesterday = timezone.now() - dt.timedelta(days=1)
    waiting = remote_turn(office, at=yesterday)
    called = remote_turn(office, at=yesterday)
    checking = remote_turn(office, at=yesterday)
    Turn.objects.filter(pk=called.pk).update(status=TurnStatus.LLAMADO, called_by=tech)
    Turn.objects.filter(pk=checking.pk).update(needs_office_check=True)
    called.refresh_from_db()

    with pytest.raises(ProtocolConflict) as exc:
        svc.turn_take(turn=waiting, by=tech)
    assert exc.value.messages == [svc.PAST_DAY]
    for action in (svc.turn_refuse, svc.turn_no_connect):
        with pytest.raises(ProtocolConflict, match=svc.PAST_DAY):
            action(turn=called, by=tech)
    with pytest.raises(ProtocolConflict, match=svc.PAST_DAY):
        svc.turn_attention_start(turn=called, by=tech, case=make_case())
    with pytest.raises(ProtocolConflict, match=svc.PAST_DAY):
        svc.turn_office_decision(turn=checking, decision="celular", by=encargado)
    assert list(booth_turns_for(technologist=tech)) == []
    assert Turn.objects.get(pk=called.pk).status == TurnStatus.LLAMADO


def test_cel03_a_case_closed_after_midnight_still_finishes_its_turn(office):
    tech = technologist(office, "tec_a", rostered_to=office)
    old = remote_turn(office, at=timezone.now() - dt.timedelta(days=1))
    Turn.objects.filter(pk=old.pk).update(
        status=TurnStatus.EN_ATENCION, called_by=tech, case=make_case()
    )
    assert svc.turn_finish(turn=old, by=tech).status == TurnStatus.ATENDIDO


# --- selectors -----------------------------------------------------------------------------


def test_cel03_booth_list_oldest_first_only_supported_offices(
    office, other_office, django_assert_max_num_queries
):
    tech = technologist(office, "tec_a", rostered_to=office)
    roster(tech, other_office)
    third_office = OfficeFactory()
    roster(tech, third_office, modality=RemoteModality.ASESOR_EN_LINEA)
    now = timezone.now()
    newer = remote_turn(office, at=now - dt.timedelta(minutes=1))
    older = remote_turn(other_office, at=now - dt.timedelta(minutes=5))
    remote_turn(third_office)  # supported in another modality
    remote_turn(office, at=now - dt.timedelta(days=1))  # yesterday's
    svc.turn_create(office=office, transaction_type=tt(), accepts_remote=False)

    with django_assert_max_num_queries(1):
        turns = list(booth_turns_for(technologist=tech))
        names = [(t.office.name, t.transaction_type.name) for t in turns]
    assert turns == [older, newer]
    assert names[0] == (other_office.name, tt().name)


def test_nfr02_turn_get_for_user_scope(office, other_office):
    turn = remote_turn(office)
    elsewhere = remote_turn(other_office)
    orientador = make_user(Role.ORIENTADOR, office, username="ori")
    gestor = make_user(Role.GESTOR, office, username="ges")
    gestor_other_unit = make_user(
        Role.GESTOR, OfficeFactory(unit="regional"), username="ges_regional"
    )
    creador = make_user(Role.CREADOR, office, username="cre")
    rostered = technologist(other_office, "tec_r", rostered_to=office)
    not_rostered = technologist(office, "tec_n")

    assert turn_get_for_user(user=orientador, turn_id=turn.pk) == turn
    assert turn_get_for_user(user=gestor, turn_id=elsewhere.pk) == elsewhere
    assert turn_get_for_user(user=rostered, turn_id=turn.pk) == turn
    for user, target in (
        (orientador, elsewhere),
        (rostered, elsewhere),
        (not_rostered, turn),
        (creador, turn),
        (gestor_other_unit, turn),
    ):
        with pytest.raises(Http404):
            turn_get_for_user(user=user, turn_id=target.pk)
    with pytest.raises(Http404):
        turn_get_for_user(user=orientador, turn_id="x")
    # A technologist keeps seeing the turn they called after the roster changes.
    svc.turn_take(turn=turn, by=rostered)
    RosterEntry.objects.filter(technologist=rostered).delete()
    assert turn_get_for_user(user=rostered, turn_id=turn.pk) == turn


# --- API -------------------------------------------------------------------------------------


def test_cel02_api_office_staff_gives_a_turn(office, api_as):
    orientador = make_user(Role.ORIENTADOR, office, username="ori")
    response = api_as(orientador).post(
        f"/api/v1/offices/{office.pk}/turns/",
        {"transaction_type": tt().pk, "accepts_remote": True, "mobile": "311 222 3344"},
        format="json",
    )
    assert response.status_code == 201, response.content
    turn = Turn.objects.get()
    assert response.json() == {"id": turn.pk, "number": f"{office.code}-001", "status": "en_espera"}
    assert turn.mobile == MOBILE and turn.created_by == orientador


def test_cel02_api_external_turn_system_with_an_encargado_token_and_a_code(office):
    """The office's turn system signs in with the token of an encargado of that office and
    names the transaction by its catalogue code."""
    kiosk = make_user(Role.ENCARGADO, office, username="sistema_turnos")
    client = token_client(kiosk)
    response = client.post(
        f"/api/v1/offices/{office.pk}/turns/",
        {"transaction_type": "radicacion-de-documentos", "accepts_remote": False},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Turn.objects.get().transaction_type.code == "radicacion-de-documentos"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"transaction_type": ["Este campo es obligatorio."]}),
        (
            {"transaction_type": "no-existe"},
            {"transaction_type": ["El tipo de transacción no existe."]},
        ),
        ({"transaction_type": 999999}, {"transaction_type": ["El tipo de transacción no existe."]}),
        (
            {"transaction_type": "duplicado-de-factura", "accepts_remote": True},
            {"mobile": [svc.MOBILE_REQUIRED]},
        ),
        (
            {"transaction_type": "duplicado-de-factura", "accepts_remote": True, "mobile": "123"},
            {"mobile": [MOBILE_MESSAGE]},
        ),
        (
            {
                "transaction_type": "pedidos-energia-prepago",
                "accepts_remote": True,
                "mobile": MOBILE,
            },
            {"accepts_remote": [svc.NOT_REMOTE_ELIGIBLE]},
        ),
    ],
)
def test_cel02_api_spanish_400_per_field(api_as, payload, errors):
    office = OfficeFactory(has_orientador=False)
    encargado = make_user(Role.ENCARGADO, office, username="enc")
    response = api_as(encargado).post(f"/api/v1/offices/{office.pk}/turns/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Turn.objects.exists()


@pytest.mark.parametrize(
    ("role", "same_office", "status"),
    [
        (None, True, 401),
        (Role.ORIENTADOR, False, 404),
        (Role.ENCARGADO, False, 404),
        (Role.TECNOLOGO, True, 403),
        (Role.GESTOR, True, 403),
        (Role.CLIENTE_INTERNO, True, 403),
    ],
)
def test_nfr02_api_turn_creation_per_role(
    office, other_office, api, api_as, role, same_office, status
):
    client = api
    if role is not None:
        client = api_as(make_user(role, office if same_office else other_office, username="u1"))
    response = client.post(
        f"/api/v1/offices/{office.pk}/turns/", {"transaction_type": tt().pk}, format="json"
    )
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "Oficina no encontrada."}
    assert not Turn.objects.exists()


def test_cel03_api_booth_list_with_mobiles(
    office, other_office, api_as, django_assert_max_num_queries
):
    tech = technologist(other_office, "tec_a", rostered_to=office)
    shift_check(tech)
    turns = [remote_turn(office) for _ in range(3)]
    client = api_as(tech)
    client.get("/api/v1/booth/turns/")  # warm the per-process caches (content types…)

    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/booth/turns/")

    assert response.status_code == 200
    body = response.json()
    assert [row["number"] for row in body] == [t.number for t in turns]
    assert body[0]["mobile"] == MOBILE and body[0]["dial"] == "0033112223344"
    assert body[0]["office_name"] == office.name
    assert body[0]["transaction_type_name"] == tt().name


def test_cel03_api_booth_needs_the_start_of_shift_check(office, api_as):
    tech = technologist(office, "tec_a", rostered_to=office)
    turn = remote_turn(office)
    client = api_as(tech)
    for response in (
        client.get("/api/v1/booth/turns/"),
        client.post(f"/api/v1/turns/{turn.pk}/take/"),
    ):
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Antes de usar la taquilla virtual registre hoy la "
            "verificación de inicio de turno (audio e impresora de la "
            "oficina que apoya)."
        }
    turn.refresh_from_db()
    assert turn.status == TurnStatus.EN_ESPERA


@pytest.mark.parametrize("role", [Role.ORIENTADOR, Role.ENCARGADO, Role.GESTOR, Role.CREADOR])
def test_nfr02_api_booth_only_for_technologists(office, api_as, role):
    turn = remote_turn(office)
    client = api_as(make_user(role, office, username="u1"))
    assert client.get("/api/v1/booth/turns/").status_code == 403
    assert client.post(f"/api/v1/turns/{turn.pk}/take/").status_code == 403


def test_cel03_api_take_then_409_for_the_second(office, api_as):
    first = technologist(office, "tec_a", rostered_to=office)
    second = technologist(office, "tec_b", rostered_to=office)
    shift_check(first)
    shift_check(second)
    turn = remote_turn(office)

    response = api_as(first).post(f"/api/v1/turns/{turn.pk}/take/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "llamado" and body["dial"] == "0033112223344"
    assert body["number"] == turn.number and body["mobile"] == MOBILE

    late = api_as(second).post(f"/api/v1/turns/{turn.pk}/take/")
    assert late.status_code == 409
    assert late.json() == {"detail": "Otro tecnólogo ya tomó este turno."}


def test_nfr02_api_take_of_an_unsupported_office_is_404(office, other_office, api_as):
    tech = technologist(office, "tec_a", rostered_to=other_office)
    shift_check(tech)
    turn = remote_turn(office)
    response = api_as(tech).post(f"/api/v1/turns/{turn.pk}/take/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Turno no encontrado."}
    assert api_as(tech).post("/api/v1/turns/999999/take/").status_code == 404


def test_cel03_api_office_decision(office, other_office, api_as, api):
    encargado = make_user(Role.ENCARGADO, office, username="enc")
    stranger = make_user(Role.ORIENTADOR, other_office, username="ori_otra")
    tech = technologist(office, "tec_a", rostered_to=office)
    turn = remote_turn(office)
    svc.turn_take(turn=turn, by=tech)
    svc.turn_no_connect(turn=turn, by=tech)
    url = f"/api/v1/turns/{turn.pk}/office-decision/"

    assert api.post(url, {"decision": "celular"}, format="json").status_code == 401
    assert api_as(tech).post(url, {"decision": "celular"}, format="json").status_code == 403
    refused = api_as(stranger).post(url, {"decision": "celular"}, format="json")
    assert refused.status_code == 404 and refused.json() == {"detail": "Turno no encontrado."}
    bad = api_as(encargado).post(url, {"decision": "quizá"}, format="json")
    assert bad.status_code == 400 and bad.json() == {"decision": [svc.DECISION_INVALID]}

    ok = api_as(encargado).post(url, {"decision": "presencial"}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["accepts_remote"] is False and ok.json()["needs_office_check"] is False
    assert "mobile" not in ok.json()
    again = api_as(encargado).post(url, {"decision": "celular"}, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "detail": f"El turno {turn.number} no está pendiente de validar en la oficina."
    }
