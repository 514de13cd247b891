"""Overflow by web form (2.1) and WhatsApp (2.2): the orientador's intake and the outcome
confirmation loop with the customer (WA-03). The office print queue (WA-04) is core's
(``core.models.PrintJob``)."""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.models import Case, Office, TransactionType


class IntakeMode(models.TextChoices):
    FORMULARIO_WEB = "formulario_web", "formulario web"
    WHATSAPP = "whatsapp", "WhatsApp"


CHANNEL_BY_MODE = {
    IntakeMode.FORMULARIO_WEB: "desborde-formulario-web",
    IntakeMode.WHATSAPP: "desborde-whatsapp",
}

#: Version of the personal-data authorisation text shown on the tablet (Ley 1581 de 2012).
DATA_CONSENT_VERSION = "1581-v1-2026-11"
DATA_CONSENT_TEXT = (
    "Autorizo a Empresas Públicas de Medellín E.S.P. a tratar mis datos personales (nombre, "
    "documento, teléfono, correo y contrato) para atender esta solicitud y contactarme por "
    "teléfono o correo, conforme a la Ley 1581 de 2012 y su política de tratamiento de datos. "
    "Puedo conocer, actualizar, rectificar y suprimir mis datos en la línea 44 44 115."
)


class Intake(models.Model):
    """The overflow form the orientador fills on the tablet (2.1 step 2 / 2.2 step 2)."""

    client_token = models.UUIDField("identificador del envío", default=uuid.uuid4, unique=True)
    mode = models.CharField("modalidad", max_length=20, choices=IntakeMode.choices)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="intakes", verbose_name="oficina"
    )
    zone = models.CharField("zona", max_length=80)
    orientador = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="intakes",
        verbose_name="orientador",
    )
    started_at = models.DateTimeField("hora de inicio")
    transaction_type = models.ForeignKey(
        TransactionType, on_delete=models.PROTECT, verbose_name="tipo de transacción"
    )
    full_name = models.CharField("nombre del cliente", max_length=160)
    document_type = models.CharField("tipo de documento", max_length=6)
    document_number = models.CharField("número de documento", max_length=20)
    phone = models.CharField("teléfono", max_length=20)
    contract = models.CharField("contrato EPM", max_length=30, blank=True)
    email = models.EmailField("correo electrónico", blank=True)
    data_consent_at = models.DateTimeField("autorización de datos personales")
    data_consent_version = models.CharField("versión del texto de autorización", max_length=40)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="intake", verbose_name="caso CRM"
    )
    reported_at = models.DateTimeField(
        "PQR informada al asignador",
        null=True,
        blank=True,
        editable=False,
        help_text="DF-04: cuándo se informó al asignador el número del caso CRM registrado.",
    )
    created_at = models.DateTimeField("creado", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "registro de desborde"
        verbose_name_plural = "registros de desborde"
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["office", "started_at"], name="intake_office_day_idx"),
            # The DF-04 sweep reads only the intakes not reported yet: a few rows, not the table.
            models.Index(
                fields=["case"],
                condition=models.Q(reported_at__isnull=True),
                name="intake_unreported_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.full_name} ({self.case.number})"


class OutcomeProposal(models.Model):
    """WA-03: how the case will be closed, sent to the orientador for the customer's agreement."""

    class Response(models.TextChoices):
        PENDING = "pendiente", "pendiente"
        AGREED = "de_acuerdo", "de acuerdo"
        DISAGREED = "en_desacuerdo", "en desacuerdo"

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="outcome_proposals", verbose_name="caso"
    )
    text = models.TextField("propuesta de cierre")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="propuesta por",
    )
    proposed_at = models.DateTimeField("enviada")
    response = models.CharField(
        "respuesta del cliente", max_length=20, choices=Response.choices, default=Response.PENDING
    )
    comment = models.TextField("comentario", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="registrada por",
    )
    responded_at = models.DateTimeField("respondida", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "propuesta de cierre"
        verbose_name_plural = "propuestas de cierre"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.get_response_display()}"
