"""Forms of the orientador's tablet and the technologist's case panel.

They only convert what was typed; the rules (eligibility, document, phone, consent, states) are
the services', which answer with Spanish per-field messages.
"""

from django import forms

from core.models import DocumentType, EvidenceKind
from core.services.evidence import evidence_validate_file
from desborde.models import DATA_CONSENT_TEXT, IntakeMode
from desborde.selectors import transaction_types_for_intake

CAMERA = {"accept": "image/*", "capture": "environment", "class": "form-control form-control-lg"}

#: Photo inputs of the WhatsApp mode → the kind of evidence each becomes (WA-01).
PHOTO_FIELDS = {
    "foto_factura": EvidenceKind.INVOICE_PHOTO,
    "foto_cupon": EvidenceKind.INVOICE_PHOTO,
    "foto_documento": EvidenceKind.ID_PHOTO,
}


#: The overflow form identifies the customer (2.1 paso 2 asks the cédula): every document type
#: but "Sin identificación", which the service would refuse for lack of a number.
INTAKE_DOCUMENT_TYPES = [
    (v, label) for v, label in DocumentType.choices if v != DocumentType.SIN_ID
]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-lg")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control form-control-lg")


class TransactionStepForm(forms.Form):
    """Step 1 (2.1 paso 1): the transaction comes first."""

    mode = forms.ChoiceField(
        choices=IntakeMode.choices,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Seleccione formulario web o WhatsApp."},
    )
    transaction_type = forms.ModelChoiceField(
        label="¿Qué transacción necesita el cliente?",
        queryset=transaction_types_for_intake(),
        empty_label="— Seleccione la transacción —",
        error_messages={
            "required": "Seleccione la transacción que necesita el cliente.",
            "invalid_choice": "Seleccione una transacción de la lista.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class IntakeForm(TransactionStepForm):
    """Step 2 (2.1 paso 2 / 2.2 paso 2): the customer's data."""

    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label="Nombre completo del cliente", max_length=160, required=False)
    document_type = forms.ChoiceField(
        label="Tipo de documento",
        choices=INTAKE_DOCUMENT_TYPES,
        initial=DocumentType.CC,
        error_messages={"invalid_choice": "Seleccione el tipo de documento."},
    )
    document_number = forms.CharField(label="Número de documento", max_length=30, required=False)
    phone = forms.CharField(label="Teléfono (celular o fijo)", max_length=30, required=False)
    contract = forms.CharField(label="Contrato EPM", max_length=30, required=False)
    email = forms.CharField(label="Correo electrónico", max_length=254, required=False)
    data_consent = forms.BooleanField(
        label="El cliente autoriza el tratamiento de sus datos personales", required=False
    )
    foto_factura = forms.FileField(
        label="Foto de la factura", required=False, widget=forms.FileInput(attrs=CAMERA)
    )
    foto_cupon = forms.FileField(
        label="Foto del cupón de pago", required=False, widget=forms.FileInput(attrs=CAMERA)
    )
    foto_documento = forms.FileField(
        label="Foto de la cédula", required=False, widget=forms.FileInput(attrs=CAMERA)
    )

    consent_text = DATA_CONSENT_TEXT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transaction_type"].widget = forms.HiddenInput()
        self.fields["document_number"].widget.attrs["inputmode"] = "text"
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["contract"].widget.attrs["inputmode"] = "numeric"
        self.fields["email"].widget.input_type = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"

    @property
    def is_whatsapp(self) -> bool:
        mode = self["mode"].value()
        return mode == IntakeMode.WHATSAPP

    def photo_fields(self):
        return [self[name] for name in PHOTO_FIELDS]

    def _clean_photo(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload:
            try:
                evidence_validate_file(upload=upload)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return upload

    def clean_foto_factura(self):
        return self._clean_photo("foto_factura")

    def clean_foto_cupon(self):
        return self._clean_photo("foto_cupon")

    def clean_foto_documento(self):
        return self._clean_photo("foto_documento")

    def photos(self) -> list[tuple[str, object]]:
        return [
            (kind, self.cleaned_data[name])
            for name, kind in PHOTO_FIELDS.items()
            if self.cleaned_data.get(name)
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "mode": data["mode"],
            "transaction_type": data["transaction_type"],
            "full_name": data["full_name"],
            "document_type": data["document_type"],
            "document_number": data["document_number"],
            "phone": data["phone"],
            "contract": data["contract"],
            "email": data["email"],
            "data_consent": data["data_consent"],
            "client_token": data["client_token"],
            "photos": self.photos(),
        }


class ProposalForm(forms.Form):
    """WA-03, technologist: how the case will be closed."""

    text = forms.CharField(
        label="Propuesta de cierre para socializar con el cliente",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ProposalResponseForm(forms.Form):
    """WA-03, orientador: the customer's answer."""

    response = forms.ChoiceField(
        choices=[("de_acuerdo", "de acuerdo"), ("en_desacuerdo", "en desacuerdo")],
        error_messages={
            "required": "Indique si el cliente está de acuerdo.",
            "invalid_choice": "Indique si el cliente está de acuerdo.",
        },
    )
    comment = forms.CharField(
        label="Comentario del cliente",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    @property
    def agreed(self) -> bool:
        return self.cleaned_data["response"] == "de_acuerdo"


class PrintSendForm(forms.Form):
    """WA-04, technologist: a final document for the office's printer."""

    title = forms.CharField(label="Documento", max_length=120, required=False)
    file = forms.FileField(
        label="Archivo (PDF o imagen)",
        error_messages={"required": "Seleccione el archivo a imprimir."},
    )


class PrintVerifyForm(forms.Form):
    signatures = forms.BooleanField(label="Firmas capturadas", required=False)
    fingerprints = forms.BooleanField(label="Huellas capturadas", required=False)


class PrintScanForm(forms.Form):
    file = forms.FileField(
        label="Documento escaneado",
        error_messages={"required": "Seleccione el documento escaneado."},
    )
