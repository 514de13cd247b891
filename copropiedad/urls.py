"""Stub: filled in by issue 13."""

app_name = "copropiedad"
urlpatterns = []
