"""Who sees the digital PQR besides their creador and their technologist.

They are filed by the Contact Center (Unidad Canales Metropolitano) and belong to no office; the
procedure (2.7 step 2) hands them to the Unidad Canales Regional: its help desk (mesa de ayuda,
ESSOR) exports them every day, and its gestores de oficina and Profesionales Comerciales
reassign them to technologists."""

from django.db.models import Q

from core.models import Modality, Unit
from core.roles import Role

#: The unit that exports and reassigns the digital PQR (2.7 step 2).
DIGITAL_PQR_UNIT = Unit.REGIONAL
DIGITAL_PQR_ROLES = (Role.MESA, Role.GESTOR_OFICINA, Role.GESTOR)


def user_handles_digital_pqr(user, roles=None) -> bool:
    """The Regional help desk, gestores de oficina and gestores (superusers too)."""
    if user.is_superuser:
        return True
    from core.roles import user_roles

    roles = user_roles(user) if roles is None else roles
    office = getattr(user, "home_office", None)
    return (
        bool(roles & set(DIGITAL_PQR_ROLES))
        and office is not None
        and office.unit == DIGITAL_PQR_UNIT
    )


def digital_pqr_unit(case) -> str:
    """The unit of a digital PQR (they have no office): its due-date alerts go there (LEG-02)."""
    return DIGITAL_PQR_UNIT


def digital_pqr_scope(user, roles) -> Q | None:
    if user_handles_digital_pqr(user, roles):
        return Q(modality=Modality.PQR_DIGITAL)
    return None


def digital_pqr_list_for_user(*, user):
    """The digital PQR the user may see (the case scope of core, this modality only), oldest
    first, with what a list shows (no query per row)."""
    from core.models import CaseKind
    from core.selectors import case_list_for_user

    return (
        case_list_for_user(user=user)
        .filter(modality=Modality.PQR_DIGITAL, kind=CaseKind.PQR)
        .select_related("digital_interaction")
    )
