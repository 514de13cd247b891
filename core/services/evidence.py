import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import Case, Evidence, EvidenceKind, User

#: extension → (content type, magic-byte check). The file's first bytes must match its extension.
ACCEPTED_TYPES = {
    "mp3": (
        "audio/mpeg",
        lambda h: h[:3] == b"ID3" or h[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ),
    "wav": ("audio/wav", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE"),
    "ogg": ("audio/ogg", lambda h: h[:4] == b"OggS"),
    "m4a": ("audio/mp4", lambda h: h[4:8] == b"ftyp"),
    "jpg": ("image/jpeg", lambda h: h[:3] == b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", lambda h: h[:3] == b"\xff\xd8\xff"),
    "png": ("image/png", lambda h: h[:8] == b"\x89PNG\r\n\x1a\n"),
    "pdf": ("application/pdf", lambda h: h[:5] == b"%PDF-"),
}
ACCEPTED_LABEL = "audio (mp3, wav, ogg, m4a), imagen (jpg, png) o PDF"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")


def evidence_validate_file(*, upload: UploadedFile) -> tuple[str, str]:
    """Return (extension, content type) or raise a Spanish ValidationError."""
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ACCEPTED_TYPES:
        raise ValidationError(
            {"file": f"Tipo de archivo no permitido. Se aceptan: {ACCEPTED_LABEL}."}
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"file": f"El archivo supera el tamaño máximo de {_megabytes(limit)} MB."}
        )
    if upload.size == 0:
        raise ValidationError({"file": "El archivo está vacío."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type, matches = ACCEPTED_TYPES[ext]
    if not matches(head):
        raise ValidationError(
            {"file": f"El contenido del archivo no corresponde a un archivo .{ext}."}
        )
    return ext, content_type


#: What the procedure adds to a case after it is closed: the scans of the documents the customer
#: signed at the office (WA-04, CEL-04), and the act recognising a silencio administrativo positivo
#: of a PQR answered late (LEG-02). Anything else is refused on a closed case.
AFTER_CLOSING_KINDS = {EvidenceKind.SIGNED_SCAN, EvidenceKind.SAP_RECOGNITION}
#: Recordings of the technologist's own calls: only the assigned technologist attaches them.
ASSIGNEE_ONLY_KINDS = {EvidenceKind.CALL_RECORDING, EvidenceKind.VOICEMAIL_RECORDING}


def evidence_check_allowed(*, case: Case, kind: str, by: User) -> None:
    """Refuse (409) evidence on a closed case, except signed scans, and a call or voicemail
    recording from anyone but the assigned technologist."""
    if case.is_closed and kind not in AFTER_CLOSING_KINDS:
        raise ProtocolConflict(
            f"El caso está {case.get_status_display()}: solo se agregan documentos firmados "
            "escaneados."
        )
    if kind in ASSIGNEE_ONLY_KINDS and case.assigned_to_id != by.pk:
        raise ProtocolConflict("Solo el tecnólogo asignado carga las grabaciones de sus llamadas.")


@transaction.atomic
def evidence_attach(*, case: Case, kind: str, upload: UploadedFile, uploaded_by: User) -> Evidence:
    """CORE-08: store a file in the customer's expediente, linked to the case.

    The type is checked by extension and by content, the size against EVIDENCE_MAX_BYTES; a
    refused file leaves nothing behind. The SHA-256 is kept so a download can be verified.
    """
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": "Tipo de evidencia no válido."})
    evidence_check_allowed(case=case, kind=kind, by=uploaded_by)
    _, content_type = evidence_validate_file(upload=upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        case=case,
        customer_id=case.customer_id,
        kind=kind,
        token=secrets.token_hex(8),
        original_name=(upload.name or "archivo")[-255:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=uploaded_by,
        uploaded_at=timezone.now(),
    )
    evidence.file.save(upload.name, upload, save=False)
    try:
        evidence.full_clean()
        evidence._change_reason = f"evidencia cargada: {evidence.get_kind_display()}"
        evidence.save()
    except Exception:
        # The row could not be written: do not leave the file orphaned in storage.
        evidence.file.delete(save=False)
        raise
    return evidence
