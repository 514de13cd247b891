"""Demo data of condo administrators (filled in by issue 13)."""


def seed(ctx) -> str:
    return ""
