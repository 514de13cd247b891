"""LEG-02 (issue 16): the SAP queue page ``/silencio-positivo/`` — the gestor's queue, the
"Registrar reconocimiento" form, the recognised tab, and nobody else's cases."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.business_days import BOGOTA
from core.models import Case, CaseStatus, Evidence, SapCase, Unit
from core.roles import Role
from core.services.sap import sap_recognise, sap_sweep
from tests.factories import CustomerFactory, OfficeFactory, make_case
from tests.helpers import PDF, make_user

pytestmark = [pytest.mark.django_db]

PAGE = "/silencio-positivo/"


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(office, due, **kwargs):
    case = make_case(supported_office=office, **kwargs)
    Case.objects.filter(pk=case.pk).update(due_date=due)
    return Case.objects.get(pk=case.pk)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def world():
    metro = OfficeFactory(unit=Unit.METROPOLITANO)
    regional = OfficeFactory(unit=Unit.REGIONAL)
    people = {
        "gestor": make_user(Role.GESTOR, metro, first_name="Marta", last_name="Henao"),
        "asignador": make_user(Role.ASIGNADOR, metro),
        "gestor_oficina": make_user(Role.GESTOR_OFICINA, metro),
        "tecnologo": make_user(Role.TECNOLOGO, metro, first_name="Álvaro", last_name="Zapata"),
    }
    today = timezone.localdate()
    expired = _case(
        metro,
        today - dt.timedelta(days=6),
        customer=CustomerFactory(full_name="Ana María Gómez"),
        assigned_to=people["tecnologo"],
    )
    urgent = _case(
        metro, today - dt.timedelta(days=3), customer=CustomerFactory(full_name="Bernardo Ríos")
    )
    fresh = _case(
        metro, today - dt.timedelta(days=1), customer=CustomerFactory(full_name="Carla Díaz")
    )
    late = _case(
        metro, today - dt.timedelta(days=2), customer=CustomerFactory(full_name="Diego Páez")
    )
    Case.objects.filter(pk=late.pk).update(
        status=CaseStatus.CERRADO_PRIMER_CONTACTO, closed_at=timezone.now()
    )
    theirs = _case(
        regional,
        today - dt.timedelta(days=6),
        customer=CustomerFactory(full_name="Persona De Otra Unidad"),
    )
    sap_sweep()
    return {
        **people,
        "metro": metro,
        "expired": expired,
        "urgent": urgent,
        "fresh": fresh,
        "late": late,
        "theirs": theirs,
    }


def test_leg02_page_gestor_sees_the_units_queue_most_urgent_first(world):
    response = _browser(world["gestor"]).get(PAGE)

    assert response.status_code == 200
    text = _text(response)
    numbers = [world[k].number for k in ("expired", "urgent", "late", "fresh")]
    positions = [text.index(f'data-sap-case="{n}"') for n in numbers]
    assert positions == sorted(positions)  # earliest deadline first
    expired_row = text[positions[0] : positions[1]]
    assert f'href="/casos/{world["expired"].pk}/"' in expired_row
    assert "Ana María Gómez" in expired_row
    assert "Álvaro Zapata" in expired_row
    assert re.search(r'data-sap-badge="vencido">Vencido hace \d+ h', expired_row)
    record = SapCase.objects.get(case=world["expired"])
    local_deadline = record.deadline.astimezone(BOGOTA)
    assert f"{record.due_date:%d/%m/%Y}" in expired_row
    assert f"{local_deadline:%d/%m/%Y} 12:00 a.m." in expired_row
    urgent_row = text[positions[1] : positions[2]]
    assert re.search(r'data-sap-badge="urgente">Quedan \d+ h', urgent_row)
    assert "sin asignar" in urgent_row
    late_row = text[positions[2] : positions[3]]
    assert "respondido fuera de término" in late_row
    assert 'data-sap-badge="a-tiempo"' in text[positions[3] :]
    assert text.count("Registrar reconocimiento de") == 4
    assert "Persona De Otra Unidad" not in text
    assert world["theirs"].number not in text


def test_leg02_page_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    browser = _browser(world["gestor"])
    with django_assert_max_num_queries(12) as few:
        assert browser.get(PAGE).status_code == 200
    for _ in range(6):
        _case(world["metro"], timezone.localdate() - dt.timedelta(days=5))
    sap_sweep()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert browser.get(PAGE).status_code == 200


def test_leg02_page_form_records_the_recognition_and_the_row_leaves(world):
    browser = _browser(world["asignador"])
    case = world["expired"]

    response = browser.post(
        f"{PAGE}{case.pk}/reconocer/",
        {
            "act_reference": "Resolución 88 de 2026",
            "notes": "Efectos reconocidos.",
            "evidence": SimpleUploadedFile("acto.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )

    assert response.redirect_chain[-1] == (PAGE, 302)
    text = _text(response)
    assert (
        f"Reconocimiento del silencio administrativo positivo registrado para el caso "
        f"{case.number} (acto Resolución 88 de 2026); sale de la cola." in text
    )
    assert f'data-sap-case="{case.number}"' not in text
    record = SapCase.objects.get(case=case)
    assert record.recognised_by == world["asignador"]

    recognised = _text(browser.get(PAGE, {"estado": "reconocido"}))
    assert f'data-sap-case="{case.number}"' in recognised
    assert "Resolución 88 de 2026" in recognised
    assert world["asignador"].get_full_name() in recognised
    assert f'href="/evidencias/{record.evidence_id}/descargar/"' in recognised
    assert "acto.pdf" in recognised
    assert "Registrar reconocimiento" not in recognised


def test_leg02_page_form_error_is_spanish_and_keeps_the_input(world):
    case = world["urgent"]

    response = _browser(world["gestor"]).post(
        f"{PAGE}{case.pk}/reconocer/", {"act_reference": "  ", "notes": "Notas que no se pierden"}
    )

    assert response.status_code == 400
    text = _text(response)
    assert "Indique la referencia del acto de reconocimiento" in text
    assert "Notas que no se pierden" in text
    form_row = text[text.index(f'data-sap-form="{case.number}"') :].split("</tr>")[0]
    assert "<details open>" in form_row  # the row's form stays open with its error
    assert "Indique la referencia del acto" in form_row
    assert text.count("<details open>") == 1
    assert SapCase.objects.get(case=case).recognised_at is None
    assert not Evidence.objects.exists()


def test_leg02_page_recognising_twice_says_why(world):
    case = world["urgent"]
    sap_recognise(case_id=case.pk, by=world["asignador"], act_reference="RES-1")

    response = _browser(world["gestor"]).post(
        f"{PAGE}{case.pk}/reconocer/", {"act_reference": "RES-2"}
    )

    assert response.status_code == 409
    assert "ya fue reconocido" in _text(response)
    assert SapCase.objects.get(case=case).act_reference == "RES-1"


def test_leg02_page_another_units_case_is_not_there(world):
    browser = _browser(world["gestor"])

    response = browser.post(f"{PAGE}{world['theirs'].pk}/reconocer/", {"act_reference": "X"})

    assert response.status_code == 404
    assert "Persona De Otra Unidad" not in response.content.decode()
    assert SapCase.objects.get(case=world["theirs"]).recognised_at is None


def test_leg02_page_roles(world, client):
    oficina = _browser(world["gestor_oficina"]).get(PAGE)
    assert oficina.status_code == 200
    assert world["expired"].number in oficina.content.decode()
    assert "Registrar reconocimiento" not in oficina.content.decode()  # read only
    refused = _browser(world["gestor_oficina"]).post(
        f"{PAGE}{world['expired'].pk}/reconocer/", {"act_reference": "X"}
    )
    assert refused.status_code == 403
    assert _browser(world["tecnologo"]).get(PAGE).status_code == 403
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
