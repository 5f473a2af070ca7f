# One entry per task people run. `make run` and `make test` work from a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Run the suite on both cores; PYTEST_ARGS="-k sites" narrows it.
PYTEST_ARGS ?=

.PHONY: run test bench install assets lint format compose-check clean

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

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

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

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The compose file takes its secrets from the environment; placeholders are enough to check it.
compose-check:
	DJANGO_SECRET_KEY=compose-config-check POSTGRES_PASSWORD=compose-config-check docker-compose config -q

clean:
	rm -rf $(VENV) node_modules static/css static/vendor var/static
