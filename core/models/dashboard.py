"""Issue 16 (NFR-01): the daily rollup behind the dashboard's period figures.

``CaseDailyStats`` holds, per Bogotá day of ``closed_at`` × office × supported office ×
modality, what ``core.selectors.dashboard`` needs to recompute the period's figures exactly:
the cases closed, those closed at first contact, those with an assignment (``handled``) and
the sum of their handling times (``closed_at − assigned_at``). The sum is an interval
(``DurationField``), not seconds: PostgreSQL adds intervals field by field (days and
microseconds apart), so the period's ``SUM(handling) / SUM(handled)`` is, to the microsecond,
the ``AVG(closed_at − assigned_at)`` of the cases themselves.

``DashboardRollupDay`` marks the days already rolled (days with no closures too): those days'
figures come from the rollup, every other day of a period from the cases (normally only today).
Both are written only by ``core.services.dashboard_rollup``.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Coalesce

from .choices import Modality
from .org import Office


class CaseDailyStats(models.Model):
    day = models.DateField("día (Bogotá) del cierre")
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="oficina",
    )
    supported_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="oficina a la que se apoya / oficina de atención",
    )
    modality = models.CharField("modalidad", max_length=20, choices=Modality.choices)
    closed = models.PositiveIntegerField("casos cerrados")
    first_contact = models.PositiveIntegerField("cerrados en primer contacto")
    handled = models.PositiveIntegerField("cerrados con asignación")
    handling = models.DurationField("tiempo de atención sumado (cierre − asignación)")

    class Meta:
        verbose_name = "cifras diarias de casos cerrados"
        verbose_name_plural = "cifras diarias de casos cerrados"
        constraints = [
            # One row per key, a missing office counting as one value (an expression index:
            # SQLite, the zero-setup database, has no NULLS NOT DISTINCT).
            models.UniqueConstraint(
                "day",
                Coalesce("office", 0),
                Coalesce("supported_office", 0),
                "modality",
                name="case_daily_stats_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.modality}: {self.closed} cerrados"


class DashboardRollupDay(models.Model):
    day = models.DateField("día (Bogotá)", unique=True)
    rolled_at = models.DateTimeField("resumido el")

    class Meta:
        verbose_name = "día resumido del tablero"
        verbose_name_plural = "días resumidos del tablero"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class DashboardSnapshot(models.Model):
    """The figures of one dashboard (unit or office × period, on one Bogotá day) as last
    computed: what the page, its refresh and the API serve while they are younger than
    ``core.services.dashboard_snapshot.SNAPSHOT_MAX_AGE`` — and what the minute's job keeps
    fresh while someone looks at them. Written only by ``core.services.dashboard_snapshot``."""

    key = models.CharField("clave", max_length=120, unique=True)
    figures = models.JSONField("cifras", encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField("calculadas el", db_index=True)
    requested_at = models.DateTimeField("consultadas por última vez el", db_index=True)

    class Meta:
        verbose_name = "cifras calculadas del tablero"
        verbose_name_plural = "cifras calculadas del tablero"

    def __str__(self) -> str:
        return self.key
