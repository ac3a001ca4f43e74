# The README's commands. `make run` serves the app; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install install-dev chromium run test lint format bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's Chromium drives the browser tests (Playwright may not download its own here).
chromium:
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

run: install
	$(PY) app.py

test: install-dev chromium
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# One report of every benchmark: benchmarks/REPORT.md (28-40 min on 2 cores). A smoke run:
# make bench BENCH_ARGS=--quick
bench: install-dev
	$(PY) benchmarks/report.py $(BENCH_ARGS)
