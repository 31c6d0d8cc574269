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

## bench: stackpick's own costs and generated apps against naive hello worlds (needs wrk)
bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
