"""What pqr_digital plugs into core's case lifecycle (registered in ``PqrDigitalConfig.ready``)."""

from core.exceptions import ProtocolConflict
from core.models import Case, Evidence, EvidenceKind
from pqr_digital.models import SCREENSHOT_CHANNELS, Interaction


def require_screenshot(*, case: Case, by) -> None:
    """Closing rule (PQR-06): a PQR from a chat, WhatsApp or a social network closes only with
    the screenshot of the interaction in its evidence (the proof that the user was told the
    motive and the number). Contact Center calls keep their recording reference instead."""
    channel = Interaction.objects.filter(case=case).values_list("channel", flat=True).first()
    if channel not in SCREENSHOT_CHANNELS:
        return
    if not Evidence.objects.filter(case=case, kind=EvidenceKind.CHAT_SCREENSHOT).exists():
        raise ProtocolConflict(
            "Antes de cerrar, adjunte la captura de la interacción en la que se informó al "
            "usuario el motivo y el número de la PQR (evidencia de tipo «captura de la "
            "interacción»)."
        )
