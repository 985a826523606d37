# Two commands on a fresh machine: `make demo` and `make test`. Each builds .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit contract generate check-generated bench soak clean

$(STAMP): pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

test: $(STAMP) check-generated lint typecheck unit contract

generate: $(STAMP)
	$(BIN)/python -m codegen

# Regenerating must be a no-op: generated files are never edited by hand.
check-generated: $(STAMP)
	$(BIN)/python -m codegen --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

# The SDK against Prism 4.14.1, an OpenAPI validator nobody here wrote (needs Node and npm).
contract: $(STAMP)
	bash contract/run.sh

# The long kill/resume run of the bulk runner: 2,000 rows, 25 SIGKILLs (BULK_KILL_SEED to replay).
.PHONY: soak-bulk
soak-bulk: $(STAMP)
	BULK_SOAK=1 $(BIN)/pytest -q tests/integration/test_bulk_kill.py -k soak

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The long fault soak (1,000 Client + 300 AsyncClient sequences); `make soak SEED=123` repeats
# a run. `make test` runs a short one (tests/soak/test_soak.py).
soak: $(STAMP)
	$(BIN)/python -m tests.soak $(if $(SEED),--seed $(SEED))

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis contract/build contract/node_modules
