"""Write paths of the support roster (programación de recursos, CEL-01; AL-01 and BAL-01 plug
their caps in) and of the technologists' start-of-shift check (CEL-03 step 3, AL-02).

Every roster write goes through here, the admin and the API alike, so the rules hold whichever
door was used, with Spanish messages and nothing written on a refusal (NFR-03):

- who programs: a gestor de equipo, for the offices and technologists of their unit (a
  superuser anywhere; ``by=None`` is the system itself, e.g. the demo data);
- the day is today or later (a past day's roster is the record of who supported whom);
- the technologist is active, has the role tecnólogo and is available that day (a
  ``StaffAvailability`` row with ``is_available``, CORE-02);
- the office is active, not the "Cliente Interno" pseudo-office, and not over its cap for the
  modality that day (``ROSTER_CAPS``): for ``celular`` an office with one technologist of its
  own takes at most 2 supporters, one with more at most 3 (2.3 step 1). The office row is
  locked (``SELECT … FOR UPDATE``) while its entries are counted, so two gestores taking the
  last slot at once cannot both get it;
- a technologist is rostered once per office, day and modality.

Each technologist whose offices for a day changed gets one e-mail listing them (2.3 step 1:
"informar … por correo electrónico a qué oficinas brindarán apoyo"), through core's
notification queue: the row is written in the same transaction and sent after commit by the
worker, so a dead broker only delays it (NFR-03). ``RosterNotice`` keeps what was last sent:
a save that changes nothing sends nothing, a change sends one new e-mail, a bulk save sends one
per technologist, and a technologist left with no offices is told the day was withdrawn.
"""

from core.services.roster.entries import (
    RosterCopyResult,
    roster_copy_day,
    roster_entries_add_bulk,
    roster_entries_delete,
    roster_entry_add,
    roster_entry_delete,
)
from core.services.roster.notices import WEEKDAYS, roster_notify
from core.services.roster.rules import (
    ROSTER_CAPS,
    RosterCap,
    RosterCapRule,
    celular_cap,
    roster_cap_for,
    roster_cap_register,
)
from core.services.roster.shift_checks import shift_check_record

__all__ = [
    "ROSTER_CAPS",
    "WEEKDAYS",
    "RosterCap",
    "RosterCapRule",
    "RosterCopyResult",
    "celular_cap",
    "roster_cap_for",
    "roster_cap_register",
    "roster_copy_day",
    "roster_entries_add_bulk",
    "roster_entries_delete",
    "roster_entry_add",
    "roster_entry_delete",
    "roster_notify",
    "shift_check_record",
]
