"""Read paths of the asesor en línea page and API (AL-01..AL-03), scoped to the technologist:
the offices they support today by asesor en línea (the roster), those offices' waiting turns
whose customer accepted virtual attention, the turns still waiting for the office's question,
the offices' kiosks with "conectado" computed now, and the turns they announced (NFR-02: any
other turn answers 404 like a missing one)."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from core.models import (
    Kiosk,
    Modality,
    Office,
    RemoteModality,
    Turn,
    TurnStatus,
    VideoSession,
    VideoSessionStatus,
    VirtualConsent,
)
from core.selectors.roster import roster_entries_for, roster_offices_for
from core.services.kiosks import kiosks_with_state
from core.services.turns import NOT_FOUND

MODALITY = RemoteModality.ASESOR_EN_LINEA


def _today(day: dt.date | None) -> dt.date:
    return day or timezone.localdate()


def al_offices_for(*, technologist, day: dt.date | None = None) -> QuerySet[Office]:
    """The offices the technologist supports by asesor en línea on ``day`` (AL-01), by name."""
    return roster_offices_for(technologist=technologist, day=_today(day), modality=MODALITY)


def _rostered_office_ids(*, technologist, day: dt.date):
    return roster_entries_for(technologist=technologist, day=day, modality=MODALITY).values(
        "office_id"
    )


def al_rostered(*, technologist, office_id: int, day: dt.date | None = None) -> bool:
    return roster_entries_for(
        technologist=technologist, day=_today(day), modality=MODALITY, office_id=office_id
    ).exists()


def al_waiting_turns(*, technologist, day: dt.date | None = None) -> QuerySet[Turn]:
    """AL-03: the waiting turns of the supported offices whose customer accepted virtual
    attention (the office asked), oldest first: what the technologist may announce."""
    day = _today(day)
    return (
        Turn.objects.filter(
            day=day,
            status=TurnStatus.EN_ESPERA,
            virtual_consent=VirtualConsent.ACEPTA,
            office_id__in=_rostered_office_ids(technologist=technologist, day=day),
        )
        .select_related("office", "transaction_type")
        .order_by("created_at", "id")
    )


def al_unasked_counts(*, technologist, day: dt.date | None = None) -> dict[int, int]:
    """Per supported office, the waiting turns the office has not yet asked about virtual
    attention (AL-03: the office asks the next customer; those who took the cellphone option,
    CEL-02, are the booth's)."""
    day = _today(day)
    rows = (
        Turn.objects.filter(
            day=day,
            status=TurnStatus.EN_ESPERA,
            virtual_consent="",
            accepts_remote=False,
            needs_office_check=False,
            office_id__in=_rostered_office_ids(technologist=technologist, day=day),
        )
        .values("office_id")
        .annotate(n=Count("id"))
    )
    return {row["office_id"]: row["n"] for row in rows}


def al_kiosks_for(*, technologist, day: dt.date | None = None) -> QuerySet[Kiosk]:
    """The active kiosks of the supported offices, with ``online`` ("conectado" now), the turn
    they are attending (``busy_turn``, its number) and whether a video call is open on them."""
    day = _today(day)
    active_turn = Turn.objects.filter(kiosk=OuterRef("pk"), status__in=TurnStatus.active())
    return (
        kiosks_with_state()
        .filter(active=True, office_id__in=_rostered_office_ids(technologist=technologist, day=day))
        .annotate(
            busy_turn=Subquery(active_turn.values("number")[:1]),
            in_call=Exists(
                VideoSession.objects.filter(
                    kiosk=OuterRef("pk"), status__in=VideoSessionStatus.open()
                )
            ),
        )
        .order_by("office__name", "label")
    )


def al_turn_for_announce(*, user, turn_id) -> Turn:
    """A turn of an office the user supports today by asesor en línea (any state: the
    announcement says why it cannot be called); anything else 404 like a missing one."""
    try:
        turn_id = int(turn_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    day = timezone.localdate()
    turn = (
        Turn.objects.filter(
            pk=turn_id,
            day=day,
            office_id__in=_rostered_office_ids(technologist=user, day=day),
        )
        .select_related("office", "transaction_type")
        .first()
    )
    if turn is None:
        raise Http404(NOT_FOUND)
    return turn


def _announced_by(user):
    """Turns ``user`` called to a kiosk by asesor en línea (with their video call to it)."""
    return Turn.objects.filter(called_by=user, kiosk__isnull=False).filter(
        Exists(
            VideoSession.objects.filter(
                turn=OuterRef("pk"), technologist=user, modality=Modality.ASESOR_LINEA
            )
        )
    )


def al_turn_get_for_user(*, user, turn_id) -> Turn:
    """A turn the user announced to a kiosk (their asesor en línea video call): the attention
    page and its actions are the caller's only; any other turn answers 404."""
    try:
        turn_id = int(turn_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    turn = (
        _announced_by(user)
        .filter(pk=turn_id)
        .select_related(
            "office",
            "transaction_type",
            "kiosk__printer",
            "case__channel",
            "case__supported_office",
            "case__office",
        )
        .first()
    )
    if turn is None:
        raise Http404(NOT_FOUND)
    return turn


def al_video_session_for(*, turn: Turn, technologist) -> VideoSession | None:
    """The turn's latest asesor en línea video call of the technologist."""
    return (
        VideoSession.objects.filter(
            turn=turn, technologist=technologist, modality=Modality.ASESOR_LINEA
        )
        .order_by("-created_at", "-id")
        .first()
    )


def al_active_turn_for(*, technologist) -> Turn | None:
    """The asesor en línea turn the technologist is on now (called or in attention), if any."""
    return (
        _announced_by(technologist)
        .filter(status__in=TurnStatus.active())
        .select_related("office", "kiosk")
        .first()
    )
