"""Catalogue editable in admin (CORE-04, CORE-05): transaction types, channels, initial causes.

Rows are loaded by a data migration; code refers to them by their stable ``code``, managers may
edit the labels and flags.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from .choices import CaseKind


class TransactionType(models.Model):
    code = models.SlugField("código", max_length=60, unique=True)
    name = models.CharField("nombre", max_length=120, unique=True)
    kind = models.CharField("tipo de caso", max_length=3, choices=CaseKind.choices)
    eligible_overflow = models.BooleanField(
        "elegible para desborde (formulario web / WhatsApp)", default=False
    )
    requires_orientador = models.BooleanField(
        "requiere orientador en la oficina",
        default=False,
        help_text="Radicación de documentos y Pedidos de energía prepago.",
    )
    presencial_only = models.BooleanField("solo presencial", default=False)
    active = models.BooleanField("activa", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tipo de transacción"
        verbose_name_plural = "tipos de transacción"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """Canal de atención, with the procedure's exact label (CORE-05)."""

    code = models.SlugField("código", max_length=60, unique=True)
    name = models.CharField("canal de atención", max_length=80, unique=True)
    is_digital = models.BooleanField("medio tecnológico o electrónico (2.7)", default=False)
    active = models.BooleanField("activo", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "canal de atención"
        verbose_name_plural = "canales de atención"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InitialCause(models.Model):
    code = models.SlugField("código", max_length=60, unique=True)
    name = models.CharField("causa inicial", max_length=120, unique=True)
    active = models.BooleanField("activa", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "causa inicial"
        verbose_name_plural = "causas iniciales"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
