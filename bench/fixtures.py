"""Bulk data for the benchmarks: technologists available today, a pool, pending cases."""

import datetime as dt

from django.contrib.auth.models import Group
from django.utils import timezone

from core.business_days import pqr_due_date
from core.models import (
    AssignmentPool,
    Case,
    CaseKind,
    CaseStatus,
    Channel,
    Customer,
    Office,
    StaffAvailability,
    User,
    WorkMode,
)
from core.roles import Role

FIRST = [
    "Álvaro",
    "Beatriz",
    "carlos",
    "Daniela",
    "Óscar",
    "Ana",
    "Éricka",
    "juan",
    "Lucía",
    "Iván",
]
LAST = [
    "Restrepo",
    "Gómez",
    "Zapata",
    "Vélez",
    "Ramírez",
    "Ospina",
    "Úsuga",
    "Henao",
    "Ríos",
    "Toro",
]


def technologists(n: int, office: Office) -> list[User]:
    prefix = "bench_tec_"
    existing = list(User.objects.filter(username__startswith=prefix).order_by("id"))
    if len(existing) < n:
        new = [
            User(
                username=f"{prefix}{i:04d}",
                first_name=FIRST[i % len(FIRST)],
                last_name=f"{LAST[(i // len(FIRST)) % len(LAST)]} {i:04d}",
                home_office=office,
                work_mode=WorkMode.HOME,
            )
            for i in range(len(existing), n)
        ]
        User.objects.bulk_create(new)
        existing = list(User.objects.filter(username__startswith=prefix).order_by("id"))
    techs = existing[:n]
    group = Group.objects.get(name=Role.TECNOLOGO)
    group.user_set.add(*techs)
    today = timezone.localdate()
    StaffAvailability.objects.bulk_create(
        [StaffAvailability(user=t, date=today, is_available=True) for t in techs],
        ignore_conflicts=True,
    )
    return techs


def office() -> Office:
    obj, _ = Office.objects.get_or_create(
        code="BENCH",
        defaults={"name": "Oficina Benchmark", "unit": "metropolitano", "zone": "Centro"},
    )
    return obj


def pool(techs: list[User], k: int) -> AssignmentPool:
    obj, _ = AssignmentPool.objects.update_or_create(
        code="bench",
        defaults={
            "name": "Grupo benchmark",
            "batch_size": k,
            "cursor_key": "",
            "cursor_user": None,
            "round_number": 0,
        },
    )
    obj.members.set(techs)
    return obj


def cases(
    n: int,
    *,
    pool_obj=None,
    start: int = 0,
    assigned=None,
    status=CaseStatus.ABIERTO,
    batch: int = 5000,
) -> None:
    customer, _ = Customer.objects.get_or_create(
        document_type="CC", document_number="999000111", defaults={"full_name": "Cliente Bench"}
    )
    channel = Channel.objects.get(code="desborde-formulario-web")
    base = timezone.now() - dt.timedelta(days=30)
    rows = []
    for i in range(start, start + n):
        filed = base + dt.timedelta(seconds=i)
        tech = assigned[i % len(assigned)] if assigned else None
        rows.append(
            Case(
                number=f"PQR-2099-{i:07d}",
                kind=CaseKind.PQR,
                pqr_type="peticion",
                customer=customer,
                channel=channel,
                filed_at=filed,
                due_date=pqr_due_date(filed),
                status=status,
                pool=pool_obj,
                assigned_to=tech,
                turn_number="DFILA",
            )
        )
        if len(rows) >= batch:
            Case.objects.bulk_create(rows)
            rows = []
    if rows:
        Case.objects.bulk_create(rows)
