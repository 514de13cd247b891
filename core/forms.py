from django import forms

from core.models import EvidenceKind
from core.services.evidence import ACCEPTED_LABEL


class EvidenceUploadForm(forms.Form):
    kind = forms.ChoiceField(label="Tipo de evidencia", choices=EvidenceKind.choices)
    file = forms.FileField(
        label="Archivo",
        help_text=f"Se aceptan {ACCEPTED_LABEL}.",
        error_messages={"required": "Seleccione el archivo a cargar."},
    )
