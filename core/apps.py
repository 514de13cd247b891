from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Gestión de casos"

    def ready(self) -> None:
        from core import authentication  # noqa: F401 — connects the logout receiver
