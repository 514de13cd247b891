"""Round-robin pools (CORE-09) and call attempts (CORE-07)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from .choices import Unit


class AssignmentPool(models.Model):
    """A set of technologists that share a stream of cases (e.g. the overflow pool of a unit).

    The cursor (``cursor_key`` / ``cursor_user``) is the last technologist served: the next round
    starts after them in alphabetical order of full name, so rounds carry on across task runs.
    """

    code = models.SlugField("código", max_length=60, unique=True)
    name = models.CharField("nombre", max_length=120)
    unit = models.CharField("unidad", max_length=20, choices=Unit.choices, blank=True)
    batch_size = models.PositiveSmallIntegerField(
        "casos por tecnólogo en cada ronda",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Entre 1 y 5 (instructivo 2.1, paso 2).",
    )
    max_open_cases = models.PositiveIntegerField(
        "tope de casos abiertos por tecnólogo",
        null=True,
        blank=True,
        help_text="Vacío: sin tope.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assignment_pools",
        verbose_name="tecnólogos",
    )
    cursor_key = models.CharField("último atendido (orden)", max_length=200, blank=True)
    cursor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="último tecnólogo atendido",
    )
    round_number = models.PositiveIntegerField("rondas realizadas", default=0)
    active = models.BooleanField("activo", default=True)
    history = HistoricalRecords(excluded_fields=["cursor_key", "cursor_user", "round_number"])

    class Meta:
        verbose_name = "grupo de asignación"
        verbose_name_plural = "grupos de asignación"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(batch_size__gte=1, batch_size__lte=5),
                name="pool_batch_size_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContactAttempt(models.Model):
    """One call to the customer (CORE-07)."""

    class Outcome(models.TextChoices):
        CONTESTO = "contesto", "contestó"
        NO_CONTESTA = "no_contesta", "no contesta"
        BUZON_DE_VOZ = "buzon_de_voz", "buzón de voz"
        NUMERO_ERRADO = "numero_errado", "número errado"

    UNANSWERED = (Outcome.NO_CONTESTA, Outcome.BUZON_DE_VOZ, Outcome.NUMERO_ERRADO)

    case = models.ForeignKey(
        "core.Case", on_delete=models.CASCADE, related_name="attempts", verbose_name="caso"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="realizado por"
    )
    made_at = models.DateTimeField("fecha y hora")
    number_dialled = models.CharField("número marcado", max_length=20)
    outcome = models.CharField("resultado", max_length=20, choices=Outcome.choices)
    sequence = models.PositiveSmallIntegerField("intento n.º")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "intento de contacto"
        verbose_name_plural = "intentos de contacto"
        ordering = ["made_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="attempt_unique_sequence"),
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1, sequence__lte=3),
                name="attempt_at_most_three",
            ),
        ]

    def __str__(self) -> str:
        return f"Intento {self.sequence}: {self.get_outcome_display()}"

    def clean(self) -> None:
        if not self.number_dialled:
            raise ValidationError({"number_dialled": "Indique el número marcado."})
