"""LEG-02, issue 16: the silencio-administrativo-positivo queue.

A PQR whose legal term (LEG-01: 15 business days, ``Case.due_date``) ends without an answer is
granted by law (Ley 142 de 1994 art. 158) and its effects must be recognised within 72 hours
(Decreto 2150 de 1995 art. 123). ``SapCase`` is that fact, one per case, written by the
periodic sweep (``core.services.sap.sap_sweep``): when the term ended, the 72-hour deadline, the
unit whose managers must act, the two alerts (24 hours left, expired) and the recognition (who,
when, the act's reference, its evidence). A case answered after its term keeps its row: it was
answered late, and the silence's effects still have to be recognised.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .cases import Case
from .choices import Unit
from .evidence import Evidence


class SapCase(models.Model):
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="sap", verbose_name="caso"
    )
    unit = models.CharField("unidad que debe reconocerlo", max_length=20, choices=Unit.choices)
    due_date = models.DateField("fecha límite de respuesta vencida")
    began_at = models.DateTimeField("silencio positivo desde")
    deadline = models.DateTimeField("reconocer a más tardar")
    answered_at = models.DateTimeField("respondido (fuera de término)", null=True, blank=True)
    recognised_at = models.DateTimeField("reconocido", null=True, blank=True)
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="reconocido por",
    )
    act_reference = models.CharField(
        "referencia del acto de reconocimiento", max_length=80, blank=True
    )
    notes = models.TextField("observaciones", blank=True)
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="evidencia del reconocimiento",
    )
    alert_24h_sent_at = models.DateTimeField("aviso de 24 horas enviado", null=True, blank=True)
    alert_expired_sent_at = models.DateTimeField(
        "aviso de vencimiento enviado", null=True, blank=True
    )
    created_at = models.DateTimeField("ingresó a la cola", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "caso en silencio administrativo positivo"
        verbose_name_plural = "cola de silencio administrativo positivo"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(
                fields=["unit", "deadline"],
                condition=Q(recognised_at__isnull=True),
                name="sap_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recognised_at__isnull=True)
                | (Q(recognised_by__isnull=False) & ~Q(act_reference="")),
                name="sap_recognised_has_who_and_act",
            ),
        ]

    def __str__(self) -> str:
        return f"SAP {self.case_id}"

    @property
    def is_pending(self) -> bool:
        return self.recognised_at is None
