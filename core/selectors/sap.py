"""Read paths of the silencio-administrativo-positivo queue (LEG-02), with the role filter.

- gestor de equipo, asignador: the records of their unit (they recognise them);
- gestor de oficina: the records whose case's office or supported office is their home office
  (read only);
- superuser: all; any other role: ``PermissionDenied``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from core.models import SapCase
from core.roles import Role, user_roles

#: ``?estado=`` of the page and the API.
STATES = {"pendiente", "reconocido", "todos"}
STATE_INVALID = "Estado no válido: use «pendiente», «reconocido» o «todos»."
QUEUE_ROLES = (Role.GESTOR, Role.ASIGNADOR, Role.GESTOR_OFICINA)
RELATED = (
    "case__customer",
    "case__office",
    "case__supported_office",
    "case__assigned_to",
    "recognised_by",
    "evidence",
)


def sap_scope_q(user) -> Q | None:
    """The records a user may see, as a filter; None means all (superuser)."""
    if user.is_superuser:
        return None
    roles = user_roles(user)
    if not roles & set(QUEUE_ROLES):
        raise PermissionDenied(
            "Su rol no tiene acceso a la cola de silencio administrativo positivo."
        )
    office = getattr(user, "home_office", None)
    q = Q(pk__in=[])
    if office is None:
        return q
    if roles & {Role.GESTOR, Role.ASIGNADOR}:
        q |= Q(unit=office.unit)
    if Role.GESTOR_OFICINA in roles:
        q |= Q(case__office=office) | Q(case__supported_office=office)
    return q


def sap_queue_for_user(*, user, state: str = "pendiente") -> QuerySet[SapCase]:
    """The queue in the user's scope, most urgent first (earliest deadline), with everything a
    row shows loaded in the same query."""
    if state not in STATES:
        raise ValidationError({"estado": STATE_INVALID})
    qs = SapCase.objects.select_related(*RELATED).order_by("deadline", "id")
    q = sap_scope_q(user)
    if q is not None:
        qs = qs.filter(q)
    if state == "pendiente":
        qs = qs.filter(recognised_at__isnull=True)
    elif state == "reconocido":
        qs = qs.filter(recognised_at__isnull=False)
    return qs


def sap_record_for_recognise(*, user, case_id: int) -> SapCase | None:
    """The record of ``case_id`` a gestor/asignador may recognise — their unit's (superuser:
    any) — locked for the recognition; None when missing or of another unit (both 404)."""
    qs = SapCase.objects.select_for_update(of=("self",)).select_related("case", "recognised_by")
    if not user.is_superuser:
        office = getattr(user, "home_office", None)
        if office is None:
            return None
        qs = qs.filter(unit=office.unit)
    return qs.filter(case_id=case_id).first()
