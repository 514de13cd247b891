from pqr_digital.views import exports, inbox, office

app_name = "pqr_digital"

# Pages of 2.7: the creador's inbox, the help desk's exports, the gestor de oficina's
# reassignment. Each view module lists its own paths.
urlpatterns = [*inbox.urlpatterns, *exports.urlpatterns, *office.urlpatterns]
