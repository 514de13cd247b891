"""Balancing (2.5): who is in today's pool and ready to be matched (BAL-01, BAL-03)."""

from django.conf import settings
from django.db import models


class BalanceSeat(models.Model):
    """A technologist of today's balancing roster who opened the balancing page: "disponible"
    (ready to be matched) or paused. ``idle_since`` orders the matcher: the one idle longest gets
    the next customer; ending a call sets it to that moment (available again at once)."""

    technologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="balance_seats",
        verbose_name="tecnólogo",
    )
    day = models.DateField("día")
    available = models.BooleanField("disponible", default=False)
    idle_since = models.DateTimeField("libre desde", null=True, blank=True)
    #: Why the system paused the seat (shown on /balanceo/ until "Disponible" is marked again).
    paused_reason = models.CharField("motivo de la pausa", max_length=200, blank=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)

    class Meta:
        verbose_name = "puesto de balanceo"
        verbose_name_plural = "puestos de balanceo"
        ordering = ["day", "idle_since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["technologist", "day"], name="balance_seat_once_a_day"),
        ]
        indexes = [
            models.Index(
                fields=["day", "idle_since"],
                condition=models.Q(available=True),
                name="balance_seat_ready_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.technologist}"
