from pqr_digital.api import exports, interactions, webhooks

# /api/v1/pqr-digital/…: each API module lists its own paths.
urlpatterns = [*interactions.urlpatterns, *exports.urlpatterns, *webhooks.urlpatterns]
