"""The office turn queue (CEL-02, reused by AL, BAL and CI): numbered turns with their events."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .catalogue import TransactionType
from .org import Office


class TurnSequence(models.Model):
    """Last turn number handed out per office and day; locked row by row (like case numbers)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "consecutivo de turnos"
        verbose_name_plural = "consecutivos de turnos"
        constraints = [
            models.UniqueConstraint(fields=["office", "day"], name="turn_sequence_office_day"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.day}: {self.last_value}"


class TurnStatus(models.TextChoices):
    EN_ESPERA = "en_espera", "en espera"
    LLAMADO = "llamado", "llamado"
    EN_ATENCION = "en_atencion", "en atención"
    ATENDIDO = "atendido", "atendido"
    DEVUELTO_A_SALA = "devuelto_a_sala", "devuelto a la sala"
    NO_SE_PRESENTO = "no_se_presento", "no se presentó"
    CANCELADO = "cancelado", "cancelado"

    @classmethod
    def active(cls) -> list[str]:
        """A technologist holds at most one turn in these."""
        return [cls.LLAMADO, cls.EN_ATENCION]


class VirtualConsent(models.TextChoices):
    ACEPTA = "acepta", "acepta la atención virtual"
    RECHAZA = "rechaza", "no acepta la atención virtual"


class Turn(models.Model):
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="turns", verbose_name="oficina"
    )
    day = models.DateField("día")
    sequence = models.PositiveIntegerField("consecutivo")
    number = models.CharField("número de turno", max_length=30)
    transaction_type = models.ForeignKey(
        TransactionType, on_delete=models.PROTECT, verbose_name="transacción"
    )
    status = models.CharField(
        "estado", max_length=20, choices=TurnStatus.choices, default=TurnStatus.EN_ESPERA
    )
    #: The customer accepted remote attention by cellphone (CEL-02) and left this mobile.
    accepts_remote = models.BooleanField("acepta atención a distancia", default=False)
    mobile = models.CharField("celular", max_length=20, blank=True)
    #: AL-03 / BAL-03: the office asked the customer whether they accept virtual attention at a
    #: kiosk (asesor en línea, balanceo): "" not asked yet, "acepta", "rechaza".
    virtual_consent = models.CharField(
        "atención virtual", max_length=10, blank=True, choices=VirtualConsent.choices
    )
    virtual_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="confirmado por",
    )
    #: The kiosk the turn was announced to (AL-03) or matched at (BAL-03).
    kiosk = models.ForeignKey(
        "core.Kiosk",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="turns",
        verbose_name="módulo",
    )
    announced_at = models.DateTimeField("anunciado", null=True, blank=True)
    #: The remote call could not connect: the office checks with the customer (CEL-03).
    needs_office_check = models.BooleanField("pendiente de validar en oficina", default=False)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="called_turns",
        verbose_name="llamado por",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="entregado por",
    )
    case = models.ForeignKey(
        "core.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="turns",
        verbose_name="caso",
    )
    created_at = models.DateTimeField("entregado")
    called_at = models.DateTimeField("llamado", null=True, blank=True)
    attention_started_at = models.DateTimeField("inicio de atención", null=True, blank=True)
    finished_at = models.DateTimeField("finalizado", null=True, blank=True)

    class Meta:
        verbose_name = "turno"
        verbose_name_plural = "turnos"
        ordering = ["day", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "day", "sequence"], name="turn_unique_number"
            ),
            models.UniqueConstraint(
                fields=["called_by"],
                condition=Q(status__in=["llamado", "en_atencion"]),
                name="turn_one_active_per_technologist",
            ),
            models.UniqueConstraint(
                fields=["kiosk"],
                condition=Q(status__in=["llamado", "en_atencion"]),
                name="turn_one_active_per_kiosk",
            ),
        ]
        indexes = [
            models.Index(
                fields=["office", "day", "created_at", "id"],
                condition=Q(status="en_espera"),
                name="turn_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TurnEvent(models.Model):
    """What happened to a turn, who did it and when: its audit trail and the live pages' feed."""

    class Kind(models.TextChoices):
        CREADO = "creado", "turno entregado"
        LLAMADO = "llamado", "llamado"
        ACEPTA = "acepta", "el cliente acepta la atención a distancia"
        RECHAZA = "rechaza", "el cliente rechaza la atención a distancia"
        NO_CONECTA = "no_conecta", "no se pudo comunicar con el cliente"
        DECISION_CELULAR = "decision_celular", "la oficina confirma atención por celular"
        DECISION_PRESENCIAL = "decision_presencial", "la oficina pasa el turno a presencial"
        ATENDIDO = "atendido", "atendido"
        CANCELADO = "cancelado", "cancelado"
        NO_SE_PRESENTO = "no_se_presento", "no se presentó"
        VIRTUAL_ACEPTA = "virtual_acepta", "el cliente acepta la atención virtual"
        VIRTUAL_RECHAZA = "virtual_rechaza", "el cliente no acepta la atención virtual"
        ANUNCIADO = "anunciado", "anunciado en un módulo"
        DEVUELTO = "devuelto", "devuelto a la sala sin atender en el módulo"
        LIBERADO = "liberado", "liberado: turno de un día anterior sin terminar"
        BALANCEO = "balanceo", "asignado por balanceo"

    turn = models.ForeignKey(
        Turn, on_delete=models.CASCADE, related_name="events", verbose_name="turno"
    )
    kind = models.CharField("evento", max_length=30, choices=Kind.choices)
    at = models.DateTimeField("fecha y hora")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="por",
    )
    note = models.CharField("nota", max_length=300, blank=True)

    class Meta:
        verbose_name = "evento de turno"
        verbose_name_plural = "eventos de turnos"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["turn", "at"], name="turnevent_turn_idx")]

    def __str__(self) -> str:
        return f"{self.turn}: {self.get_kind_display()}"
