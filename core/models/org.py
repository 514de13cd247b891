"""Organisation: offices, their kiosks and printers, staff (CORE-01, CORE-02)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .choices import Unit, WorkMode


class Office(models.Model):
    """An attention office of a unit and a zone; "Cliente Interno" is a pseudo-office (2.8)."""

    name = models.CharField("nombre", max_length=120, unique=True)
    code = models.CharField("código", max_length=20, unique=True)
    unit = models.CharField("unidad", max_length=20, choices=Unit.choices)
    zone = models.CharField("zona", max_length=80)
    capacity = models.PositiveIntegerField("aforo", default=0)
    has_orientador = models.BooleanField("tiene orientador", default=True)
    technologist_count = models.PositiveIntegerField("número de tecnólogos", default=1)
    is_internal_client = models.BooleanField("pseudo-oficina Cliente Interno", default=False)
    active = models.BooleanField("activa", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "oficina"
        verbose_name_plural = "oficinas"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_internal_client"],
                condition=Q(is_internal_client=True),
                name="office_single_internal_client",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Kiosk(models.Model):
    """A módulo asesor en línea of an office; an office may turn it off (BAL-02)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="kiosks", verbose_name="oficina"
    )
    label = models.CharField("módulo", max_length=40)
    is_on = models.BooleanField("encendido", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "módulo asesor en línea"
        verbose_name_plural = "módulos asesor en línea"
        ordering = ["office__name", "label"]
        constraints = [
            models.UniqueConstraint(fields=["office", "label"], name="kiosk_unique_label"),
        ]

    def __str__(self) -> str:
        estado = "encendido" if self.is_on else "desconectado"
        return f"{self.label} ({estado})"


class Printer(models.Model):
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="printers", verbose_name="oficina"
    )
    name = models.CharField("nombre", max_length=80)
    queue_address = models.CharField("cola de impresión", max_length=200, blank=True)
    active = models.BooleanField("activa", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "impresora"
        verbose_name_plural = "impresoras"
        ordering = ["office__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="printer_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.office_id and self.office.name}"


class User(AbstractUser):
    """A member of staff (or an internal-client employee). Roles are Django groups (core.roles)."""

    document_number = models.CharField("número de documento", max_length=20, blank=True)
    phone = models.CharField("teléfono", max_length=20, blank=True)
    home_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="oficina",
    )
    work_mode = models.CharField(
        "modalidad de trabajo", max_length=30, choices=WorkMode.choices, blank=True
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "funcionario"
        verbose_name_plural = "funcionarios"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class StaffAvailability(models.Model):
    """Whether a person works on a given day, and from where (CORE-02)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="availability", verbose_name="funcionario"
    )
    date = models.DateField("fecha")
    is_available = models.BooleanField("disponible", default=True)
    work_mode = models.CharField(
        "modalidad de trabajo", max_length=30, choices=WorkMode.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "disponibilidad"
        verbose_name_plural = "disponibilidad"
        ordering = ["-date", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="availability_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.date:%Y-%m-%d}: {'sí' if self.is_available else 'no'}"

    def clean(self) -> None:
        if self.is_available and not (self.work_mode or getattr(self.user, "work_mode", "")):
            raise ValidationError(
                {"work_mode": "Indique la modalidad de trabajo del funcionario disponible."}
            )
