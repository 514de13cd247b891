"""Forms of the Contact Center's condo-administrator pages (2.6 step 1, COP-01).

They only convert what was typed; the rules and their Spanish messages are the services'
(``copropiedad.services``, ``core.services.agenda``). The one rule checked here is the first
question of the call: financiación / refinanciación is only presencial, so the page says so
before any slot is offered (the booking service refuses it again).
"""

from django import forms

from copropiedad.services import PRESENCIAL_ONLY
from core.forms import BootstrapWidgetsMixin
from core.models import DocumentType, PqrType
from core.selectors import transaction_type_list

PHONE, BOOK = "telefono", "agendar"
RESOLUTIONS = [(PHONE, "Se resuelve por teléfono"), (BOOK, "Agendar cita")]

#: The administrator identifies themself: every document type but "Sin identificación".
DOCUMENT_TYPES = [(v, label) for v, label in DocumentType.choices if v != DocumentType.SIN_ID]
SLOT_MISSING = "Ese horario no está en la agenda de citas."


class RequirementForm(BootstrapWidgetsMixin, forms.Form):
    """Step 1: what the administrator needs, and whether the Contact Center solves it now."""

    transaction_type = forms.ModelChoiceField(
        label="Tipo de transacción",
        queryset=transaction_type_list(),
        empty_label="— Seleccione la transacción —",
        error_messages={
            "required": "Seleccione la transacción que necesita el administrador.",
            "invalid_choice": "Seleccione una transacción de la lista.",
        },
    )
    pqr_type = forms.ChoiceField(
        label="Tipo de PQR",
        choices=PqrType.choices,
        initial=PqrType.PETICION,
        error_messages={"invalid_choice": "Indique petición, queja o reclamo."},
    )
    motive = forms.CharField(
        label="Motivo PQR (detalle)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    resolution = forms.ChoiceField(
        label="¿Cómo se atiende?",
        choices=RESOLUTIONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indique si se resuelve por teléfono o se agenda una cita.",
            "invalid_choice": "Indique si se resuelve por teléfono o se agenda una cita.",
        },
    )
    solution = forms.CharField(
        label="Solución dada por teléfono",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text="Solo si se resuelve por teléfono.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transaction_type"].widget.attrs["class"] = "form-select form-select-lg"

    def clean_transaction_type(self):
        transaction_type = self.cleaned_data["transaction_type"]
        if transaction_type.presencial_only:  # COP-01: no appointment, nothing written
            raise forms.ValidationError(PRESENCIAL_ONLY)
        return transaction_type

    def clean_motive(self):
        motive = self.cleaned_data["motive"].strip()
        if not motive:
            raise forms.ValidationError("Indique el motivo PQR (detalle).")
        return motive

    def clean(self):
        data = super().clean()
        if data.get("resolution") == PHONE and not (data.get("solution") or "").strip():
            self.add_error("solution", "Describa la solución dada por teléfono.")
        return data

    def draft(self) -> dict:
        """What the next steps carry (in the session): ids and text only."""
        data = self.cleaned_data
        return {
            "transaction_type": data["transaction_type"].pk,
            "pqr_type": data["pqr_type"],
            "motive": data["motive"],
            "resolution": data["resolution"],
            "solution": data["solution"].strip() if data["resolution"] == PHONE else "",
        }


class DayForm(forms.Form):
    """Step 2 and rescheduling: the day whose free slots are shown (one of ``days``)."""

    fecha = forms.TypedChoiceField(label="Día de la cita", choices=(), required=False)

    def __init__(self, *args, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = list(days)
        field = self.fields["fecha"]
        field.choices = [(day.isoformat(), label) for day, label in self.days]
        field.widget.attrs["class"] = "form-select form-select-lg"

    def day(self):
        """The chosen day; the first bookable one when none or a wrong one was given."""
        if self.is_bound and self.is_valid() and self.cleaned_data["fecha"]:
            chosen = self.cleaned_data["fecha"]
            for day, _ in self.days:
                if day.isoformat() == chosen:
                    return day
        return self.days[0][0] if self.days else None


class SlotForm(forms.Form):
    """A slot as the list gives it: its start (ISO 8601 with offset) and its technologist."""

    start = forms.DateTimeField(
        error_messages={"required": SLOT_MISSING, "invalid": SLOT_MISSING},
    )
    technologist = forms.ModelChoiceField(
        queryset=None,
        error_messages={"required": SLOT_MISSING, "invalid_choice": SLOT_MISSING},
    )

    def __init__(self, *args, technologists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technologist"].queryset = technologists


class AdministratorForm(BootstrapWidgetsMixin, forms.Form):
    """Step 3: the administrator and the copropiedad (the services check each field)."""

    nit = forms.CharField(label="NIT de la copropiedad", max_length=20, required=False)
    copropiedad = forms.CharField(label="Nombre de la copropiedad", max_length=200, required=False)
    full_name = forms.CharField(label="Nombre del administrador", max_length=160, required=False)
    document_type = forms.ChoiceField(
        label="Tipo de documento",
        choices=DOCUMENT_TYPES,
        initial=DocumentType.CC,
        error_messages={"invalid_choice": "Seleccione el tipo de documento."},
    )
    document_number = forms.CharField(label="Número de documento", max_length=30, required=False)
    phone = forms.CharField(label="Teléfono (celular o fijo)", max_length=30, required=False)
    email = forms.CharField(label="Correo electrónico", max_length=254, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nit"].widget.attrs.update(inputmode="numeric", placeholder="900123456-8")
        self.fields["document_number"].widget.attrs["inputmode"] = "text"
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["email"].widget.input_type = "email"
        for name in ("full_name", "copropiedad"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
