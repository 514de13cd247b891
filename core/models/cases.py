"""The case (the CRM record, CORE-05) and its number sequence."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .catalogue import Channel, InitialCause, TransactionType
from .choices import (
    AttentionMedium,
    CaseKind,
    CaseStatus,
    Modality,
    NotificationMedium,
    PqrType,
)
from .customers import Customer
from .org import Office


class CaseNumberSequence(models.Model):
    """Last number handed out per kind and year; locked row by row (see services.cases)."""

    kind = models.CharField(max_length=3, choices=CaseKind.choices)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "consecutivo de casos"
        verbose_name_plural = "consecutivos de casos"
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="case_sequence_kind_year"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}-{self.year}: {self.last_value}"


class Case(models.Model):
    """A customer's requirement as registered in the CRM.

    A case starts in a modality (overflow intake, turn, appointment, social network…), is
    assigned to a technologist, worked (calls, evidence) and closed. The CRM fields the procedure
    dictates per modality (turno, medio, canal, oficina, oficina a la que se apoya) live here; the
    modality apps set them through core services only.
    """

    number = models.CharField("número", max_length=20, unique=True, editable=False)
    kind = models.CharField("tipo", max_length=3, choices=CaseKind.choices)
    pqr_type = models.CharField("tipo de PQR", max_length=10, choices=PqrType.choices, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cases", verbose_name="contacto"
    )
    contract_number = models.CharField("contrato", max_length=30, blank=True)
    property_address = models.CharField("dirección del inmueble", max_length=200, blank=True)
    transaction_type = models.ForeignKey(
        TransactionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="tipo de transacción",
    )
    initial_cause = models.ForeignKey(
        InitialCause, on_delete=models.PROTECT, null=True, blank=True, verbose_name="causa inicial"
    )
    motive = models.TextField("motivo PQR (detalle)", blank=True)
    turn_number = models.CharField("número de turno", max_length=30, blank=True)
    attention_medium = models.CharField(
        "medio de atención",
        max_length=10,
        choices=AttentionMedium.choices,
        default=AttentionMedium.VERBAL,
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="cases", verbose_name="canal de atención"
    )
    # The procedure's modality the case was opened in: which app's panels, closing rules and
    # message templates apply to it (core.modalities).
    modality = models.CharField(
        "modalidad",
        max_length=20,
        choices=Modality.choices,
        default=Modality.GENERAL,
        db_index=True,
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name="oficina",
    )
    supported_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="supported_cases",
        null=True,
        blank=True,
        verbose_name="oficina a la que se apoya / oficina de atención",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name="tecnólogo asignado",
    )
    pool = models.ForeignKey(
        "core.AssignmentPool",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="grupo de asignación",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_cases",
        verbose_name="registrado por",
    )
    status = models.CharField(
        "estado", max_length=30, choices=CaseStatus.choices, default=CaseStatus.ABIERTO
    )
    filed_at = models.DateTimeField("fecha de radicación")
    due_date = models.DateField("fecha límite de respuesta", null=True, blank=True)
    # The contact given when this case was registered: the number to call and the e-mail for
    # this PQR. They belong to the case; the customer record changes only by an explicit,
    # audited update (customer_contact_update).
    contact_phone = models.CharField("teléfono de contacto del caso", max_length=20, blank=True)
    contact_email = models.EmailField("correo de contacto del caso", blank=True)
    notification_medium = models.CharField(
        "medio autorizado de notificación",
        max_length=10,
        choices=NotificationMedium.choices,
        blank=True,
    )
    notification_email = models.EmailField("correo para notificación", blank=True)
    notification_email_consent = models.BooleanField(
        "autoriza expresamente la notificación por correo", default=False
    )
    notification_mobile = models.CharField("celular para citación", max_length=20, blank=True)
    notification_address = models.CharField("dirección para citación", max_length=200, blank=True)
    assigned_at = models.DateTimeField("asignado", null=True, blank=True)
    closed_at = models.DateTimeField("cerrado", null=True, blank=True)
    created_at = models.DateTimeField("creado", auto_now_add=True)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "caso"
        verbose_name_plural = "casos"
        ordering = ["filed_at", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "status", "filed_at"], name="case_workbench_idx"),
            models.Index(fields=["status", "filed_at"], name="case_status_idx"),
            models.Index(
                fields=["pool", "filed_at", "id"],
                condition=Q(assigned_to__isnull=True, status="abierto"),
                name="case_pending_in_pool_idx",
            ),
            # The managers' dashboard (issue 16, core.selectors.dashboard) at 1,000,000 cases:
            # its figures are read from these indexes alone (index-only scans), never from the
            # rows — open cases by state, modality, unit and technologist; open PQR by due date
            # (and the ten most urgent); closures and assignments by time.
            models.Index(
                fields=["status", "modality", "office", "supported_office", "assigned_to"],
                condition=Q(status__in=["abierto", "asignado", "en_atencion"]),
                name="case_open_status_modality_idx",
            ),
            models.Index(
                fields=[
                    "kind",
                    "due_date",
                    "filed_at",
                    "id",
                    "office",
                    "supported_office",
                    "modality",
                ],
                condition=Q(status__in=["abierto", "asignado", "en_atencion"]),
                name="case_open_due_idx",
            ),
            models.Index(
                fields=[
                    "closed_at",
                    "assigned_to",
                    "modality",
                    "status",
                    "assigned_at",
                    "office",
                    "supported_office",
                ],
                condition=Q(closed_at__isnull=False),
                name="case_closed_at_idx",
            ),
            models.Index(
                fields=["assigned_at", "assigned_to"],
                condition=Q(assigned_at__isnull=False),
                name="case_assigned_at_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="PQR") & ~Q(pqr_type="")) | (Q(kind="PED") & Q(pqr_type="")),
                name="case_pqr_type_iff_pqr",
            ),
            models.CheckConstraint(
                condition=Q(kind="PED") | Q(due_date__isnull=False),
                name="case_pqr_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status in CaseStatus.closed()

    @property
    def will_be_notified(self) -> bool:
        """CORE-13: the answer goes through the authorised medium, not during the call."""
        return self.kind == CaseKind.PQR and bool(self.notification_medium)

    def clean(self) -> None:
        errors = {}
        if self.kind == CaseKind.PQR and not self.pqr_type:
            errors["pqr_type"] = "Indique si la PQR es petición, queja o reclamo."
        if self.kind == CaseKind.PEDIDO and self.pqr_type:
            errors["pqr_type"] = "Un pedido no lleva tipo de PQR."
        if self.notification_medium == NotificationMedium.EMAIL:
            if not self.notification_email:
                errors["notification_email"] = "Ingrese el correo para la notificación."
            elif not self.notification_email_consent:
                errors["notification_email_consent"] = (
                    "La notificación por correo requiere la autorización expresa del cliente."
                )
        if self.notification_medium == NotificationMedium.SMS and not self.notification_mobile:
            errors["notification_mobile"] = "Ingrese el celular para la citación por SMS."
        if self.notification_medium == NotificationMedium.ADDRESS and not (
            self.notification_address
        ):
            errors["notification_address"] = "Ingrese la dirección para la citación por correo."
        if errors:
            raise ValidationError(errors)
