"""Read paths of balancing (2.5): the pool, the technologist's seat and current match, and each
office's capacity as the matcher sees it (BAL-01..BAL-03). Scoped by role (NFR-02): a
technologist reads their own seat and the offices of their balanceo roster today; a gestor de
equipo the offices of their unit; any other turn answers 404 like a missing one."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from balanceo.models import BalanceSeat
from core.models import (
    Kiosk,
    Modality,
    Office,
    RemoteModality,
    RosterEntry,
    ShiftCheck,
    Turn,
    TurnStatus,
    User,
    VideoSession,
    VideoSessionStatus,
    VirtualConsent,
)
from core.roles import Role, user_roles
from core.services.kiosks import kiosk_online_q
from core.services.turns import NOT_FOUND

MODALITY = RemoteModality.BALANCEO
#: BAL-02 (2.5 step 1): "En oficinas con un solo tecnólogo, se podrá recibir apoyo máximo de dos
#: tecnólogos simultáneamente".
SINGLE_TECHNOLOGIST_CAP = 2


def balance_today() -> dt.date:
    return timezone.localdate()


# --- the pool (BAL-01) -----------------------------------------------------------------------


def balance_entries(*, day: dt.date) -> QuerySet[RosterEntry]:
    """The day's balanceo roster entries: who is in the pool, and into which offices."""
    return RosterEntry.objects.filter(day=day, modality=MODALITY)


def balance_rostered(*, technologist: User, day: dt.date | None = None) -> bool:
    return balance_entries(day=day or balance_today()).filter(technologist=technologist).exists()


def balance_offices_for(*, technologist: User, day: dt.date | None = None) -> QuerySet[Office]:
    """The offices whose waiting customers ``technologist`` may be matched to today: those of
    their balanceo roster entries (BAL-01), by name."""
    day = day or balance_today()
    return Office.objects.filter(
        pk__in=balance_entries(day=day).filter(technologist=technologist).values("office_id")
    ).order_by("name", "id")


def balance_shift_check_q(*, day: dt.date, technologist_ref="technologist") -> Exists:
    """2.5 step 2: today's check has audio, video and the supported office's printer."""
    return Exists(
        ShiftCheck.objects.filter(
            technologist=OuterRef(technologist_ref),
            day=day,
            audio_ok=True,
            video_ok=True,
            printer_ok=True,
        )
    )


def seat_for(*, technologist: User, day: dt.date | None = None) -> BalanceSeat | None:
    return BalanceSeat.objects.filter(technologist=technologist, day=day or balance_today()).first()


# --- who is busy -----------------------------------------------------------------------------


def open_sessions() -> QuerySet[VideoSession]:
    return VideoSession.objects.filter(status__in=VideoSessionStatus.open())


def active_turns() -> QuerySet[Turn]:
    """Turns that hold their technologist and their kiosk (any day: the database constraints
    that keep one each are not per day)."""
    return Turn.objects.filter(status__in=TurnStatus.active())


def _balanced_turns(user: User) -> QuerySet[Turn]:
    """Kiosk turns ``user`` was called to by balancing: the turn's last video session is a
    balanceo one of theirs (an asesor en línea announcement is that app's, not this one's)."""
    last_session = VideoSession.objects.filter(turn=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        Turn.objects.filter(called_by=user, kiosk__isnull=False)
        .annotate(
            last_modality=Subquery(last_session.values("modality")[:1]),
            last_technologist=Subquery(last_session.values("technologist_id")[:1]),
        )
        .filter(last_modality=Modality.BALANCEO, last_technologist=user.pk)
    )


def balance_current_turn(*, technologist: User) -> Turn | None:
    """The balanced kiosk turn the technologist is on now (called or in attention): at most
    one; an asesor en línea turn they announced is not shown here."""
    return (
        _balanced_turns(technologist)
        .filter(status__in=TurnStatus.active())
        .select_related("office", "kiosk", "kiosk__printer", "transaction_type", "case")
        .first()
    )


def balance_current_session(*, technologist: User) -> VideoSession | None:
    """The technologist's open video session (ringing or connected), if any."""
    return (
        open_sessions()
        .filter(technologist=technologist)
        .select_related("kiosk__office", "turn")
        .first()
    )


def balance_turn_get_for_user(*, user: User, turn_id) -> Turn:
    """A balanced kiosk turn the user attends (called by them by balancing, any state);
    anything else — an asesor en línea turn included — 404 alike."""
    try:
        turn_id = int(turn_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    turn = (
        _balanced_turns(user)
        .filter(pk=turn_id)
        .select_related("office", "kiosk", "kiosk__printer", "transaction_type", "case")
        .first()
    )
    if turn is None:
        raise Http404(NOT_FOUND)
    return turn


# --- offices: capacity and kiosks (BAL-02) ---------------------------------------------------


def balance_capacity(*, technologist_count: int, kiosks_on: int) -> int:
    """BAL-02: how many technologists may support the office at once through its kiosks. An
    office with one technologist of its own (or none recorded) takes at most 2; any other at
    most its kiosks that are on ("desconectado" ones cannot be used). A match also needs a free
    kiosk that is on, so the one-technologist office is held to min(2, kiosks on) in practice."""
    if technologist_count <= 1:
        return SINGLE_TECHNOLOGIST_CAP
    return kiosks_on


@dataclass(frozen=True)
class OfficeState:
    """One office as the matcher and the status API see it now."""

    office_id: int
    name: str
    code: str
    technologist_count: int
    waiting: int  # waiting turns whose customer accepted virtual attention
    kiosks_on: int
    kiosks_free: int  # on, and in no turn nor video call
    in_progress: int  # kiosk attentions now (called or in attention), any modality
    capacity: int

    @property
    def slots(self) -> int:
        """How many more technologists the office can take now (kiosk and capacity)."""
        return max(0, min(self.kiosks_free, self.capacity - self.in_progress))

    @property
    def needs_kiosk_on(self) -> bool:
        """BAL-02 (2.5 step 2): customers wait for balancing and no kiosk is on: the office's
        encargado must be asked to turn one on."""
        return self.waiting > 0 and self.kiosks_on == 0


def kiosks_busy_q() -> Q:
    """Kiosks holding a turn or an open video call."""
    return Q(Exists(active_turns().filter(kiosk=OuterRef("pk")))) | Q(
        Exists(open_sessions().filter(kiosk=OuterRef("pk")))
    )


def kiosk_attentions_by_office(*, office_ids, day: dt.date) -> dict[int, int]:
    """Kiosk attentions in progress today (called or in attention, any modality), by office:
    what counts against the office's cap (BAL-02)."""
    return dict(
        Turn.objects.filter(
            day=day, status__in=TurnStatus.active(), kiosk__isnull=False, office_id__in=office_ids
        )
        .order_by()
        .values("office_id")
        .annotate(n=Count("id"))
        .values_list("office_id", "n")
    )


def balance_office_states(
    *, office_ids, day: dt.date | None = None, now: dt.datetime | None = None
) -> list[OfficeState]:
    """Capacity, kiosks on and free, attentions in progress and waiting accepted customers of
    ``office_ids``, by name. Four queries whatever the number of offices."""
    day = day or balance_today()
    now = now or timezone.now()
    offices = list(
        Office.objects.filter(pk__in=office_ids)
        .order_by("name", "id")
        .values("id", "name", "code", "technologist_count")
    )
    ids = [o["id"] for o in offices]
    kiosks_on: dict[int, int] = {}
    kiosks_free: dict[int, int] = {}
    for office_id, busy in (
        Kiosk.objects.filter(kiosk_online_q(now), office_id__in=ids)
        .annotate(busy=ExpressionWrapper(kiosks_busy_q(), output_field=BooleanField()))
        .values_list("office_id", "busy")
    ):
        kiosks_on[office_id] = kiosks_on.get(office_id, 0) + 1
        if not busy:
            kiosks_free[office_id] = kiosks_free.get(office_id, 0) + 1
    in_progress = kiosk_attentions_by_office(office_ids=ids, day=day)
    waiting = dict(
        balance_waiting_turns(day=day)
        .filter(office_id__in=ids)
        .order_by()
        .values("office_id")
        .annotate(n=Count("id"))
        .values_list("office_id", "n")
    )
    return [
        OfficeState(
            office_id=o["id"],
            name=o["name"],
            code=o["code"],
            technologist_count=o["technologist_count"],
            waiting=waiting.get(o["id"], 0),
            kiosks_on=kiosks_on.get(o["id"], 0),
            kiosks_free=kiosks_free.get(o["id"], 0),
            in_progress=in_progress.get(o["id"], 0),
            capacity=balance_capacity(
                technologist_count=o["technologist_count"], kiosks_on=kiosks_on.get(o["id"], 0)
            ),
        )
        for o in offices
    ]


def balance_waiting_turns(*, day: dt.date | None = None) -> QuerySet[Turn]:
    """BAL-03: waiting turns of the day whose customer accepted virtual attention (the office
    asked, AL-03), in offices that have balanceo supporters today, oldest first."""
    day = day or balance_today()
    return Turn.objects.filter(
        day=day,
        status=TurnStatus.EN_ESPERA,
        virtual_consent=VirtualConsent.ACEPTA,
        office_id__in=balance_entries(day=day).values("office_id"),
    ).order_by("created_at", "id")


def balance_status_offices_for(*, user: User, day: dt.date | None = None) -> list[OfficeState]:
    """The offices the status API shows: a technologist's balanceo offices today; a gestor's
    unit's offices with balanceo supporters today; every such office for a superuser."""
    day = day or balance_today()
    entries = balance_entries(day=day)
    roles = user_roles(user)
    if user.is_superuser:
        scope = entries
    else:
        scope = entries.none()
        if Role.TECNOLOGO in roles:
            scope = scope | entries.filter(technologist=user)
        if Role.GESTOR in roles and user.home_office_id:
            scope = scope | entries.filter(office__unit=user.home_office.unit)
    return balance_office_states(office_ids=scope.values("office_id"), day=day)
