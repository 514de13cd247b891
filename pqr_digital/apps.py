from django.apps import AppConfig


class PqrDigitalConfig(AppConfig):
    name = "pqr_digital"
    verbose_name = "PQR por medios tecnológicos o electrónicos"
