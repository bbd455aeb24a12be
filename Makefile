# Diaodu: `make demo` serves the demo city, `make test` runs the whole suite.
# Both set up what they need first: a virtual environment in .venv/, Python and npm packages.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup migrate demo serve test lint typecheck format check messages ci clean bench eval-extract fuzz load

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@# python-ldap (the directory sign-in, docs/sso.md) compiles against Debian's libldap2-dev
	@# and libsasl2-dev: installed where they are (.ci/run installs them), its tests skipped elsewhere.
	if [ -e /usr/include/ldap.h ] && [ -e /usr/include/sasl/sasl.h ]; then \
		$(PY) -m pip install --quiet -e ".[dev,ldap]"; \
	else \
		echo "Without libldap2-dev and libsasl2-dev the directory (LDAP) sign-in is not installed; its tests are skipped."; \
	fi
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

migrate: setup
	$(PY) manage.py migrate --noinput

# The demo and the development server run in development mode; production is the default.
demo: export DIAODU_DEBUG = true
demo: migrate
	$(PY) manage.py demo --if-empty
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: export DIAODU_DEBUG = true
serve: migrate
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite in a random order (pytest-randomly; the seed to repeat it is printed at the
# end), on every core (pytest-xdist; each worker has its own test database, and the tests that
# share a build of the demo or the small city run together in one worker: --dist loadgroup,
# diaodu/conftest.py). PYTEST_ARGS adds options, e.g.
# PYTEST_ARGS="-x". Compiled modules are kept in var/pycache, even where the environment asks
# for none to be written, so that no worker, nor any process a test starts, compiles Django and
# the project again.
test: export PYTHONDONTWRITEBYTECODE =
test: export PYTHONPYCACHEPREFIX = $(CURDIR)/var/pycache
test: setup
	$(PY) -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# mypy on the services, models and permission rules ([tool.mypy] in pyproject.toml says which,
# and which are still lenient). Its plugin loads the settings, in development mode.
typecheck: export DIAODU_DEBUG = true
typecheck: setup
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: export DIAODU_DEBUG = true
check: setup
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Extract the translatable strings into the zh-Hans catalog, then compile it (needs GNU gettext).
messages: export DIAODU_DEBUG = true
messages: setup
	cd diaodu && ../$(PY) ../manage.py makemessages --locale zh_Hans --no-obsolete --add-location file
	cd diaodu && ../$(PY) ../manage.py compilemessages --locale zh_Hans

# The benchmark on a generated province (generated once per size, in its own database).
BENCH_PROJECTS ?= 50000
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench/bench.sqlite3
bench: export DIAODU_DEBUG = true
bench: setup
	mkdir -p var/bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench --projects $(BENCH_PROJECTS)

# Precision and recall of the minutes-to-tasks extractor on the hand-labelled seed texts
# (../shared/eval, or DIAODU_EVAL_DIR) and on the development set's dev and held-out parts
# (labels in diaodu/meetings/extraction/eval, texts kept locally in var/eval-texts), with
# the time a 10,000-character text takes.
eval-extract: setup
	$(PY) scripts/eval_extract.py

# The API tried with schemathesis from its OpenAPI schema, as headquarters, a district and an
# owner, on a fresh demo city served on a free local port: fails on any server error (5xx) and on
# any answer the schema does not describe (status code, content type, headers, body). About 4.5
# minutes; FUZZ_ARGS passes options (e.g. FUZZ_ARGS="--max-time 60 --seed 7 --keep").
fuzz: setup
	$(PY) scripts/api_fuzz.py $(FUZZ_ARGS)

# The deadline surge (docs/performance.md): the demo city in a scratch PostgreSQL database
# (LOAD_DATABASE_URL, dropped and made again), served by gunicorn with the production settings on
# a free port of 127.0.0.1, 4 workers, with a queue worker and the cache in a scratch Redis database
# (12, emptied; --redis to change it); owners file and submit, headquarters open the ledger and
# the dashboard and return reports, at 40 requests/s offered for 3 minutes, then the capacity
# (the offered rate at which p95 passes 1 s). About 10 minutes; writes var/bench/load.json.
# LOAD_ARGS passes options (e.g. LOAD_ARGS="--rate 20 --duration 60 --no-capacity").
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/diaodu_load
load: setup
	$(PY) scripts/load_test.py --database-url $(LOAD_DATABASE_URL) $(LOAD_ARGS)

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache .mypy_cache
