from django.apps import AppConfig


class AsesorLineaConfig(AppConfig):
    name = "asesor_linea"
    verbose_name = "Asesor en línea"
