"""Fixed vocabularies of the procedure (ATC-IT-07), with its exact Spanish labels."""

from django.db import models


class Unit(models.TextChoices):
    METROPOLITANO = "metropolitano", "Unidad Canales Metropolitano"
    REGIONAL = "regional", "Unidad Canales Regional"


class WorkMode(models.TextChoices):
    HOME = "trabajo_en_casa", "trabajo en casa"
    OFFICE = "trabajo_interno_oficina", "trabajo interno en oficina"
    LOW_TRAFFIC_BOOTH = "taquilla_baja_afluencia", "taquilla con baja afluencia"


class DocumentType(models.TextChoices):
    CC = "CC", "Cédula de ciudadanía"
    CE = "CE", "Cédula de extranjería"
    NIT = "NIT", "NIT"
    TI = "TI", "Tarjeta de identidad"
    PA = "PA", "Pasaporte"
    PPT = "PPT", "Permiso por protección temporal"
    SIN_ID = "SIN_ID", "Sin identificación"


class CaseKind(models.TextChoices):
    PQR = "PQR", "PQR"
    PEDIDO = "PED", "Pedido"


class PqrType(models.TextChoices):
    PETICION = "peticion", "petición"
    QUEJA = "queja", "queja"
    RECLAMO = "reclamo", "reclamo"


class AttentionMedium(models.TextChoices):
    VERBAL = "verbal", "verbal"
    ESCRITO = "escrito", "escrito"


class CaseStatus(models.TextChoices):
    ABIERTO = "abierto", "abierto"
    ASIGNADO = "asignado", "asignado"
    EN_ATENCION = "en_atencion", "en atención"
    CERRADO_PRIMER_CONTACTO = (
        "cerrado_primer_contacto",
        "cerrado con solución en primer contacto",
    )
    CERRADO_SIN_CONTACTO = "cerrado_sin_contacto", "cerrado sin contacto"
    TAREA_GENERADA = "tarea_generada", "tarea generada"
    REDIRIGIDO_ESCRITO = "redirigido_escrito", "redirigido a canal escrito"

    @classmethod
    def closed(cls) -> set[str]:
        return {
            cls.CERRADO_PRIMER_CONTACTO,
            cls.CERRADO_SIN_CONTACTO,
            cls.TAREA_GENERADA,
            cls.REDIRIGIDO_ESCRITO,
        }


class NotificationMedium(models.TextChoices):
    """CORE-13: how the customer authorised being notified of the PQR decision."""

    EMAIL = "email", "correo electrónico (autorización expresa)"
    SMS = "sms", "celular: citación por mensaje de texto"
    ADDRESS = "direccion", "dirección física: citación por correo"


class Modality(models.TextChoices):
    """The procedure's modalities; each may have its own sender mailbox (CORE-12)."""

    GENERAL = "general", "General"
    DESBORDE = "desborde", "Desborde (2.1–2.3)"
    ASESOR_LINEA = "asesor_linea", "Asesor en línea (2.4)"
    BALANCEO = "balanceo", "Balanceo (2.5)"
    COPROPIEDAD = "copropiedad", "Administradores de Copropiedad (2.6)"
    PQR_DIGITAL = "pqr_digital", "PQR por medios tecnológicos o electrónicos (2.7)"
    CLIENTE_INTERNO = "cliente_interno", "Cliente interno (2.8)"


#: The modality a case of each channel belongs to when whoever opens it does not say (CORE-05);
#: also the backfill of existing cases. Balancing opens its PQR with channel "asesor en línea"
#: and says modality "balanceo" itself.
MODALITY_BY_CHANNEL = {
    "desborde-formulario-web": Modality.DESBORDE,
    "desborde-whatsapp": Modality.DESBORDE,
    "desborde": Modality.DESBORDE,
    "desborde-celular": Modality.DESBORDE,
    "asesor-en-linea": Modality.ASESOR_LINEA,
    "balanceo-automatico": Modality.BALANCEO,
    "administradores-copropiedad": Modality.COPROPIEDAD,
    "whatsapp": Modality.PQR_DIGITAL,
    "facebook": Modality.PQR_DIGITAL,
    "instagram": Modality.PQR_DIGITAL,
    "twitter": Modality.PQR_DIGITAL,
    "chat-epm": Modality.PQR_DIGITAL,
    "contact-center": Modality.PQR_DIGITAL,
}


class EvidenceKind(models.TextChoices):
    CALL_RECORDING = "grabacion_llamada", "grabación de la llamada"
    VOICEMAIL_RECORDING = "grabacion_buzon", "grabación del mensaje de voz"
    SIGNED_SCAN = "documento_firmado", "documento firmado escaneado"
    INVOICE_PHOTO = "foto_factura", "foto de la factura o cupón"
    ID_PHOTO = "foto_documento", "foto del documento de identidad"
    CHAT_SCREENSHOT = "captura_chat", "captura de la interacción"
    CONSTANCIA = "constancia", "constancia de atención (PDF)"
    EMAIL = "correo", "correo electrónico enviado o recibido"
    SAP_RECOGNITION = (
        "reconocimiento_sap",
        "acto de reconocimiento del silencio administrativo positivo",
    )
    OTHER = "otro", "otro documento"
