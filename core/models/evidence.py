"""Evidence (expediente del cliente, CORE-08)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .cases import Case
from .choices import EvidenceKind
from .customers import Customer


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # The stored name never reuses the uploaded name (no path tricks, no collisions).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidencias/{instance.uploaded_at:%Y/%m}/{instance.sha256[:16]}-{instance.token}.{ext}"


class Evidence(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="evidence", verbose_name="caso"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="evidence", verbose_name="contacto"
    )
    kind = models.CharField("tipo", max_length=30, choices=EvidenceKind.choices)
    file = models.FileField("archivo", upload_to=evidence_upload_to, max_length=255)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField("nombre original", max_length=255)
    content_type = models.CharField("tipo de contenido", max_length=100)
    size = models.PositiveBigIntegerField("tamaño (bytes)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="cargado por"
    )
    uploaded_at = models.DateTimeField("cargado")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "evidencia"
        verbose_name_plural = "evidencias"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class Constancia(models.Model):
    """The "constancia del contenido de la reclamación" (COP-03, CI-05): the PDF generated for a
    PQR — case number, date, customer, motive, the authorised notification medium — and the
    e-mail that sent it from the modality's mailbox. ``medium`` is the medium it certified: a
    closure needs a constancia that was sent for the case's current medium."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="constancias", verbose_name="caso"
    )
    evidence = models.OneToOneField(
        Evidence, on_delete=models.PROTECT, related_name="constancia", verbose_name="PDF"
    )
    notification = models.OneToOneField(
        "core.Notification",
        on_delete=models.PROTECT,
        related_name="constancia",
        verbose_name="correo",
    )
    medium = models.CharField("medio de notificación certificado", max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="generada por"
    )
    created_at = models.DateTimeField("generada", auto_now_add=True)

    class Meta:
        verbose_name = "constancia del contenido de la reclamación"
        verbose_name_plural = "constancias del contenido de la reclamación"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Constancia {self.case.number} ({self.created_at:%Y-%m-%d %H:%M})"
