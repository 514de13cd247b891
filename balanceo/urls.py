app_name = "balanceo"
urlpatterns = []
