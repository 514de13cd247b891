"""The "Asistir a cita" link (CI-02): a signed, single-purpose token naming one booking.

The token is ``django.core.signing`` over the booking's id and its appointment's calendar UID,
with a salt of its own: it opens that booking's check-in and nothing else (a token from another
signed value of the product does not verify here, and a reschedule keeps the UID so the link
in the first e-mail still works). It carries no expiry: when it works is the appointment's
time (``cliente_interno.services.checkin.checkin_window``), not the token's age."""

from django.core import signing
from django.urls import reverse

from cliente_interno.models import InternalBooking

SALT = "cliente_interno.asistir-a-cita"


def attend_token(booking: InternalBooking) -> str:
    return signing.dumps({"b": booking.pk, "u": str(booking.appointment.uid)}, salt=SALT)


def booking_from_token(token: str) -> InternalBooking | None:
    """The booking the token names, or None when it does not verify or names no booking."""
    try:
        value = signing.loads(str(token or ""), salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    return (
        InternalBooking.objects.select_related(
            "appointment", "appointment__technologist", "employee", "transaction_type", "turn"
        )
        .filter(pk=value.get("b"), appointment__uid=value.get("u"))
        .first()
    )


def attend_path(booking: InternalBooking) -> str:
    """The link's path (``/cliente-interno/asistir/<token>/``); e-mails prefix SITE_URL."""
    return reverse("cliente_interno:attend", args=[attend_token(booking)])


def absolute_url(path: str) -> str:
    """``SITE_URL`` + path: links in e-mails."""
    from django.conf import settings

    return f"{settings.SITE_URL}{path}"
