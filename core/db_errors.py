"""Database errors that callers turn into a clean answer instead of a 500."""

from django.db import DataError, OperationalError

#: PostgreSQL's SQLSTATE for "deadlock detected".
DEADLOCK = "40P01"
#: "PostgreSQL text fields cannot contain NUL (0x00) bytes" (psycopg 3 refuses to send them).
NUL_IN_TEXT = "NUL (0x00)"


def sqlstate(exc: BaseException) -> str | None:
    """PostgreSQL's SQLSTATE of a Django database error (the driver's exception is its cause)."""
    cause = getattr(exc, "__cause__", None)
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def is_deadlock(exc: BaseException) -> bool:
    """True when ``exc`` (a ``django.db.OperationalError``) is PostgreSQL's "deadlock detected":
    the database rolled back one of two transactions that waited on each other; the other went
    on, so the refused request may simply be answered 409 (or skipped) and tried again."""
    if not isinstance(exc, OperationalError):
        return False
    return sqlstate(exc) == DEADLOCK or "deadlock detected" in str(exc)


def is_nul_in_text(exc: BaseException) -> bool:
    """True when a value with a NUL character reached the database: bad input (400), whatever
    field or lookup it came through."""
    return isinstance(exc, DataError | ValueError) and NUL_IN_TEXT in str(exc)
