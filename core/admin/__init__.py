"""Django admin: configuration for the roles that own it, and a read-only window on cases.

Every admin of a model that belongs to a unit, an office or a case goes through the same scope
as the API and the pages (``core.selectors``): rows outside it are absent from the lists and
refused on the change, delete and history pages (NFR-02). Cases, contact attempts, evidence and
customers are read-only for everybody but superusers, and a case's state never changes here:
it changes through the services (call protocol, closing, reassignment on the case page)."""

from core.admin import agenda, config, outbound, records, roster, turns, video  # noqa: F401 — registers admins
from core.admin.scope import RecordAdmin, ScopedAdmin, UnitScopedAdmin

__all__ = ["RecordAdmin", "ScopedAdmin", "UnitScopedAdmin"]
