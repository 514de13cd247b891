"""Read paths of the creador's inbox (2.7): every list and lookup of interactions is scoped
here (NFR-02). (The daily export's read paths are in ``pqr_digital.selectors``.)

The creadores de experiencia share the Contact Center's inbox: each sees the interactions they
handle (open or closed) and the open ones nobody has taken yet. Acting on one takes it
(``pqr_digital.services.interactions``); from then on the others get 404 for it, like for a
missing one. Superusers see everything; other roles see none (they follow the digital PQR
through the cases, ``pqr_digital.scopes``).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core.models import Evidence, EvidenceKind, OutboundMessage
from core.roles import Role, user_roles
from pqr_digital.models import Interaction

NOT_FOUND = "Interacción no encontrada."


def interaction_scope_q(user) -> Q | None:
    """The interactions a user may see, as a filter; None means all (superuser)."""
    if user.is_superuser:
        return None
    if Role.CREADOR not in user_roles(user):
        return Q(pk__in=[])
    return Q(handled_by=user) | Q(
        handled_by__isnull=True, status__in=Interaction.Status.open_values()
    )


def _interactions() -> QuerySet[Interaction]:
    screenshot = Evidence.objects.filter(
        case_id=OuterRef("case_id"), kind=EvidenceKind.CHAT_SCREENSHOT
    )
    return Interaction.objects.select_related("handled_by", "closed_by", "case").annotate(
        has_screenshot=Exists(screenshot)
    )


def interaction_scope_for_user(*, user) -> QuerySet[Interaction]:
    q = interaction_scope_q(user)
    return _interactions() if q is None else _interactions().filter(q)


def interaction_list_for_user(
    *, user, status: str | None = None, channel: str | None = None
) -> QuerySet[Interaction]:
    """The inbox: the open interactions (abierta, esperando información), oldest first; with
    ``status``, those in that state (closed ones newest first)."""
    qs = interaction_scope_for_user(user=user)
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
        if status not in Interaction.Status.open_values():
            return qs.order_by("-closed_at", "-id")
    else:
        qs = qs.filter(status__in=Interaction.Status.open_values())
    return qs.order_by("arrived_at", "id")


def interaction_get_for_user(*, user, interaction_id) -> Interaction:
    """404 for a missing interaction and for one the user may not see alike."""
    try:
        pk = int(interaction_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    interaction = interaction_scope_for_user(user=user).filter(pk=pk).first()
    if interaction is None:
        raise Http404(NOT_FOUND)
    return interaction


def interaction_messages(*, interaction: Interaction) -> list[OutboundMessage]:
    """Every message to the user about this interaction, oldest first: the proof of each one,
    with its purpose in words (``purpose_label``)."""
    from pqr_digital.services.interactions import Purpose

    messages = list(interaction.messages.select_related("sent_by").order_by("created_at", "id"))
    for message in messages:
        message.purpose_label = Purpose.LABELS.get(message.purpose, message.purpose)
    return messages


def interaction_message_get(*, interaction: Interaction, message_id) -> OutboundMessage:
    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        raise Http404("Mensaje no encontrado.") from None
    message = interaction.messages.filter(pk=pk).first()
    if message is None:
        raise Http404("Mensaje no encontrado.")
    return message
