"""The form of the "Asistir a cita" page (CI-03): the document number used for the booking.
The comparison, the attempts and the window are the service's
(``cliente_interno.services.checkin.booking_check_in``)."""

from django import forms

from cliente_interno.services.checkin import DOCUMENT_REQUIRED
from core.forms import BootstrapWidgetsMixin


class CheckInForm(BootstrapWidgetsMixin, forms.Form):
    document_number = forms.CharField(
        label="Número de documento",
        max_length=20,
        help_text="El mismo número de documento que escribió al agendar la cita.",
        error_messages={
            "required": DOCUMENT_REQUIRED,
            "max_length": "Escriba como máximo 20 caracteres.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
