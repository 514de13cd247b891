"""Forms of the creador's inbox (2.7). They only convert what was typed; the rules (minimum
content, sewerage, non-residential premises, states) are the services', which answer with
Spanish per-field messages."""

from django import forms

from core.forms import BootstrapWidgetsMixin
from core.models import DocumentType, NotificationMedium
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services.interactions import DATA_FIELDS

#: The document the user states: every type but "Sin identificación" (that one is only for a
#: contact created when the number matches none, PQR-03).
STATED_DOCUMENT_TYPES = [("", "—")] + [
    (value, label) for value, label in DocumentType.choices if value != DocumentType.SIN_ID
]


class InteractionDataForm(BootstrapWidgetsMixin, forms.Form):
    """PQR-02's minimum content: name, ID number, contract or property address, motive."""

    author_handle = forms.CharField(
        label="Usuario en la red (o teléfono de la llamada)", max_length=200, required=False
    )
    full_name = forms.CharField(label="Nombre", max_length=160, required=False)
    document_type = forms.ChoiceField(
        label="Tipo de documento",
        choices=STATED_DOCUMENT_TYPES,
        required=False,
        error_messages={"invalid_choice": "Seleccione el tipo de documento."},
    )
    document_number = forms.CharField(
        label="Número de identificación", max_length=30, required=False
    )
    contract = forms.CharField(label="Contrato", max_length=30, required=False)
    property_address = forms.CharField(
        label="Dirección del inmueble", max_length=200, required=False
    )
    motive = forms.CharField(
        label="Motivo de la petición (Motivo PQR — detalle)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    recording_ref = forms.CharField(
        label="Referencia de la grabación de la llamada",
        max_length=120,
        required=False,
        help_text="Solo llamadas del Contact Center: el Contact Center conserva la grabación 6 "
        "meses.",
    )

    def __init__(self, *args, channel: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if channel and channel != DigitalChannel.CONTACT_CENTER:
            del self.fields["recording_ref"]
        self.fields["document_number"].widget.attrs["inputmode"] = "text"
        self.fields["contract"].widget.attrs["inputmode"] = "numeric"

    def data_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in DATA_FIELDS if k in self.cleaned_data}


class InteractionRegisterForm(InteractionDataForm):
    """PQR-01: the creador registers a mention, a chat or a call by hand."""

    channel = forms.ChoiceField(
        label="Red o canal",
        choices=[("", "— Seleccione —"), *DigitalChannel.choices],
        error_messages={
            "required": "Seleccione la red o el canal por el que llegó.",
            "invalid_choice": "Seleccione la red o el canal por el que llegó.",
        },
        help_text="Contact Center: solo llamadas que ingresan por el grupo de atención "
        "«Orientación a la factura».",
    )
    text = forms.CharField(
        label="Lo que dijo el usuario (mención, chat o llamada)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["channel", "author_handle", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)

    def service_data(self) -> dict:
        return {
            "channel": self.cleaned_data["channel"],
            "text": self.cleaned_data["text"],
            **self.data_fields(),
        }


YES_NO = [("no", "No"), ("si", "Sí")]


class PqrForm(InteractionDataForm):
    """PQR-03..05: the data, and the questions of 2.7's notes asked before filing."""

    sewerage_not_provided = forms.ChoiceField(
        label="¿El reclamo es por servicio de alcantarillado no prestado?",
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
    )
    sewerage_payments = forms.ChoiceField(
        label="¿El cliente ha pagado ese servicio no prestado? (verifíquelo en el facturador)",
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
        help_text="Con pagos hay devolución de valores: se tramita por el canal escrito y no "
        "se radica PQR.",
    )
    premises = forms.ChoiceField(
        label="Tipo de inmueble",
        choices=Interaction.Premises.choices,
        initial=Interaction.Premises.RESIDENTIAL,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Indique si el inmueble es residencial o no."},
    )
    holder = forms.ChoiceField(
        label="Titular del contrato o instalación",
        choices=Interaction.Holder.choices,
        initial=Interaction.Holder.NATURAL,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Indique si el titular es persona natural o jurídica."},
        help_text="Inmueble no residencial de persona jurídica (NIT o empresa): se orienta al "
        "usuario a otros medios y no se radica PQR.",
    )
    relation_to_premises = forms.CharField(
        label="Relación del solicitante con el inmueble (no residencial)",
        max_length=300,
        required=False,
        help_text="Propietario, arrendatario, administrador… Queda expresada en la PQR.",
    )
    notification_medium = forms.ChoiceField(
        label="Medio autorizado para notificar la respuesta",
        choices=[("", "No informado"), *NotificationMedium.choices],
        required=False,
    )
    notification_email = forms.CharField(
        label="Correo para la notificación", max_length=254, required=False
    )
    notification_email_consent = forms.BooleanField(
        label="El usuario autoriza expresamente la notificación por correo", required=False
    )
    notification_mobile = forms.CharField(
        label="Celular para la citación", max_length=20, required=False
    )
    notification_address = forms.CharField(
        label="Dirección para la citación", max_length=200, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notification_email"].widget.input_type = "email"
        self.fields["notification_mobile"].widget.attrs["inputmode"] = "tel"

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            **self.data_fields(),
            "sewerage_not_provided": data["sewerage_not_provided"] == "si",
            "sewerage_payments": data["sewerage_payments"] == "si",
            "premises": data["premises"],
            "holder": data["holder"],
            "relation_to_premises": data["relation_to_premises"],
            "notification_medium": data["notification_medium"],
            "notification_email": data["notification_email"],
            "notification_email_consent": data["notification_email_consent"],
            "notification_mobile": data["notification_mobile"],
            "notification_address": data["notification_address"],
        }

    @classmethod
    def initial_for(cls, interaction: Interaction) -> dict:
        initial = {k: getattr(interaction, k) for k in DATA_FIELDS}
        initial.update(
            sewerage_not_provided="si" if interaction.sewerage_not_provided else "no",
            sewerage_payments="si" if interaction.sewerage_payments else "no",
            premises=interaction.premises or Interaction.Premises.RESIDENTIAL,
            holder=interaction.holder or Interaction.Holder.NATURAL,
            relation_to_premises=interaction.relation_to_premises,
        )
        return initial


class CloseUnansweredForm(BootstrapWidgetsMixin, forms.Form):
    cannot_receive_messages = forms.BooleanField(
        label="El usuario no puede recibir mensajes (tiene deshabilitada la opción)",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class ScreenshotForm(BootstrapWidgetsMixin, forms.Form):
    file = forms.FileField(
        label="Captura de la interacción (imagen o PDF)",
        error_messages={"required": "Seleccione la captura de la interacción."},
        widget=forms.FileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
