"""pqr_digital's part of ``manage.py seed_demo`` (registered in ``PqrDigitalConfig.ready``).

The creador's inbox gets interactions of every network in every state — open (one nobody has
taken yet), waiting for the user's data with a manual message to send, filed as PQR, redirected
by each rule of 2.7, not attended — and several digital PQR filed YESTERDAY and the day before
(Bogotá), so the help desk's daily export (PQR-07) and the gestor de oficina's reassignment
(PQR-08) have rows. Everything goes through the services, as a creador would do it.

Each interaction is found again by its handle and its day: a second run the same day adds
nothing; a run on another day adds that day's (as desborde's demo does)."""

import contextlib
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.business_days import BOGOTA
from core.modalities import DemoContext
from core.models import DocumentType, OutboundMessage
from core.services.outbound import outbound_mark_sent
from pqr_digital.models import DigitalChannel, Interaction
from pqr_digital.services import interactions as services

#: A 1×1 PNG: the demo's "screenshot" of a chat.
DEMO_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
COMPLAINT = "Me llegó la factura de este mes muy alta, no estoy de acuerdo con el consumo."


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BOGOTA)


# handle, channel, day offset (0 today, 1 yesterday…), hour, data, what happens
# "pqr": filed (with "screenshot"/"sent" flags); "espera": information requested (manual message
# pending); "sin_asignar": delivered by the network's webhook, nobody took it; "abierta": open;
# "escrito" / "juridica": redirected; "no_atendida": requested two days ago, closed yesterday.
INTERACTIONS = [
    (
        "@vecinabello",
        DigitalChannel.FACEBOOK,
        1,
        9,
        {
            "full_name": "Marcela Ríos Gaviria",
            "document_type": DocumentType.CC,
            "document_number": "43987654",
            "contract": "1203456",
            "motive": "Inconformidad con el consumo de energía facturado en el último periodo.",
        },
        {"outcome": "pqr", "screenshot": True, "sent": True},
    ),
    (
        "3104567890",
        DigitalChannel.WHATSAPP,
        1,
        10,
        {
            "full_name": "María Elena Restrepo",
            "document_type": DocumentType.CC,
            "document_number": "43512876",  # a contact already registered: it is reused
            "contract": "1234567",
            "motive": "Cobro de consumo de acueducto muy superior al promedio.",
        },
        {"outcome": "pqr", "screenshot": False, "sent": True},
    ),
    (
        "Llamada 3157778899",
        DigitalChannel.CONTACT_CENTER,
        1,
        11,
        {
            "full_name": "Jorge Enrique Salazar",
            "document_type": DocumentType.CC,
            "document_number": "98765432",
            "property_address": "Carrera 45 # 12-30, Rionegro",
            "motive": "No está de acuerdo con la lectura del medidor de energía.",
            "recording_ref": "CC-ORF-20260001",
        },
        {"outcome": "pqr"},
    ),
    (
        "@tiendadonaluz",
        DigitalChannel.INSTAGRAM,
        1,
        15,
        {
            "full_name": "Luz Dary Cardona",
            "document_type": DocumentType.CC,
            "document_number": "39456123",
            "contract": "7788990",
            "motive": "Consumo facturado del local comercial no corresponde al uso.",
        },
        {
            "outcome": "pqr",
            "premises": "no_residencial",
            "relation": "Propietaria del local (tienda de barrio)",
            "screenshot": True,
            "sent": True,
        },
    ),
    (
        "Visitante chat 4471",
        DigitalChannel.CHAT_EPM,
        2,
        10,
        {
            "full_name": "Andrés Felipe Mora",
            "document_type": DocumentType.CE,
            "document_number": "E7654321",
            "contract": "5566778",
            "motive": "Alcantarillado no prestado en la vereda; no ha pagado ese cobro.",
        },
        {"outcome": "pqr", "sewerage": True, "payments": False, "screenshot": True, "sent": True},
    ),
    (
        "@usuario_twitter_epm",
        DigitalChannel.TWITTER,
        2,
        16,
        {
            "full_name": "Camila Andrea Ortiz",
            "document_number": "1036123456",
            "contract": "4455667",
            "motive": "Cobro doble en la factura de gas.",
        },
        {"outcome": "pqr", "sent": False},
    ),
    (
        "@conjuntolasbrisas",
        DigitalChannel.FACEBOOK,
        0,
        8,
        {
            "full_name": "Hernando Villa",
            "document_type": DocumentType.CC,
            "document_number": "70123987",
            "contract": "3344556",
            "motive": "Cobran alcantarillado que no prestan; ya pagó tres facturas.",
        },
        {"outcome": "escrito"},
    ),
    (
        "@ferreteriaelclavo",
        DigitalChannel.TWITTER,
        0,
        8,
        {
            "full_name": "Ferretería El Clavo S.A.S.",
            "document_type": DocumentType.NIT,
            "document_number": "900765432-1",
            "contract": "9988776",
            "motive": "Consumo de energía del local muy alto.",
        },
        {"outcome": "juridica"},
    ),
    (
        "@sinrespuesta_ig",
        DigitalChannel.INSTAGRAM,
        2,
        9,
        {"motive": "La factura llegó muy alta."},
        {"outcome": "no_atendida"},
    ),
    (
        "Visitante chat 5120",
        DigitalChannel.CHAT_EPM,
        0,
        9,
        {"full_name": "Rosa Elvira Gómez", "motive": "No entiendo el cobro de este mes."},
        {"outcome": "espera"},
    ),
    (
        "@pedro.medellin",
        DigitalChannel.TWITTER,
        0,
        10,
        {
            "full_name": "Pedro Pablo Ochoa",
            "document_type": DocumentType.CC,
            "document_number": "71555444",
            "property_address": "Calle 33 # 70-15, Medellín",
            "motive": "Factura de energía con consumo que no corresponde.",
        },
        {"outcome": "abierta"},
    ),
    (
        "Carolina Zapata",
        DigitalChannel.WHATSAPP,
        0,
        11,
        {},
        {"outcome": "sin_asignar", "sender": "573001112233"},
    ),
]


def _mark_manual_sent(interaction: Interaction, by, purposes=None) -> None:
    for message in interaction.messages.filter(status=OutboundMessage.Status.HUMAN):
        if purposes is None or message.purpose in purposes:
            outbound_mark_sent(message=message, by=by)


def _create(creador, handle, channel, day, hour, data, plan) -> None:
    arrived = _at(day, hour)
    if day == timezone.localdate():
        # Today's arrive before now, in the same order, whatever time the demo is loaded.
        arrived = timezone.now() - dt.timedelta(minutes=(12 - hour) * 10)
    outcome = plan["outcome"]
    if outcome == "sin_asignar":
        services.interaction_receive(
            channel=channel,
            provider="meta",
            sender_id=plan["sender"],
            sender_name=handle,
            text=COMPLAINT,
            at=arrived,
        )
        return
    interaction = services.interaction_register(
        by=creador,
        channel=channel,
        text=COMPLAINT,
        author_handle=handle,
        arrived_at=arrived,
        **data,
    )
    if outcome == "pqr":
        case = services.interaction_pqr_create(
            interaction=interaction,
            by=creador,
            sewerage_not_provided=plan.get("sewerage", False),
            sewerage_payments=plan.get("payments", False),
            premises=plan.get("premises", Interaction.Premises.RESIDENTIAL),
            relation_to_premises=plan.get("relation", ""),
            at=arrived + dt.timedelta(minutes=20),
        )
        if plan.get("sent"):
            _mark_manual_sent(interaction, creador)
        if plan.get("screenshot"):
            services.interaction_screenshot_add(
                interaction=interaction,
                by=creador,
                upload=SimpleUploadedFile(f"captura-{case.number}.png", DEMO_PNG, "image/png"),
            )
    elif outcome in {"escrito", "juridica"}:
        # Expected: closed as redirected, the message to the user recorded.
        with contextlib.suppress(services.InteractionRedirected):
            services.interaction_pqr_create(
                interaction=interaction,
                by=creador,
                sewerage_not_provided=outcome == "escrito",
                sewerage_payments=outcome == "escrito",
                premises=(
                    Interaction.Premises.NON_RESIDENTIAL
                    if outcome == "juridica"
                    else Interaction.Premises.RESIDENTIAL
                ),
                holder=Interaction.Holder.LEGAL
                if outcome == "juridica"
                else Interaction.Holder.NATURAL,
                at=arrived + dt.timedelta(minutes=15),
            )
    elif outcome == "espera":
        services.interaction_request_info(
            interaction=interaction, by=creador, at=arrived + dt.timedelta(minutes=10)
        )
    elif outcome == "no_atendida":
        services.interaction_request_info(
            interaction=interaction, by=creador, at=arrived + dt.timedelta(minutes=10)
        )
        _mark_manual_sent(interaction, creador)
        services.interaction_close_unanswered(
            interaction=interaction, by=None, at=_at(day + dt.timedelta(days=1), 8)
        )


def seed(context: DemoContext) -> str:
    creador = context.users["creador"]
    today = timezone.localdate()
    created = 0
    for handle, channel, days_ago, hour, data, plan in INTERACTIONS:
        day = today - dt.timedelta(days=days_ago)
        start = _at(day, 0)
        exists = Interaction.objects.filter(
            author_handle=handle, arrived_at__gte=start, arrived_at__lt=start + dt.timedelta(days=1)
        ).exists()
        if exists:
            continue
        _create(creador, handle, channel, day, hour, data, plan)
        created += 1
    filed = Interaction.objects.filter(status=Interaction.Status.PQR_CREATED).count()
    # The help desk's page shows the exports of the last two days, as the mesa would have built
    # them (the 06:00 job e-mails the next ones); building an existing one returns it.
    from pqr_digital.services.export import export_build

    for days_ago in (2, 1):
        day = today - dt.timedelta(days=days_ago)
        export_build(date_from=day, date_to=day, by=context.users["mesa"])
    return (
        f"PQR digitales: {created} interacciones nuevas en la bandeja del creador "
        f"({filed} PQR digitales radicadas en total); exportes de los dos días anteriores."
    )
