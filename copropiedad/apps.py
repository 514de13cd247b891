from django.apps import AppConfig


class CopropiedadConfig(AppConfig):
    name = "copropiedad"
    verbose_name = "Administradores de copropiedad"

    def ready(self) -> None:
        from copropiedad import demo, panels
        from core.modalities import MenuEntry, modality_register
        from core.models import Modality
        from core.roles import Role
        from core.services.constancia import require_constancia_sent

        modality_register(
            Modality.COPROPIEDAD,
            menu=[
                MenuEntry("Citas de copropiedad", "copropiedad:home", (Role.CREADOR,)),
            ],
            case_panels=[panels.case_page_panel],
            # COP-03: no closure with first-contact solution or task before the constancia.
            closing_rules=[require_constancia_sent],
            # 2.6 step 2: the voicemail of an appointment's call names its date and time.
            templates={"voicemail": "buzon-copropiedad"},
            demo_data=demo.seed,
        )
