app_name = "asesor_linea"
urlpatterns = []
