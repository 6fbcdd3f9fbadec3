# Cocreate — `make run` serves the site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format worker bench screenshots e2e-deps clean

$(BIN)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cocreate needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

## run: install, migrate, add demo content on first run, serve on http://$(HOST):$(PORT) with the mail worker
run: $(BIN)/.installed
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo --if-empty
	@echo "Serving Cocreate on http://$(HOST):$(PORT) (Ctrl-C stops it). Mail goes to instance/mail/."
	@$(BIN)/flask --app wsgi worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

## test: the whole suite (set TEST_DATABASE_URL=postgresql://... to run it on PostgreSQL);
## the browser journeys in tests/e2e run too when Chromium is installed
test: $(BIN)/.installed-dev e2e-deps
	$(BIN)/pytest

# axe-core for the accessibility checks; without npm they are skipped and the run says so.
e2e-deps:
	@if [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then \
	  npm ci --prefix tests/e2e --no-audit --no-fund; fi

## screenshots: PNGs of the main pages with demo content into docs/screenshots/ (needs Chromium)
screenshots: $(BIN)/.installed-dev
	$(BIN)/python -m tests.e2e.screenshots

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: on SQLite, then PostgreSQL if it answers: seed (or reuse) the datasets, serve with gunicorn, measure with wrk (README: Performance)
bench: $(BIN)/.installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

worker: $(BIN)/.installed
	$(BIN)/flask --app wsgi worker

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/e2e/node_modules
