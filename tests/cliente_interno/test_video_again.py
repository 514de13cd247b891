"""CI-04: the call of an appointment in attention dropped (the employee closed the browser, the
network failed): the technologist rings the employee again on the same turn and case, from the
room. Only while the appointment is in attention and its call is not open; only its technologist."""

import pytest
from django.http import Http404
from django.utils import timezone

from cliente_interno.selectors import booking_for_party
from cliente_interno.services.attention import (
    CALL_STILL_OPEN,
    NOT_IN_ATTENTION,
    booking_call,
    booking_finish,
    booking_video_again,
)
from core.exceptions import ProtocolConflict
from core.live.auth import LiveParty
from core.models import Case, VideoSession
from core.roles import Role
from core.video.services import video_state_record
from tests.cliente_interno.helpers import check_in
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_attention(reserved_booking, ci_tech):
    booking = check_in(reserved_booking(timezone.now().replace(second=0, microsecond=0)))
    booking_call(booking=booking, by=ci_tech)
    return booking_for_party(user=ci_tech, pk=booking.pk)


def _drop(session: VideoSession, employee) -> None:
    video_state_record(
        session_id=session.pk,
        party=LiveParty(user=employee),
        state="fallida",
        reason="la conexión falló (ICE failed)",
    )


def test_ci04_a_dropped_call_rings_again_on_the_same_turn_and_case(in_attention, ci_tech, employee):
    first = VideoSession.objects.get()
    with pytest.raises(ProtocolConflict) as still_open:
        booking_video_again(booking=in_attention, by=ci_tech)
    assert still_open.value.messages == [CALL_STILL_OPEN]

    _drop(first, employee)
    second = booking_video_again(booking=in_attention, by=ci_tech)

    assert (second.status, second.attendee, second.turn_id) == (
        "timbrando",
        employee,
        in_attention.turn_id,
    )
    assert VideoSession.objects.get(pk=first.pk).status == "fallida"
    assert Case.objects.count() == 1


def test_ci04_ringing_again_needs_the_attention_and_its_technologist(
    in_attention, ci_tech, employee, office
):
    _drop(VideoSession.objects.get(), employee)
    other = make_user(Role.TECNOLOGO, office, username="otra_tecnologa")
    with pytest.raises(Http404):
        booking_video_again(booking=in_attention, by=other)
    assert VideoSession.objects.filter(status="timbrando").count() == 0

    booking_finish(booking=in_attention, by=ci_tech)
    with pytest.raises(ProtocolConflict) as finished:
        booking_video_again(booking=booking_for_party(user=ci_tech, pk=in_attention.pk), by=ci_tech)
    assert finished.value.messages == [NOT_IN_ATTENTION]
    assert VideoSession.objects.filter(status="timbrando").count() == 0


def test_ci04_room_offers_to_ring_again_after_a_drop(in_attention, ci_tech, employee, client):
    client.force_login(ci_tech)
    room = f"/cliente-interno/tecnologo/citas/{in_attention.pk}/sala/"
    assert "Volver a llamar por video" not in client.get(room).content.decode()

    _drop(VideoSession.objects.get(), employee)
    page = client.get(room).content.decode()
    assert "Volver a llamar por video" in page
    assert "la conexión falló (ICE failed)" in page

    response = client.post(f"/cliente-interno/tecnologo/citas/{in_attention.pk}/video/")
    assert response.status_code == 302 and response["Location"] == room
    assert VideoSession.objects.filter(status="timbrando").count() == 1
    assert "Volver a llamar por video" not in client.get(room).content.decode()


def test_ci05_case_page_says_the_employee_was_attended_from_their_browser(
    in_attention, ci_tech, employee, client
):
    """Once the call connected there is no phone call to log (core's protocol): the case page
    says how the employee was attended — from their own browser, not at a kiosk."""
    video_state_record(
        session_id=VideoSession.objects.get().pk,
        party=LiveParty(user=employee),
        state="conectada",
        candidate_type="host",
    )
    client.force_login(ci_tech)

    page = client.get(f"/casos/{in_attention.appointment.case_id}/").content.decode()

    assert "atendido por videollamada desde el navegador del funcionario" in page
    assert "en el módulo" not in page and "Número a marcar" not in page
    assert 'id="close-form"' in page
