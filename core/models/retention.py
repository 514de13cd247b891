"""Retention of call recordings (PQR-06, issue 15): the audit of each run of the job."""

from django.conf import settings
from django.db import models

from .evidence import Evidence


class RetentionAction(models.TextChoices):
    FLAG = "flag", "marcar como vencida"
    PURGE = "purge", "purgar el archivo"


class RetentionAudit(models.Model):
    """One run of the recordings retention job: who ran it, with which policy, when, and the
    evidence it flagged or purged (``evidence``).

    The rows are also the marks: an evidence listed by a "purge" run has no file any more (its
    row and SHA-256 stay); one listed only by "flag" runs is past its term and is not served.
    Rows are written once and never changed, so they need no history of their own.
    """

    ran_at = models.DateTimeField("ejecutada", db_index=True)
    action = models.CharField("acción", max_length=10, choices=RetentionAction.choices)
    months = models.PositiveSmallIntegerField("meses de conservación")
    cutoff = models.DateTimeField("vencidas las cargadas antes de")
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ejecutada por",
    )
    trigger = models.CharField("origen", max_length=60)
    evidence_count = models.PositiveIntegerField("evidencias afectadas", default=0)
    bytes_freed = models.PositiveBigIntegerField("bytes liberados", default=0)
    errors = models.JSONField("errores", default=list, blank=True)
    evidence = models.ManyToManyField(
        Evidence, related_name="retention_audits", blank=True, verbose_name="evidencias"
    )

    class Meta:
        verbose_name = "ejecución de la retención de grabaciones"
        verbose_name_plural = "ejecuciones de la retención de grabaciones"
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.ran_at:%Y-%m-%d %H:%M} {self.get_action_display()}: "
            f"{self.evidence_count} evidencias"
        )
