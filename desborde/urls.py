from django.urls import path

app_name = "desborde"

# Pages of the overflow modalities (orientador's tablet, intake list, confirmations, print queue).
urlpatterns: list = [
    path("", lambda request: None, name="home"),  # replaced by the pages work
]
