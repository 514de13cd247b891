"""Forms of the balancing page. They only convert what was typed; the rules (eligibility,
document, phones, states) and their Spanish messages are the services'.
The case form is core's (``core.forms.TurnCaseForm``)."""

from django import forms

from core.forms import ShiftCheckForm

#: 2.5 step 2: the printer checked is the supported office's kiosk's.
PRINTER_LABEL = (
    "Verifiqué que la impresora del módulo de la oficina que apoyo está configurada en mi equipo"
)


def shift_check_form(*args, **kwargs) -> ShiftCheckForm:
    """2.5 step 2: audio, video and the kiosk's printer, before being matched (core's form)."""
    return ShiftCheckForm(*args, video=True, printer_label=PRINTER_LABEL, **kwargs)


class DocumentForm(forms.Form):
    """A document for the kiosk's printer (``title`` + file) or a signed scan (file only)."""

    title = forms.CharField(label="Documento", max_length=120, required=False)
    file = forms.FileField(
        label="Archivo (PDF o imagen)",
        error_messages={"required": "Seleccione el archivo."},
    )
