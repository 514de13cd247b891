"""The one scene every cell of the access tables shares (NFR-02), built through the real
services: office A (Metropolitano) with a user of every role, and office B of the other unit
(Regional) with people of its own. Each modality has an object in A and one in B: a case (with
evidence and a print job), a desborde intake and a WhatsApp proposal, a pqr_digital interaction
(B's is taken by B's creador), a copropiedad appointment, a cliente_interno booking, an office
turn, a kiosk, a video session and agenda holds.

Everything of B that carries personal data (names, documents, texts) carries ``FAR_MARKER``:
no response to a user of A may contain it. Configuration (office names, kiosk labels, printers)
is reference data every staff role reads, so it carries none; nor does B's condo appointment,
by design: creadores work the condo agenda as one team (``copropiedad.selectors``).

Not a test module: the access tests import it (tests/access/conftest.py builds it once per
module inside a transaction that is rolled back at the end).
"""

import datetime as dt

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cliente_interno.links import attend_token
from cliente_interno.models import InternalBooking, PropertyRelation
from core.business_days import BOGOTA
from core.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    AssignmentPool,
    CaseStatus,
    ContactAttempt,
    DocumentType,
    InitialCause,
    Kiosk,
    MessageTemplate,
    OutboundMessage,
    RemoteModality,
    RosterEntry,
    SapCase,
    SenderMailbox,
    ShiftCheck,
    StaffAvailability,
    TransactionType,
    Unit,
    WorkingHours,
)
from core.roles import Role
from core.services.agenda import agenda_hold
from core.services.evidence import evidence_attach
from core.services.printing import print_job_send
from core.services.turns import turn_create
from core.video import services as video_services
from desborde import services as desborde_services
from desborde.models import IntakeMode, OutcomeProposal
from pqr_digital.models import DigitalPqrExport, InboundMessage
from tests.factories import TINY_PNG, CustomerFactory, OfficeFactory, make_case
from tests.factories.copropiedad import book, condo_type, next_business_day
from tests.factories.pqr_digital import InteractionFactory
from tests.helpers import make_user, office_printer

#: In every piece of personal data of office B (the other unit).
FAR_MARKER = "Lejanía"
PASSWORD = "clave-segura-123"
YESTERDAY = dt.datetime.now(tz=BOGOTA).date() - dt.timedelta(days=1)


def _png(name: str = "factura.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PNG, content_type="image/png")


def _intake(orientador, office, *, name: str, document: str, mode=IntakeMode.FORMULARIO_WEB):
    intake, _ = desborde_services.intake_create(
        orientador=orientador,
        office=office,
        mode=mode,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        full_name=name,
        document_type="CC",
        document_number=document,
        phone="3104567890",
        contract="123456789",
        email="",
        data_consent=True,
    )
    return intake


def _booking(*, employee, technologist, start, name: str) -> InternalBooking:
    """A cliente_interno booking as the employee leaves it once reserved (no e-mail)."""
    kind = AppointmentType.objects.get(code="cliente-interno")
    now = timezone.now()
    appointment = Appointment.objects.create(
        type=kind,
        technologist=technologist,
        start=start,
        end=start + dt.timedelta(minutes=kind.duration_minutes),
        status=AppointmentStatus.CONFIRMADA,
        created_by=employee,
    )
    return InternalBooking.objects.create(
        appointment=appointment,
        employee=employee,
        transaction_type=TransactionType.objects.get(code="duplicado-de-factura"),
        document_type=DocumentType.CC,
        document_number=employee.document_number,
        full_name=name,
        email=employee.email,
        mobile="3104567890",
        relation=PropertyRelation.PROPIETARIO,
        terms_accepted_at=now,
        data_consent_at=now,
        booked_at=now,
    )


def _working_hours(technologist) -> None:
    for weekday in range(5):
        WorkingHours.objects.get_or_create(
            technologist=technologist, weekday=weekday, start=dt.time(7), end=dt.time(17)
        )


def _admin_records(*, office, far_office, case, far_case, far_tech, interaction) -> dict:
    """Rows the admin pages show that the modalities' flows above leave none of: a contact
    attempt, a staff availability, a roster entry and a shift check in A (of a second
    technologist, so the scene's technologist stays unrostered) and in B; a provider's raw
    message and an outbound one."""
    support = make_user(Role.TECNOLOGO, office, username="apoyo_laureles")
    today, now = timezone.localdate(), timezone.now()
    ids = {}
    for prefix, who, where, attempt_case in (
        ("", support, office, case),
        ("far_", far_tech, far_office, far_case),
    ):
        ids[f"{prefix}attempt"] = ContactAttempt.objects.create(
            case=attempt_case,
            sequence=1,
            outcome=ContactAttempt.Outcome.CONTESTO,
            number_dialled="3112223344",
            made_by=attempt_case.assigned_to,
            made_at=now,
        ).pk
        ids[f"{prefix}availability"] = StaffAvailability.objects.create(
            user=who, date=today, is_available=True
        ).pk
        ids[f"{prefix}roster"] = RosterEntry.objects.create(
            day=today, technologist=who, office=where, modality=RemoteModality.CELULAR
        ).pk
        ids[f"{prefix}shiftcheck"] = ShiftCheck.objects.create(
            technologist=who, day=today, audio_ok=True, printer_ok=True, checked_at=now
        ).pk
        ids[f"{prefix}pool"] = AssignmentPool.objects.get(code=f"desborde-{where.unit}").pk
    ids["outbound"] = OutboundMessage.objects.create(
        idempotency_key="acceso-1",
        provider="meta",
        channel=interaction.channel,
        recipient="123",
        purpose="solicitar_informacion",
        body="Por favor envíenos su número de contrato.",
    ).pk
    ids["inbound"] = InboundMessage.objects.create(
        provider="meta",
        provider_message_id="m-1",
        channel=interaction.channel,
        sender_id="123",
        sent_at=now,
        interaction=interaction,
    ).pk
    return ids


def world_build() -> dict:
    """Build the scene: ``users`` (a user of every role in A, by role), ``staff`` (the same
    roles with admin access, is_staff), ``far`` (every role in B), ``ids`` (the objects' ids and
    tokens, by the placeholders of the tables), ``office``, ``far_office``."""
    office = OfficeFactory(name="Oficina Laureles", code="LAU", unit=Unit.METROPOLITANO)
    far_office = OfficeFactory(name="Oficina Rionegro", code="RIO", unit=Unit.REGIONAL)
    office_printer(office)
    office_printer(far_office)

    users = {
        role.value: make_user(
            role,
            office,
            username=role.value,
            first_name="Persona",
            last_name=role.label.split()[0],
            document_number=f"7100000{i}",
        )
        for i, role in enumerate(Role)
    }
    staff = {
        role.value: make_user(
            role,
            office,
            username=f"staff_{role.value}",
            first_name="Personal",
            last_name=role.label.split()[0],
            is_staff=True,
        )
        for role in Role
    }
    far = {
        role.value: make_user(
            role,
            far_office,
            username=f"lejano_{role.value}",
            first_name="Persona",
            last_name=FAR_MARKER,
            document_number=f"9100000{i}",
        )
        for i, role in enumerate(Role)
    }
    tech, far_tech = users[Role.TECNOLOGO], far[Role.TECNOLOGO]

    # Cases of core, with evidence and a print job each.
    case = make_case(
        office=office,
        supported_office=office,
        assigned_to=tech,
        status=CaseStatus.ASIGNADO,
        customer=CustomerFactory(full_name="Marta Cercana", document_number="43000001"),
    )
    far_case = make_case(
        office=far_office,
        supported_office=far_office,
        assigned_to=far_tech,
        status=CaseStatus.ASIGNADO,
        customer=CustomerFactory(full_name=f"Rosa {FAR_MARKER}", document_number="99887766"),
    )
    evidence = evidence_attach(case=case, kind="foto_factura", upload=_png(), uploaded_by=tech)
    # Both cases are in their unit's silencio-administrativo-positivo queue (LEG-02).
    for sap_case in (case, far_case):
        began = timezone.now() - dt.timedelta(hours=30)
        SapCase.objects.create(
            case=sap_case,
            unit=sap_case.office.unit,
            due_date=timezone.localdate() - dt.timedelta(days=2),
            began_at=began,
            deadline=began + dt.timedelta(hours=72),
        )
    far_evidence = evidence_attach(
        case=far_case, kind="foto_factura", upload=_png(), uploaded_by=far_tech
    )
    job = print_job_send(case=case, by=tech, title="Constancia de atención", upload=_png())
    far_job = print_job_send(
        case=far_case, by=far_tech, title=f"Constancia {FAR_MARKER}", upload=_png()
    )

    # Desborde (2.1, 2.2): an intake of each office and a WhatsApp proposal on each.
    intake = _intake(users[Role.ORIENTADOR], office, name="Jorge Cercano", document="43000002")
    far_intake = _intake(
        far[Role.ORIENTADOR], far_office, name=f"Jorge {FAR_MARKER}", document="99887755"
    )
    wa = _intake(
        users[Role.ORIENTADOR],
        office,
        name="Luz Cercana",
        document="43000003",
        mode=IntakeMode.WHATSAPP,
    )
    far_wa = _intake(
        far[Role.ORIENTADOR],
        far_office,
        name=f"Luz {FAR_MARKER}",
        document="99887744",
        mode=IntakeMode.WHATSAPP,
    )
    for whatsapp, technologist in ((wa, tech), (far_wa, far_tech)):
        whatsapp.case.assigned_to = technologist
        whatsapp.case.status = CaseStatus.ASIGNADO
        whatsapp.case.save(update_fields=["assigned_to", "status"])
    now = timezone.now()
    proposal = OutcomeProposal.objects.create(
        case=wa.case, text="Se envía el duplicado.", proposed_by=tech, proposed_at=now
    )
    far_proposal = OutcomeProposal.objects.create(
        case=far_wa.case, text=f"Propuesta {FAR_MARKER}", proposed_by=far_tech, proposed_at=now
    )

    # pqr_digital (2.7): an open interaction nobody took, one B's creador took; an export.
    interaction = InteractionFactory()
    far_interaction = InteractionFactory(
        handled_by=far[Role.CREADOR],
        full_name=f"Ana {FAR_MARKER}",
        text=f"Mensaje de {FAR_MARKER}",
    )
    export = DigitalPqrExport.objects.create(date_from=YESTERDAY, date_to=YESTERDAY)

    # Office turns (CEL-02), kiosks and video sessions (issue 12).
    duplicate = TransactionType.objects.get(code="duplicado-de-factura")
    turn = turn_create(
        office=office, transaction_type=duplicate, accepts_remote=True, mobile="3104567890"
    )
    far_turn = turn_create(
        office=far_office, transaction_type=duplicate, accepts_remote=True, mobile="3109998877"
    )
    kiosk = Kiosk.objects.create(office=office, label="Módulo A1")
    far_kiosk = Kiosk.objects.create(office=far_office, label="Módulo R1")
    session = video_services.video_session_open(
        technologist=tech, modality="asesor_en_linea", kiosk=kiosk
    )
    far_session = video_services.video_session_open(
        technologist=far_tech, modality="asesor_en_linea", kiosk=far_kiosk
    )

    # Copropiedad (2.6): an appointment with a technologist of each office; agenda holds.
    condo_tech = make_user(Role.TECNOLOGO, far_office, username="agenda_rionegro")
    condo_type(tech, condo_tech)
    day = next_business_day()
    start = dt.datetime.combine(day, dt.time(9), tzinfo=BOGOTA)
    condo_case, condo = book(by=users[Role.CREADOR], technologist=tech, start=start)
    far_condo_case, far_condo = book(
        by=far[Role.CREADOR], technologist=condo_tech, start=start, nit="800.111.222"
    )
    condo_kind = AppointmentType.objects.get(code="copropiedad")
    hold = agenda_hold(
        appointment_type=condo_kind,
        start=start + dt.timedelta(hours=1),
        technologist=tech,
        by=users[Role.CREADOR],
    )
    far_hold = agenda_hold(
        appointment_type=condo_kind,
        start=start + dt.timedelta(hours=1),
        technologist=condo_tech,
        by=far[Role.CREADOR],
    )

    # Cliente interno (2.8): a booking of each employee with a technologist of their office.
    ci_kind = AppointmentType.objects.get(code="cliente-interno")
    ci_kind.technologists.add(tech, far_tech)
    _working_hours(tech)
    _working_hours(far_tech)
    employee, far_employee = users[Role.CLIENTE_INTERNO], far[Role.CLIENTE_INTERNO]
    booking = _booking(
        employee=employee,
        technologist=tech,
        start=start + dt.timedelta(hours=2),
        name="Camilo Cercano",
    )
    far_booking = _booking(
        employee=far_employee,
        technologist=far_tech,
        start=start + dt.timedelta(hours=2),
        name=f"Sara {FAR_MARKER}",
    )
    ci_hold = agenda_hold(
        appointment_type=ci_kind,
        start=start + dt.timedelta(hours=3),
        technologist=tech,
        by=employee,
    )
    far_ci_hold = agenda_hold(
        appointment_type=ci_kind,
        start=start + dt.timedelta(hours=3),
        technologist=far_tech,
        by=far_employee,
    )

    admin_ids = _admin_records(
        office=office,
        far_office=far_office,
        case=case,
        far_case=far_case,
        far_tech=far_tech,
        interaction=interaction,
    )
    admin_ids.update(
        appointmenttype=condo_kind.pk,
        hours=WorkingHours.objects.filter(technologist=tech).first().pk,
        far_hours=WorkingHours.objects.filter(technologist=condo_tech).first().pk,
        condocase=condo_case.condo.pk,
        far_condocase=far_condo_case.condo.pk,
        copropiedad=condo_case.condo.copropiedad_id,
        far_copropiedad=far_condo_case.condo.copropiedad_id,
        user=tech.pk,
        far_user=far_tech.pk,
        printer=office_printer(office).pk,
        far_printer=office_printer(far_office).pk,
        transactiontype=duplicate.pk,
        channel=case.channel_id,
        initialcause=InitialCause.objects.order_by("pk").first().pk,
        messagetemplate=MessageTemplate.objects.order_by("pk").first().pk,
        sendermailbox=SenderMailbox.objects.order_by("pk").first().pk,
        group=Group.objects.get(name=Role.TECNOLOGO).pk,
    )
    ids = {
        **admin_ids,
        "office": office.pk,
        "far_office": far_office.pk,
        "tt": TransactionType.objects.order_by("pk").values_list("pk", flat=True).first(),
        "case": case.pk,
        "far_case": far_case.pk,
        "cu": case.customer_id,
        "far_cu": far_case.customer_id,
        "evidence": evidence.pk,
        "far_evidence": far_evidence.pk,
        "job": job.pk,
        "far_job": far_job.pk,
        "intake": intake.pk,
        "far_intake": far_intake.pk,
        "wa_case": wa.case_id,
        "far_wa_case": far_wa.case_id,
        "proposal": proposal.pk,
        "far_proposal": far_proposal.pk,
        "itx": interaction.pk,
        "far_itx": far_interaction.pk,
        "exp": export.pk,
        "day": f"{YESTERDAY:%Y-%m-%d}",
        "turn": turn.pk,
        "far_turn": far_turn.pk,
        "kiosk": kiosk.pk,
        "far_kiosk": far_kiosk.pk,
        "session": session.pk,
        "far_session": far_session.pk,
        "condo": condo.pk,
        "far_condo": far_condo.pk,
        "condo_case": condo_case.pk,
        "far_condo_case": far_condo_case.pk,
        "hold": hold.pk,
        "far_hold": far_hold.pk,
        "booking": booking.pk,
        "far_booking": far_booking.pk,
        "ci_hold": ci_hold.pk,
        "far_ci_hold": far_ci_hold.pk,
        "condo_day": f"{day:%Y-%m-%d}",
        "token": attend_token(booking),
        "far_token": attend_token(far_booking),
    }
    return {
        "users": users,
        "staff": staff,
        "far": far,
        "ids": ids,
        "office": office,
        "far_office": far_office,
    }
