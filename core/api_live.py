"""API of core's live side: kiosks and their pairing, the waiting-room display, video sessions
and ICE servers (issue 12). Being implemented."""

urlpatterns = []
