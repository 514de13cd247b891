from django.apps import AppConfig


class DesbordeConfig(AppConfig):
    name = "desborde"
    verbose_name = "Desborde (formulario web, WhatsApp, celular)"
