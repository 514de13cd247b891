"""Placeholder: filled by issue 11."""

urlpatterns = []
