# The two set-up commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/match: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.test-deps: $(BIN)/match
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

.PHONY: install run test lint bench serve system-deps
install: $(BIN)/match

## Build the registry from seeds/ and print a shortlist.
run: install
	$(BIN)/match build seeds/
	$(BIN)/match shortlist cern-associate --top 10
	@echo "Web app: $(BIN)/match serve  (http://127.0.0.1:5000)"

## System packages for the browser and PDF tests (Debian).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	fi

## Install test dependencies and run the whole test suite.
test: $(VENV)/.test-deps system-deps
	$(BIN)/python -m pytest -q

serve: install
	$(BIN)/match serve

bench: install
	$(BIN)/python benchmarks/build_throughput.py
	$(BIN)/python benchmarks/shortlist_latency.py

lint: $(VENV)/.test-deps
	$(BIN)/pip install -q ruff
	$(BIN)/ruff check matcher web tests benchmarks
