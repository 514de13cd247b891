"""Forms of the technologist's asesor en línea page. They only convert what was typed; the rules
(eligibility, document, phone, states) are the services', which answer with Spanish messages per
field."""

from django import forms

from core import selectors as core_selectors
from core.forms import BootstrapWidgetsMixin
from core.models import CaseKind, DocumentType, Kiosk, PqrType
from core.services.turns.kiosk import KIOSK_OUTCOME_INVALID, KIOSK_OUTCOMES

#: The customer at the kiosk identifies themselves: every document type but "Sin
#: identificación", which the service would refuse for lack of a number.
DOCUMENT_TYPES = [(v, label) for v, label in DocumentType.choices if v != DocumentType.SIN_ID]


class ShiftCheckForm(BootstrapWidgetsMixin, forms.Form):
    """AL-02 (2.4 step 2): audio and video of the technologist's equipment, and the supported
    office's printer. All three are required by ``shift_check_record``, whose messages go next
    to the boxes."""

    audio = forms.BooleanField(
        label="Verifiqué que el audio de mi equipo funciona (micrófono y parlantes o diadema)",
        required=False,
    )
    video = forms.BooleanField(
        label="Verifiqué que la cámara (video) de mi equipo funciona", required=False
    )
    printer = forms.BooleanField(
        label="Verifiqué que la impresora de cada oficina que apoyo está configurada en mi equipo",
        required=False,
    )


class AnnounceForm(forms.Form):
    """ "Anunciar": the kiosk the customer will walk to."""

    kiosk = forms.ModelChoiceField(
        queryset=Kiosk.objects.filter(active=True).select_related("office", "printer"),
        error_messages={
            "required": "Escoja el módulo al que se anuncia el turno.",
            "invalid_choice": "Escoja un módulo de la oficina del turno.",
        },
    )


class CaseForm(BootstrapWidgetsMixin, forms.Form):
    """The customer at the kiosk (2.4 step 3): who they are and what they need."""

    kind = forms.ChoiceField(
        label="Tipo de requerimiento",
        choices=[(CaseKind.PQR, "PQR (petición, queja o reclamo)"), (CaseKind.PEDIDO, "Pedido")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indique si el requerimiento es una PQR o un pedido.",
            "invalid_choice": "Indique si el requerimiento es una PQR o un pedido.",
        },
    )
    pqr_type = forms.ChoiceField(
        label="Tipo de PQR",
        choices=[("", "— no aplica (pedido) —"), *PqrType.choices],
        required=False,
    )
    transaction_type = forms.ModelChoiceField(
        label="Tipo de transacción",
        queryset=core_selectors.transaction_type_list(),
        error_messages={
            "required": "Seleccione la transacción que necesita el cliente.",
            "invalid_choice": "Seleccione una transacción de la lista.",
        },
    )
    document_type = forms.ChoiceField(
        label="Tipo de documento",
        choices=DOCUMENT_TYPES,
        initial=DocumentType.CC,
        error_messages={"invalid_choice": "Seleccione el tipo de documento."},
    )
    document_number = forms.CharField(label="Número de documento", max_length=30, required=False)
    full_name = forms.CharField(label="Nombre completo del cliente", max_length=160, required=False)
    mobile = forms.CharField(label="Celular del cliente", max_length=30, required=False)
    email = forms.CharField(label="Correo electrónico", max_length=254, required=False)
    contract_number = forms.CharField(label="Contrato EPM", max_length=30, required=False)
    motive = forms.CharField(
        label="Motivo PQR (detalle)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["email"].widget.input_type = "email"
        self.fields["contract_number"].widget.attrs["inputmode"] = "numeric"
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "customer": {
                "document_type": data["document_type"],
                "document_number": data["document_number"],
                "full_name": data["full_name"],
                "mobile": data["mobile"],
                "email": data["email"],
            },
            "kind": data["kind"],
            "pqr_type": data["pqr_type"],
            "transaction_type": data["transaction_type"],
            "motive": data["motive"],
            "contract_number": data["contract_number"],
        }


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
