"""Reference data of internal clients (2.8), loaded by a data migration and again by the tests
after a transactional test flushed the database."""

APPOINTMENT_TYPE = {
    "code": "cliente-interno",
    "name": "Cita por video de cliente interno",
    "modality": "cliente_interno",
    "duration_minutes": 30,
    "days_ahead": 15,
}


#: 2.8 step 2: the internal-client mailbox only sends; every e-mail from it ends with this
#: (core appends the mailbox's footer, ``notification_queue``).
MAILBOX_NOTICE = (
    "Este buzón no recibe solicitudes ni nuevos requerimientos: para una nueva solicitud agende "
    "una cita."
)


def load_all(apps) -> None:
    """The appointment type of internal clients: 30-minute video appointments, bookable up to 15
    days ahead. Managers choose its technologists and edit it in admin. The internal-client
    mailbox's footer, unless a manager already wrote one."""
    AppointmentType = apps.get_model("core", "AppointmentType")
    fields = dict(APPOINTMENT_TYPE)
    AppointmentType.objects.get_or_create(code=fields.pop("code"), defaults=fields)
    SenderMailbox = apps.get_model("core", "SenderMailbox")
    SenderMailbox.objects.filter(modality="cliente_interno", footer="").update(
        footer=MAILBOX_NOTICE
    )
