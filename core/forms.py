from django import forms
from django.core.exceptions import ValidationError

from core.models import (
    AttentionMedium,
    Channel,
    ContactAttempt,
    EvidenceKind,
    InitialCause,
    NotificationMedium,
    Office,
)
from core.services.closing import CLOSE_OUTCOME_CHOICES
from core.services.evidence import ACCEPTED_LABEL


def form_add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on a form: per field when it names one of the form's fields,
    else as a form-wide error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class BootstrapWidgetsMixin:
    """Bootstrap classes on every widget of a form (check box and radio, select, the rest;
    hidden inputs none), unless a field sets its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


class EvidenceUploadForm(forms.Form):
    kind = forms.ChoiceField(label="Tipo de evidencia", choices=EvidenceKind.choices)
    file = forms.FileField(
        label="Archivo",
        help_text=f"Se aceptan {ACCEPTED_LABEL}.",
        error_messages={"required": "Seleccione el archivo a cargar."},
    )


class AttemptForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=ContactAttempt.Outcome.choices,
        error_messages={"invalid_choice": "Resultado de la llamada no válido."},
    )
    number_dialled = forms.CharField(
        max_length=20, error_messages={"required": "Indique el número marcado."}
    )


class CloseForm(BootstrapWidgetsMixin, forms.Form):
    """The CRM fields the technologist fills once the customer answered (2.1 step 3)."""

    outcome = forms.ChoiceField(
        label="Resultado",
        choices=CLOSE_OUTCOME_CHOICES,
    )
    turn_number = forms.CharField(label="Número de turno", max_length=30, required=False)
    attention_medium = forms.ChoiceField(label="Medio de atención", choices=AttentionMedium.choices)
    channel = forms.ModelChoiceField(
        label="Canal de atención", queryset=Channel.objects.filter(active=True), required=False
    )
    office = forms.ModelChoiceField(
        label="Oficina", queryset=Office.objects.filter(active=True), required=False
    )
    supported_office = forms.ModelChoiceField(
        label="Oficina a la que se apoya / oficina de atención",
        queryset=Office.objects.filter(active=True),
        required=False,
    )
    initial_cause = forms.ModelChoiceField(
        label="Causa inicial", queryset=InitialCause.objects.filter(active=True), required=False
    )
    motive = forms.CharField(
        label="Motivo PQR (detalle)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notification_medium = forms.ChoiceField(
        label="Medio autorizado de notificación",
        choices=[("", "— no aplica —"), *NotificationMedium.choices],
        required=False,
    )
    notification_email = forms.CharField(
        label="Correo para notificación",
        max_length=254,
        required=False,
        widget=forms.EmailInput,  # checked by core.personal_data in the service
    )
    notification_email_consent = forms.BooleanField(
        label="El cliente autoriza expresamente la notificación por correo", required=False
    )
    notification_mobile = forms.CharField(label="Celular para citación", required=False)
    notification_address = forms.CharField(label="Dirección para citación", required=False)

    def crm_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("outcome")
        return data


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label="Nuevo tecnólogo",
        queryset=None,
        error_messages={
            "required": "Seleccione el tecnólogo.",
            "invalid_choice": "Ese tecnólogo no está disponible para reasignar.",
        },
    )
    reason = forms.CharField(label="Motivo", max_length=200, required=False)

    def __init__(self, *args, technologists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = technologists
