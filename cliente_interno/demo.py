"""STUB: the internal clients' part of ``seed_demo`` (issue 14)."""


def seed(context) -> str:
    return "Cliente interno: sin datos de demostración todavía."
