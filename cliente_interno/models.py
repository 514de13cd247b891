"""Internal clients (2.8): an employee of the utility who is also a customer books a video
appointment, checks in at the "Asistir a cita" link and is served by a technologist.

The appointment is core's (``core.Appointment``, type ``cliente-interno``); the turn is core's
(office "Cliente Interno"); the video call is core's (``core.VideoSession`` with the employee as
its attendee); the case is core's. This model ties them together with what only this modality
has: the transaction chosen, the personal data and consents given when booking (Ley 1581), the
check-in."""

from django.conf import settings
from django.db import models

from core.models import Appointment, DocumentType, TransactionType, Turn


class PropertyRelation(models.TextChoices):
    """2.8 step 1: the employee books "en calidad de usuario o propietario o inquilino"."""

    PROPIETARIO = "propietario", "propietario"
    INQUILINO = "inquilino", "inquilino o arrendatario"
    USUARIO = "usuario", "usuario del servicio"


class InternalBooking(models.Model):
    """One employee's appointment. Created with the hold (the transaction chosen, the slot
    retenido); ``booked_at`` is set when the employee reserves (personal data, terms and data
    consent) and the core appointment is confirmed. A hold that expires leaves this row with
    ``booked_at`` empty and its appointment ``vencida``."""

    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.PROTECT,
        related_name="internal_booking",
        verbose_name="cita",
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="internal_bookings",
        verbose_name="funcionario",
    )
    transaction_type = models.ForeignKey(
        TransactionType, on_delete=models.PROTECT, verbose_name="transacción"
    )
    # Personal data given when reserving (prefilled from the employee's account).
    document_type = models.CharField(
        "tipo de documento", max_length=10, choices=DocumentType.choices, blank=True
    )
    document_number = models.CharField("número de documento", max_length=20, blank=True)
    full_name = models.CharField("nombre completo", max_length=200, blank=True)
    email = models.EmailField("correo electrónico", blank=True)
    mobile = models.CharField("celular", max_length=20, blank=True)
    relation = models.CharField(
        "calidad", max_length=12, choices=PropertyRelation.choices, blank=True
    )
    contract_number = models.CharField("contrato o cuenta", max_length=30, blank=True)
    property_address = models.CharField("dirección del inmueble", max_length=200, blank=True)
    motive = models.TextField("motivo de la cita", blank=True)
    terms_accepted_at = models.DateTimeField("aceptó términos", null=True, blank=True)
    data_consent_at = models.DateTimeField(
        "autorizó tratamiento de datos (Ley 1581)", null=True, blank=True
    )
    booked_at = models.DateTimeField("reservada", null=True, blank=True)
    # Check-in (CI-03).
    checkin_failures = models.PositiveSmallIntegerField("intentos fallidos", default=0)
    checked_in_at = models.DateTimeField("se presentó", null=True, blank=True)
    turn = models.OneToOneField(
        Turn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="internal_booking",
        verbose_name="turno",
    )
    # CI-04: the no-show e-mail went out (once).
    no_show_notified_at = models.DateTimeField("aviso de inasistencia", null=True, blank=True)
    created_at = models.DateTimeField("creada", auto_now_add=True)

    class Meta:
        verbose_name = "cita de cliente interno"
        verbose_name_plural = "citas de cliente interno"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["employee", "booked_at"], name="ci_booking_employee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.employee} — {self.appointment}"
