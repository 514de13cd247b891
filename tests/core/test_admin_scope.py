# ruff: noqa: E501 — the role × URL table is easier to read one row per line
"""NFR-02 in Django admin: the same scope as the API and the pages, read-only case records.

The probe found that a gestor (staff) saw in /admin/ the cases, customers, evidence and contact
attempts of the other unit, and changed another unit's case to "cerrado con solución en primer
contacto". Here every role is given admin access (``is_staff``) — the worst case, if someone
ticks the box by mistake — and one setup holds a case of the user's own office and one of the
other unit. The table below is written out by hand: role × admin URL × object → status.
"""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.admin import ScopedAdmin
from core.models import (
    Appointment,
    AppointmentType,
    AssignmentPool,
    CaseStatus,
    ContactAttempt,
    Kiosk,
    Office,
    Printer,
    RosterEntry,
    ShiftCheck,
    StaffAvailability,
    Unit,
    VideoSession,
    WorkingHours,
)
from core.roles import Role
from core.services.evidence import evidence_attach
from core.services.printing import print_job_send
from tests.factories import TINY_PNG, CustomerFactory, OfficeFactory, UserFactory, make_case
from tests.helpers import ANON, ROLE_COLUMNS

pytestmark = pytest.mark.django_db

COLUMNS = ROLE_COLUMNS
LOG = "login"  # anonymous → the admin's login page (302)
GONE = "gone"  # the admin's "does not exist" redirect to its index (302): no data shown

# fmt: off
TABLE = {
    #                                             anon orie tecn gest asig enca crea mesa geof clin
    "GET /admin/core/case/":                      (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "GET /admin/core/case/{own}/change/":         (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "POST /admin/core/case/{own}/change/":        (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/case/{own}/history/":        (LOG, 200, 200, 200, 200, 200, 200, 200, 200, 403),
    "GET /admin/core/case/{own}/delete/":         (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/case/{other}/change/":       (LOG, GONE, GONE, GONE, GONE, GONE, GONE, GONE, GONE, 403),
    "POST /admin/core/case/{other}/change/":      (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/case/{other}/history/":      (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/case/{other}/history/{other_version}/": (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/case/{other}/delete/":       (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/customer/":                  (LOG, 200, 200, 200, 200, 403, 200, 403, 403, 403),
    "GET /admin/core/customer/{own_customer}/change/":   (LOG, 200, 200, 200, 200, 403, 200, 403, 403, 403),
    "GET /admin/core/customer/{own_customer}/history/":  (LOG, 200, 200, 200, 200, 403, 200, 403, 403, 403),
    "GET /admin/core/customer/{own_customer}/delete/":   (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/customer/{other_customer}/change/": (LOG, GONE, GONE, GONE, GONE, 403, GONE, 403, 403, 403),
    "GET /admin/core/customer/{other_customer}/history/": (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/evidence/":                  (LOG, 200, 200, 200, 403, 403, 200, 403, 403, 403),
    "GET /admin/core/evidence/{own_evidence}/change/":   (LOG, 200, 200, 200, 403, 403, 200, 403, 403, 403),
    "GET /admin/core/evidence/{own_evidence}/delete/":   (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/evidence/{other_evidence}/change/": (LOG, GONE, GONE, GONE, 403, 403, GONE, 403, 403, 403),
    "GET /admin/core/evidence/{other_evidence}/history/": (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/contactattempt/":            (LOG, 403, 200, 200, 200, 403, 403, 403, 403, 403),
    "GET /admin/core/contactattempt/{own_attempt}/change/":   (LOG, 403, 200, 200, 200, 403, 403, 403, 403, 403),
    "GET /admin/core/contactattempt/{other_attempt}/change/": (LOG, 403, GONE, GONE, GONE, 403, 403, 403, 403, 403),
    "GET /admin/core/contactattempt/{other_attempt}/history/": (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/assignmentpool/{other_pool}/change/":  (LOG, 403, 403, GONE, GONE, 403, 403, 403, 403, 403),
    "GET /admin/core/staffavailability/{other_availability}/change/": (LOG, 403, 403, GONE, GONE, 403, 403, 403, 403, 403),
    "GET /admin/core/user/{other_tech}/change/":  (LOG, 403, 403, GONE, GONE, 403, 403, 403, GONE, 403),
    "POST /admin/core/office/{other_office}/change/": (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/printjob/":                  (LOG, 403, 403, 200, 403, 200, 403, 403, 403, 403),
    "GET /admin/core/printjob/{own_print_job}/change/":   (LOG, 403, 403, 200, 403, 200, 403, 403, 403, 403),
    "POST /admin/core/printjob/{own_print_job}/change/":  (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/printjob/{own_print_job}/delete/":   (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "GET /admin/core/printjob/{other_print_job}/change/": (LOG, 403, 403, GONE, 403, GONE, 403, 403, 403, 403),
    "GET /admin/core/printjob/{other_print_job}/history/": (LOG, 403, 403, 403, 403, 403, 403, 403, 403, 403),
}
# fmt: on

ROWS = [pytest.param(*key.split(" "), row, id=key) for key, row in TABLE.items()]


@pytest.fixture
def scene(office):
    """The user's office (metropolitano) with a user per role, all staff, and its case; an
    office of the other unit with its own case, customer, evidence, attempt, pool, staff."""
    users = {}
    for role in Role:
        user = UserFactory(username=role.value, home_office=office, is_staff=True)
        user.groups.add(Group.objects.get(name=role.value))
        users[role.value] = user
    far = OfficeFactory(unit=Unit.REGIONAL)
    far_tech = UserFactory(username="tecnologo_regional", home_office=far)
    far_tech.groups.add(Group.objects.get(name=Role.TECNOLOGO))

    def case_with_records(case_office, tech, creator, document):
        case = make_case(
            customer=CustomerFactory(document_number=document),
            office=case_office,
            supported_office=case_office,
            assigned_to=tech,
            status=CaseStatus.EN_ATENCION,
            created_by=creator,
        )
        attempt = ContactAttempt.objects.create(
            case=case,
            sequence=1,
            outcome=ContactAttempt.Outcome.CONTESTO,
            number_dialled="3112223344",
            made_by=tech,
            made_at=timezone.now(),
        )
        evidence = evidence_attach(
            case=case,
            kind="foto_factura",
            upload=SimpleUploadedFile("factura.png", TINY_PNG),
            uploaded_by=creator or tech,
        )
        return case, attempt, evidence

    own, own_attempt, own_evidence = case_with_records(
        office, users["tecnologo"], users["creador"], "71000001"
    )
    other, other_attempt, other_evidence = case_with_records(far, far_tech, None, "71000002")
    other_pool = AssignmentPool.objects.create(
        name="Regional", code="prueba-reg", unit=Unit.REGIONAL
    )
    other_availability = StaffAvailability.objects.create(
        user=far_tech, date=timezone.localdate(), is_available=True
    )
    Kiosk.objects.create(office=far, label="Módulo R1")
    RosterEntry.objects.create(
        day=timezone.localdate(), technologist=far_tech, office=far, modality="celular"
    )
    ShiftCheck.objects.create(
        technologist=far_tech, day=timezone.localdate(), checked_at=timezone.now()
    )
    Printer.objects.create(office=far, name="Impresora R")
    Printer.objects.create(office=office, name="Impresora P")

    def print_job(case, tech):
        upload = SimpleUploadedFile("constancia.png", TINY_PNG)
        return print_job_send(case=case, by=tech, title="Constancia de atención", upload=upload)

    own_print_job, other_print_job = print_job(own, users["tecnologo"]), print_job(other, far_tech)
    ids = {
        "own": own.pk,
        "own_customer": own.customer_id,
        "own_attempt": own_attempt.pk,
        "own_evidence": own_evidence.pk,
        "other": other.pk,
        "other_version": other.history.latest().history_id,
        "other_customer": other.customer_id,
        "other_attempt": other_attempt.pk,
        "other_evidence": other_evidence.pk,
        "other_pool": other_pool.pk,
        "other_availability": other_availability.pk,
        "other_tech": far_tech.pk,
        "other_office": far.pk,
        "own_print_job": own_print_job.pk,
        "other_print_job": other_print_job.pk,
    }
    return {"users": users, "ids": ids, "own": own, "other": other, "far": far}


def test_nfr02_admin_table_covers_every_role():
    assert set(COLUMNS) == {ANON, *Role.values}


@pytest.mark.parametrize(("method", "url", "row"), ROWS)
def test_nfr02_admin_role_url_object_table(client, scene, method, url, row):
    """NFR-02: every role (with admin access) × admin URL × own/other-unit object → status.
    One setup per URL; every role is tried and every mismatch reported together."""
    url = url.format(**scene["ids"])
    other = scene["other"]
    mismatches = []
    for who, expected in zip(COLUMNS, row, strict=True):
        client.logout()
        if who != ANON:
            client.force_login(scene["users"][who])
        if method == "POST":
            response = client.post(url, {"status": CaseStatus.CERRADO_PRIMER_CONTACTO, "name": "X"})
        else:
            response = client.get(url)
        got = response.status_code
        location = response.get("Location", "")
        if expected == LOG:
            ok = got == 302 and location.startswith("/admin/login/")
        elif expected == GONE:
            ok = got == 302 and location == "/admin/"
        else:
            ok = got == expected
        body = response.content.decode()
        if expected != 200 and (other.number in body or other.customer.document_number in body):
            ok = False
        if not ok:
            mismatches.append(f"{who}: esperado {expected}, obtenido {got} {location}")
    assert not mismatches, "\n".join(mismatches)


def test_nfr02_no_role_changes_a_case_state_in_admin(client, scene):
    """NFR-02 / CORE-07: the probe's change — another unit's case to "cerrado con solución en
    primer contacto" with no answered call — and the same on the gestor's own case, refused;
    both cases keep their state."""
    client.force_login(scene["users"]["gestor"])
    for case in (scene["own"], scene["other"]):
        response = client.post(
            f"/admin/core/case/{case.pk}/change/",
            {"status": CaseStatus.CERRADO_PRIMER_CONTACTO},
        )
        assert response.status_code == 403
        case.refresh_from_db()
        assert case.status == CaseStatus.EN_ATENCION


def test_nfr02_superuser_cannot_edit_a_case_state_in_admin(client, scene):
    """CORE-07: even a superuser sees the state, the assignment and the dates read-only: they
    change through the services."""
    root = UserFactory(username="raiz", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get(f"/admin/core/case/{scene['own'].pk}/change/")
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    for field in ("status", "assigned_to", "closed_at", "filed_at", "due_date"):
        assert field not in form_fields


SCOPED_MODELS = sorted(
    model._meta.model_name
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ScopedAdmin)
)


def test_nfr02_the_scoped_admins_are_the_ones_expected():
    """Every admin of a model that belongs to a case, a unit or an office is scoped."""
    assert SCOPED_MODELS == [
        "appointment",
        "assignmentpool",
        "case",
        "contactattempt",
        "customer",
        "evidence",
        "kiosk",
        "printer",
        "printjob",
        "rosterentry",
        "shiftcheck",
        "staffavailability",
        "user",
        "videosession",
        "workinghours",
    ]


def _far_agenda(far):
    """A technologist of the other unit with working hours and an appointment (issue 13)."""
    technologist = UserFactory(username="tecnologo_agenda_lejano", home_office=far)
    kind = AppointmentType.objects.get(code="copropiedad")
    hours = WorkingHours.objects.create(
        technologist=technologist, weekday=0, start=dt.time(8), end=dt.time(12)
    )
    start = timezone.now() + dt.timedelta(days=1)
    appointment = Appointment.objects.create(
        type=kind,
        technologist=technologist,
        start=start,
        end=start + dt.timedelta(minutes=30),
        status="confirmada",
    )
    return {"workinghours": {hours.pk}, "appointment": {appointment.pk}}


def _far_video_session(far):
    """A video call of the other unit's kiosk (issue 12)."""
    kiosk = Kiosk.objects.create(office=far, label="Módulo lejano")
    technologist = UserFactory(username="tecnologo_video_lejano", home_office=far)
    return VideoSession.objects.create(
        modality="asesor_linea",
        technologist=technologist,
        kiosk=kiosk,
        status="finalizada",
        candidate_type="relay",
        created_at=timezone.now(),
    )


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_nfr02_every_scoped_admin_changelist_lists_only_rows_in_scope(client, scene, model):
    """NFR-02: each scoped admin's changelist, for each role that may open it, lists none of
    the other unit's rows (a superuser sees them: the rows exist)."""
    other_unit_rows = {
        "case": {scene["ids"]["other"]},
        "customer": {scene["ids"]["other_customer"]},
        "evidence": {scene["ids"]["other_evidence"]},
        "contactattempt": {scene["ids"]["other_attempt"]},
        "assignmentpool": {scene["ids"]["other_pool"]},
        "staffavailability": {scene["ids"]["other_availability"]},
        "user": {scene["ids"]["other_tech"]},
        "kiosk": set(Kiosk.objects.filter(office=scene["far"]).values_list("pk", flat=True)),
        "printer": set(Printer.objects.filter(office=scene["far"]).values_list("pk", flat=True)),
        "printjob": {scene["ids"]["other_print_job"]},
        "rosterentry": set(
            RosterEntry.objects.filter(office=scene["far"]).values_list("pk", flat=True)
        ),
        "shiftcheck": set(
            ShiftCheck.objects.filter(technologist__home_office=scene["far"]).values_list(
                "pk", flat=True
            )
        ),
        "videosession": {_far_video_session(scene["far"]).pk},
    }.get(model)
    if other_unit_rows is None:
        other_unit_rows = _far_agenda(scene["far"])[model]
    opened = 0
    for role in Role:
        client.force_login(scene["users"][role.value])
        response = client.get(f"/admin/core/{model}/")
        if response.status_code == 403:
            continue
        assert response.status_code == 200
        opened += 1
        listed = {obj.pk for obj in response.context["cl"].result_list}
        assert not listed & other_unit_rows, role
    assert opened, "ningún rol abrió esta lista: la prueba no probaría nada"
    client.force_login(UserFactory(username="raiz", is_staff=True, is_superuser=True))
    response = client.get(f"/admin/core/{model}/")
    assert other_unit_rows <= {obj.pk for obj in response.context["cl"].result_list}


def test_nfr02_admin_shows_masked_number_and_no_personal_data_to_other_roles(client, scene):
    """NFR-02: the encargado sees a case of their office in admin without the customer's
    document, and mesa de ayuda would see attempts masked (name only)."""
    client.force_login(scene["users"]["encargado"])
    page = client.get(f"/admin/core/case/{scene['own'].pk}/change/").content.decode()
    assert scene["own"].customer.full_name in page
    assert scene["own"].customer.document_number not in page


def test_nfr02_office_change_only_for_own_unit(client, scene, office):
    """Configuration stays editable by the role that owns it: a gestor changes the offices of
    their unit, not the other unit's."""
    client.force_login(scene["users"]["gestor"])
    assert client.get(f"/admin/core/office/{office.pk}/change/").status_code == 200
    far = scene["far"]
    response = client.post(f"/admin/core/office/{far.pk}/change/", {"name": "Cambiada"})
    assert response.status_code == 403
    assert Office.objects.get(pk=far.pk).name == far.name
