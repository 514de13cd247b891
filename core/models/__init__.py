from .agenda import Appointment, AppointmentStatus, AppointmentType, WorkingHours
from .assignment import AssignmentPool, ContactAttempt
from .auth import ApiTokenActivity
from .cases import Case, CaseNumberSequence
from .catalogue import Channel, InitialCause, TransactionType
from .choices import (
    AttentionMedium,
    CaseKind,
    CaseStatus,
    DocumentType,
    EvidenceKind,
    Modality,
    NotificationMedium,
    PqrType,
    Unit,
    WorkMode,
)
from .customers import ContactDetail, Customer
from .dashboard import CaseDailyStats, DashboardRollupDay, DashboardSnapshot
from .evidence import Constancia, Evidence
from .messaging import DueAlertRun, MessageTemplate, Notification, SenderMailbox
from .org import Kiosk, Office, Printer, StaffAvailability, User
from .outbound import OutboundMessage
from .printing import PrintJob, PrintStep
from .retention import RetentionAction, RetentionAudit
from .roster import RemoteModality, RosterEntry, RosterNotice, ShiftCheck
from .sap import SapCase
from .turns import Turn, TurnEvent, TurnSequence, TurnStatus, VirtualConsent
from .video import KioskPairing, VideoSession, VideoSessionStatus

__all__ = [
    "ApiTokenActivity",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "WorkingHours",
    "AssignmentPool",
    "ContactAttempt",
    "ContactDetail",
    "AttentionMedium",
    "Case",
    "CaseDailyStats",
    "CaseKind",
    "CaseNumberSequence",
    "CaseStatus",
    "Channel",
    "Constancia",
    "Customer",
    "DashboardRollupDay",
    "DashboardSnapshot",
    "DocumentType",
    "DueAlertRun",
    "Evidence",
    "EvidenceKind",
    "InitialCause",
    "Kiosk",
    "KioskPairing",
    "MessageTemplate",
    "Modality",
    "Notification",
    "NotificationMedium",
    "Office",
    "OutboundMessage",
    "PqrType",
    "Printer",
    "PrintJob",
    "PrintStep",
    "RemoteModality",
    "RetentionAction",
    "RetentionAudit",
    "RosterEntry",
    "RosterNotice",
    "SapCase",
    "ShiftCheck",
    "Turn",
    "TurnEvent",
    "TurnSequence",
    "VideoSession",
    "VideoSessionStatus",
    "VirtualConsent",
    "TurnStatus",
    "SenderMailbox",
    "StaffAvailability",
    "TransactionType",
    "Unit",
    "User",
    "WorkMode",
]
