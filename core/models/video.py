"""Kiosk pairing and video sessions (CORE-01, AL, BAL, CI): the live side of core."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .org import Kiosk


class KioskPairing(models.Model):
    """A kiosk page asking to be paired: it shows ``code``; an encargado of the office types it
    on the turn desk and picks the kiosk. The page holds ``secret`` (its hash here) in a cookie
    and collects its device credential with it once paired. Pending codes expire."""

    code = models.CharField("código", max_length=8)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("pedido")
    expires_at = models.DateTimeField("vence")
    kiosk = models.ForeignKey(
        Kiosk,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name="módulo",
    )
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="vinculado por",
    )
    paired_at = models.DateTimeField("vinculado", null=True, blank=True)
    collected_at = models.DateTimeField("credencial entregada", null=True, blank=True)

    class Meta:
        verbose_name = "vinculación de módulo"
        verbose_name_plural = "vinculaciones de módulos"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["code", "expires_at"], name="kioskpairing_code_idx")]

    def __str__(self) -> str:
        return self.code


class VideoSessionStatus(models.TextChoices):
    CREADA = "creada", "creada"
    TIMBRANDO = "timbrando", "timbrando"
    CONECTADA = "conectada", "conectada"
    FINALIZADA = "finalizada", "finalizada"
    FALLIDA = "fallida", "fallida"

    @classmethod
    def open(cls) -> list[str]:
        return [cls.CREADA, cls.TIMBRANDO, cls.CONECTADA]


class VideoSession(models.Model):
    """One 1:1 video call between a technologist and a kiosk (or, for the internal client, an
    employee's browser): its state, the ICE candidate type the connection settled on (host,
    srflx, relay — how often calls need the TURN relay) and why it ended."""

    class CandidateType(models.TextChoices):
        HOST = "host", "directa (host)"
        SRFLX = "srflx", "directa tras NAT (srflx)"
        PRFLX = "prflx", "directa (prflx)"
        RELAY = "relay", "por el servidor TURN (relay)"

    provider = models.CharField("proveedor", max_length=20, default="p2p")
    modality = models.CharField("modalidad", max_length=30)
    status = models.CharField(
        "estado",
        max_length=20,
        choices=VideoSessionStatus.choices,
        default=VideoSessionStatus.CREADA,
    )
    technologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="video_sessions",
        verbose_name="tecnólogo",
    )
    kiosk = models.ForeignKey(
        Kiosk,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="video_sessions",
        verbose_name="módulo",
    )
    #: The other party when it is a person's own browser, not a kiosk: the employee of an
    #: internal-client appointment (2.8). A session has a kiosk or an attendee, never both.
    attendee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attended_video_sessions",
        verbose_name="asistente",
    )
    turn = models.ForeignKey(
        "core.Turn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="video_sessions",
        verbose_name="turno",
    )
    #: The provider's room or reference (empty for p2p).
    room = models.CharField("sala", max_length=200, blank=True)
    candidate_type = models.CharField(
        "tipo de conexión", max_length=10, choices=CandidateType.choices, blank=True
    )
    end_reason = models.CharField("motivo de fin", max_length=200, blank=True)
    created_at = models.DateTimeField("creada")
    ringing_at = models.DateTimeField("timbrando", null=True, blank=True)
    connected_at = models.DateTimeField("conectada", null=True, blank=True)
    ended_at = models.DateTimeField("terminada", null=True, blank=True)

    class Meta:
        verbose_name = "sesión de video"
        verbose_name_plural = "sesiones de video"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["technologist"],
                condition=Q(status__in=["creada", "timbrando", "conectada"]),
                name="video_one_open_per_technologist",
            ),
            models.UniqueConstraint(
                fields=["kiosk"],
                condition=Q(status__in=["creada", "timbrando", "conectada"]),
                name="video_one_open_per_kiosk",
            ),
            models.UniqueConstraint(
                fields=["attendee"],
                condition=Q(status__in=["creada", "timbrando", "conectada"]),
                name="video_one_open_per_attendee",
            ),
            models.CheckConstraint(
                condition=Q(kiosk__isnull=True) | Q(attendee__isnull=True),
                name="video_kiosk_or_attendee",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="videosession_created_idx")]

    def __str__(self) -> str:
        return f"Video {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in VideoSessionStatus.open()
