"""Review fixes of balancing: an absent technologist does not hold a customer (BAL-03), one lock
order for kiosk calls and deadlocks answered cleanly, rounds from the live socket's signals go
through the broker, the balancing endpoints only see balanced turns (NFR-02), and the shift
check page's queries do not grow with the kiosks (NFR-01)."""

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from balanceo.models import BalanceSeat
from balanceo.services import (
    PAUSED_NO_VIDEO,
    balance_availability_set,
    balance_case_open,
    balance_match_round,
    balance_turn_finish,
    matcher,
)
from core.exceptions import ProtocolConflict
from core.live.auth import LiveParty
from core.models import (
    Kiosk,
    Modality,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    Turn,
    TurnEvent,
    TurnStatus,
    VideoSession,
    VideoSessionStatus,
    VirtualConsent,
)
from core.services.kiosks import kiosk_connection_opened
from core.services.turns.kiosk import turn_kiosk_requeue
from core.signals import kiosk_connected
from core.video.services import video_sessions_unanswered_sweep, video_state_record

pytestmark = pytest.mark.django_db


def _ring_out(settings, capture):
    """Core's per-minute sweep, after the ring timeout: the call ends "fallida"."""
    later = timezone.now() + dt.timedelta(seconds=settings.VIDEO_RING_TIMEOUT_SECONDS + 5)
    with capture(execute=True):
        assert video_sessions_unanswered_sweep(now=later) == 1


def _matched_scene(world, *, others=0):
    office = world.office(kiosks_on=1)
    absent = world.tech(office, idle_minutes=60, username="tec_ausente")
    spare = [world.tech(office, idle_minutes=1, available=False) for _ in range(others)]
    turn = world.turn(office)
    (match,) = balance_match_round()
    assert match.technologist_id == absent.pk
    return office, absent, spare, turn


# --- 1. an absent technologist does not hold the customer (BAL-03) ------------------------------


def test_bal03_unanswered_call_requeues_the_turn_keeping_consent_and_pauses_the_seat(
    world, settings, client, django_capture_on_commit_callbacks
):
    office, absent, _, turn = _matched_scene(world)
    kiosk = Kiosk.objects.get(office=office)

    _ring_out(settings, django_capture_on_commit_callbacks)

    turn = Turn.objects.get(pk=turn.pk)
    assert (turn.status, turn.called_by, turn.called_at, turn.kiosk) == (
        TurnStatus.EN_ESPERA,
        None,
        None,
        None,
    )
    assert turn.virtual_consent == VirtualConsent.ACEPTA  # consent kept: matched again
    event = turn.events.order_by("-id").first()
    assert event.kind == TurnEvent.Kind.DEVUELTO and event.by is None
    assert "no se conectó" in event.note and kiosk.label in event.note
    assert not Turn.objects.filter(kiosk=kiosk, status__in=TurnStatus.active()).exists()
    seat = BalanceSeat.objects.get(technologist=absent)
    assert (seat.available, seat.paused_reason) == (False, PAUSED_NO_VIDEO)

    client.force_login(absent)
    page = client.get("/balanceo/").content.decode()
    assert 'id="seat-paused-reason"' in page
    assert PAUSED_NO_VIDEO in page
    api = client.get("/api/v1/balanceo/status/").json()
    assert api["seat"]["available"] is False
    assert api["seat"]["paused_reason"] == PAUSED_NO_VIDEO

    # "Disponible" again: the notice goes, and the waiting customer is theirs again.
    with django_capture_on_commit_callbacks(execute=True):
        balance_availability_set(technologist=absent, available=True)
    assert BalanceSeat.objects.get(technologist=absent).paused_reason == ""
    assert Turn.objects.get(pk=turn.pk).called_by == absent


def test_bal03_unanswered_call_customer_goes_to_the_next_available_technologist(
    world, settings, django_capture_on_commit_callbacks
):
    office, absent, (present,), turn = _matched_scene(world, others=1)
    BalanceSeat.objects.filter(technologist=present).update(available=True)

    _ring_out(settings, django_capture_on_commit_callbacks)

    turn = Turn.objects.get(pk=turn.pk)
    assert (turn.status, turn.called_by) == (TurnStatus.LLAMADO, present)
    assert VideoSession.objects.filter(
        turn=turn, technologist=present, status=VideoSessionStatus.TIMBRANDO
    ).exists()
    assert not BalanceSeat.objects.get(technologist=absent).available


def test_bal03_failed_call_that_had_connected_does_not_requeue_nor_pause(
    world, django_capture_on_commit_callbacks
):
    _, tech, _, turn = _matched_scene(world)
    session = VideoSession.objects.get(turn=turn)
    party = LiveParty(user=tech)
    video_state_record(session_id=session.pk, party=party, state=VideoSessionStatus.CONECTADA)
    with django_capture_on_commit_callbacks(execute=True):
        video_state_record(
            session_id=session.pk, party=party, state=VideoSessionStatus.FALLIDA, reason="red"
        )
    assert Turn.objects.get(pk=turn.pk).status == TurnStatus.LLAMADO
    seat = BalanceSeat.objects.get(technologist=tech)
    assert (seat.available, seat.paused_reason) == (True, "")


def test_bal03_technologist_returning_the_turn_before_connecting_is_not_paused(
    world, django_capture_on_commit_callbacks
):
    """ "Devolver" by the technologist themself (present) is theirs: consent cleared as core
    does, the seat stays available."""
    _, tech, _, turn = _matched_scene(world)
    with django_capture_on_commit_callbacks(execute=True):
        balance_turn_finish(turn=turn, by=tech, outcome="devolver")
    turn = Turn.objects.get(pk=turn.pk)
    assert (turn.status, turn.virtual_consent) == (TurnStatus.EN_ESPERA, "")
    assert not turn.events.filter(kind=TurnEvent.Kind.DEVUELTO, by__isnull=True).exists()
    assert BalanceSeat.objects.get(technologist=tech).available


def test_bal03_turn_kiosk_requeue_only_for_a_called_turn(world, monkeypatch):
    office, tech, _, turn = _matched_scene(world)
    changed = []
    monkeypatch.setattr("core.services.turns.common.turns_changed", changed.append)
    result = turn_kiosk_requeue(turn=turn, note="prueba")
    assert (result.status, result.kiosk_id, result.virtual_consent) == (
        TurnStatus.EN_ESPERA,
        None,
        VirtualConsent.ACEPTA,
    )
    assert changed == [office.pk]  # the office's live pages re-fetch
    with pytest.raises(ProtocolConflict):
        turn_kiosk_requeue(turn=turn, note="otra vez")


# --- 2. lock order and deadlocks -------------------------------------------------------------


def _statements(run):
    sql = []

    def record(execute, statement, params, many, context):
        sql.append(statement)
        return execute(statement, params, many, context)

    with connection.execute_wrapper(record):
        result = run()
    return sql, result


def _first(sql, needle_all):
    return next(i for i, s in enumerate(sql) if all(n in s for n in needle_all))


def test_bal03_matcher_locks_the_turn_before_opening_the_video_session(postgres, world):
    office = world.office(kiosks_on=1)
    world.tech(office)
    world.turn(office)
    sql, matches = _statements(balance_match_round)
    assert len(matches) == 1
    turn_lock = _first(sql, ['FROM "core_turn"', "FOR UPDATE"])
    session_insert = _first(sql, ['INSERT INTO "core_videosession"'])
    assert turn_lock < session_insert


def _deadlock():
    return OperationalError("deadlock detected\nDETAIL:  Process 1 waits for ShareLock")


def test_bal03_deadlock_in_a_pair_is_skipped_and_the_round_goes_on(world, monkeypatch):
    office = world.office(kiosks_on=2)
    world.tech(office, idle_minutes=20)
    second_tech = world.tech(office, idle_minutes=10)
    first = world.turn(office, minutes_ago=10)
    second = world.turn(office, minutes_ago=5)
    real_open = matcher.video_session_open
    calls = []

    def deadlock_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise _deadlock()
        return real_open(**kwargs)

    monkeypatch.setattr(matcher, "video_session_open", deadlock_once)
    (match,) = balance_match_round()  # the round went on after the deadlock
    assert (match.turn_id, match.technologist_id) == (second.pk, second_tech.pk)
    first = Turn.objects.get(pk=first.pk)
    assert (first.status, first.called_by) == (TurnStatus.EN_ESPERA, None)
    assert not VideoSession.objects.filter(turn=first).exists()


def test_bal03_other_operational_errors_still_raise(world, monkeypatch):
    office = world.office(kiosks_on=1)
    world.tech(office)
    world.turn(office)

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(matcher, "video_session_open", broken)
    with pytest.raises(OperationalError):
        balance_match_round()


# --- 3. rounds from the socket's signals go through the broker --------------------------------


@pytest.fixture
def broker(settings, monkeypatch):
    """A broker is configured: what would have been enqueued, and whether it works."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    state = {"sent": [], "up": True}

    def enqueue(task, *args, **kwargs):
        if not state["up"]:
            return False
        state["sent"].append(task.name)
        return True

    monkeypatch.setattr("core.tasks.enqueue", enqueue)
    return state


def test_bal03_kiosk_connected_enqueues_the_round_with_a_broker(
    world, broker, django_capture_on_commit_callbacks
):
    office = world.office(kiosks_on=1)
    world.tech(office)
    turn = world.turn(office)
    kiosk = Kiosk.objects.get(office=office)
    with django_capture_on_commit_callbacks(execute=True):
        kiosk_connected.send(sender=Kiosk, kiosk=kiosk)
    assert broker["sent"] == ["balanceo.match_round"]
    assert Turn.objects.get(pk=turn.pk).status == TurnStatus.EN_ESPERA  # not run inline


def test_bal03_video_session_ended_enqueues_the_round_with_a_broker(
    world, broker, django_capture_on_commit_callbacks
):
    office = world.office(kiosks_on=1)
    tech = world.tech(office)
    from core.video.services import video_session_open

    session = video_session_open(technologist=tech, modality=Modality.ASESOR_LINEA)
    with django_capture_on_commit_callbacks(execute=True):
        video_state_record(
            session_id=session.pk, party=LiveParty(user=tech), state=VideoSessionStatus.FINALIZADA
        )
    assert broker["sent"] == ["balanceo.match_round"]


def test_bal03_terminar_matches_the_next_customer_inline_and_queues_no_second_round(
    world, broker, django_capture_on_commit_callbacks
):
    """ "Terminar" with a customer waiting: the round that follows it (inline, first after
    commit) calls the next turn; the ended call's signal then finds the technologist in their
    next call and queues nothing more through the broker."""
    office = world.office(kiosks_on=1)
    tech = world.tech(office)
    first = world.turn(office, minutes_ago=10)
    second = world.turn(office, minutes_ago=5)
    assert [m.turn_id for m in balance_match_round()] == [first.pk]
    first = Turn.objects.get(pk=first.pk)
    balance_case_open(
        turn=first,
        by=tech,
        customer={"document_type": "CC", "document_number": "43512876", "full_name": "Ana"},
        kind="PED",
    )
    with django_capture_on_commit_callbacks(execute=True):
        balance_turn_finish(turn=first, by=tech, outcome="atendido")
    assert broker["sent"] == []
    assert Turn.objects.get(pk=second.pk).called_by == tech
    assert VideoSession.objects.get(turn=second).status == VideoSessionStatus.TIMBRANDO
    assert VideoSession.objects.get(turn=first).status == VideoSessionStatus.FINALIZADA


def test_bal03_broker_down_runs_the_round_inline(world, broker, django_capture_on_commit_callbacks):
    broker["up"] = False
    office = world.office(kiosks_on=1)
    tech = world.tech(office)
    turn = world.turn(office)
    with django_capture_on_commit_callbacks(execute=True):
        kiosk_connected.send(sender=Kiosk, kiosk=Kiosk.objects.get(office=office))
    assert Turn.objects.get(pk=turn.pk).called_by == tech


def test_bal03_request_path_triggers_stay_inline_with_a_broker(
    world, broker, django_capture_on_commit_callbacks
):
    office = world.office(kiosks_on=1)
    tech = world.tech(office, available=False)
    turn = world.turn(office)
    with django_capture_on_commit_callbacks(execute=True):
        balance_availability_set(technologist=tech, available=True)
    assert broker["sent"] == []
    assert Turn.objects.get(pk=turn.pk).called_by == tech


def test_bal03_match_round_task_runs_a_round(world):
    from balanceo.tasks import match_round_task

    office = world.office(kiosks_on=1)
    world.tech(office)
    world.turn(office)
    assert match_round_task.delay().get() == 1


def test_bal03_kiosk_connection_still_matches_without_broker(
    world, django_capture_on_commit_callbacks
):
    office = world.office(kiosks_on=0, kiosks_off=1)
    tech = world.tech(office)
    turn = world.turn(office)
    kiosk = Kiosk.objects.get(office=office)
    with django_capture_on_commit_callbacks(execute=True):
        kiosk_connection_opened(kiosk=kiosk, channel_name="canal-x")
    assert Turn.objects.get(pk=turn.pk).called_by == tech


# --- 4. only balanced turns on the balancing endpoints (NFR-02) ---------------------------------


def test_nfr02_asesor_linea_turn_not_on_balanceo_page_nor_api(
    world, client, django_capture_on_commit_callbacks
):
    from asesor_linea.services import al_turn_announce

    office = world.office(kiosks_on=1)
    tech = world.tech(office, available=False)
    RosterEntry.objects.create(
        day=world.today, technologist=tech, office=office, modality=RemoteModality.ASESOR_EN_LINEA
    )
    turn = world.turn(office)
    al_turn_announce(turn=turn, by=tech, kiosk=Kiosk.objects.get(office=office))
    turn.refresh_from_db()
    assert (turn.status, turn.called_by) == (TurnStatus.LLAMADO, tech)

    client.force_login(tech)
    page = client.get("/balanceo/").content.decode()
    assert turn.number not in page
    assert client.get("/api/v1/balanceo/status/").json()["turn"] is None
    body = {
        "customer": {
            "document_type": "CC",
            "document_number": "43512876",
            "full_name": "María Elena Restrepo",
            "mobile": "3104567890",
        },
        "kind": "PED",
        "transaction_type": turn.transaction_type_id,
    }
    response = client.post(
        f"/api/v1/balanceo/turns/{turn.pk}/case/", body, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.post(f"/balanceo/turns/{turn.pk}/caso/", {}).status_code == 404
    finish = client.post(
        f"/api/v1/balanceo/turns/{turn.pk}/finish/",
        {"outcome": "devolver"},
        content_type="application/json",
    )
    assert finish.status_code == 404
    assert Turn.objects.get(pk=turn.pk).case_id is None


# --- 5. the shift check page does not grow with the kiosks (NFR-01) ------------------------------


def _shift_check_queries(world, client, kiosks, django_assert_max_num_queries):
    office = world.office(kiosks_on=kiosks)
    tech = world.tech(office, checked=False)
    client.force_login(tech)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/balanceo/")
    assert response.status_code == 200
    assert response.content.decode().count('class="printer-name"') == kiosks
    return len(ctx.captured_queries)


def test_nfr01_balanceo_shift_check_queries_do_not_grow_with_kiosks(
    world, client, django_assert_max_num_queries
):
    one = _shift_check_queries(world, client, 1, django_assert_max_num_queries)
    six = _shift_check_queries(world, client, 6, django_assert_max_num_queries)
    assert one == six
    assert ShiftCheck.objects.count() == 0
