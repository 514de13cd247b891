from django.apps import AppConfig


class BalanceoConfig(AppConfig):
    name = "balanceo"
    verbose_name = "Balanceo"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from balanceo import demo, receivers
        from core.modalities import MenuEntry, modality_register
        from core.models import Modality, TurnEvent
        from core.roles import Role
        from core.signals import case_closed, kiosk_connected, video_session_ended

        modality_register(
            Modality.BALANCEO,
            menu=[MenuEntry("Balanceo", "balanceo:home", (Role.TECNOLOGO,))],
            case_panels=[receivers.case_page_panel],
            demo_data=demo.seed,
        )
        # The matcher's triggers (BAL-03): each runs a round after its transaction commits.
        post_save.connect(
            receivers.consent_accepted, sender=TurnEvent, dispatch_uid="balanceo-consent"
        )
        video_session_ended.connect(receivers.call_ended, dispatch_uid="balanceo-call-ended")
        kiosk_connected.connect(receivers.kiosk_came_on, dispatch_uid="balanceo-kiosk-on")
        case_closed.connect(receivers.case_closed, dispatch_uid="balanceo-case-closed")
