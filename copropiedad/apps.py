from django.apps import AppConfig


class CopropiedadConfig(AppConfig):
    name = "copropiedad"
    verbose_name = "Administradores de copropiedad"
