"""Taking turns in the virtual booth (issue 11): 50 technologists press "Llamar" on 1,000 waiting
remote turns of 20 offices at once, on PostgreSQL.

Each technologist is a thread with its own database connection, rostered by cellphone to one
office (2 or 3 supporters an office, as CEL-01 allows). The run goes in rounds: at one signal
every technologist presses "Llamar" (``turn_take``, the service the booth page and the API call)
on the oldest turn of its refreshed booth list, and on the next while a colleague was first
(409); the round's take phase ends when each has a turn or none is left. Then, untimed, each
finishes its turn before the next round (the one-active rule): the customer accepts and the
attention ends (``turn_attention_start`` + ``turn_finish``) or, one time in four, refuses
(``turn_refuse``). The supporters of an office race for the same turns in every round.

The baseline runs the same rounds with the same threads, connections and lists: a bare
single-row conditional ``UPDATE core_turn SET status = 'llamado' WHERE id = … AND status =
'en_espera'`` in autocommit, nothing after it. It runs before and after the product; the faster
of the two is the reference. Takes per second = turns taken ÷ the take phases' wall-clock time;
the whole loop's rate (finishing included) is printed for information.

Verdict (CUMPLE / NO CUMPLE): every turn taken exactly once (one "llamado" event each, none left
waiting or called, no double take), no other error, and the product's takes per second
≥ TARGET_RATIO of the baseline's. The query count of a take and of a 409 is printed.
"""

import contextlib
import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench import db, fixtures
from core.exceptions import ProtocolConflict
from core.models import (
    Case,
    Office,
    RemoteModality,
    RosterEntry,
    TransactionType,
    Turn,
    TurnEvent,
    TurnSequence,
    TurnStatus,
)
from core.services.turns import (
    TAKEN,
    turn_attention_start,
    turn_create,
    turn_finish,
    turn_refuse,
    turn_take,
)

N_TURNS = 1_000
N_OFFICES = 20
N_TECHS = 50
REFUSE_EVERY = 4
TARGET_RATIO = 0.25
OFFICE_PREFIX = "BT"
MOBILE = "3112223344"


@dataclass
class Run:
    label: str
    takes: int = 0
    conflicts: int = 0
    rounds: int = 0
    take_wall: float = 0.0  # the rounds' "Llamar" phases, start signal to last turn taken
    wall: float = 0.0  # the whole run, finishing included
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.takes / self.take_wall if self.take_wall else 0.0

    @property
    def loop_rate(self) -> float:
        return self.takes / self.wall if self.wall else 0.0


def _offices() -> list[Office]:
    offices = []
    for i in range(1, N_OFFICES + 1):
        office, _ = Office.objects.get_or_create(
            code=f"{OFFICE_PREFIX}{i:02d}",
            defaults={
                "name": f"Oficina Benchmark Turnos {i:02d}",
                "unit": "metropolitano",
                "zone": "Centro",
                "has_orientador": True,
                "technologist_count": 2,
            },
        )
        offices.append(office)
    return offices


def _wipe() -> None:
    db.wipe_cases()  # cases, and the turns that point at them (CASCADE)
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE core_turnevent, core_turn, core_turnsequence, core_rosterentry, "
            "core_historicalrosterentry RESTART IDENTITY CASCADE"
        )


def _turns(offices: list[Office], ttype: TransactionType) -> None:
    """1,000 waiting remote turns, 50 an office, arriving one second apart."""
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE core_turnevent, core_turn, core_turnsequence RESTART IDENTITY CASCADE"
        )
    per_office = N_TURNS // len(offices)
    start = timezone.now() - dt.timedelta(hours=1)
    today = timezone.localdate()
    rows = []
    for n in range(per_office):
        for k, office in enumerate(offices):
            rows.append(
                Turn(
                    office=office,
                    day=today,
                    sequence=n + 1,
                    number=f"{office.code}-{n + 1:03d}",
                    transaction_type=ttype,
                    accepts_remote=True,
                    mobile=MOBILE,
                    created_at=start + dt.timedelta(seconds=n * len(offices) + k),
                )
            )
    Turn.objects.bulk_create(rows, batch_size=1000)
    TurnSequence.objects.bulk_create(
        [TurnSequence(office=o, day=today, last_value=per_office) for o in offices]
    )


def _walks(techs, offices) -> dict[int, list[Turn]]:
    """Each technologist's booth list: its office's turns, oldest first."""
    by_office: dict[int, list[Turn]] = {}
    for turn in Turn.objects.filter(office__in=offices).order_by("created_at", "id"):
        by_office.setdefault(turn.office_id, []).append(turn)
    return {t.pk: by_office[offices[i % len(offices)].pk] for i, t in enumerate(techs)}


def _rounds(label: str, techs, walks, take, finish) -> Run:
    """All technologists press "Llamar" at the same signal (a round), each on the oldest turn
    of its booth list, then on the next while a colleague was first; the round's take phase
    ends when each has a turn or has run out of turns. Then each finishes its turn, untimed, and
    the next round starts with the lists refreshed (the turns taken are gone).
    ``take(tech, turn)`` answers True (taken) or False (a colleague was first);
    ``finish(tech, turn, n)`` ends the n-th turn the technologist took."""
    run = Run(label)
    lock = threading.Lock()
    n = len(techs) + 1
    start, taken_all, finished_all = (threading.Barrier(n) for _ in range(3))
    state = {"stop": False}
    got = [False] * len(techs)

    taken: set[int] = set()  # what a refreshed booth list no longer shows

    def body(i, tech):
        takes = conflicts = 0
        walk = walks[tech.pk]
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT 1")  # the connection opens before the clock starts
            while True:
                start.wait(timeout=120)
                if state["stop"]:
                    break
                held = None
                for turn in [t for t in walk if t.pk not in taken]:
                    if take(tech, turn):
                        held = turn
                        takes += 1
                        break
                    conflicts += 1
                got[i] = held is not None
                taken_all.wait(timeout=120)
                if held is not None:
                    with lock:
                        taken.add(held.pk)
                if held is not None:
                    finish(tech, held, takes)
                finished_all.wait(timeout=120)
        except BaseException as exc:  # noqa: BLE001 - reported in the verdict
            with lock:
                run.errors.append(f"{tech.username}: {exc!r}")
            for barrier in (start, taken_all, finished_all):
                barrier.abort()
        finally:
            connection.close()
            with lock:
                run.takes += takes
                run.conflicts += conflicts

    threads = [threading.Thread(target=body, args=(i, t)) for i, t in enumerate(techs)]
    for t in threads:
        t.start()
    t_run = time.perf_counter()
    try:
        while True:
            start.wait(timeout=120)
            if state["stop"]:
                break
            t0 = time.perf_counter()
            taken_all.wait(timeout=120)
            run.take_wall += time.perf_counter() - t0
            finished_all.wait(timeout=120)
            run.rounds += 1
            if not any(got):
                state["stop"] = True
    except threading.BrokenBarrierError:
        pass
    for t in threads:
        t.join(timeout=600)
    run.wall = time.perf_counter() - t_run
    return run


def _bare_take(tech, turn: Turn) -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_turn SET status = 'llamado' WHERE id = %s AND status = 'en_espera'",
            [turn.pk],
        )
        return cur.rowcount == 1


def _bare_finish(tech, turn: Turn, n: int) -> None:
    return None


def _take(tech, turn: Turn) -> bool:
    try:
        turn_take(turn=turn, by=tech)
    except ProtocolConflict:
        return False
    return True


def _finisher(cases: dict[int, Case]):
    def finish(tech, turn: Turn, n: int) -> None:
        if n % REFUSE_EVERY == 0:
            turn_refuse(turn=turn, by=tech)
        else:
            turn_attention_start(turn=turn, by=tech, case=cases[tech.pk])
            turn_finish(turn=turn, by=tech)

    return finish


def _queries_per_take(techs, office, ttype) -> tuple[int, int]:
    """SQL statements of one take, and of one 409 (a colleague was first)."""
    first, second = techs
    turn = turn_create(office=office, transaction_type=ttype, accepts_remote=True, mobile=MOBILE)
    with CaptureQueriesContext(connection) as took:
        taken = turn_take(turn=turn, by=first)
    with CaptureQueriesContext(connection) as refused, contextlib.suppress(ProtocolConflict):
        turn_take(turn=turn, by=second)
    turn_refuse(turn=taken, by=first)
    return len(took.captured_queries), len(refused.captured_queries)


def run() -> bool:
    _wipe()
    offices = _offices()
    home = fixtures.office()
    techs = fixtures.technologists(N_TECHS, home)
    today = timezone.localdate()
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                day=today,
                technologist=t,
                office=offices[i % N_OFFICES],
                modality=RemoteModality.CELULAR,
            )
            for i, t in enumerate(techs)
        ]
    )
    ttype = TransactionType.objects.get(code="duplicado-de-factura")
    fixtures.cases(N_TECHS, assigned=techs)
    case_list = list(Case.objects.order_by("id")[:N_TECHS])
    cases = {t.pk: case_list[i] for i, t in enumerate(techs)}

    with override_settings(DEBUG=False):  # no query log: production's cost
        _turns(offices, ttype)
        base_1 = _rounds("línea base", techs, _walks(techs, offices), _bare_take, _bare_finish)
        base_1_taken = Turn.objects.filter(status=TurnStatus.LLAMADO).count()

        _turns(offices, ttype)
        product = _rounds("producto", techs, _walks(techs, offices), _take, _finisher(cases))
        statuses = dict(
            Turn.objects.filter(office__in=offices).values_list("status").annotate(n=Count("id"))
        )
        calls = list(
            TurnEvent.objects.filter(kind=TurnEvent.Kind.LLAMADO)
            .values("turn_id")
            .annotate(n=Count("id"))
            .values_list("n", flat=True)
        )

        _turns(offices, ttype)
        base_2 = _rounds(
            "línea base (otra vez)", techs, _walks(techs, offices), _bare_take, _bare_finish
        )
        base_2_taken = Turn.objects.filter(status=TurnStatus.LLAMADO).count()
        _turns(offices, ttype)
    queries, conflict_queries = _queries_per_take(techs[::N_OFFICES][:2], offices[0], ttype)

    baseline = max(base_1, base_2, key=lambda r: r.rate)
    ratio = product.rate / baseline.rate if baseline.rate else 0.0
    once = sum(1 for n in calls if n == 1)
    double = sum(1 for n in calls if n > 1)
    lost = N_TURNS - len(calls)
    left = statuses.get(TurnStatus.EN_ESPERA, 0) + statuses.get(TurnStatus.LLAMADO, 0)
    errors = product.errors + base_1.errors + base_2.errors

    print("== Llamar turnos en la taquilla virtual (CEL-03) ==")
    print(
        f"turnos en espera: {N_TURNS} de {N_OFFICES} oficinas; tecnólogos: {N_TECHS} hilos, "
        "una conexión cada uno, 2 o 3 por oficina, todos oprimen «Llamar» a la vez en cada ronda"
    )
    for base in (base_1, base_2):
        print(
            f"{base.label} (UPDATE … SET status = 'llamado' WHERE id = … AND status = "
            f"'en_espera', autocommit): {base.takes} tomas en {base.take_wall:.3f} s → "
            f"{base.rate:.0f} tomas/s; {base.conflicts} sin efecto (otro ya la tomó); "
            f"{base.rounds} rondas"
        )
    print(
        f"producto (turn_take): {product.takes} tomas en {product.take_wall:.3f} s → "
        f"{product.rate:.0f} tomas/s; {product.conflicts} respuestas 409 «{TAKEN}»; "
        f"{product.rounds} rondas"
    )
    print(
        f"  ciclo completo (tomar, luego turn_attention_start + turn_finish, o turn_refuse 1 de "
        f"{REFUSE_EVERY}): {product.wall:.3f} s → {product.loop_rate:.0f} turnos/s (informativo)"
    )
    print(
        f"razón producto / línea base: {ratio:.0%} (objetivo ≥ {TARGET_RATIO:.0%}; línea base: "
        "la más rápida de las dos)"
    )
    print(
        f"turnos tomados una vez: {once}, tomas dobles: {double}, perdidos (nunca llamados): "
        f"{lost}, en espera o llamados al final: {left}; línea base: {base_1_taken} y "
        f"{base_2_taken} llamados"
    )
    print(
        f"consultas SQL por toma: {queries} (UPDATE condicional y su evento en una sentencia, "
        f"autocommit); por respuesta 409: {conflict_queries} (la misma y la lectura del estado)"
    )
    if errors:
        print("errores:", *errors[:5], sep="\n  ")
    ok = (
        not errors
        and product.takes == N_TURNS
        and once == N_TURNS
        and double == 0
        and lost == 0
        and left == 0
        and base_1_taken == base_2_taken == N_TURNS
        and base_1.takes == base_2.takes == N_TURNS
        and ratio >= TARGET_RATIO
    )
    print("resultado:", "CUMPLE" if ok else "NO CUMPLE")
    return ok
