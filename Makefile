# Everyday commands. The virtualenv is created on first use and re-installed
# only when pyproject.toml changes.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RUNNABLE := $(VENV)/.runnable

.PHONY: run run-kafka test lint ci bench lock

run: $(RUNNABLE)
	$(BIN)/bazaar up

# The Kafka topology without Docker: a local Tansu broker, the relay and two Faust workers.
run-kafka: $(INSTALLED)
	$(BIN)/bazaar up --streams kafka

test: $(INSTALLED)
	$(BIN)/pytest --cov --cov-report=term tests

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

ci:
	$(MAKE) lint
	$(MAKE) test

bench: $(INSTALLED)
	$(BIN)/python bench/orders.py

# The pinned, hashed runtime dependencies the image installs; run after changing pyproject.toml.
lock: $(INSTALLED)
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes \
		--custom-compile-command "make lock" -q -o requirements.lock

$(BIN)/python:
	$(PY) -m venv $(VENV)

# `make run` installs what running needs; tests and linters add the dev tools (and make
# the virtualenv runnable too).
$(RUNNABLE): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[run]'
	touch $@

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $@ $(RUNNABLE)
