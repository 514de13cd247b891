"""Reference data of condo administrators (2.6), loaded by a data migration and again by the
tests after a transactional test flushed the database."""

APPOINTMENT_TYPE = {
    "code": "copropiedad",
    "name": "Cita telefónica de administrador de copropiedad",
    "modality": "copropiedad",
    "duration_minutes": 30,
    "days_ahead": 30,
}


def load_all(apps) -> None:
    """The appointment type of condo administrators: 30-minute calls, bookable up to 30 days
    ahead. Managers choose its technologists and edit it in admin."""
    AppointmentType = apps.get_model("core", "AppointmentType")
    fields = dict(APPOINTMENT_TYPE)
    AppointmentType.objects.get_or_create(code=fields.pop("code"), defaults=fields)
