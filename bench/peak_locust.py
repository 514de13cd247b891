"""The load side of the peak-day simulation (``make bench BENCH=peak``): a locustfile that
``bench/peak.py`` runs headless, once per phase, against the server it started on 127.0.0.1.

It imports nothing of the project (locust's gevent patches the process): everything it needs —
the port, the tokens, the cookies, the office and technologist ids, the rates — comes in the
JSON file named by ``PEAK_SCENARIO``; everything it measured goes to the JSON file named by
``PEAK_RESULTS`` when it quits (each request's time and status, each flow's time, what was
submitted, and this process's own CPU time, from ``resource``).

The flows, each a locust user class (``fixed_count`` users each, from the scenario):

- ``IntakeUser`` — an orientador registers an overflow intake (``POST
  /api/v1/desborde/intakes/``) with a fresh ``client_token``; an answer other than 200/201 is
  retried with the same token (up to 3 times), and 1 intake in 30 is sent twice (a double tap).
- ``CellOfficeUser`` + ``CellTechUser`` — the office gives a turn that accepts the cellphone
  (``POST /api/v1/offices/{id}/turns/``); one of the office's two supporting technologists,
  waiting on the booth, reads the booth list, presses "Llamar" (``POST …/take/``) and records
  the customer's answer (``POST …/outcome/``, «rechaza»: the technologist is free again). The
  flow's time: from giving the turn to the outcome recorded.
- ``KioskOfficeUser`` + ``KioskTechUser`` — the encargado gives a turn and records that the
  customer accepts virtual attention (``POST …/virtual-consent/``); the server matches it to an
  idle balancing technologist and a connected kiosk and sends ``video.connect`` to both
  websockets (kiosks and technologists: real sockets opened at the start, with the kiosk's
  device cookie and the technologist's session cookie). The flow's time: from the consent to
  both sockets having ``video.connect``. The technologist then attends (a pause), opens the
  case (``POST /api/v1/balanceo/turns/{id}/case/``) and presses "Terminar" (``…/finish/``).
- ``DigitalUser`` — Meta delivers a WhatsApp message to the webhook (signed with the app
  secret, ``POST /api/v1/pqr-digital/webhooks/meta/``), each from its own sender; 1 delivery in
  20 is delivered again (Meta retries). The worker turns each into an interaction.
- ``CondoUser`` / ``EmployeeUser`` — appointments: the free slots of a day, a hold, the
  booking (copropiedad through the agenda API by a creador; cliente interno by the employee).

Paced phase: each office-side user runs its task at ``rate ÷ users`` per second
(``constant_throughput``). Saturation phase: no pause at all (closed loop).
"""

import contextlib
import hashlib
import hmac
import itertools
import json
import os
import random
import resource
import time
import uuid
from collections import defaultdict

import gevent
import websocket  # websocket-client: blocking, cooperative under gevent's patches
from gevent.event import Event
from gevent.queue import Empty, Queue
from locust import FastHttpUser, constant, constant_throughput, events, task

with open(os.environ["PEAK_SCENARIO"], encoding="utf-8") as _fh:
    SCENARIO = json.load(_fh)
RESULTS_PATH = os.environ["PEAK_RESULTS"]
PHASE = SCENARIO["phase"]  # 1…4: part of every document number and id of this run
PACED = SCENARIO["mode"] == "paced"
OFFICES = SCENARIO["offices"]
MATCH_TIMEOUT = 15.0
TAKE_TIMEOUT = 15.0

INTAKE_PATH = "/api/v1/desborde/intakes/"
WEBHOOK_PATH = "/api/v1/pqr-digital/webhooks/meta/"

# --- what this run measured ---------------------------------------------------------------

#: name → [(t_done, ms, status)], every HTTP request.
REQUESTS: dict[str, list] = defaultdict(list)
#: flow → [(t_done, ms)], every flow completed.
FLOWS: dict[str, list] = defaultdict(list)
#: flow → ids the server confirmed (client tokens, turn ids, message ids, appointment ids).
SUBMITTED: dict[str, list] = defaultdict(list)
#: flow → ids sent whose answer never came back as a success (checked in the database).
UNANSWERED: dict[str, list] = defaultdict(list)
ERRORS: list[str] = []
LATE: dict[str, int] = defaultdict(int)
STATE = {"t_start": 0.0, "t_stop": 0.0, "cpu0": 0.0, "wall0": 0.0, "users": 0}
#: bench/peak.py samples the server's CPU when these files appear (load on, load stopping).
MARKS = os.environ.get("PEAK_MARKS", "")
_numbers = itertools.count(1)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _error(text: str) -> None:
    if len(ERRORS) < 50:
        ERRORS.append(text[:400])


def call(user, method, path, name, *, token="", body=None, raw=None, headers=None,
         ok=(200, 201), expected=()):  # fmt: skip
    """One request through locust's client, timed here too: (status, JSON body or None).
    ``expected`` statuses (a 409 of a race) are not errors."""
    head = {"Accept": "application/json"}
    if token:
        head["Authorization"] = f"Token {token}"
    if body is not None or raw is not None:
        head["Content-Type"] = "application/json"
    head.update(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    t0 = time.perf_counter()
    with user.client.request(
        method, path, name=name, data=data, headers=head, catch_response=True
    ) as response:
        status = response.status_code or 0
        text = response.text or ""
        if status in ok or status in expected:
            response.success()
        else:
            response.failure(f"HTTP {status}")
            # Status 0: no answer (the connection failed or was closed); say how.
            cause = text[:300] if status else repr(getattr(response, "error", None))
            _error(f"{name}: HTTP {status} {cause}")
    done = time.perf_counter()
    REQUESTS[name].append((done, (done - t0) * 1000, status))
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        payload = None
    return status, payload


def wait_for(event: Event, timeout: float) -> bool | None:
    """True when ``event`` is set within ``timeout``, False when not; None when the run began
    stopping meanwhile (the technologists stop first: not a late answer)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if event.wait(0.25):
            return True
        if STATE["t_stop"]:
            return None
    return False


def flow_done(flow: str, started: float) -> None:
    done = time.perf_counter()
    FLOWS[flow].append((done, (done - started) * 1000))


def pacing(rate_key: str):
    """Paced: the class's flows per second shared by its users; saturation: no pause."""
    users = max(1, SCENARIO["users"][rate_key])
    if PACED:
        return constant_throughput(SCENARIO["rates"][rate_key] / users)
    return constant(0)


def _slot(user_index: int, pool: list):
    return pool[user_index % len(pool)]


_user_ids = defaultdict(itertools.count)


class Base(FastHttpUser):
    abstract = True
    network_timeout = 30.0
    connection_timeout = 10.0

    rate_key = ""

    def on_start(self):
        self.index = next(_user_ids[type(self).__name__])
        if PACED and self.rate_key:
            # Spread the users' first task over one period: no burst at the start.
            period = SCENARIO["users"][self.rate_key] / SCENARIO["rates"][self.rate_key]
            gevent.sleep(random.uniform(0, period))


# --- overflow intakes -------------------------------------------------------------------------


class IntakeUser(Base):
    fixed_count = SCENARIO["users"]["intake"]
    rate_key = "intake"
    wait_time = pacing("intake")

    @task
    def intake(self):
        office = OFFICES[next(_numbers) % len(OFFICES)]
        n = next(_numbers)
        token = str(uuid.uuid4())
        body = {
            "office": office["id"],
            "mode": "formulario_web",
            "transaction_type": "duplicado-de-factura",
            "full_name": f"Cliente Pico {PHASE}-{n}",
            "document_type": "CC",
            "document_number": f"8{PHASE}{n:08d}",
            "phone": "3101234567",
            "contract": "1234567",
            "email": f"pico{PHASE}.{n}@example.com",
            "data_consent": True,
            "client_token": token,
        }
        t0 = time.perf_counter()
        for attempt in range(3):
            name = "desborde: registro" if attempt == 0 else "desborde: reintento"
            status, _ = call(self, "POST", INTAKE_PATH, name, token=office["orientador"], body=body)
            if status in (200, 201):
                SUBMITTED["intake"].append(token)
                flow_done("intake", t0)
                break
        else:
            UNANSWERED["intake"].append(token)
            return
        if n % 30 == 0:  # a double tap: the same client_token again, one intake all the same
            call(self, "POST", INTAKE_PATH, "desborde: doble envío", token=office["orientador"],
                 body=body)  # fmt: skip


# --- cellphone turns --------------------------------------------------------------------------

CELL_QUEUES = [Queue() for _ in OFFICES]


class CellOfficeUser(Base):
    fixed_count = SCENARIO["users"]["cell"]
    rate_key = "cell"
    wait_time = pacing("cell")

    @task
    def give_turn(self):
        i = next(_numbers) % len(OFFICES)
        office = OFFICES[i]
        t0 = time.perf_counter()
        status, body = call(
            self, "POST", f"/api/v1/offices/{office['id']}/turns/", "celular: dar turno",
            token=office["encargado"],
            body={"transaction_type": "duplicado-de-factura", "accepts_remote": True,
                  "mobile": "3112223344"},
        )  # fmt: skip
        if status != 201:
            return
        SUBMITTED["cell"].append(body["id"])
        answered = Event()
        CELL_QUEUES[i].put((body["id"], t0, answered))
        # Closed loop per office user: the next turn once this one was called and answered.
        if wait_for(answered, TAKE_TIMEOUT) is False:
            LATE["cell"] += 1


class CellTechUser(Base):
    """One of the supporting technologists: waits on its office's booth."""

    fixed_count = len(SCENARIO["cell_techs"])
    wait_time = constant(0)

    def on_start(self):
        super().on_start()
        self.tech = SCENARIO["cell_techs"][self.index % len(SCENARIO["cell_techs"])]

    @task
    def booth(self):
        try:
            turn_id, t0, answered = CELL_QUEUES[self.tech["office_index"]].get(timeout=1.0)
        except Empty:
            return
        try:
            token = self.tech["token"]
            call(self, "GET", "/api/v1/booth/turns/", "celular: taquilla (lista)", token=token)
            status, _ = call(self, "POST", f"/api/v1/turns/{turn_id}/take/",
                             "celular: llamar (tomar)", token=token, expected=(409,))  # fmt: skip
            if status != 200:
                return
            status, _ = call(
                self, "POST", f"/api/v1/turns/{turn_id}/outcome/", "celular: resultado",
                token=token, body={"outcome": "rechaza"},
            )  # fmt: skip
            if status == 200:
                flow_done("cell", t0)
        finally:
            answered.set()


# --- kiosk turns and balancing matches (websockets) --------------------------------------------

TURN_IDS: dict[str, int] = {}
MATCHED: dict[str, Event] = defaultdict(Event)
#: session id → {"turn": number, "tech": t, "kiosk": t}
SESSIONS: dict[int, dict] = defaultdict(dict)
TURN_SESSION: dict[str, int] = {}
TECH_QUEUES: dict[int, Queue] = {t["id"]: Queue() for t in SCENARIO["kiosk_techs"]}
SOCKETS: list = []
HELLO: dict[str, Event] = defaultdict(Event)


def _on_message(party: str, ident: int, message: dict, at: float) -> None:
    kind = message.get("type")
    if kind == "hello":
        HELLO[f"{party}{ident}"].set()
    elif kind == "video.connect":
        sid = message["session"]
        session = SESSIONS[sid]
        session["turn"] = message.get("turn", "")
        session[party] = at
        if party == "tech":
            TECH_QUEUES[ident].put(sid)
        if "tech" in session and "kiosk" in session:
            TURN_SESSION[session["turn"]] = sid
            MATCHED[session["turn"]].set()
    elif kind == "error":
        _error(f"websocket {party} {ident}: {message.get('message')}")


def _open_socket(party: str, ident: int, cookie: str):
    base = f"ws://127.0.0.1:{SCENARIO['port']}"
    path = "/ws/live/?role=kiosk" if party == "kiosk" else "/ws/live/"
    ws = websocket.create_connection(
        base + path,
        header=[f"Cookie: {cookie}"],
        origin=f"http://127.0.0.1:{SCENARIO['port']}",
        enable_multithread=True,
        timeout=30,
    )
    ws.settimeout(None)

    def read():
        while True:
            try:
                raw = ws.recv()
            except Exception:  # noqa: BLE001 - the socket closed: the run is over
                return
            if not raw:
                return
            _on_message(party, ident, json.loads(raw), time.perf_counter())

    SOCKETS.append(ws)
    gevent.spawn(read)
    return ws


def _heartbeat(kiosk_sockets) -> None:
    while True:
        gevent.sleep(10.0)
        for ws in kiosk_sockets:
            with contextlib.suppress(Exception):  # closed at the end of the run
                ws.send(json.dumps({"type": "ping"}))


class KioskOfficeUser(Base):
    fixed_count = SCENARIO["users"]["kiosk"]
    rate_key = "kiosk"
    wait_time = pacing("kiosk")

    @task
    def consent(self):
        office = OFFICES[next(_numbers) % len(OFFICES)]
        status, body = call(
            self, "POST", f"/api/v1/offices/{office['id']}/turns/", "balanceo: dar turno",
            token=office["encargado"],
            body={"transaction_type": "duplicado-de-factura", "accepts_remote": False},
        )  # fmt: skip
        if status != 201:
            return
        TURN_IDS[body["number"]] = body["id"]
        t0 = time.perf_counter()
        status, _ = call(
            self, "POST", f"/api/v1/turns/{body['id']}/virtual-consent/",
            "balanceo: acepta atención virtual", token=office["encargado"],
            body={"accepts": True},
        )  # fmt: skip
        if status != 200:
            UNANSWERED["kiosk"].append(body["id"])
            return
        SUBMITTED["kiosk"].append(body["id"])
        matched = wait_for(MATCHED[body["number"]], MATCH_TIMEOUT)
        if matched:
            session = SESSIONS[TURN_SESSION[body["number"]]]
            done = max(session["tech"], session["kiosk"])
            FLOWS["kiosk"].append((done, (done - t0) * 1000))
        elif matched is False:
            LATE["kiosk"] += 1


class KioskTechUser(Base):
    """A balancing technologist: attends whoever the matcher sends, then "Terminar"."""

    fixed_count = len(SCENARIO["kiosk_techs"])
    wait_time = constant(0)

    def on_start(self):
        super().on_start()
        self.tech = SCENARIO["kiosk_techs"][self.index % len(SCENARIO["kiosk_techs"])]
        self.rng = random.Random(self.tech["id"])

    @task
    def attend(self):
        try:
            sid = TECH_QUEUES[self.tech["id"]].get(timeout=1.0)
        except Empty:
            return
        gevent.sleep(self.rng.uniform(*SCENARIO["attention_seconds"]))
        turn_id = TURN_IDS.get(SESSIONS[sid].get("turn", ""))
        if turn_id is None:  # a turn of another run: not ours to attend
            return
        n = next(_numbers)
        customer = {
            "document_type": "CC",
            "document_number": f"9{PHASE}{n:08d}",
            "full_name": f"Cliente Módulo {PHASE}-{n}",
        }
        token = self.tech["token"]
        status, _ = call(self, "POST", f"/api/v1/balanceo/turns/{turn_id}/case/",
                         "balanceo: abrir caso", token=token,
                         body={"customer": customer, "kind": "PED"})  # fmt: skip
        if status != 201:
            return
        call(self, "POST", f"/api/v1/balanceo/turns/{turn_id}/finish/", "balanceo: terminar",
             token=token, body={"outcome": "atendido"})  # fmt: skip


# --- digital interactions (Meta's webhook) -----------------------------------------------------


def _whatsapp(mid: str, sender: str, n: int) -> dict:
    message = {
        "from": sender,
        "id": mid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": f"Buenas, me llegó muy alta la factura (mensaje {n})"},
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1122334455",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "576044444115",
                                "phone_number_id": "109876543210",
                            },
                            "contacts": [{"profile": {"name": f"Usuario {n}"}, "wa_id": sender}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


class DigitalUser(Base):
    fixed_count = SCENARIO["users"]["digital"]
    rate_key = "digital"
    wait_time = pacing("digital")

    @task
    def deliver(self):
        n = next(_numbers)
        mid = f"wamid.pico{PHASE}.{uuid.uuid4().hex}"
        sender = f"57{PHASE}{n:09d}"
        body = json.dumps(_whatsapp(mid, sender, n)).encode()
        signature = (
            "sha256=" + hmac.new(SCENARIO["meta_secret"].encode(), body, hashlib.sha256).hexdigest()
        )
        t0 = time.perf_counter()
        headers = {"X-Hub-Signature-256": signature}
        status, _ = call(self, "POST", WEBHOOK_PATH, "digital: webhook de Meta", raw=body,
                         headers=headers, ok=(200,))  # fmt: skip
        if status != 200:
            UNANSWERED["digital"].append(mid)
            return
        SUBMITTED["digital"].append(mid)
        flow_done("digital", t0)
        if n % 20 == 0:  # Meta delivers again when unsure: stored once all the same
            call(self, "POST", WEBHOOK_PATH, "digital: reentrega de Meta", raw=body,
                 headers=headers, ok=(200,))  # fmt: skip


# --- appointments ------------------------------------------------------------------------------


def _book(user, *, flow, slots_path, hold_path, book_path, slot_query, hold_body, book_body,
          token, id_of):  # fmt: skip
    t0 = time.perf_counter()
    for _ in range(3):
        day = random.choice(SCENARIO["dates"])
        status, slots = call(user, "GET", f"{slots_path}?{slot_query}&date={day}",
                             f"citas: horarios {flow}", token=token)  # fmt: skip
        if status != 200 or not slots:
            continue
        slot = random.choice(slots)
        status, hold = call(user, "POST", hold_path, f"citas: retener {flow}", token=token,
                            body=hold_body(slot), expected=(409,))  # fmt: skip
        if status != 201:
            continue  # someone held it a moment before: another slot
        status, booked = call(user, "POST", book_path, f"citas: agendar {flow}", token=token,
                              body=book_body(hold["id"]))  # fmt: skip
        if status == 201:
            SUBMITTED[f"appointment_{flow}"].append(id_of(booked))
            flow_done(f"appointment_{flow}", t0)
        else:
            UNANSWERED[f"appointment_{flow}"].append(hold["id"])
        return


class CondoUser(Base):
    fixed_count = SCENARIO["users"]["condo"]
    rate_key = "condo"
    wait_time = pacing("condo")

    @task
    def book(self):
        creador = _slot(self.index, SCENARIO["creadores"])
        n = next(_numbers)
        nit = random.choice(SCENARIO["nits"])
        _book(
            self, flow="copropiedad", slots_path="/api/v1/agenda/slots/",
            hold_path="/api/v1/agenda/holds/", book_path="/api/v1/copropiedad/appointments/",
            slot_query="type=copropiedad", token=creador,
            hold_body=lambda slot: {"type": "copropiedad", "start": slot["start"],
                                    "technologist": slot["technologist"]},
            book_body=lambda hold_id: {
                "hold": hold_id, "nit": nit["nit"], "copropiedad": nit["name"],
                "full_name": f"Administrador Pico {n}", "document_type": "CC",
                "document_number": f"6{PHASE}{n:08d}", "phone": "3126667788",
                "email": f"admin{PHASE}.{n}@example.com",
                "transaction_type": "reclamo-facturacion",
                "motive": "Consumo de las zonas comunes por encima del promedio.",
            },
            id_of=lambda booked: booked["appointment"]["id"],
        )  # fmt: skip


class EmployeeUser(Base):
    fixed_count = SCENARIO["users"]["employee"]
    rate_key = "employee"
    wait_time = pacing("employee")

    @task
    def book(self):
        employees = SCENARIO["employees"]
        employee = employees[(self.index + next(_numbers) * 7) % len(employees)]
        n = next(_numbers)
        _book(
            self, flow="cliente_interno", slots_path="/api/v1/cliente-interno/slots/",
            hold_path="/api/v1/cliente-interno/holds/",
            book_path="/api/v1/cliente-interno/bookings/",
            slot_query="transaction_type=duplicado-de-factura", token=employee["token"],
            hold_body=lambda slot: {"transaction_type": "duplicado-de-factura",
                                    "start": slot["start"],
                                    "technologist": slot["technologist"]},
            book_body=lambda hold_id: {
                "hold": hold_id, "document_type": "CC", "document_number": f"5{PHASE}{n:08d}",
                "full_name": employee["name"], "email": employee["email"],
                "mobile": "3104567890", "relation": "inquilino", "terms_accepted": True,
                "data_consent": True,
            },
            id_of=lambda booked: booked["id"],
        )  # fmt: skip


# --- the run's edges ---------------------------------------------------------------------------


@events.test_start.add_listener
def _open_sockets(environment, **kwargs):
    """Kiosks and balancing technologists connect before the load: each kiosk's socket turns
    it «conectado», each technologist's socket receives their matches."""
    kiosks = [_open_socket("kiosk", k["id"], k["cookie"]) for k in SCENARIO["kiosks"]]
    for tech in SCENARIO["kiosk_techs"]:
        _open_socket("tech", tech["id"], tech["cookie"])
    names = [f"kiosk{k['id']}" for k in SCENARIO["kiosks"]]
    names += [f"tech{t['id']}" for t in SCENARIO["kiosk_techs"]]
    for name in names:
        if not HELLO[name].wait(30):
            _error(f"websocket {name}: sin «hello» en 30 s")
    gevent.spawn(_heartbeat, kiosks)
    STATE["cpu0"], STATE["wall0"] = _cpu(), time.perf_counter()


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    STATE["t_start"] = time.perf_counter()
    STATE["cpu_start"] = _cpu()
    STATE["users"] = user_count
    _mark("start")


@events.test_stopping.add_listener
def _stopping(environment, **kwargs):
    STATE["t_stop"] = time.perf_counter()
    STATE["cpu_stop"] = _cpu()
    _mark("stop")


def _mark(name: str) -> None:
    if MARKS:
        with open(os.path.join(MARKS, name), "w", encoding="ascii") as fh:
            fh.write(str(time.time()))


@events.quitting.add_listener
def _write(environment, **kwargs):
    for ws in SOCKETS:
        with contextlib.suppress(Exception):
            ws.close()
    wall = time.perf_counter() - STATE["wall0"] if STATE["wall0"] else 0.0
    results = {
        "t_start": STATE["t_start"],
        "t_stop": STATE["t_stop"] or time.perf_counter(),
        "requests": REQUESTS,
        "flows": FLOWS,
        "submitted": SUBMITTED,
        "unanswered": UNANSWERED,
        "late": LATE,
        "errors": ERRORS,
        "cpu_seconds": _cpu() - STATE["cpu0"],
        # This process's CPU while the load ran (spawned → stopping): the generator's share.
        "cpu_window": STATE.get("cpu_stop", _cpu()) - STATE.get("cpu_start", STATE["cpu0"]),
        "wall_seconds": wall,
        "users": STATE["users"],
    }
    with open(RESULTS_PATH, "w", encoding="utf-8") as fh:
        json.dump(results, fh)
