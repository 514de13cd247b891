"""Forms of the technologist's asesor en línea page. They only convert what was typed; the rules
(eligibility, document, phone, states) are the services', which answer with Spanish messages per
field. The start-of-shift check and the case form are core's (``core.forms.ShiftCheckForm`` with
``video=True``, ``core.forms.TurnCaseForm``)."""

from django import forms

from core.models import Kiosk
from core.services.turns.kiosk import KIOSK_OUTCOME_INVALID, KIOSK_OUTCOMES


class AnnounceForm(forms.Form):
    """ "Anunciar": the kiosk the customer will walk to."""

    kiosk = forms.ModelChoiceField(
        queryset=Kiosk.objects.filter(active=True).select_related("office", "printer"),
        error_messages={
            "required": "Escoja el módulo al que se anuncia el turno.",
            "invalid_choice": "Escoja un módulo de la oficina del turno.",
        },
    )


class FinishForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=list(KIOSK_OUTCOMES.items()),
        error_messages={"required": KIOSK_OUTCOME_INVALID, "invalid_choice": KIOSK_OUTCOME_INVALID},
    )


class PrintForm(forms.Form):
    """A final document of the case for the kiosk's printer (2.4 step 3)."""

    title = forms.CharField(label="Documento", max_length=120, required=False)
    file = forms.FileField(
        label="Archivo a imprimir (PDF o imagen)",
        error_messages={"required": "Seleccione el archivo a imprimir."},
    )


class ScanForm(forms.Form):
    """The signed documents, scanned at the office and sent to the technologist (2.4 step 4)."""

    file = forms.FileField(
        label="Documento firmado escaneado (PDF o imagen)",
        error_messages={"required": "Seleccione el documento escaneado."},
    )
