from django.apps import AppConfig


class CopropiedadConfig(AppConfig):
    name = "copropiedad"
    verbose_name = "Administradores de copropiedad"

    def ready(self) -> None:
        from core.modalities import modality_register
        from core.models import Modality

        # 2.6 step 2: the voicemail of an appointment's call names its date and time.
        modality_register(Modality.COPROPIEDAD, templates={"voicemail": "buzon-copropiedad"})
