from django.apps import AppConfig


class DesbordeConfig(AppConfig):
    name = "desborde"
    verbose_name = "Desborde (formulario web, WhatsApp, celular)"

    def ready(self) -> None:
        from core.roles import Role, register_start_page
        from core.signals import CASE_PAGE_PANELS, case_closing, case_registered
        from desborde import receivers

        register_start_page(Role.ORIENTADOR, "desborde:home")
        case_closing.connect(receivers.require_customer_agreement, dispatch_uid="desborde-wa03")
        case_registered.connect(receivers.report_pqr_numbers, dispatch_uid="desborde-df04")
        CASE_PAGE_PANELS.append(receivers.case_page_panel)
