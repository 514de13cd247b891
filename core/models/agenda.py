"""The agenda (appointments): types, technologists' working hours and bookings. Shared by every
modality that works by appointment (2.6 condo administrators, 2.8 internal clients).

Free slots are computed (``core.services.agenda.agenda_free_slots``), never stored. A booking
that holds its slot — ``retenida`` (a hold that expires) or ``confirmada`` — cannot overlap
another of the same technologist: on PostgreSQL an exclusion constraint guarantees it
(migration ``core.0025``, btree_gist); on SQLite (the zero-setup demo) the service serialises.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .cases import Case
from .choices import Modality

WEEKDAYS = [
    (0, "lunes"),
    (1, "martes"),
    (2, "miércoles"),
    (3, "jueves"),
    (4, "viernes"),
    (5, "sábado"),
    (6, "domingo"),
]


class AppointmentType(models.Model):
    """What can be booked: its modality, how long a slot lasts, how far ahead it can be booked
    and which technologists serve it (managers edit these in admin)."""

    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nombre", max_length=120)
    modality = models.CharField("modalidad", max_length=20, choices=Modality.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        "duración (minutos)",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    days_ahead = models.PositiveSmallIntegerField(
        "se puede agendar hasta (días)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text="Cuántos días calendario hacia adelante se ofrecen citas.",
    )
    technologists = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="appointment_types",
        blank=True,
        verbose_name="tecnólogos que atienden",
    )
    active = models.BooleanField("activo", default=True)
    history = HistoricalRecords(m2m_fields=[technologists])

    class Meta:
        verbose_name = "tipo de cita"
        verbose_name_plural = "tipos de cita"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """A technologist's bookable hours on one weekday (Bogotá time). Several rows a day are
    allowed (morning and afternoon); national holidays are never bookable (LEG-01 calendar)."""

    technologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name="tecnólogo",
    )
    weekday = models.PositiveSmallIntegerField("día de la semana", choices=WEEKDAYS)
    start = models.TimeField("desde")
    end = models.TimeField("hasta")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "horario de agenda"
        verbose_name_plural = "horarios de agenda"
        ordering = ["technologist", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="working_hours_start_lt_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise ValidationError({"end": "La hora final debe ser posterior a la inicial."})


class AppointmentStatus(models.TextChoices):
    RETENIDA = "retenida", "retenida"
    CONFIRMADA = "confirmada", "confirmada"
    CANCELADA = "cancelada", "cancelada"
    VENCIDA = "vencida", "vencida"
    NO_ASISTIO = "no_asistio", "no asistió"
    ATENDIDA = "atendida", "atendida"

    @classmethod
    def holding(cls) -> list[str]:
        """The statuses that hold their slot (the exclusion constraint's condition)."""
        return [cls.RETENIDA, cls.CONFIRMADA]


class Appointment(models.Model):
    """One booking of one technologist's time. ``uid`` and ``sequence`` are the calendar
    invitation's (RFC 5545): the same UID through reschedules, a higher SEQUENCE each time."""

    type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments", verbose_name="tipo"
    )
    technologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name="tecnólogo",
    )
    start = models.DateTimeField("inicio")
    end = models.DateTimeField("fin")
    status = models.CharField(
        "estado",
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.RETENIDA,
    )
    held_until = models.DateTimeField("retenida hasta", null=True, blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name="caso",
    )
    uid = models.UUIDField("UID del calendario", default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField("secuencia del calendario", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="agendada por",
    )
    created_at = models.DateTimeField("creada", auto_now_add=True)
    updated_at = models.DateTimeField("actualizada", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "cita"
        verbose_name_plural = "citas"
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="appointment_start_lt_end"
            ),
            models.CheckConstraint(
                condition=~Q(status="retenida") | Q(held_until__isnull=False),
                name="appointment_hold_has_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["technologist", "start"], name="appointment_tech_start_idx"),
            models.Index(fields=["status", "held_until"], name="appointment_status_held_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.start:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def ics_uid(self) -> str:
        return f"{self.uid}@atencion-a-distancia"
