# phaodai: `make demo` to try it, `make test` before every commit. See docs/operations/testing.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Touched after each successful install: pip runs again only when pyproject.toml is newer.
INSTALLED := $(VENV)/.installed

.PHONY: help install demo test lint fmt messages bench clean distclean

help:
	@echo "make demo       migrate, seed and serve the demo on http://127.0.0.1:8000 (ARGS=... passed to 'phaodai demo')"
	@echo "make test       lint, types, import contracts, migrations, messages, tests on SQLite + PostgreSQL, browser tests"
	@echo "make lint       ruff, ruff format --check, mypy, lint-imports"
	@echo "make fmt        ruff --fix and ruff format"
	@echo "make messages   update and compile the vi/en message catalogues"
	@echo "make bench      run bench/*.py on a throwaway PostgreSQL (NAME=people_import for one)"
	@echo "make clean      remove caches and build leftovers (distclean: also .venv and var/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/phaodai demo $(ARGS)

test: $(INSTALLED)
	scripts/test.sh

lint: $(INSTALLED)
	scripts/test.sh ruff format mypy imports

fmt: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(INSTALLED)
	scripts/messages.sh

bench: $(INSTALLED)
	scripts/bench.sh $(NAME)

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache .import_linter_cache .hypothesis build dist *.egg-info test-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var
