"""Default message templates (CORE-11) and sender mailboxes (CORE-12), from the procedure."""

from django.db import migrations

CONTACT_LINES = "44 44 115 en Medellín y el Valle de Aburrá o 01 800 415 115 para otros municipios"

TEMPLATES = [
    (
        "buzon-desborde",
        "Mensaje de voz — cliente no contactado (2.1 paso 3)",
        "buzon",
        "desborde",
        "",
        "{{ saludo }}, este es un mensaje para el/la señor (a) {{ nombre_cliente }} de parte de "
        "Empresas Públicas de Medellín con el fin de brindarle orientación a su petición realizada "
        "a través de {{ canal }}. En vista de que no fue posible contactarlo, procedemos a cerrar "
        "su solicitud y si desea volver a realizarla, por favor contáctenos nuevamente indicando "
        "números telefónicos donde sea posible establecer comunicación o a través de nuestra línea "
        f"de atención {CONTACT_LINES}.",
    ),
    (
        "buzon-copropiedad",
        "Mensaje de voz — cita de administrador de copropiedad (2.6 paso 2)",
        "buzon",
        "copropiedad",
        "",
        "{{ saludo }}, este es un mensaje para el/la señor (a) {{ nombre_cliente }} de parte de "
        "Empresas Públicas de Medellín con el fin de atender la cita que agendó para el día "
        "{{ dia_cita }} de {{ mes_cita }} a las {{ hora_cita }} a través de Nuestro Contact Center. "
        "En vista de que no fue posible contactarlo (a), por favor comuníquese para agendar una "
        f"nueva cita a través de nuestra línea de atención {CONTACT_LINES}.",
    ),
]

MAILBOXES = [
    ("general", "atencion.distancia@epm.com.co", "EPM Atención a distancia"),
    ("copropiedad", "Administradorescopiedades@epm.com.co", "EPM Administradores de Copropiedad"),
    ("cliente_interno", "clienteinternovirtual@epm.com.co", "EPM Cliente Interno"),
]


def load(apps, schema_editor):
    MessageTemplate = apps.get_model("core", "MessageTemplate")
    SenderMailbox = apps.get_model("core", "SenderMailbox")
    for code, name, kind, modality, subject, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "modality": modality,
                "subject": subject,
                "body": body,
            },
        )
    for modality, email, display in MAILBOXES:
        SenderMailbox.objects.get_or_create(
            modality=modality, defaults={"from_email": email, "display_name": display}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_roles")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
