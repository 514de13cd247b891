from django.apps import AppConfig


class BalanceoConfig(AppConfig):
    name = "balanceo"
    verbose_name = "Balanceo"
