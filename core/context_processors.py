from django.conf import settings

from core import modalities
from core.roles import STAFF_ROLES, Role, user_roles

MANAGER_ROLES = {Role.GESTOR, Role.ASIGNADOR, Role.GESTOR_OFICINA}


def navigation(request):
    user = getattr(request, "user", None)
    roles = user_roles(user)
    superuser = bool(user and user.is_superuser)
    return {
        "user_role_labels": [Role(r).label for r in sorted(roles)],
        "nav_cases": superuser or bool(roles & set(STAFF_ROLES)),
        "nav_workbench": Role.TECNOLOGO in roles,
        "nav_office": bool(roles & {Role.ORIENTADOR, Role.ENCARGADO}),
        # Issue 16: the managers' dashboard and the SAP queue (LEG-02).
        "nav_dashboard": superuser or bool(roles & MANAGER_ROLES),
        "nav_sap": superuser or bool(roles & MANAGER_ROLES),
        # What the modality apps add to the menu for these roles (core.modalities).
        "nav_modalities": modalities.menu_entries(roles, superuser=superuser),
        **live(request),
    }


def live(request):
    """What static/js/live.js reads from <body> (templates/base.html): the heartbeat of the live
    socket and the polling fallback while it is down (docs/live.md)."""
    return {
        "live_heartbeat_seconds": settings.KIOSK_HEARTBEAT_SECONDS,
        "live_fallback_seconds": settings.LIVE_FALLBACK_POLL_SECONDS,
    }
