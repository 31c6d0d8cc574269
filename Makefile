# Developer entry points. `make test` sets up .venv and runs the whole suite, as CI does.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup test test-fast lint bench clean

$(BIN)/stackpick: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/stackpick

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
