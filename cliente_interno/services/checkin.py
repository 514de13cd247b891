"""STUB: to be written (issue 14)."""
