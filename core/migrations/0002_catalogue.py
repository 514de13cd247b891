"""Catalogue of the procedure (CORE-04, CORE-05): transaction types, channels, initial causes.

Frozen here so that a fresh database always has it; managers edit it in admin afterwards.
"""

from django.db import migrations

# (code, name, kind, eligible_overflow, requires_orientador, presencial_only)
TRANSACTION_TYPES = [
    ("alternativas-de-pago", "Alternativas de pago", "PQR", True, False, False),
    ("cambio-categoria-uso", "Cambio de categoría uso", "PED", True, False, False),
    ("cambio-de-suscriptor", "Cambio de suscriptor", "PED", True, False, False),
    ("cambio-direccion-tarjeta-somos", "Cambio dirección tarjeta somos", "PED", True, False, False),
    ("certificado-conexion-servicio", "Certificado conexión servicio", "PQR", True, False, False),
    ("consulta-estado-de-cuenta", "Consulta estado de cuenta", "PQR", True, False, False),
    ("disponibilidad-de-energia", "Disponibilidad de energía", "PQR", True, False, False),
    ("duplicado-de-factura", "Duplicado de factura", "PQR", True, False, False),
    ("pago-deuda-diferida", "Pago total o parcial deuda diferida", "PQR", True, False, False),
    ("respuesta-a-radicados", "Respuesta a radicados", "PQR", True, False, False),
    ("retiro-tarjeta-somos", "Retiro de tarjeta somos", "PED", True, False, False),
    ("traslado-diferidos-covid", "Traslado de diferidos Covid", "PED", True, False, False),
    ("radicacion-de-documentos", "Radicación de documentos", "PQR", False, True, False),
    ("pedidos-energia-prepago", "Pedidos de energía prepago", "PED", False, True, False),
    ("financiacion-refinanciacion", "Financiación / Refinanciación", "PED", False, False, True),
    (
        "reclamo-facturacion",
        "Reclamo por consumo o producción facturado",
        "PQR",
        False,
        False,
        False,
    ),
    (
        "alcantarillado-no-prestado",
        "Reclamo por servicio de alcantarillado no prestado",
        "PQR",
        False,
        False,
        False,
    ),
    ("conexion-de-servicios", "Solicitud de conexión de servicios", "PED", False, False, False),
    ("revision-de-medidor", "Revisión de medidor", "PED", False, False, False),
]

# (code, exact label of the procedure, is_digital)
CHANNELS = [
    ("desborde-formulario-web", "desborde formulario web", False),
    ("desborde-whatsapp", "desborde WhatsApp", False),
    ("desborde", "desborde", False),
    ("desborde-celular", "desborde celular", False),
    ("asesor-en-linea", "asesor en línea", False),
    ("balanceo-automatico", "Balanceo automático", False),
    ("administradores-copropiedad", "Administradores de Copropiedad", False),
    ("whatsapp", "WhatsApp", True),
    ("facebook", "Facebook", True),
    ("instagram", "Instagram", True),
    ("twitter", "Twitter", True),
    ("chat-epm", "Chat EPM", True),
    ("contact-center", "Contact Center", True),
    ("presencial", "Presencial", False),
]

INITIAL_CAUSES = [
    ("informacion-general", "información general"),
    ("inconformidad-consumo", "inconformidad con consumo o producción facturado"),
    ("cobro-servicio-no-prestado", "cobro de servicio no prestado"),
    ("solicitud-financiacion", "solicitud de financiación o acuerdo de pago"),
    ("actualizacion-datos", "actualización de datos del contrato"),
]


def load(apps, schema_editor):
    TransactionType = apps.get_model("core", "TransactionType")
    Channel = apps.get_model("core", "Channel")
    InitialCause = apps.get_model("core", "InitialCause")
    for code, name, kind, eligible, needs_orientador, presencial in TRANSACTION_TYPES:
        TransactionType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "eligible_overflow": eligible,
                "requires_orientador": needs_orientador,
                "presencial_only": presencial,
            },
        )
    for code, name, digital in CHANNELS:
        Channel.objects.update_or_create(code=code, defaults={"name": name, "is_digital": digital})
    for code, name in INITIAL_CAUSES:
        InitialCause.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
