from django.apps import AppConfig


class ClienteInternoConfig(AppConfig):
    name = "cliente_interno"
    verbose_name = "Cliente interno"
