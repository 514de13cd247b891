from balanceo.api import urlpatterns as api_urlpatterns

# Included at /api/v1/balanceo/ (config/urls.py).
urlpatterns = [*api_urlpatterns]
