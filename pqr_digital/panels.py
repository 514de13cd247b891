"""The digital PQR's panel on the case page (core.modalities case_panels)."""

from django.db.models import Exists, OuterRef

from core.models import Evidence, EvidenceKind
from core.roles import Role, can_see_personal_data, user_has_role
from pqr_digital.interaction_selectors import interaction_messages
from pqr_digital.models import Interaction
from pqr_digital.services.interactions import needs_screenshot


def case_page_panel(request, case, forms):
    """The interaction behind the PQR: network, handle, messages sent, the relation with the
    premises, the Contact Center recording and its retention (PQR-05, PQR-06).

    Two queries whatever the number of messages: the interaction (with whether the screenshot
    is attached) and its messages. The handle and the messages' text are personal data: shown
    only to the roles that need them (NFR-02)."""
    interaction = (
        Interaction.objects.filter(case=case)
        .select_related("handled_by")
        .annotate(
            has_screenshot=Exists(
                Evidence.objects.filter(case=OuterRef("case_id"), kind=EvidenceKind.CHAT_SCREENSHOT)
            )
        )
        .first()
    )
    if interaction is None:
        return None
    outbound = interaction_messages(interaction=interaction)
    user = request.user
    return {
        "template": "pqr_digital/partials/_interaction_case_panel.html",
        "interaction": interaction,
        "outbound": outbound,
        "personal_data": can_see_personal_data(user),
        "needs_screenshot": needs_screenshot(interaction),
        "is_creador": interaction.handled_by_id == user.pk
        and (user.is_superuser or user_has_role(user, Role.CREADOR)),
    }
