# Alongside: `make run` serves the demo at http://127.0.0.1:5000, `make test` runs every test.
# Both set up everything they need on a fresh machine (Python 3.11+, Node.js 20+).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test lint format bench help pwa pwa-check e2e

help:
	@echo "make run    - install, migrate, load demo data, serve http://127.0.0.1:5000"
	@echo "make test   - install everything the tests need and run the whole suite"
	@echo "make lint   - ruff and mypy"
	@echo "make pwa    - build the web app into pwa/dist (make run and make test do this)"
	@echo "make e2e    - only the browser tests (headless Debian Chromium, real server)"
	@echo "make bench  - run the benchmarks in bench/ (see bench/README.md)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Alongside needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency lists change.
$(INSTALLED): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

# The web app: `npm ci` only when the lockfile changes, a build only when its sources change.
PWA := pwa
PWA_INSTALLED := $(PWA)/node_modules/.installed
PWA_BUILT := $(PWA)/dist/index.html
PWA_SOURCES := $(shell find $(PWA)/src $(PWA)/public $(PWA)/scripts -type f 2>/dev/null) \
	$(wildcard $(PWA)/index.html $(PWA)/vite.config.ts $(PWA)/tsconfig*.json)

$(PWA_INSTALLED): $(PWA)/package-lock.json
	@command -v npm >/dev/null || { echo "The web app needs Node.js 20+ and npm"; exit 1; }
	cd $(PWA) && npm ci --no-audit --no-fund
	@touch $@

$(PWA_BUILT): $(PWA_INSTALLED) $(PWA_SOURCES)
	cd $(PWA) && npm run build

pwa: $(PWA_BUILT)

# Type checks per runtime and the Vitest suite.
pwa-check: $(PWA_INSTALLED)
	cd $(PWA) && npm run typecheck && npm test

run: $(INSTALLED) $(PWA_BUILT)
	$(BIN)/alongside db upgrade
	$(BIN)/alongside demo
	ALONGSIDE_SESSION_COOKIE_SECURE=false ALONGSIDE_SCHEDULER_IN_APP=true $(BIN)/alongside run --host 127.0.0.1 --port 5000

test: $(INSTALLED) $(PWA_BUILT) pwa-check
	$(BIN)/ruff check server sync tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

e2e: $(INSTALLED) $(PWA_BUILT)
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check server sync tests bench
	$(BIN)/ruff format --check server sync tests bench
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff format server sync tests bench
	$(BIN)/ruff check --fix server sync tests bench

bench: $(INSTALLED)
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/feedback.py
	$(BIN)/python bench/push_instructions.py
	$(BIN)/python bench/crypto.py
	$(BIN)/python bench/aggregate.py
