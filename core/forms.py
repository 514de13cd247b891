from django import forms
from django.core.exceptions import ValidationError

from core.models import (
    AttentionMedium,
    CaseKind,
    Channel,
    ContactAttempt,
    DocumentType,
    EvidenceKind,
    InitialCause,
    NotificationMedium,
    Office,
    PqrType,
    TransactionType,
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


#: A customer attended from a turn identifies themself: every document type but "Sin
#: identificación", which the case services refuse for lack of a number.
TURN_CASE_DOCUMENT_TYPES = [
    (v, label) for v, label in DocumentType.choices if v != DocumentType.SIN_ID
]


class ShiftCheckForm(BootstrapWidgetsMixin, forms.Form):
    """The start-of-shift check of a remote modality: audio of the technologist's equipment and
    the supported office's printer (CEL-03 step 3); with ``video=True`` also the camera (asesor
    en línea AL-02, balanceo 2.5 step 2). All are required by ``shift_check_record``, whose
    messages go next to the boxes; ``printer_label`` names the printer the modality uses."""

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

    def __init__(self, *args, video: bool = False, printer_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not video:
            del self.fields["video"]
        if printer_label:
            self.fields["printer"].label = printer_label


class TurnCaseForm(BootstrapWidgetsMixin, forms.Form):
    """The customer of a turn attended remotely (cellphone overflow 2.3 step 5, asesor en línea
    2.4 step 3, balanceo BAL-04): who they are and what they need. Only converts what was typed;
    the rules and their Spanish messages are the case services' (``turn_case_open``)."""

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
        queryset=TransactionType.objects.none(),
        error_messages={
            "required": "Seleccione la transacción que necesita el cliente.",
            "invalid_choice": "Seleccione una transacción de la lista.",
        },
    )
    document_type = forms.ChoiceField(
        label="Tipo de documento",
        choices=TURN_CASE_DOCUMENT_TYPES,
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
        from core.selectors import transaction_type_list

        super().__init__(*args, **kwargs)
        self.fields["transaction_type"].queryset = transaction_type_list()
        self.fields["document_number"].widget.attrs["inputmode"] = "text"
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


class NotificationAuthorisationForm(BootstrapWidgetsMixin, forms.Form):
    """CORE-13 on the case page: how the customer authorises being notified of the PQR's
    decision, in the procedure's order (e-mail with express consent, else a mobile for an SMS
    citation, else a physical address). Only converts; ``case_notification_authorise`` holds
    the rules and their Spanish messages (its field names are these)."""

    medium = forms.ChoiceField(
        label="Medio autorizado de notificación",
        choices=NotificationMedium.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indique el medio autorizado de notificación.",
            "invalid_choice": "Indique el medio autorizado de notificación.",
        },
    )
    email = forms.CharField(label="Correo electrónico", max_length=254, required=False)
    email_consent = forms.BooleanField(
        label="El cliente autoriza expresamente la notificación por correo electrónico",
        required=False,
    )
    mobile = forms.CharField(label="Celular para la citación por SMS", required=False)
    address = forms.CharField(label="Dirección física para la citación", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "autorizacion_%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.input_type = "email"
        self.fields["mobile"].widget.attrs.update(inputmode="tel", autocomplete="off")

    @classmethod
    def for_case(cls, case):
        """The form filled with what the case already has."""
        return cls(
            initial={
                "medium": case.notification_medium or None,
                "email": case.notification_email or case.contact_email or case.customer.email,
                "email_consent": case.notification_email_consent,
                "mobile": case.notification_mobile or case.customer.mobile,
                "address": case.notification_address,
            }
        )
