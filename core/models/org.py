"""Organisation: offices, their kiosks and printers, staff (CORE-01, CORE-02)."""

from django.conf import settings
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
    """A módulo asesor en línea of an office (CORE-01, AL, BAL): a PC with a camera, a screen and
    a printer running the kiosk page (``/kiosco/``). An encargado pairs it once with a short code
    the page shows; from then on it signs in with a device credential (``device_key_hash``, the
    SHA-256 of a random key kept in the kiosk browser's cookie). Its on/off ("conectado" /
    "desconectado", BAL-02) is its live connection: ``is_on`` is set by the websocket connecting
    and cleared when it drops or its heartbeat (``last_seen_at``) goes stale — never by hand."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="kiosks", verbose_name="oficina"
    )
    label = models.CharField("módulo", max_length=40)
    printer = models.ForeignKey(
        "core.Printer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kiosks",
        verbose_name="impresora del módulo",
    )
    active = models.BooleanField("activo", default=True)
    is_on = models.BooleanField("conectado", default=False, editable=False)
    last_seen_at = models.DateTimeField("última señal", null=True, blank=True, editable=False)
    #: The channel name of the live connection that turned it on (a second tab replaces it).
    live_channel = models.CharField(max_length=200, blank=True, editable=False)
    device_key_hash = models.CharField(max_length=64, blank=True, editable=False)
    paired_at = models.DateTimeField("vinculado", null=True, blank=True, editable=False)
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="vinculado por",
    )
    history = HistoricalRecords(excluded_fields=["last_seen_at", "live_channel"])

    class Meta:
        verbose_name = "módulo asesor en línea"
        verbose_name_plural = "módulos asesor en línea"
        ordering = ["office__name", "label"]
        constraints = [
            models.UniqueConstraint(fields=["office", "label"], name="kiosk_unique_label"),
        ]

    def __str__(self) -> str:
        estado = "conectado" if self.is_on else "desconectado"
        return f"{self.label} ({estado})"

    @property
    def is_paired(self) -> bool:
        return bool(self.device_key_hash)

    def clean(self) -> None:
        if self.printer_id and self.office_id and self.printer.office_id != self.office_id:
            raise ValidationError(
                {"printer": "La impresora del módulo debe ser de la misma oficina."}
            )


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
