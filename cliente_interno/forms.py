"""Forms of the employee's booking pages (2.8, CI-01). They only convert what was typed; the
rules and their Spanish messages are the services' (``cliente_interno.services.booking``)."""

import datetime as dt

from django import forms

from cliente_interno.models import PropertyRelation
from cliente_interno.services.booking import DOCUMENT_TYPES, transaction_types_offered
from core.forms import BootstrapWidgetsMixin
from core.models import DocumentType
from core.personal_data import phone_is_mobile

SLOT_MISSING = "Ese horario no está en la agenda de citas."
TRANSACTION_MISSING = "Seleccione la transacción que quiere tramitar."


class ChoiceForm(forms.Form):
    """The transaction (``?transaccion=<code>``) and the day (``?fecha=AAAA-MM-DD``, one of
    ``days``) whose free slots are shown."""

    transaccion = forms.ModelChoiceField(
        label="¿Qué quiere tramitar?",
        queryset=transaction_types_offered(),
        to_field_name="code",
        empty_label="— Seleccione la transacción —",
        required=False,
        error_messages={"invalid_choice": "Seleccione una transacción de la lista."},
    )
    fecha = forms.ChoiceField(label="Día de la cita", choices=(), required=False)

    def __init__(self, *args, days: list[tuple[dt.date, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.days = list(days)
        self.fields["transaccion"].widget.attrs["class"] = "form-select form-select-lg"
        self.fields["fecha"].choices = [(day.isoformat(), label) for day, label in self.days]
        self.fields["fecha"].widget.attrs["class"] = "form-select form-select-lg"

    def _value(self, name: str):
        """A field's value when it is valid (a wrong day does not lose the transaction)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)

    def transaction_type(self):
        return self._value("transaccion")

    def day(self) -> dt.date | None:
        """The chosen day; the first bookable one when none or a wrong one was given."""
        chosen = self._value("fecha") or ""
        for day, _ in self.days:
            if day.isoformat() == chosen:
                return day
        return self.days[0][0] if self.days else None


class SlotForm(forms.Form):
    """A slot as the list gives it (start with its offset, technologist) and the transaction."""

    transaccion = forms.ModelChoiceField(
        queryset=transaction_types_offered(),
        to_field_name="code",
        error_messages={"required": TRANSACTION_MISSING, "invalid_choice": TRANSACTION_MISSING},
    )
    start = forms.DateTimeField(error_messages={"required": SLOT_MISSING, "invalid": SLOT_MISSING})
    technologist = forms.ModelChoiceField(
        queryset=None,
        error_messages={"required": SLOT_MISSING, "invalid_choice": SLOT_MISSING},
    )

    def __init__(self, *args, technologists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technologist"].queryset = technologists


class ReserveForm(BootstrapWidgetsMixin, forms.Form):
    """The employee's data for the booking (prefilled from the account) and the two consents."""

    document_type = forms.ChoiceField(
        label="Tipo de documento",
        choices=DOCUMENT_TYPES,
        initial=DocumentType.CC,
        error_messages={"invalid_choice": "Seleccione el tipo de documento."},
    )
    document_number = forms.CharField(
        label="Número de documento",
        max_length=30,
        required=False,
        help_text="Se lo pediremos al abrir el enlace «Asistir a cita».",
    )
    full_name = forms.CharField(label="Nombre completo", max_length=200, required=False)
    email = forms.CharField(
        label="Correo electrónico",
        max_length=254,
        required=False,
        help_text="Allí le enviamos la confirmación con el enlace «Asistir a cita».",
    )
    mobile = forms.CharField(label="Celular", max_length=30, required=False)
    relation = forms.ChoiceField(
        label="Usted consulta en calidad de",
        choices=PropertyRelation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    contract_number = forms.CharField(
        label="Contrato o cuenta (opcional)", max_length=30, required=False
    )
    property_address = forms.CharField(
        label="Dirección del inmueble (opcional)", max_length=200, required=False
    )
    motive = forms.CharField(
        label="Motivo de la cita (opcional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    terms_accepted = forms.BooleanField(
        label="Acepto los términos y condiciones de la cita por video.", required=False
    )
    data_consent = forms.BooleanField(
        label="Autorizo a EPM el tratamiento de mis datos personales (Ley 1581 de 2012).",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_number"].widget.attrs.update(inputmode="numeric")
        self.fields["email"].widget.input_type = "email"
        self.fields["mobile"].widget.attrs.update(inputmode="tel", placeholder="300 123 4567")

    @staticmethod
    def initial_for(user) -> dict:
        """What the account already knows."""
        return {
            "document_type": DocumentType.CC,
            "document_number": user.document_number,
            "full_name": user.get_full_name(),
            "email": user.email,
            "mobile": user.phone if user.phone and phone_is_mobile(user.phone) else "",
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("terms_accepted")
        data.pop("data_consent")
        return data
