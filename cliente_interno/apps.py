from django.apps import AppConfig


class ClienteInternoConfig(AppConfig):
    name = "cliente_interno"
    verbose_name = "Cliente interno"

    def ready(self) -> None:
        from cliente_interno import demo, panels, tasks  # noqa: F401  (tasks: Celery names)
        from core.modalities import MenuEntry, modality_register
        from core.models import Modality
        from core.roles import Role
        from core.services.constancia import require_constancia_sent

        modality_register(
            Modality.CLIENTE_INTERNO,
            start_pages={Role.CLIENTE_INTERNO: "cliente_interno:home"},
            menu=[
                MenuEntry("Mis citas", "cliente_interno:home", (Role.CLIENTE_INTERNO,)),
                MenuEntry("Citas cliente interno", "cliente_interno:day", (Role.TECNOLOGO,)),
            ],
            case_panels=[panels.case_page_panel],
            # CI-05: a PQR is closed only after the constancia left the internal-client mailbox.
            closing_rules=[require_constancia_sent],
            demo_data=demo.seed,
        )
