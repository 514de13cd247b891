"""Exceptions the services raise and the API maps to HTTP statuses."""

from django.core.exceptions import ValidationError


class ProtocolConflict(ValidationError):
    """The request is valid but the case's state does not allow it (API answers 409)."""
