"""Database errors that callers turn into a clean answer instead of a 500."""

from django.db import OperationalError

#: PostgreSQL's SQLSTATE for "deadlock detected".
DEADLOCK = "40P01"


def is_deadlock(exc: BaseException) -> bool:
    """True when ``exc`` (a ``django.db.OperationalError``) is PostgreSQL's "deadlock detected":
    the database rolled back one of two transactions that waited on each other; the other went
    on, so the refused request may simply be answered 409 (or skipped) and tried again."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code == DEADLOCK or "deadlock detected" in str(exc)
