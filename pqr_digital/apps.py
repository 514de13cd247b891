from django.apps import AppConfig


class PqrDigitalConfig(AppConfig):
    name = "pqr_digital"
    verbose_name = "PQR por medios tecnológicos o electrónicos"

    def ready(self) -> None:
        from core.modalities import MenuEntry, modality_register
        from core.models import Modality
        from core.roles import Role
        from pqr_digital import demo, panels, receivers, scopes

        modality_register(
            Modality.PQR_DIGITAL,
            start_pages={
                Role.CREADOR: "pqr_digital:inbox",
                Role.MESA: "pqr_digital:export_list",
                Role.GESTOR_OFICINA: "pqr_digital:office_pqr",
            },
            menu=[
                MenuEntry("Bandeja de interacciones", "pqr_digital:inbox", (Role.CREADOR,)),
                MenuEntry(
                    "Exportes de PQR digitales",
                    "pqr_digital:export_list",
                    (Role.MESA, Role.GESTOR_OFICINA, Role.GESTOR),
                ),
                MenuEntry(
                    "PQR digitales por reasignar",
                    "pqr_digital:office_pqr",
                    (Role.GESTOR_OFICINA, Role.GESTOR),
                ),
            ],
            case_panels=[panels.case_page_panel],
            case_scopes=[scopes.digital_pqr_scope],
            case_unit=scopes.digital_pqr_unit,
            closing_rules=[receivers.require_screenshot],
            demo_data=demo.seed,
        )
