# The two commands of the README: `make run` and `make test`. Both build the virtual
# environment in .venv on first use, so a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint emulator demo

$(BIN)/bbslack: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/bbslack
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/bbslack
	$(BIN)/bbslack run

emulator: $(BIN)/bbslack
	$(BIN)/bbslack emulator --scenario demo

lint: $(VENV)/.test-deps
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

# Four workers on two cores: the end-to-end tests spend their time waiting.
test: lint
	$(BIN)/pytest -n 4
