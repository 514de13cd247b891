"""Reference data of 2.7, loaded by a migration (and by tests after a flush): the inbox message
templates (editable in admin, CORE-11) and the periodic jobs (editable hour, django-celery-beat).
"""

from core.reference_data import CONTACT_LINES, schedule_periodic_tasks

#: Message template codes by purpose (pqr_digital.services use these).
TEMPLATE_REQUEST_INFO = "pqr-digital-solicitud-informacion"
TEMPLATE_CLOSE_UNANSWERED = "pqr-digital-cierre-sin-informacion"
TEMPLATE_FILED = "pqr-digital-pqr-radicada"
TEMPLATE_REDIRECT_WRITTEN = "pqr-digital-redireccion-canal-escrito"
TEMPLATE_REDIRECT_LEGAL_ENTITY = "pqr-digital-redireccion-persona-juridica"

# code, name, body (kind "inbox", modality "pqr_digital")
TEMPLATES = [
    (
        TEMPLATE_REQUEST_INFO,
        "Inbox — solicitud de información mínima (2.7 paso 1)",
        "{{ saludo }}, {{ nombre_cliente }}. Para atender su solicitud necesitamos los "
        "siguientes datos: {{ datos_faltantes }}. Por favor envíelos por este mismo medio. Si no "
        "recibimos la información, su solicitud no podrá ser atendida.",
    ),
    (
        TEMPLATE_CLOSE_UNANSWERED,
        "Inbox — cierre por falta de información (2.7 paso 1)",
        "{{ saludo }}, {{ nombre_cliente }}. Como no recibimos la información requerida "
        "({{ datos_faltantes }}), cerramos esta solicitud y no será atendida. Si desea "
        "presentarla de nuevo, escríbanos con sus datos completos o comuníquese con nuestra "
        f"línea de atención {CONTACT_LINES}.",
    ),
    (
        TEMPLATE_FILED,
        "Inbox — PQR radicada: motivo y número (2.7 paso 1)",
        "{{ saludo }}, {{ nombre_cliente }}. Registramos su reclamo con el número "
        "{{ numero_caso }}. Motivo PQR (Detalle): {{ motivo }}. La respuesta se le notificará "
        "por {{ medio_notificacion }} a más tardar el {{ fecha_limite }}.",
    ),
    (
        TEMPLATE_REDIRECT_WRITTEN,
        "Inbox — alcantarillado con pagos: canal escrito (2.7 nota)",
        "{{ saludo }}, {{ nombre_cliente }}. Su reclamo por el servicio de alcantarillado no "
        "prestado involucra la devolución de valores pagados, por lo que debe presentarse por "
        "el canal escrito: radíquelo en cualquiera de nuestras oficinas de atención o por los "
        "medios escritos de EPM.",
    ),
    (
        TEMPLATE_REDIRECT_LEGAL_ENTITY,
        "Inbox — inmueble no residencial de persona jurídica (2.7 nota 2)",
        "{{ saludo }}. Como el inmueble está a nombre de una persona jurídica (NIT o empresa), "
        "su solicitud debe presentarse por los medios donde se pueda acreditar la relación con "
        "el inmueble (presentación de documentos o autorización física), en cualquiera de "
        "nuestras oficinas de atención, para garantizar el debido proceso.",
    ),
]

#: (name, task, hour, minute) every day, America/Bogota; the hour is edited in admin.
DAILY_TASKS = [
    (
        "PQR digitales: exporte diario del día anterior (PQR-07)",
        "pqr_digital.daily_export",
        6,
        0,
    ),
    (
        "PQR digitales: cerrar interacciones sin información (PQR-02)",
        "pqr_digital.close_unanswered",
        8,
        0,
    ),
]

#: (name, task, minutes between runs)
PERIODIC_TASKS = [
    ("PQR digitales: procesar mensajes recibidos (barrido)", "pqr_digital.inbound_sweep", 1),
]


def load_templates(apps) -> None:
    MessageTemplate = apps.get_model("core", "MessageTemplate")
    for code, name, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": "inbox", "modality": "pqr_digital", "body": body},
        )


def load_periodic_tasks(apps) -> None:
    schedule_periodic_tasks(apps, every_minutes=PERIODIC_TASKS, daily=DAILY_TASKS)


def load_all(apps) -> None:
    load_templates(apps)
    load_periodic_tasks(apps)
