from django.apps import AppConfig


class AsesorLineaConfig(AppConfig):
    name = "asesor_linea"
    verbose_name = "Asesor en línea"

    def ready(self) -> None:
        from asesor_linea import demo, receivers, rules
        from core.modalities import MenuEntry, modality_register
        from core.models import Modality, RemoteModality
        from core.roles import Role
        from core.services.roster import roster_cap_register

        # AL-01: simultaneous support into an office is limited by its kiosks.
        roster_cap_register(RemoteModality.ASESOR_EN_LINEA, rules.kiosk_cap)
        modality_register(
            Modality.ASESOR_LINEA,
            menu=[MenuEntry("Asesor en línea", "asesor_linea:home", (Role.TECNOLOGO,))],
            case_panels=[receivers.case_page_panel],
            demo_data=demo.seed,
        )
