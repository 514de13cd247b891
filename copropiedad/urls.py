from django.urls import path

from copropiedad import views

app_name = "copropiedad"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
]
