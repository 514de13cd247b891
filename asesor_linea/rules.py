"""AL-01: the asesor en línea cap of the support roster, plugged into core's roster rules
(``core.services.roster.roster_cap_register``) in ``AsesorLineaConfig.ready``."""

from core.models import Kiosk, Office
from core.services.roster import RosterCap


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def kiosk_cap(office: Office) -> RosterCap:
    """2.4 step 1: "se podrá recibir apoyo simultáneamente de acuerdo con la cantidad de módulos
    de asesor en línea disponibles". Each supporter attends from one of the office's kiosks
    (módulos asesor en línea), so the office takes as many supporters a day as it has active
    kiosks; an office without kiosks takes none (its customers would have nowhere to sit). A
    kiosk switched off for the day still counts: whether it is on is a matter of the moment
    (the announcement refuses a "desconectado" kiosk), not of the roster.

    Called by core's roster service with the office row locked, so two gestores taking the last
    kiosk at once cannot both get it. A page that shows the caps of many offices (the managers'
    dashboard) annotates them with ``active_kiosks`` once instead of a count per office."""
    kiosks = getattr(office, "active_kiosks", None)
    if kiosks is None:
        kiosks = Kiosk.objects.filter(office=office, active=True).count()
    if kiosks == 0:
        return RosterCap(
            0,
            "la oficina no tiene módulos de asesor en línea activos, y sin módulo el cliente no "
            "puede ser atendido por videollamada: registre primero sus módulos",
        )
    return RosterCap(
        kiosks,
        f"la oficina tiene {_plural(kiosks, 'módulo', 'módulos')} de asesor en línea y recibe "
        f"como máximo {_plural(kiosks, 'tecnólogo', 'tecnólogos')} de apoyo a la vez",
    )
