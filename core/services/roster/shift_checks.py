"""The technologists' start-of-shift check (CEL-03 step 3, AL-02)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import ShiftCheck
from core.roles import Role, user_has_role
from core.selectors.roster import roster_today

VIDEO_REQUIRED = "Confirme que la cámara (video) de su equipo funciona."

# --- the start-of-shift check ----------------------------------------------------------------


@transaction.atomic
def shift_check_record(
    *, technologist, audio: bool, printer: bool, video: bool | None = None, day=None
) -> ShiftCheck:
    """CEL-03 step 3 / AL-02: the technologist confirms, before contacting customers, that the
    audio works and the supported office's printer is configured; for the modalities by video
    (asesor en línea, balanceo: 2.4 step 2) also the camera, with ``video``.

    Audio and printer must be confirmed, and ``video`` when given (``ValidationError`` with
    Spanish messages by field, nothing written). One check per technologist and day (today in
    Bogotá by default): confirming again updates it, and a later check without ``video`` (the
    cellphone booth's) keeps a camera already confirmed that day."""
    errors = {}
    if audio is not True:
        errors["audio"] = "Confirme que el audio de su equipo funciona."
    if video is not None and video is not True:
        errors["video"] = VIDEO_REQUIRED
    if printer is not True:
        errors["printer"] = (
            "Confirme que la impresora de la oficina que apoya está configurada en su equipo."
        )
    if errors:
        raise ValidationError(errors)
    if not (technologist.is_active and user_has_role(technologist, Role.TECNOLOGO)):
        raise ValidationError("Solo un tecnólogo registra la verificación de inicio de turno.")
    day = day or roster_today()
    now = timezone.now()
    check, created = ShiftCheck.objects.select_for_update().get_or_create(
        technologist=technologist,
        day=day,
        defaults={
            "audio_ok": True,
            "printer_ok": True,
            "video_ok": video is True,
            "checked_at": now,
        },
    )
    if not created:
        check.audio_ok = check.printer_ok = True
        fields = ["audio_ok", "printer_ok", "checked_at"]
        if video is True:
            check.video_ok = True
            fields.append("video_ok")
        check.checked_at = now
        check.save(update_fields=fields)
    return check
