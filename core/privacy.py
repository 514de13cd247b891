"""What roles without need of personal data see of it (NFR-02)."""

MASK = "•"


def mask_phone(number: str) -> str:
    """A phone number with only its first three and last two digits: 311•••••44."""
    number = number or ""
    if len(number) <= 5:
        return MASK * len(number)
    return number[:3] + MASK * (len(number) - 5) + number[-2:]
