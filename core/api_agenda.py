"""Stub: filled in by issue 13."""

urlpatterns = []
