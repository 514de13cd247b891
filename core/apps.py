from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Gestión de casos"

    def ready(self) -> None:
        from core import (
            authentication,  # noqa: F401 — connects the logout receiver
            receivers,
        )
        from core.signals import case_closed

        case_closed.connect(receivers.turns_finish_for_case, dispatch_uid="core-turn-finish")
