"""Forms of the balancing page. They only convert what was typed; the rules (eligibility,
document, phones, states) and their Spanish messages are the services'."""

from django import forms

from core import selectors as core_selectors
from core.forms import BootstrapWidgetsMixin
from core.models import CaseKind, DocumentType, PqrType

#: The customer is at the kiosk and identifies themself: every document type but "Sin
#: identificación", which the service would refuse for lack of a number.
DOCUMENT_TYPES = [(v, label) for v, label in DocumentType.choices if v != DocumentType.SIN_ID]


class ShiftCheckForm(BootstrapWidgetsMixin, forms.Form):
    """2.5 step 2: audio, video and the kiosk's printer, before being matched."""

    audio = forms.BooleanField(label="El audio de mi equipo funciona", required=False)
    video = forms.BooleanField(label="La cámara (video) de mi equipo funciona", required=False)
    printer = forms.BooleanField(
        label="La impresora del módulo de la oficina que apoyo está configurada en mi equipo",
        required=False,
    )


class BalanceCaseForm(BootstrapWidgetsMixin, forms.Form):
    """The matched customer's requirement (BAL-04)."""

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


class DocumentForm(forms.Form):
    """A document for the kiosk's printer (``title`` + file) or a signed scan (file only)."""

    title = forms.CharField(label="Documento", max_length=120, required=False)
    file = forms.FileField(
        label="Archivo (PDF o imagen)",
        error_messages={"required": "Seleccione el archivo."},
    )
