"""Pages of core's live side: the kiosk page (``/kiosco/``) and the office's waiting-room display.
Being implemented."""

app_name = "live"
urlpatterns = []
