"""Customers (contactos, CORE-03)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .choices import DocumentType


class Customer(models.Model):
    document_type = models.CharField(
        "tipo de documento", max_length=6, choices=DocumentType.choices
    )
    document_number = models.CharField("número de documento", max_length=20, blank=True)
    full_name = models.CharField("nombre completo", max_length=160)
    phone = models.CharField("teléfono", max_length=20, blank=True)
    mobile = models.CharField("celular", max_length=20, blank=True)
    email = models.EmailField("correo electrónico", blank=True)
    address = models.CharField("dirección", max_length=200, blank=True)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contacto"
        verbose_name_plural = "contactos"
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                condition=~Q(document_number=""),
                name="customer_unique_document",
            ),
            models.CheckConstraint(
                condition=Q(document_type="SIN_ID") | ~Q(document_number=""),
                name="customer_number_unless_sin_id",
            ),
            models.CheckConstraint(
                condition=~Q(document_type="SIN_ID") | Q(document_number=""),
                name="customer_sin_id_has_no_number",
            ),
        ]

    def __str__(self) -> str:
        if self.document_number:
            return f"{self.full_name} ({self.document_type} {self.document_number})"
        return f"{self.full_name} (sin identificación)"

    @property
    def is_legal_entity(self) -> bool:
        """A NIT identifies a company (persona jurídica), CORE-03 / PQR-05."""
        return self.document_type == DocumentType.NIT

    def clean(self) -> None:
        if self.document_type == DocumentType.SIN_ID:
            if self.document_number:
                raise ValidationError(
                    {"document_number": "Un contacto sin identificación no lleva número."}
                )
        elif not self.document_number:
            raise ValidationError({"document_number": "Ingrese el número de documento."})


class ContactDetail(models.Model):
    """Contact data given for a case that differ from the customer's record (a new phone, an
    e-mail): kept with who gave it, when and for which case, without overwriting the record
    (a document number alone must not let anyone rewrite another customer's contact data)."""

    class Kind(models.TextChoices):
        PHONE = "phone", "teléfono"
        MOBILE = "mobile", "celular"
        EMAIL = "email", "correo electrónico"
        ADDRESS = "address", "dirección"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contact_details", verbose_name="contacto"
    )
    case = models.ForeignKey(
        "core.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_details",
        verbose_name="caso",
    )
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices)
    value = models.CharField("valor", max_length=254)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="registrado por",
    )
    given_at = models.DateTimeField("fecha")

    class Meta:
        verbose_name = "dato de contacto adicional"
        verbose_name_plural = "datos de contacto adicionales"
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["customer", "given_at"], name="contactdetail_customer_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
