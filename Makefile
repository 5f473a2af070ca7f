# One entry per task people run. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Run the suite on both cores; PYTEST_ARGS="-k sites" narrows it.
PYTEST_ARGS ?=

.PHONY: run test bench load install lock assets lint typecheck audit format compose-check backup restore clean

run: install assets
	DJANGO_ENV=development $(MANAGE) migrate --no-input
	DJANGO_ENV=development $(MANAGE) load_reference_data
	DJANGO_ENV=development $(MANAGE) seed_demo
	DJANGO_ENV=development DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

test: install assets
	DJANGO_ENV=test $(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Benchmarks against a throwaway database (PostgreSQL when DATABASE_URL is set).
bench: install
	DJANGO_ENV=test $(PY) -m bench.returns
	DJANGO_ENV=test $(PY) -m bench.rollups
	DJANGO_ENV=test $(PY) -m bench.review_pack
	DJANGO_ENV=test $(PY) -m bench.bulletin

# The monthly peak on the real stack, a couple of minutes: needs DATABASE_URL (PostgreSQL) and redis-server.
# Locust and what it pulls in come from their own lock (requirements-load.txt), installed here only.
load: install assets $(VENV)/.load-installed
	DJANGO_ENV=test $(PY) -m bench.load.run

# Everything from the locks, every file checked against its hash (ADR 2). The lock pins pip too.
install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

$(VENV)/.load-installed: $(VENV)/.installed requirements-load.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-load.txt
	touch $@

# Recompile the locks from requirements*.in, keeping every version already locked that still fits;
# LOCK_ARGS=--upgrade takes the newest of everything, LOCK_ARGS="--upgrade-package NAME" of one.
LOCK_ARGS ?=
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--custom-compile-command "make lock" $(LOCK_ARGS)
lock: $(VENV)/.installed
	$(UV_COMPILE) --output-file requirements.txt requirements.in
	$(UV_COMPILE) --output-file requirements-dev.txt requirements-dev.in
	$(UV_COMPILE) --output-file requirements-load.txt requirements-load.in

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: static/css/portal.css

static/css/portal.css: node_modules/.installed static/src/portal.scss static/src/copy-vendor.mjs
	npm run --silent build

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_ENV=test $(MANAGE) makemigrations --check --dry-run
	DJANGO_ENV=test $(VENV)/bin/mypy .

# mypy with the Django, DRF and Celery stubs (configured in pyproject.toml); `lint` runs it too.
typecheck: install
	DJANGO_ENV=test $(VENV)/bin/mypy .

# Known vulnerabilities in every installed package (the pins and what they pull in), from PyPI's
# advisory data. AUDIT_ARGS=--strict also fails on a package that could not be looked up (ADR 12).
AUDIT_ARGS ?=
audit: install
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable $(AUDIT_ARGS)

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The database, whole, in pg_dump's custom format (docs/runbook.md "Backup and restore"). Reads
# DATABASE_URL; BACKUP_FILE names the file (default backups/portal-<UTC time>.dump).
BACKUP_FILE ?= backups/portal-$(shell date -u +%Y%m%dT%H%M%SZ).dump
backup:
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to the database to back up."; exit 1; }
	@mkdir -p "$(dir $(BACKUP_FILE))"
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP_FILE)" "$(DATABASE_URL)"
	@echo "Backed up to $(BACKUP_FILE)"

# Restore BACKUP_FILE into the EMPTY database DATABASE_URL names, in one transaction: all or nothing.
restore:
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to the empty database to restore into."; exit 1; }
	@test -f "$(BACKUP_FILE)" || { echo "Set BACKUP_FILE to the backup to restore (make backup wrote its name)."; exit 1; }
	pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$(DATABASE_URL)" "$(BACKUP_FILE)"
	@echo "Restored $(BACKUP_FILE)"

# The compose file takes its secrets from the environment; placeholders are enough to check it.
compose-check:
	DJANGO_SECRET_KEY=compose-config-check POSTGRES_PASSWORD=compose-config-check docker-compose config -q

clean:
	rm -rf $(VENV) node_modules static/css static/vendor var/static
