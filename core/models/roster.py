"""The support roster (programación de recursos, CEL-01, AL-01, BAL-01) and the technologists'
start-of-shift check (CEL-03 step 3, AL-02)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .org import Office


class RemoteModality(models.TextChoices):
    """How a rostered technologist supports an office from a distance."""

    CELULAR = "celular", "desborde por celular (2.3)"
    ASESOR_EN_LINEA = "asesor_en_linea", "asesor en línea (2.4)"
    BALANCEO = "balanceo", "balanceo (2.5)"


class RosterEntry(models.Model):
    """One technologist supports one office on one day in one modality."""

    day = models.DateField("día")
    technologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="roster_entries",
        verbose_name="tecnólogo",
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="roster_entries",
        verbose_name="oficina apoyada",
    )
    modality = models.CharField("modalidad", max_length=20, choices=RemoteModality.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="programado por",
    )
    created_at = models.DateTimeField("programado", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "programación de apoyo"
        verbose_name_plural = "programación de apoyos"
        ordering = ["day", "office__name", "technologist__first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "technologist", "office", "modality"],
                name="roster_once_per_day_office_modality",
            ),
        ]
        indexes = [models.Index(fields=["day", "office", "modality"], name="roster_office_day_idx")]

    def __str__(self) -> str:
        return (
            f"{self.day:%d/%m/%Y} {self.technologist} → {self.office} "
            f"({self.get_modality_display()})"
        )


class RosterNotice(models.Model):
    """The e-mail a technologist got for a day's roster: the offices it listed, so a save that
    changes nothing for them sends nothing, and a change sends one new e-mail."""

    day = models.DateField("día")
    technologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="tecnólogo",
    )
    signature = models.CharField("oficinas notificadas", max_length=500, blank=True)
    sent_at = models.DateTimeField("enviado")

    class Meta:
        verbose_name = "aviso de programación"
        verbose_name_plural = "avisos de programación"
        constraints = [
            models.UniqueConstraint(fields=["day", "technologist"], name="roster_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.technologist}"


class ShiftCheck(models.Model):
    """Before opening the virtual booth each day: audio works and the supported office's
    printer is configured (CEL-03 step 3)."""

    technologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shift_checks",
        verbose_name="tecnólogo",
    )
    day = models.DateField("día")
    audio_ok = models.BooleanField("audio verificado", default=False)
    printer_ok = models.BooleanField("impresora verificada", default=False)
    #: AL-02: asesor en línea and balanceo also need the camera (video).
    video_ok = models.BooleanField("video verificado", default=False)
    checked_at = models.DateTimeField("verificado")

    class Meta:
        verbose_name = "verificación de inicio de turno"
        verbose_name_plural = "verificaciones de inicio de turno"
        ordering = ["-day", "technologist_id"]
        constraints = [
            models.UniqueConstraint(fields=["technologist", "day"], name="shift_check_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.technologist}"
