"""CEL-01 / CORE-02 / NFR-02: the support roster — the rules of the service (availability, caps
per office, duplicates, unit), its e-mails (one per technologist per save), the concurrency of
the last slot on PostgreSQL, the gestor's admin pages and the API, per role."""

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from core.models import (
    Kiosk,
    Notification,
    Office,
    RemoteModality,
    RosterEntry,
    RosterNotice,
    StaffAvailability,
    Unit,
    User,
    WorkMode,
)
from core.roles import Role
from core.selectors.roster import roster_offices_for, roster_today
from core.services import roster as roster_services
from core.services.roster import (
    RosterCap,
    roster_copy_day,
    roster_entries_add_bulk,
    roster_entry_add,
    roster_entry_delete,
)
from core.tasks import send_notification_task
from tests.factories import OfficeFactory, UserFactory
from tests.helpers import ANON, ROLE_COLUMNS, make_user, wait_until

pytestmark = pytest.mark.django_db

CELULAR = RemoteModality.CELULAR
ROSTER = "/api/v1/roster/"
TECHS = "/api/v1/technologists/"
ADMIN = "/admin/core/rosterentry/"


def available(user, day=None, is_available=True):
    StaffAvailability.objects.update_or_create(
        user=user,
        date=day or roster_today(),
        defaults={"is_available": is_available, "work_mode": WorkMode.HOME},
    )
    return user


def technologist(office, username, first_name, *, day=None, is_available=True, **kwargs):
    tech = make_user(
        Role.TECNOLOGO,
        office,
        username=username,
        first_name=first_name,
        last_name="Prueba",
        work_mode=WorkMode.HOME,
        **kwargs,
    )
    return available(tech, day, is_available)


@pytest.fixture
def s(db):
    """The Metropolitano unit: an office with one technologist of its own (cap 2), one with
    three (cap 3), a third; a gestor and five technologists available today. The Regional unit:
    an office, its gestor and a technologist."""
    home = OfficeFactory(name="Oficina Centro", code="CEN")
    small = OfficeFactory(name="Oficina Itagüí", code="ITA", technologist_count=1)
    big = OfficeFactory(name="Oficina Bello", code="BEL", technologist_count=3)
    third = OfficeFactory(name="Oficina Envigado", code="ENV", technologist_count=2)
    gestor = make_user(Role.GESTOR, home, username="gestor", is_staff=True)
    names = ["Ana", "Beatriz", "Carlos", "Diana", "Esteban"]
    techs = [technologist(home, f"tec{i}", name) for i, name in enumerate(names)]
    far = OfficeFactory(name="Oficina Rionegro", code="RIO", unit=Unit.REGIONAL)
    far_gestor = make_user(Role.GESTOR, far, username="gestor_regional", is_staff=True)
    far_tech = technologist(far, "tec_regional", "Fabio")
    return SimpleNamespace(
        home=home,
        small=small,
        big=big,
        third=third,
        gestor=gestor,
        techs=techs,
        far=far,
        far_gestor=far_gestor,
        far_tech=far_tech,
        today=roster_today(),
    )


def add(s, tech, office, *, day=None, modality=CELULAR, by=None):
    return roster_entry_add(
        day=day or s.today, technologist=tech, office=office, modality=modality, by=by or s.gestor
    )


def emails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- caps ------------------------------------------------------------------------------------


def test_cel01_office_with_one_technologist_takes_at_most_two_supporters(s):
    add(s, s.techs[0], s.small)
    add(s, s.techs[1], s.small)
    notifications = Notification.objects.count()

    with pytest.raises(ValidationError) as exc:
        add(s, s.techs[2], s.small)

    assert exc.value.message_dict["office"] == [
        f"La oficina Oficina Itagüí quedaría con 3 tecnólogos de apoyo por desborde por celular "
        f"(2.3) el {s.today:%d/%m/%Y}: una oficina con un solo tecnólogo recibe como máximo 2 "
        "tecnólogos de apoyo."
    ]
    assert RosterEntry.objects.filter(office=s.small).count() == 2
    assert not RosterEntry.objects.filter(technologist=s.techs[2]).exists()
    assert Notification.objects.count() == notifications
    assert not RosterNotice.objects.filter(technologist=s.techs[2]).exists()


def test_cel01_office_with_more_technologists_takes_at_most_three(s):
    for tech in s.techs[:3]:
        add(s, tech, s.big)

    with pytest.raises(ValidationError) as exc:
        add(s, s.techs[3], s.big)

    assert "como máximo 3 tecnólogos de apoyo" in messages_of(exc.value)
    assert RosterEntry.objects.filter(office=s.big).count() == 3


def test_cel01_cap_counts_per_office_day_and_modality(s):
    tomorrow = s.today + dt.timedelta(days=1)
    add(s, s.techs[0], s.small)
    add(s, s.techs[1], s.small)
    # Another modality (asesor en línea: its cap is the office's kiosks, AL-01) and another day
    # are apart.
    Kiosk.objects.create(office=s.small, label="Módulo 1")
    add(s, s.techs[2], s.small, modality=RemoteModality.ASESOR_EN_LINEA)
    available(s.techs[3], tomorrow)
    add(s, s.techs[3], s.small, day=tomorrow)
    add(s, s.techs[2], s.third)
    assert RosterEntry.objects.filter(office=s.small, day=s.today, modality=CELULAR).count() == 2


def test_cel01_other_modalities_plug_their_cap_in(s, monkeypatch):
    """AL-01 (issue 12) registers the kiosk cap; the service applies it like celular's."""
    monkeypatch.setitem(
        roster_services.ROSTER_CAPS,
        RemoteModality.ASESOR_EN_LINEA,
        lambda office: RosterCap(1, "la oficina tiene 1 módulo de asesor en línea"),
    )
    add(s, s.techs[0], s.big, modality=RemoteModality.ASESOR_EN_LINEA)
    with pytest.raises(ValidationError) as exc:
        add(s, s.techs[1], s.big, modality=RemoteModality.ASESOR_EN_LINEA)
    assert "la oficina tiene 1 módulo de asesor en línea" in messages_of(exc.value)


# --- who can be rostered ---------------------------------------------------------------------


def test_core02_unavailable_technologist_refused(s):
    without_row = make_user(Role.TECNOLOGO, s.home, username="sin_disponibilidad")
    off_today = technologist(s.home, "de_descanso", "Gloria", is_available=False)
    for tech in (without_row, off_today):
        with pytest.raises(ValidationError) as exc:
            add(s, tech, s.big)
        assert "no está disponible el" in exc.value.message_dict["technologist"][0]
    assert not RosterEntry.objects.exists()


def test_core02_only_active_technologists(s):
    inactive = technologist(s.home, "inactivo", "Hugo", is_active=False)
    orientador = available(make_user(Role.ORIENTADOR, s.home, username="orientadora"))
    with pytest.raises(ValidationError, match="no está activo"):
        add(s, inactive, s.big)
    with pytest.raises(ValidationError, match="no tiene el rol de tecnólogo"):
        add(s, orientador, s.big)
    assert not RosterEntry.objects.exists()


def test_cel01_same_technologist_office_day_and_modality_once(s):
    add(s, s.techs[0], s.big)
    with pytest.raises(ValidationError) as exc:
        add(s, s.techs[0], s.big)
    assert exc.value.message_dict["technologist"] == [
        f"Ana Prueba ya está programado para apoyar la oficina Oficina Bello el "
        f"{s.today:%d/%m/%Y} por desborde por celular (2.3)."
    ]
    assert RosterEntry.objects.count() == 1


def test_cel01_past_day_and_bad_modality_refused(s):
    yesterday = s.today - dt.timedelta(days=1)
    available(s.techs[0], yesterday)
    with pytest.raises(ValidationError) as exc:
        add(s, s.techs[0], s.big, day=yesterday, modality="paloma")
    assert set(exc.value.message_dict) == {"day", "modality"}
    assert not RosterEntry.objects.exists()


def test_nfr02_gestor_programs_only_their_unit(s):
    with pytest.raises(ValidationError) as exc:
        add(s, s.techs[0], s.far)
    assert exc.value.message_dict["office"] == ["La oficina Oficina Rionegro no es de su unidad."]
    with pytest.raises(ValidationError) as exc:
        add(s, s.far_tech, s.big)
    assert "no es un tecnólogo de su unidad" in exc.value.message_dict["technologist"][0]
    asignador = make_user(Role.ASIGNADOR, s.home, username="asignador")
    with pytest.raises(PermissionDenied):
        add(s, s.techs[0], s.big, by=asignador)
    assert not RosterEntry.objects.exists()
    # A superuser programs anywhere.
    root = UserFactory(username="raiz", is_superuser=True, is_staff=True)
    assert add(s, s.far_tech, s.big, by=root).pk


def test_cel01_roster_offices_for_is_what_the_booth_shows(s):
    add(s, s.techs[0], s.small)
    add(s, s.techs[0], s.big)
    Kiosk.objects.create(office=s.third, label="Módulo 1")  # AL-01: no kiosk, no supporter
    add(s, s.techs[0], s.third, modality=RemoteModality.ASESOR_EN_LINEA)
    add(s, s.techs[1], s.third)
    offices = roster_offices_for(technologist=s.techs[0], day=s.today, modality=CELULAR)
    assert list(offices) == [s.big, s.small]
    tomorrow = s.today + dt.timedelta(days=1)
    assert not roster_offices_for(technologist=s.techs[0], day=tomorrow, modality=CELULAR)


# --- bulk and copy ---------------------------------------------------------------------------


def test_cel01_bulk_is_all_or_nothing(s, django_capture_on_commit_callbacks):
    off = technologist(s.home, "de_descanso", "Gloria", is_available=False)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        roster_entries_add_bulk(
            day=s.today,
            technologists=[s.techs[0], off],
            offices=[s.big, s.third],
            modality=CELULAR,
            by=s.gestor,
        )
    assert "Gloria Prueba no está disponible" in messages_of(exc.value)
    # Three technologists into the office with one of its own (cap 2): refused whole.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        roster_entries_add_bulk(
            day=s.today,
            technologists=s.techs[:3],
            offices=[s.big, s.small],
            modality=CELULAR,
            by=s.gestor,
        )
    assert exc.value.messages == [
        f"La oficina Oficina Itagüí quedaría con 3 tecnólogos de apoyo por desborde por celular "
        f"(2.3) el {s.today:%d/%m/%Y}: una oficina con un solo tecnólogo recibe como máximo 2 "
        "tecnólogos de apoyo."
    ]
    assert not RosterEntry.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_cel01_bulk_counts_existing_entries_and_leaves_them(s):
    add(s, s.techs[0], s.small)
    created = roster_entries_add_bulk(
        day=s.today,
        technologists=[s.techs[0], s.techs[1]],
        offices=[s.small],
        modality=CELULAR,
        by=s.gestor,
    )
    assert [(e.technologist, e.office) for e in created] == [(s.techs[1], s.small)]
    with pytest.raises(ValidationError, match="quedaría con 3"):
        roster_entries_add_bulk(
            day=s.today,
            technologists=[s.techs[2]],
            offices=[s.small],
            modality=CELULAR,
            by=s.gestor,
        )


def test_cel01_copy_yesterday_reports_what_breaks_a_rule(s, django_capture_on_commit_callbacks):
    """The entries that would break a rule today are reported and not copied; the rest is."""
    yesterday = s.today - dt.timedelta(days=1)
    a, b, c, d, e = s.techs
    for tech, office in [(a, s.small), (b, s.small), (c, s.big), (d, s.big), (e, s.third)]:
        RosterEntry.objects.create(
            day=yesterday, technologist=tech, office=office, modality=CELULAR
        )
    RosterEntry.objects.create(
        day=yesterday, technologist=s.far_tech, office=s.far, modality=CELULAR
    )
    available(e, is_available=False)  # Esteban is off today
    add(s, c, s.big)  # already programmed today
    Office.objects.filter(pk=s.big.pk).update(technologist_count=1)  # Bello now takes 2
    add(s, a, s.big)  # … and has them: Carlos and Ana
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = roster_copy_day(from_day=yesterday, to_day=s.today, by=s.gestor)

    assert sorted((x.technologist.username, x.office.code) for x in result.created) == [
        ("tec0", "ITA"),
        ("tec1", "ITA"),
    ]
    reasons = {(x.technologist.username, x.office.code): why for x, why in result.skipped}
    assert set(reasons) == {("tec2", "BEL"), ("tec3", "BEL"), ("tec4", "ENV")}
    assert "ya está programado" in reasons["tec2", "BEL"]
    assert "como máximo 2" in reasons["tec3", "BEL"]
    assert "no está disponible" in reasons["tec4", "ENV"]
    # The other unit's roster is not the gestor's to copy.
    assert not RosterEntry.objects.filter(day=s.today, office=s.far).exists()
    # Ana: one e-mail with both her offices of today; Beatriz: one; nobody else.
    assert [len(emails_to(t)) for t in s.techs] == [1, 1, 0, 0, 0]
    assert "Oficina Bello" in emails_to(a)[0].body and "Oficina Itagüí" in emails_to(a)[0].body


# --- e-mails ---------------------------------------------------------------------------------


def test_cel01_one_email_per_technologist_per_save(s, django_capture_on_commit_callbacks):
    ana, beatriz = s.techs[:2]
    with django_capture_on_commit_callbacks(execute=True):
        roster_entries_add_bulk(
            day=s.today,
            technologists=[ana, beatriz],
            offices=[s.small, s.big, s.third],
            modality=CELULAR,
            by=s.gestor,
        )
    assert len(mail.outbox) == 2
    (to_ana,) = emails_to(ana)
    assert to_ana.subject == f"Programación de apoyo — {s.today:%d/%m/%Y}"
    for office in ("Oficina Bello", "Oficina Envigado", "Oficina Itagüí"):
        assert f"- {office} (" in to_ana.body
    assert "desborde por celular (2.3)" in to_ana.body

    # The same save again changes nothing: no e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        again = roster_entries_add_bulk(
            day=s.today,
            technologists=[ana, beatriz],
            offices=[s.small, s.big, s.third],
            modality=CELULAR,
            by=s.gestor,
        )
    assert again == []
    assert len(mail.outbox) == 2

    # A change for Ana: one more e-mail, to her only, with all her offices of the day.
    with django_capture_on_commit_callbacks(execute=True):
        add(s, ana, s.home)
    assert len(mail.outbox) == 3
    assert len(emails_to(ana)) == 2 and len(emails_to(beatriz)) == 1
    assert "- Oficina Centro (" in emails_to(ana)[1].body
    assert "- Oficina Itagüí (" in emails_to(ana)[1].body


def test_cel01_deletion_resends_once_then_withdraws(s, django_capture_on_commit_callbacks):
    ana = s.techs[0]
    first, second = roster_entries_add_bulk(
        day=s.today, technologists=[ana], offices=[s.small, s.big], modality=CELULAR, by=s.gestor
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        roster_entry_delete(entry=first, by=s.gestor)
    (changed,) = emails_to(ana)
    assert "Oficina Bello" in changed.body and "Oficina Itagüí" not in changed.body

    with django_capture_on_commit_callbacks(execute=True):
        roster_entry_delete(entry=second, by=s.gestor)
    assert len(emails_to(ana)) == 2
    withdrawn = emails_to(ana)[-1]
    assert withdrawn.subject == f"Programación de apoyo retirada — {s.today:%d/%m/%Y}"
    assert "fue retirada" in withdrawn.body
    assert not RosterEntry.objects.exists()
    assert RosterNotice.objects.get(technologist=ana).signature == ""


def test_cel01_email_waits_for_the_commit_and_survives_a_dead_broker(
    s, django_capture_on_commit_callbacks, monkeypatch
):
    """NFR-03: the notification row is written with the entry; with the broker down it stays
    pending for the sweep, and the entry is saved."""

    def broker_down(*args, **kwargs):
        raise OSError("[Errno 111] Connection refused")

    monkeypatch.setattr(send_notification_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add(s, s.techs[0], s.small)
        assert Notification.objects.filter(recipient=s.techs[0].email).count() == 1
    assert len(callbacks) == 1, "the e-mail is sent after commit"
    assert RosterEntry.objects.count() == 1
    notification = Notification.objects.get(recipient=s.techs[0].email)
    assert notification.status == Notification.Status.PENDING
    assert mail.outbox == []


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cel01_two_gestores_take_the_last_slot_at_once_one_wins(postgres):
    """Two adds for the last slot of an office run at once on PostgreSQL: the office row is
    locked while counting, so exactly one gets it and the other gets the cap message. Both are
    held at the lock until they are both waiting, so they truly overlap."""
    home = OfficeFactory(name="Oficina Centro", code="CEN")
    small = OfficeFactory(name="Oficina Itagüí", code="ITA", technologist_count=1)
    gestor = make_user(Role.GESTOR, home, username="gestor")
    techs = [technologist(home, f"tec{i}", n) for i, n in enumerate(["Ana", "Beto", "Caro"])]
    roster_entry_add(
        day=roster_today(), technologist=techs[0], office=small, modality=CELULAR, by=gestor
    )
    results: dict[str, object] = {}

    def work(username):
        try:
            results[username] = roster_entry_add(
                day=roster_today(),
                technologist=User.objects.get(username=username),
                office=Office.objects.get(pk=small.pk),
                modality=CELULAR,
                by=User.objects.get(pk=gestor.pk),
            )
        except BaseException as exc:  # noqa: BLE001 - inspected below
            results[username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t.username,)) for t in techs[1:]]
    with transaction.atomic():
        Office.objects.select_for_update().get(pk=small.pk)
        for thread in threads:
            thread.start()

        def both_waiting():
            if not any(t.is_alive() for t in threads):
                return True  # not blocked at all: the assertions below will say so
            with connection.cursor() as cursor:
                # pg_stat_activity is a snapshot per transaction: take a fresh one.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                return cursor.fetchone()[0] >= 2

        wait_until(both_waiting, timeout=30, message="los dos tecnólogos no llegaron al bloqueo")
    for thread in threads:
        thread.join(timeout=60)

    outcomes = list(results.values())
    won = [r for r in outcomes if isinstance(r, RosterEntry)]
    lost = [r for r in outcomes if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "como máximo 2" in " ".join(lost[0].messages)
    assert RosterEntry.objects.filter(office=small).count() == 2


# --- admin -----------------------------------------------------------------------------------


def test_cel01_admin_changelist_shows_todays_roster_of_the_unit(
    client, s, django_assert_max_num_queries
):
    tomorrow = s.today + dt.timedelta(days=1)
    for tech in s.techs[:3]:
        add(s, tech, s.big)
    available(s.techs[3], tomorrow)
    later = add(s, s.techs[3], s.third, day=tomorrow)
    root = UserFactory(username="raiz", is_superuser=True, is_staff=True)
    far_entry = add(s, s.far_tech, s.far, by=root)

    client.force_login(s.gestor)
    with django_assert_max_num_queries(20):
        response = client.get(ADMIN)
    assert response.status_code == 200
    listed = {e.pk for e in response.context["cl"].result_list}
    assert listed == set(RosterEntry.objects.filter(office=s.big).values_list("pk", flat=True))
    page = response.content.decode()
    assert "Programar varios" in page and "Copiar programación de ayer" in page
    assert "Oficina Rionegro" not in page

    response = client.get(ADMIN, {"dia": "manana"})
    assert {e.pk for e in response.context["cl"].result_list} == {later.pk}
    response = client.get(ADMIN, {"dia": "todos"})
    assert far_entry.pk not in {e.pk for e in response.context["cl"].result_list}

    client.force_login(root)
    response = client.get(ADMIN)
    assert far_entry.pk in {e.pk for e in response.context["cl"].result_list}


def test_cel01_admin_add_goes_through_the_service(client, s, django_capture_on_commit_callbacks):
    for tech in s.techs[:2]:
        add(s, tech, s.small)
    client.force_login(s.gestor)
    assert client.get(f"{ADMIN}add/").status_code == 200

    data = {"day": s.today.isoformat(), "modality": CELULAR, "_save": "Guardar"}
    response = client.post(
        f"{ADMIN}add/", {**data, "technologist": s.techs[2].pk, "office": s.small.pk}
    )
    assert response.status_code == 200
    assert "como máximo 2 tecnólogos de apoyo" in response.content.decode()
    assert not RosterEntry.objects.filter(technologist=s.techs[2]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ADMIN}add/", {**data, "technologist": s.techs[2].pk, "office": s.big.pk}
        )
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}?dia=hoy"
    entry = RosterEntry.objects.get(technologist=s.techs[2])
    assert (entry.office, entry.created_by) == (s.big, s.gestor)
    assert len(emails_to(s.techs[2])) == 1

    # Another unit's technologist or office is not even a choice.
    response = client.post(
        f"{ADMIN}add/", {**data, "technologist": s.far_tech.pk, "office": s.far.pk}
    )
    assert response.status_code == 200
    assert "Escoja un tecnólogo de su unidad." in response.content.decode()
    assert not RosterEntry.objects.filter(technologist=s.far_tech).exists()


def test_cel01_admin_bulk_page(client, s, django_capture_on_commit_callbacks):
    client.force_login(s.gestor)
    page = client.get(f"{ADMIN}programar/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ana Prueba — Oficina Centro (disponible)" in text
    assert "Oficina Itagüí — celular: 0 de 2" in text
    assert "Fabio" not in text and "Oficina Rionegro" not in text

    data = {"day": s.today.isoformat(), "modality": CELULAR}
    response = client.post(
        f"{ADMIN}programar/",
        {**data, "technologists": [t.pk for t in s.techs[:3]], "offices": [s.small.pk]},
    )
    assert response.status_code == 200
    assert "quedaría con 3 tecnólogos" in response.content.decode()
    assert not RosterEntry.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ADMIN}programar/",
            {
                **data,
                "technologists": [t.pk for t in s.techs[:2]],
                "offices": [s.small.pk, s.big.pk],
            },
            follow=True,
        )
    assert "Se programaron 4 apoyos" in response.content.decode()
    assert RosterEntry.objects.count() == 4
    assert len(mail.outbox) == 2


def test_cel01_admin_copy_page(client, s):
    yesterday = s.today - dt.timedelta(days=1)
    for tech in s.techs[:3]:
        RosterEntry.objects.create(day=yesterday, technologist=tech, office=s.big, modality=CELULAR)
    available(s.techs[2], is_available=False)
    client.force_login(s.gestor)
    assert client.get(f"{ADMIN}copiar/").status_code == 200
    response = client.post(
        f"{ADMIN}copiar/",
        {"from_day": yesterday.isoformat(), "to_day": s.today.isoformat()},
        follow=True,
    )
    text = response.content.decode()
    assert "Se copiaron 2 apoyos" in text
    assert "No se copió Carlos Prueba → Oficina Bello" in text
    assert set(RosterEntry.objects.filter(day=s.today).values_list("technologist", flat=True)) == {
        s.techs[0].pk,
        s.techs[1].pk,
    }


def test_cel01_admin_delete_goes_through_the_service(client, s, django_capture_on_commit_callbacks):
    entry = add(s, s.techs[0], s.big)
    other = add(s, s.techs[1], s.big)
    yesterday = s.today - dt.timedelta(days=1)
    past = RosterEntry.objects.create(
        day=yesterday, technologist=s.techs[0], office=s.big, modality=CELULAR
    )
    client.force_login(s.gestor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ADMIN}{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RosterEntry.objects.filter(pk=entry.pk).exists()
    assert "fue retirada" in emails_to(s.techs[0])[-1].body
    # The past day's roster stays: neither its delete page nor a selection including it.
    assert client.get(f"{ADMIN}{past.pk}/delete/").status_code == 403
    action = {"action": "delete_selected", "post": "yes"}
    response = client.post(
        f"{ADMIN}?dia=todos", {**action, "_selected_action": [past.pk, other.pk]}
    )
    assert response.status_code == 403
    assert RosterEntry.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ADMIN}?dia=todos", {**action, "_selected_action": [other.pk]})
    assert response.status_code == 302
    assert set(RosterEntry.objects.values_list("pk", flat=True)) == {past.pk}
    assert "fue retirada" in emails_to(s.techs[1])[-1].body


def test_nfr02_admin_another_units_gestor_sees_and_changes_nothing(client, s):
    entry = add(s, s.techs[0], s.big)
    client.force_login(s.far_gestor)
    listed = client.get(ADMIN, {"dia": "todos"})
    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []
    for url in (f"{ADMIN}{entry.pk}/change/", f"{ADMIN}{entry.pk}/delete/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    assert client.post(f"{ADMIN}{entry.pk}/delete/", {"post": "yes"}).status_code == 302
    assert client.get(f"{ADMIN}{entry.pk}/history/").status_code == 403
    response = client.post(
        f"{ADMIN}programar/",
        {
            "day": s.today.isoformat(),
            "modality": CELULAR,
            "technologists": [s.techs[1].pk],
            "offices": [s.big.pk],
        },
    )
    assert response.status_code == 200
    assert "Escoja tecnólogos de su unidad." in response.content.decode()
    yesterday = s.today - dt.timedelta(days=1)
    RosterEntry.objects.create(
        day=yesterday, technologist=s.techs[1], office=s.big, modality=CELULAR
    )
    client.post(
        f"{ADMIN}copiar/", {"from_day": yesterday.isoformat(), "to_day": s.today.isoformat()}
    )
    assert list(RosterEntry.objects.filter(day=s.today)) == [entry]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.GESTOR])
def test_nfr02_admin_roster_pages_only_for_gestores(client, s, role):
    """Every other role, even with admin access, cannot program."""
    user = make_user(role, s.home, username=f"staff_{role}", is_staff=True)
    client.force_login(user)
    for url in (f"{ADMIN}add/", f"{ADMIN}programar/", f"{ADMIN}copiar/"):
        assert client.get(url).status_code == 403, url


# --- API -------------------------------------------------------------------------------------

OK, NO, GONE = 200, 403, 404
# fmt: off
API_TABLE = {
    #                                anon orie tecn gest asig enca crea mesa geof clin
    "GET /api/v1/technologists/":   (401, NO, NO, OK, OK, NO, NO, NO, NO, NO),
    "GET /api/v1/roster/":          (401, NO, OK, OK, OK, NO, NO, NO, NO, NO),
    "GET /api/v1/roster/{own}/":    (401, NO, GONE, OK, OK, NO, NO, NO, NO, NO),
    "GET /api/v1/roster/{other}/":  (401, NO, GONE, GONE, GONE, NO, NO, NO, NO, NO),
    "POST /api/v1/roster/":         (401, NO, NO, 201, NO, NO, NO, NO, NO, NO),
    "DELETE /api/v1/roster/{other}/": (401, NO, NO, GONE, NO, NO, NO, NO, NO, NO),
}
# fmt: on


@pytest.mark.parametrize(("key", "row"), API_TABLE.items(), ids=list(API_TABLE))
def test_nfr02_roster_api_role_table(s, api_as, api, key, row):
    """NFR-02: every role × roster endpoint → status; "own" is an entry of the unit of the
    caller's office (not theirs as technologist), "other" one of the other unit."""
    root = UserFactory(username="raiz", is_superuser=True)
    own = add(s, s.techs[0], s.big)
    other = add(s, s.far_tech, s.far, by=root)
    method, url = key.split(" ")
    url = url.format(own=own.pk, other=other.pk)
    mismatches = []
    for who, expected in zip(ROLE_COLUMNS, row, strict=True):
        client = api if who == ANON else api_as(make_user(who, s.home, username=f"api_{who}"))
        body = {"day": s.today.isoformat(), "technologist": s.techs[1].pk, "office": s.big.pk}
        response = getattr(client, method.lower())(
            url, {**body, "modality": CELULAR}, format="json"
        )
        if response.status_code != expected:
            mismatches.append(f"{who}: esperado {expected}, obtenido {response.status_code}")
        RosterEntry.objects.filter(technologist=s.techs[1]).delete()
    assert not mismatches, "\n".join(mismatches)
    assert RosterEntry.objects.filter(pk=other.pk).exists()


def test_cel01_api_create_and_cap_message(s, api_as, django_capture_on_commit_callbacks):
    client = api_as(s.gestor)
    body = {"day": s.today.isoformat(), "office": s.small.pk, "modality": CELULAR}
    with django_capture_on_commit_callbacks(execute=True):
        for tech in s.techs[:2]:
            response = client.post(ROSTER, {**body, "technologist": tech.pk}, format="json")
            assert response.status_code == 201, response.content
    assert response.json()["office_name"] == "Oficina Itagüí"
    assert response.json()["modality"] == CELULAR
    assert len(mail.outbox) == 2

    response = client.post(ROSTER, {**body, "technologist": s.techs[2].pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "office": [
            f"La oficina Oficina Itagüí quedaría con 3 tecnólogos de apoyo por desborde por "
            f"celular (2.3) el {s.today:%d/%m/%Y}: una oficina con un solo tecnólogo recibe "
            "como máximo 2 tecnólogos de apoyo."
        ]
    }
    assert RosterEntry.objects.count() == 2


def test_cel01_api_create_validates_in_spanish(s, api_as):
    client = api_as(s.gestor)
    response = client.post(ROSTER, {"day": "mañana", "modality": "paloma"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "day": ["Indique la fecha con el formato AAAA-MM-DD."],
        "technologist": ["Este campo es obligatorio."],
        "office": ["Este campo es obligatorio."],
        "modality": ["Modalidad de apoyo no válida."],
    }
    body = {"day": s.today.isoformat(), "modality": CELULAR}
    response = client.post(
        ROSTER, {**body, "technologist": s.far_tech.pk, "office": s.far.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "technologist": ["El tecnólogo no existe o no es de su unidad."],
        "office": ["La oficina no existe o no es de su unidad."],
    }
    off = technologist(s.home, "de_descanso", "Gloria", is_available=False)
    response = client.post(
        ROSTER, {**body, "technologist": off.pk, "office": s.big.pk}, format="json"
    )
    assert response.status_code == 400
    assert "no está disponible" in response.json()["technologist"][0]
    assert not RosterEntry.objects.exists()


def test_cel01_api_delete(s, api_as, django_capture_on_commit_callbacks):
    entry = add(s, s.techs[0], s.big)
    assert api_as(s.far_gestor).delete(f"{ROSTER}{entry.pk}/").status_code == 404
    assert api_as(s.techs[0]).delete(f"{ROSTER}{entry.pk}/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(s.gestor).delete(f"{ROSTER}{entry.pk}/").status_code == 204
    assert not RosterEntry.objects.exists()
    assert "fue retirada" in emails_to(s.techs[0])[-1].body
    assert api_as(s.gestor).delete(f"{ROSTER}{entry.pk}/").status_code == 404


def test_nfr02_api_roster_list_per_role(s, api_as, django_assert_max_num_queries):
    tomorrow = s.today + dt.timedelta(days=1)
    mine = add(s, s.techs[0], s.big)
    theirs = add(s, s.techs[1], s.big)
    available(s.techs[0], tomorrow)
    later = add(s, s.techs[0], s.small, day=tomorrow)
    root = UserFactory(username="raiz", is_superuser=True)
    add(s, s.far_tech, s.far, by=root)

    def ids(client, **params):
        response = client.get(ROSTER, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    gestor = api_as(s.gestor)
    with django_assert_max_num_queries(6):
        assert ids(gestor) == {mine.pk, theirs.pk, later.pk}
    assert ids(gestor, day=s.today.isoformat()) == {mine.pk, theirs.pk}
    assert ids(api_as(s.techs[0])) == {mine.pk, later.pk}
    assert ids(api_as(s.techs[0]), day=tomorrow.isoformat()) == {later.pk}
    assert ids(api_as(s.far_gestor), day=s.today.isoformat()) != set()
    assert not ids(api_as(s.far_gestor)) & {mine.pk, theirs.pk, later.pk}
    assert gestor.get(ROSTER, {"day": "hoy"}).json() == {
        "day": ["Indique la fecha con el formato AAAA-MM-DD."]
    }


def test_core02_api_technologists_of_the_unit(s, api_as, django_assert_max_num_queries):
    available(s.techs[4], is_available=False)
    technologist(s.home, "inactivo", "Hugo", is_active=False)
    with django_assert_max_num_queries(6):
        response = api_as(s.gestor).get(TECHS)
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    assert set(rows) == {t.username for t in s.techs}
    assert rows["tec0"] == {
        "id": s.techs[0].pk,
        "username": "tec0",
        "name": "Ana Prueba",
        "home_office": s.home.pk,
        "home_office_name": "Oficina Centro",
        "work_mode": WorkMode.HOME,
        "available_today": True,
    }
    assert rows["tec4"]["available_today"] is False
    regional = {row["username"] for row in api_as(s.far_gestor).get(TECHS).json()["results"]}
    assert regional == {"tec_regional"}


def test_cel01_the_internal_client_pseudo_office_is_not_supported(s):
    """2.8's "Cliente Interno" is no office a technologist supports from a distance."""
    internal = Office.objects.get(is_internal_client=True)
    root = UserFactory(username="raiz", is_superuser=True)
    with pytest.raises(ValidationError) as exc:
        add(s, s.techs[0], internal, by=root)
    assert exc.value.message_dict["office"] == [
        "Cliente Interno no es una oficina que reciba apoyo a distancia."
    ]
    assert not RosterEntry.objects.exists()
