"""The office print queue (WA-04, CEL-04, AL-04, BAL-04): final documents a technologist sends
to a printer of the office the case is supported in, and what the office did with each."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .cases import Case
from .evidence import Evidence
from .org import Office, Printer


class PrintStep(models.TextChoices):
    """The office's steps on a document, in this order; the label goes to the history."""

    IMPRESO = "impreso", "documento impreso"
    VERIFICADO = "verificado", "verificado que corresponde al caso"
    ENTREGADO = "entregado", "documentos entregados al cliente"


class PrintJob(models.Model):
    """A final document (factura, constancia de atención…) of a case in an office's print queue.

    The orientador (or the encargado) prints it, checks with the customer that it belongs to the
    case, takes signatures / fingerprints when needed, uploads the signed scan to the case's
    evidence and hands it over. The customer is the case's; any case may be printed, whatever
    modality it came from.
    """

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="print_jobs", verbose_name="oficina"
    )
    printer = models.ForeignKey(
        Printer, on_delete=models.PROTECT, related_name="print_jobs", verbose_name="impresora"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="print_jobs", verbose_name="caso"
    )
    document = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, related_name="+", verbose_name="documento"
    )
    title = models.CharField("documento", max_length=120)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="enviado por",
    )
    sent_at = models.DateTimeField("enviado")
    printed_at = models.DateTimeField("impreso", null=True, blank=True)
    belongs_confirmed = models.BooleanField("verificado que corresponde al caso", default=False)
    signatures_taken = models.BooleanField("firmas capturadas", default=False)
    fingerprints_taken = models.BooleanField("huellas capturadas", default=False)
    handed_at = models.DateTimeField("entregado al cliente", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "documento en cola de impresión"
        verbose_name_plural = "cola de impresión"
        ordering = ["sent_at", "id"]
        indexes = [
            # The office's queue reads only the documents not handed over yet.
            models.Index(
                fields=["office", "sent_at", "id"],
                condition=Q(handed_at__isnull=True),
                name="printjob_office_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.case.number}"

    @property
    def last_step(self) -> str:
        """The last step done (a ``PrintStep``), "" while the document waits in the queue."""
        if self.handed_at:
            return PrintStep.ENTREGADO
        if self.belongs_confirmed:
            return PrintStep.VERIFICADO
        if self.printed_at:
            return PrintStep.IMPRESO
        return ""
