"""Reference data every database needs: catalogue, role groups, templates, mailboxes, the
"Cliente Interno" pseudo-office and the periodic sweeps.

Each loader takes an app registry (the migration's historical ``apps`` or ``django.apps.apps``),
is idempotent (get_or_create), so it never overwrites what managers edited in admin. Data
migrations call them; tests that flush the database call ``load_all``.
"""

from core.roles import ROLE_PERMISSIONS

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
        "{{ dia_cita }} de {{ mes_cita }} a las {{ hora_cita }} a través de Nuestro Contact "
        "Center. En vista de que no fue posible contactarlo (a), por favor comuníquese para "
        f"agendar una nueva cita a través de nuestra línea de atención {CONTACT_LINES}.",
    ),
]

MAILBOXES = [
    ("general", "atencion.distancia@epm.com.co", "EPM Atención a distancia"),
    ("copropiedad", "Administradorescopiedades@epm.com.co", "EPM Administradores de Copropiedad"),
    ("cliente_interno", "clienteinternovirtual@epm.com.co", "EPM Cliente Interno"),
]


def load_catalogue(apps) -> None:
    TransactionType = apps.get_model("core", "TransactionType")
    Channel = apps.get_model("core", "Channel")
    InitialCause = apps.get_model("core", "InitialCause")
    for code, name, kind, eligible, needs_orientador, presencial in TRANSACTION_TYPES:
        TransactionType.objects.get_or_create(
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
        Channel.objects.get_or_create(code=code, defaults={"name": name, "is_digital": digital})
    for code, name in INITIAL_CAUSES:
        InitialCause.objects.get_or_create(code=code, defaults={"name": name})


def load_roles(apps) -> None:
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        perms = Permission.objects.filter(content_type__app_label="core", codename__in=codenames)
        group.permissions.set(perms)


def load_templates_and_mailboxes(apps) -> None:
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


#: (name, task, minutes between runs)
PERIODIC_TASKS = [
    ("Enviar notificaciones pendientes", "core.send_pending_notifications", 1),
    ("Asignar casos pendientes (barrido)", "core.assignment_sweep", 1),
    ("Enviar mensajes salientes pendientes (barrido)", "core.outbound_sweep", 1),
    ("Desconectar módulos sin señal (barrido)", "core.kiosks_offline_sweep", 1),
    ("Cola de silencio administrativo positivo (barrido, LEG-02)", "core.sap_sweep", 10),
    ("Cifras del tablero en pantalla (recálculo)", "core.dashboard_snapshots", 1),
]


#: (name, task, hour, minute) run every day, America/Bogota
DAILY_TASKS = [
    ("Alerta diaria de PQR por vencer (LEG-02)", "core.pqr_due_alerts", 7, 0),
    ("Retención de grabaciones de llamadas (PQR-06)", "core.recordings_retention", 2, 30),
    ("Resumen diario del tablero (cifras del periodo)", "core.dashboard_rollup", 0, 20),
]


def schedule_periodic_tasks(apps, *, every_minutes=(), daily=()) -> None:
    """Schedule tasks in django-celery-beat unless already there (managers edit them in admin):
    ``every_minutes`` of (name, task, minutes), ``daily`` of (name, task, hour, minute) in
    America/Bogota. Modality apps call it from their own reference data."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in every_minutes:
        schedule, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": schedule})
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    for name, task, hour, minute in daily:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=str(minute),
            hour=str(hour),
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="America/Bogota",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def load_periodic_tasks(apps) -> None:
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS, daily=DAILY_TASKS)


def load_internal_client_office(apps) -> None:
    Office = apps.get_model("core", "Office")
    if not Office.objects.filter(is_internal_client=True).exists():
        Office.objects.create(
            name="Cliente Interno",
            code="CLI",
            unit="metropolitano",
            zone="Virtual",
            capacity=0,
            has_orientador=False,
            technologist_count=0,
            is_internal_client=True,
        )


def load_all(apps) -> None:
    load_catalogue(apps)
    load_roles(apps)
    load_templates_and_mailboxes(apps)
    load_periodic_tasks(apps)
    load_internal_client_office(apps)
