"""Factories, one module per app (``tests/factories/<app>.py``). The core ones are the most used
and are importable from here too."""

from core.models import Case
from tests.factories.core import (
    TINY_PNG,
    CustomerFactory,
    OfficeFactory,
    UserFactory,
    make_case,
)

__all__ = ["TINY_PNG", "Case", "CustomerFactory", "OfficeFactory", "UserFactory", "make_case"]
