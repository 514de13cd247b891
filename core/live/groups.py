"""Group names of the live layer, and which groups a party joins."""

from django.utils import timezone


def user_group(user_id: int) -> str:
    """A staff user's own group: their Mis casos, their booth, their video calls."""
    return f"user.{user_id}"


def office_group(office_id: int) -> str:
    """An office's turns and kiosks: its staff and the technologists supporting it today."""
    return f"office.{office_id}"


def kiosk_group(kiosk_id: int) -> str:
    """One kiosk's own group: its announcements and its video calls."""
    return f"kiosk.{kiosk_id}"


def display_group(office_id: int) -> str:
    """An office's waiting-room display: "Turno A-023 → Módulo 2"."""
    return f"display.{office_id}"


def groups_for_user(user) -> list[str]:
    """The groups a signed-in staff user's pages listen to: their own; their home office's
    (office staff: orientador, encargado, gestor de oficina) with its display; and the offices
    they support today in any remote modality (technologists: booth lists)."""
    from core.models import RosterEntry
    from core.roles import OFFICE_ROLES, Role, user_has_role

    groups = [user_group(user.pk)]
    if user.home_office_id and user_has_role(user, *OFFICE_ROLES):
        groups += [office_group(user.home_office_id), display_group(user.home_office_id)]
    if user_has_role(user, Role.TECNOLOGO):
        offices = (
            RosterEntry.objects.filter(technologist=user, day=timezone.localdate())
            .values_list("office_id", flat=True)
            .distinct()
        )
        groups += [office_group(office_id) for office_id in offices]
    return list(dict.fromkeys(groups))


def groups_for_kiosk(kiosk) -> list[str]:
    """A kiosk hears only itself and its own office's display."""
    return [kiosk_group(kiosk.pk), display_group(kiosk.office_id)]


def groups_for_kiosk_display(kiosk) -> list[str]:
    """A page with a kiosk's device cookie that is not the kiosk page itself (the office's
    waiting-room display on the kiosk's browser): the office's display only."""
    return [display_group(kiosk.office_id)]
