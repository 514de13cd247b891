"""Pages of core's live side: the kiosk page (``/kiosco/``), the office's waiting-room display
and the technologist's video call page."""

from django.urls import path

from core import views_live

app_name = "live"
urlpatterns = [
    path("kiosco/", views_live.kiosk_page, name="kiosk"),
    path("oficina/<int:office_id>/sala/", views_live.display_page, name="display"),
    path("video/sesiones/<int:session_id>/", views_live.video_call_page, name="video_call"),
]
