"""Condo administrators (2.6): the copropiedad (a NIT) behind each case of this modality. The
administrator is the case's contact (core ``Customer``); the appointment is core's
(``core.Appointment``, linked to the case)."""

from django.conf import settings
from django.db import models

from core.models import Case


class Copropiedad(models.Model):
    nit = models.CharField("NIT", max_length=20, unique=True)
    name = models.CharField("copropiedad", max_length=200)
    created_at = models.DateTimeField("registrada", auto_now_add=True)

    class Meta:
        verbose_name = "copropiedad"
        verbose_name_plural = "copropiedades"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (NIT {self.nit})"


class CondoCase(models.Model):
    """A case of this modality: the copropiedad it is for, and whether the Contact Center solved
    it by phone (COP-01: recorded and closed there, no appointment)."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="condo", verbose_name="caso"
    )
    copropiedad = models.ForeignKey(
        Copropiedad, on_delete=models.PROTECT, related_name="cases", verbose_name="copropiedad"
    )
    solved_by_phone = models.BooleanField(
        "resuelto por teléfono en el Contact Center", default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="registrado por",
    )
    created_at = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        verbose_name = "caso de copropiedad"
        verbose_name_plural = "casos de copropiedad"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case.number} — {self.copropiedad}"
