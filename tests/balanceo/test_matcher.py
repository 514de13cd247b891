"""BAL-02 / BAL-03: the matcher — who is matched to whom (oldest waiting customer, technologist
idle longest), who is never matched (not rostered into the office, no shift check, paused, in a
call or on a turn), the office's capacity and its kiosks that are on, and the triggers after
commit (consent "acepta", the end of an attention, a kiosk coming on, the periodic sweep)."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from balanceo.models import BalanceSeat
from balanceo.selectors import balance_office_states
from balanceo.services import (
    balance_availability_set,
    balance_case_open,
    balance_match_round,
    balance_turn_finish,
    matcher,
)
from core.live.auth import LiveParty
from core.models import (
    Kiosk,
    Modality,
    Turn,
    TurnEvent,
    TurnStatus,
    VideoSession,
    VideoSessionStatus,
)
from core.services.kiosks import kiosk_connection_opened
from core.services.turns import turn_virtual_consent
from core.video.services import video_session_open, video_state_record

pytestmark = pytest.mark.django_db

CUSTOMER = {"document_type": "CC", "document_number": "43512876", "full_name": "María Restrepo"}


def matched(turn) -> Turn:
    return Turn.objects.select_related("kiosk", "called_by").get(pk=turn.pk)


def attend(turn, tech):
    """The matched technologist registers the case and ends the attention ("Terminar")."""
    balance_case_open(turn=turn, by=tech, customer=CUSTOMER, kind="PED")
    return balance_turn_finish(turn=turn, by=tech, outcome="atendido")


# --- who gets whom (BAL-03) ---------------------------------------------------------------------


def test_bal03_oldest_accepted_turn_goes_to_the_technologist_idle_longest(world):
    office = world.office(kiosks_on=1)
    newer_idle = world.tech(office, idle_minutes=5)
    longest_idle = world.tech(office, idle_minutes=30)
    old = world.turn(office, minutes_ago=20)
    new = world.turn(office, minutes_ago=2)

    (match,) = balance_match_round()

    turn = matched(old)
    assert (match.turn_id, match.technologist_id) == (old.pk, longest_idle.pk)
    assert turn.status == TurnStatus.LLAMADO
    assert turn.called_by == longest_idle
    assert turn.kiosk == world.kiosks(office)[0]
    assert turn.events.filter(kind=TurnEvent.Kind.BALANCEO).count() == 1
    session = VideoSession.objects.get(pk=match.session_id)
    assert (session.technologist, session.kiosk, session.turn_id) == (
        longest_idle,
        turn.kiosk,
        old.pk,
    )
    assert session.modality == Modality.BALANCEO
    assert session.status == VideoSessionStatus.TIMBRANDO
    assert matched(new).status == TurnStatus.EN_ESPERA
    assert not Turn.objects.filter(called_by=newer_idle).exists()


def test_bal03_customers_who_did_not_accept_or_were_not_asked_are_not_matched(world):
    office = world.office()
    world.tech(office)
    not_asked = world.turn(office, minutes_ago=10, accept=False)
    refused = world.turn(office, minutes_ago=9, accept=False)
    turn_virtual_consent(turn=refused, accepts=False, by=world.staff[office.pk])

    assert balance_match_round() == []
    assert matched(not_asked).status == matched(refused).status == TurnStatus.EN_ESPERA


def test_bal03_a_technologist_is_matched_only_into_the_offices_of_their_entries(world):
    """BAL-01: an entry's office is where the technologist may be sent."""
    here, elsewhere = world.office(), world.office()
    tech = world.tech(elsewhere)
    turn = world.turn(here)

    assert balance_match_round() == []
    assert matched(turn).status == TurnStatus.EN_ESPERA

    helper = world.tech(here)
    (match,) = balance_match_round()
    assert match.technologist_id == helper.pk != tech.pk


@pytest.mark.parametrize(
    "defect",
    ["sin programación hoy", "sin verificación", "verificación sin video", "en pausa"],
)
def test_bal03_technologist_not_ready_is_not_matched(world, defect):
    office = world.office()
    tech = world.tech(
        office,
        checked=defect != "sin verificación",
        video=defect != "verificación sin video",
        available=defect != "en pausa",
    )
    if defect == "sin programación hoy":
        tech.roster_entries.update(day=world.today + dt.timedelta(days=1))
    turn = world.turn(office)

    assert balance_match_round() == []
    assert matched(turn).status == TurnStatus.EN_ESPERA


def test_bal03_technologist_in_a_call_or_on_a_turn_is_not_matched(world):
    office, other = world.office(), world.office()
    in_call = world.tech([office, other], idle_minutes=60)
    video_session_open(technologist=in_call, modality=Modality.ASESOR_LINEA)
    on_turn = world.tech([office, other], idle_minutes=50)
    first = world.turn(other, minutes_ago=30)
    free = world.tech(other, idle_minutes=1)

    # `on_turn` takes the other office's customer: from then on it holds an active turn.
    (match,) = balance_match_round()
    assert (match.turn_id, match.technologist_id) == (first.pk, on_turn.pk)
    VideoSession.objects.filter(pk=match.session_id).update(status=VideoSessionStatus.FALLIDA)

    turn = world.turn(office, minutes_ago=5)
    assert balance_match_round() == []
    assert matched(turn).status == TurnStatus.EN_ESPERA
    assert not Turn.objects.filter(called_by=free).exists()


def test_bal03_a_round_pairs_everyone_it_can_fifo_and_idle_longest(world):
    a, b = world.office(kiosks_on=2), world.office(kiosks_on=1)
    t1 = world.tech([a, b], idle_minutes=40)
    t2 = world.tech([a], idle_minutes=30)
    t3 = world.tech([b], idle_minutes=20)
    turns = [
        world.turn(b, minutes_ago=50),
        world.turn(a, minutes_ago=45),
        world.turn(a, minutes_ago=40),
        world.turn(b, minutes_ago=35),
    ]

    matches = balance_match_round()

    assert [(m.turn_id, m.technologist_id) for m in matches] == [
        (turns[0].pk, t1.pk),  # oldest customer, technologist idle longest
        (turns[1].pk, t2.pk),
        # turns[2] (office a): t1 and t2 are busy, t3 is not rostered into a → waits
        # turns[3] (office b): b's only kiosk is taken by turns[0] → waits
    ]
    assert matched(turns[2]).status == matched(turns[3]).status == TurnStatus.EN_ESPERA
    assert not Turn.objects.filter(called_by=t3).exists()


# --- capacity and kiosks (BAL-02) ---------------------------------------------------------------


def test_bal02_office_with_one_technologist_takes_two_at_most_even_with_three_kiosks_on(world):
    small = world.office(technologist_count=1, kiosks_on=3)
    for minutes in (30, 20, 10):
        world.tech(small, idle_minutes=minutes)
        world.turn(small, minutes_ago=minutes)

    assert len(balance_match_round()) == 2

    (state,) = balance_office_states(office_ids=[small.pk])
    assert (state.capacity, state.in_progress, state.kiosks_on, state.kiosks_free) == (2, 2, 3, 1)
    assert state.waiting == 1 and state.slots == 0
    assert Turn.objects.filter(office=small, status=TurnStatus.EN_ESPERA).count() == 1


def test_bal02_other_offices_take_as_many_as_kiosks_on_and_never_an_off_kiosk(world):
    big = world.office(technologist_count=4, kiosks_on=2, kiosks_off=2)
    for minutes in (40, 30, 20, 10):
        world.tech(big, idle_minutes=minutes)
        world.turn(big, minutes_ago=minutes)

    matches = balance_match_round()

    assert len(matches) == 2
    on = set(Kiosk.objects.filter(office=big, is_on=True).values_list("pk", flat=True))
    assert {m.kiosk_id for m in matches} == on
    (state,) = balance_office_states(office_ids=[big.pk])
    assert (state.capacity, state.in_progress, state.waiting) == (2, 2, 2)


def test_bal02_kiosk_with_a_stale_heartbeat_counts_as_off(world, settings):
    office = world.office(kiosks_on=1)
    Kiosk.objects.filter(office=office).update(
        last_seen_at=timezone.now() - dt.timedelta(seconds=settings.KIOSK_OFFLINE_SECONDS + 5)
    )
    world.tech(office)
    world.turn(office)

    assert balance_match_round() == []
    (state,) = balance_office_states(office_ids=[office.pk])
    assert state.kiosks_on == 0 and state.needs_kiosk_on


def test_bal02_no_kiosk_on_the_office_is_asked_and_a_kiosk_coming_on_matches(
    world, published, django_capture_on_commit_callbacks
):
    office = world.office(kiosks_on=0, kiosks_off=1)
    tech = world.tech(office)
    turn = world.turn(office)
    assert balance_match_round() == []
    (state,) = balance_office_states(office_ids=[office.pk])
    assert state.needs_kiosk_on

    (kiosk,) = world.kiosks(office)
    with django_capture_on_commit_callbacks(execute=True):
        kiosk_connection_opened(kiosk=kiosk, channel_name="canal-nuevo")

    turn = matched(turn)
    assert (turn.status, turn.called_by, turn.kiosk) == (TurnStatus.LLAMADO, tech, kiosk)
    (state,) = balance_office_states(office_ids=[office.pk])
    assert not state.needs_kiosk_on


# --- triggers -----------------------------------------------------------------------------------


def test_bal03_consent_acepta_matches_after_commit_and_both_sides_get_video_connect(
    world, published, django_capture_on_commit_callbacks
):
    office = world.office(kiosks_on=1)
    tech = world.tech(office)
    turn = world.turn(office, accept=False)
    (kiosk,) = world.kiosks(office)

    with django_capture_on_commit_callbacks(execute=True):
        turn_virtual_consent(turn=turn, accepts=True, by=world.staff[office.pk])

    turn = matched(turn)
    assert (turn.status, turn.called_by, turn.kiosk) == (TurnStatus.LLAMADO, tech, kiosk)
    session = VideoSession.objects.get(turn=turn)
    connects = [(g, p) for g, p in published if p["type"] == "video.connect"]
    assert connects == [
        (
            [f"user.{tech.pk}", f"kiosk.{kiosk.pk}"],
            {
                "type": "video.connect",
                "session": session.pk,
                "modality": "balanceo",
                "state": "timbrando",
                "turn": turn.number,
                "kiosk": kiosk.label,
                "office": office.name,
            },
        )
    ]
    announces = [(g, p) for g, p in published if p["type"] == "turn.announce"]
    assert announces == [
        (
            [f"display.{office.pk}", f"kiosk.{kiosk.pk}"],
            {
                "type": "turn.announce",
                "turn": turn.number,
                "turn_id": turn.pk,
                "kiosk": kiosk.label,
                "kiosk_id": kiosk.pk,
                "office": office.pk,
            },
        )
    ]


def test_bal03_ending_an_attention_frees_the_technologist_at_once_for_the_next_customer(
    world, published, django_capture_on_commit_callbacks
):
    office = world.office(kiosks_on=1)
    tech = world.tech(office, idle_minutes=10)
    first = world.turn(office, minutes_ago=10)
    second = world.turn(office, minutes_ago=5)
    (match,) = balance_match_round()
    assert match.turn_id == first.pk

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        attend(matched(first), tech)

    assert matched(first).status == TurnStatus.ATENDIDO
    assert VideoSession.objects.get(turn=first).status == VideoSessionStatus.FINALIZADA
    assert BalanceSeat.objects.get(technologist=tech).idle_since >= before
    second = matched(second)
    assert (second.status, second.called_by) == (TurnStatus.LLAMADO, tech)
    assert VideoSession.objects.get(turn=second).status == VideoSessionStatus.TIMBRANDO


def test_bal03_a_call_that_ends_puts_the_technologist_last_in_the_idle_queue(
    world, django_capture_on_commit_callbacks
):
    """``video_session_ended``: idle from the moment the call ended."""
    office = world.office(kiosks_on=1)
    tech = world.tech(office, idle_minutes=60)
    session = video_session_open(technologist=tech, modality=Modality.BALANCEO)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        video_state_record(
            session_id=session.pk,
            party=LiveParty(user=tech),
            state=VideoSessionStatus.FINALIZADA,
        )
    assert BalanceSeat.objects.get(technologist=tech).idle_since >= before


def test_bal03_turning_available_matches_at_once(world, django_capture_on_commit_callbacks):
    office = world.office(kiosks_on=1)
    tech = world.tech(office, available=False)
    turn = world.turn(office)
    assert balance_match_round() == []

    with django_capture_on_commit_callbacks(execute=True):
        balance_availability_set(technologist=tech, available=True)

    assert matched(turn).called_by == tech


def test_bal03_returning_a_turn_to_the_waiting_room_does_not_match_it_again(
    world, django_capture_on_commit_callbacks
):
    """ "Devolver": the office asks the customer again (consent cleared) before a new match."""
    office = world.office(kiosks_on=1)
    tech = world.tech(office)
    turn = world.turn(office)
    balance_match_round()
    with django_capture_on_commit_callbacks(execute=True):
        balance_turn_finish(turn=matched(turn), by=tech, outcome="devolver")
    turn = matched(turn)
    assert (turn.status, turn.virtual_consent, turn.called_by) == (TurnStatus.EN_ESPERA, "", None)


def test_bal03_periodic_sweep_is_scheduled_every_minute_and_matches(world):
    from django_celery_beat.models import PeriodicTask

    from balanceo import reference_data
    from balanceo.tasks import match_sweep_task
    from config.celery import app

    reference_data.load_periodic_tasks(apps)
    task = PeriodicTask.objects.get(task="balanceo.match_sweep")
    assert (task.interval.every, task.interval.period, task.enabled) == (1, "minutes", True)
    assert "balanceo.match_sweep" in app.tasks

    office = world.office(kiosks_on=1)
    tech = world.tech(office)
    turn = world.turn(office)
    assert match_sweep_task.delay().get() == 1
    assert matched(turn).called_by == tech


def test_bal03_a_pair_that_fails_rolls_back_whole_and_the_round_goes_on(world, monkeypatch):
    """The turn is called and the video session opened in one transaction (the turn first, the
    lock order of ``al_turn_announce``): when the session is refused after the turn was called
    (a race lost to another writer), the call goes too, the turn stays waiting, and the round
    moves on to the next customer."""
    from core.video.services import VideoRefused

    office = world.office(kiosks_on=2)
    world.tech(office, idle_minutes=20)
    second_tech = world.tech(office, idle_minutes=10)
    first = world.turn(office, minutes_ago=10)
    second = world.turn(office, minutes_ago=5)
    real_open = matcher.video_session_open
    calls = []

    def refuse_once(**kwargs):
        calls.append(kwargs["turn"].pk)
        # written first: the turn is called when the session opens
        assert Turn.objects.get(pk=kwargs["turn"].pk).status == TurnStatus.LLAMADO
        if len(calls) == 1:
            raise VideoRefused("El módulo Módulo 1 ya está en otra videollamada.")
        return real_open(**kwargs)

    monkeypatch.setattr(matcher, "video_session_open", refuse_once)

    (match,) = balance_match_round()

    first = matched(first)
    assert (first.status, first.called_by, first.kiosk) == (TurnStatus.EN_ESPERA, None, None)
    assert not first.events.filter(kind=TurnEvent.Kind.BALANCEO).exists()
    assert not VideoSession.objects.filter(turn=first).exists()
    assert (match.turn_id, match.technologist_id) == (second.pk, second_tech.pk)


#: A round that makes one pair (PostgreSQL): its request number, the matcher's lock, the served
#: and last numbers, then the candidate search (one statement, then the turn and the kiosk), the
#: seat's lock, core's turn call (turn, roster, kiosk, update, event, savepoints) and video
#: session (insert, savepoints); then the next search finds nothing; the served number recorded,
#: the unlock. Inside the test's transaction each iteration is a savepoint (two statements).
#: Pinned: a change must say why (33 while the search was six ORM queries).
ROUND_WITH_ONE_PAIR = 28
#: Nothing to do: the number, the lock, the served and last numbers, the search (and the
#: savepoint), the served number, the unlock.
EMPTY_ROUND = 8


def test_bal03_query_count_of_a_round_does_not_grow_with_the_pool(
    postgres, world, django_assert_num_queries
):
    offices = [world.office(kiosks_on=2) for _ in range(3)]
    for minutes in range(6):
        world.tech(offices, idle_minutes=minutes)
    world.turn(offices[0])
    with django_assert_num_queries(ROUND_WITH_ONE_PAIR):
        assert len(balance_match_round()) == 1
    for office in offices:
        world.tech(office)
    with django_assert_num_queries(EMPTY_ROUND):
        assert balance_match_round() == []


def test_bal03_several_triggers_in_one_transaction_run_one_round(
    world, django_capture_on_commit_callbacks
):
    """Terminar frees the seat, ends the call and finishes the turn: each is a trigger, but the
    transaction runs one matching round after it commits (not one per trigger)."""
    from balanceo.services import balance_match_soon

    with django_capture_on_commit_callbacks() as callbacks:
        balance_match_soon()
        balance_match_soon()
        balance_match_soon()
    rounds = [c for c in callbacks if getattr(c, "__name__", "") == "_match_robust"]
    assert len(rounds) == 1
