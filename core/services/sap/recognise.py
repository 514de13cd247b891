"""LEG-02: recording the recognition of a silencio administrativo positivo."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.exceptions import ProtocolConflict
from core.models import EvidenceKind, SapCase, User
from core.services.evidence import evidence_attach, evidence_validate_file
from core.services.sap.clock import bogota_moment, sap_can_recognise

ACT_REFERENCE_REQUIRED = (
    "Indique la referencia del acto de reconocimiento (número de la resolución u oficio)."
)
NOT_IN_QUEUE = "Caso no encontrado en la cola de silencio administrativo positivo."
#: The act is a document: a PDF or a scan (core's evidence also takes audio, not here).
EVIDENCE_EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}
EVIDENCE_LABEL = "PDF o imagen (jpg, png)"
EVIDENCE_TYPES_MESSAGE = f"El acto de reconocimiento se carga como {EVIDENCE_LABEL}."


def sap_recognise(
    *,
    case_id: int,
    by: User,
    act_reference: str,
    notes: str = "",
    evidence_upload: UploadedFile | None = None,
) -> SapCase:
    """Record that the silence's effects were recognised: who, when, the act's reference and
    (optionally) its evidence, stored in the customer's expediente with its SHA-256. The record
    leaves the pending queue.

    Only a gestor or an asignador of the record's unit (a superuser: any); a record of another
    unit, or a case that is not in the queue, answers 404 alike; a record already recognised 409.
    Everything is checked before anything is written: a refused request leaves no row and no
    file behind.
    """
    from core.selectors.sap import sap_record_for_recognise

    if not sap_can_recognise(by):
        raise PermissionDenied(
            "Solo el gestor de equipo o el asignador de la unidad reconocen el silencio "
            "administrativo positivo."
        )
    with transaction.atomic():
        record = sap_record_for_recognise(user=by, case_id=case_id)
        if record is None:
            raise Http404(NOT_IN_QUEUE)
        if record.recognised_at is not None:
            who = record.recognised_by.get_full_name() or record.recognised_by.username
            raise ProtocolConflict(
                "El silencio administrativo positivo de este caso ya fue reconocido el "
                f"{bogota_moment(record.recognised_at)} por {who} "
                f"(acto {record.act_reference})."
            )
        act_reference = (act_reference or "").strip()
        notes = (notes or "").strip()
        errors = {}
        if not act_reference:
            errors["act_reference"] = ACT_REFERENCE_REQUIRED
        elif len(act_reference) > 80:
            errors["act_reference"] = "Escriba la referencia del acto en máximo 80 caracteres."
        if evidence_upload is not None:
            try:
                ext, _ = evidence_validate_file(upload=evidence_upload)
            except ValidationError as exc:
                errors["evidence"] = " ".join(exc.messages)
            else:
                if ext not in EVIDENCE_EXTENSIONS:
                    errors["evidence"] = EVIDENCE_TYPES_MESSAGE
        if errors:
            raise ValidationError(errors)

        evidence = None
        if evidence_upload is not None:
            evidence = evidence_attach(
                case=record.case,
                kind=EvidenceKind.SAP_RECOGNITION,
                upload=evidence_upload,
                uploaded_by=by,
            )
        try:
            record.recognised_at = timezone.now()
            record.recognised_by = by
            record.act_reference = act_reference
            record.notes = notes
            record.evidence = evidence
            record.full_clean(exclude=["case"])
            record._change_reason = "silencio administrativo positivo reconocido"
            record.save(
                update_fields=[
                    "recognised_at",
                    "recognised_by",
                    "act_reference",
                    "notes",
                    "evidence",
                ]
            )
        except Exception:
            if evidence is not None:  # the row rolls back: do not leave the file in storage
                evidence.file.delete(save=False)
            raise
    return record
