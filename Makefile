# Two commands for a newcomer: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve worker beat test fuzz faults access lint format bench migrate seed clean backup restore

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The demo: SQLite, tasks in-process, periodic jobs by an in-process beat, live pages over the
# in-memory channel layer (one ASGI process: uvicorn serves the pages and the websockets), site on
# 127.0.0.1:8000. Still zero services.
run: seed
	@echo "Demo en http://$(HOST):$(PORT)/  (usuarios: orientador, tecnologo1 … ; contraseña: demo)"
	$(VENV)/bin/celery -A config beat --loglevel=warning \
	  --scheduler django_celery_beat.schedulers:DatabaseScheduler --pidfile= & \
	  beat_pid=$$!; trap "kill $$beat_pid 2>/dev/null" EXIT INT TERM; \
	  $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT)

# Production-like pieces, for a machine with PostgreSQL and Redis (see README): ASGI workers
# (pages, API and websockets), the live layer on Redis pub/sub shared by every worker.
serve: install
	$(VENV)/bin/gunicorn config.asgi:application -k uvicorn_worker.UvicornWorker \
	  --bind $(HOST):$(PORT) --workers 2

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=info \
	  --scheduler django_celery_beat.schedulers:DatabaseScheduler

# The whole suite. With DATABASE_URL / REDIS_URL set it runs on PostgreSQL and Redis with a real
# Celery worker; REQUIRE_SERVICES=1 turns every skip for a missing service into a failure.
test: install
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

# The long API fuzz run: only the tests marked `fuzz`, FUZZ_EXAMPLES generated requests in all
# (`make test` runs the same test with a few hundred). FUZZ_SEED=<n> makes a different run.
FUZZ_EXAMPLES ?= 12000
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(VENV)/bin/pytest -m fuzz $(PYTEST_ARGS)

# Fault tests on real workers (tests/faults, marker `faults`): Redis stopped under 1,000 intakes,
# the mail server refusing, a Celery worker killed mid-task, PostgreSQL restarted, live sockets
# dropped. `make test` runs them at scale 1; here FAULTS_SCALE (10) multiplies every
# count. Needs DATABASE_URL (PostgreSQL) and REDIS_URL.
FAULTS_SCALE ?= 10
faults: install
	FAULTS_SCALE=$(FAULTS_SCALE) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(VENV)/bin/pytest -m faults tests/faults $(PYTEST_ARGS)

# Access (NFR-02): every URL of the URL conf has a row of a role table (tests/core/test_url_coverage.py);
# `make test` runs the tables; this adds the whole admin object matrix (every admin page of every
# registered model, own and other unit's objects, as every role).
access: install
	ACCESS_FULL=1 DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -m access_full tests/access $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Benchmarks on PostgreSQL (BENCH_DATABASE_URL, default a local atencion_bench database it creates).
# BENCH=assignment|workbench|intakes|pqr_export|turns|balancing|dashboard|peak runs one (intakes starts its own
# gunicorn on 127.0.0.1; pqr_export measures the daily export of 100,000 digital PQR against COPY;
# turns: 50 technologists taking 1,000 booth turns at once against a bare conditional UPDATE;
# balancing: uvicorn + Redis pub/sub, 50 technologists and 60 kiosks on websockets, from an
# accepted customer / "terminar" to video.connect on both sockets, beside a websocket echo;
# peak: a compressed peak day for 100 offices and 1,000 technologists through locust, with 1 and
# 2 ASGI and Celery workers — ~5 min, not part of the default run); dashboard: the managers'
# dashboard with 1,000,000 cases against a page without figures (~3 min, not in the default run).
bench: install
	$(PY) -m bench $(BENCH)

# Backups (docs/backups.md): pg_dump -Fc of DATABASE_URL, a tar of MEDIA_ROOT and a manifest
# (cases, evidence, each file's SHA-256) in var/backups/<date-time>/; the newest BACKUP_KEEP (14)
# are kept. `make restore BACKUP=<dir> TARGET_DATABASE_URL=<scratch db>` restores into that
# database (never onto DATABASE_URL without FORCE=1) and TARGET_MEDIA_ROOT, then verifies the
# counts and checksums against the manifest (VERIFY_ONLY=1: only verify).
backup:
	scripts/backup.sh

restore:
	scripts/restore.sh

clean:
	rm -rf $(VENV) staticfiles var media db.sqlite3
