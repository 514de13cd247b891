from django.apps import AppConfig


class DesbordeConfig(AppConfig):
    name = "desborde"
    verbose_name = "Desborde (formulario web, WhatsApp, celular)"

    def ready(self) -> None:
        from core.modalities import MenuEntry, modality_register
        from core.models import Modality
        from core.roles import Role
        from core.signals import case_closed
        from desborde import demo, receivers

        modality_register(
            Modality.DESBORDE,
            start_pages={Role.ORIENTADOR: "desborde:home"},
            menu=[
                MenuEntry("Desborde", "desborde:home", (Role.ORIENTADOR,)),
                MenuEntry("Registros de desborde", "desborde:intake_list", (Role.ASIGNADOR,)),
                MenuEntry("Taquilla virtual", "desborde:booth", (Role.TECNOLOGO,)),
                MenuEntry("Cola de impresión", "desborde:print_queue", (Role.ENCARGADO,)),
            ],
            case_panels=[receivers.case_page_panel],
            closing_rules=[receivers.require_customer_agreement],
            templates={"voicemail": "buzon-desborde"},
            demo_data=demo.seed,
        )
        case_closed.connect(receivers.report_pqr_number, dispatch_uid="desborde-df04")
